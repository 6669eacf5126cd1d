"""What the code picker offers for what is typed: pure logic, no widgets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from textual.fuzzy import Matcher

from cen_themes.results import CodeInfo

IN_VIVO_MAX = 60
PATH_SEPARATOR = " > "

ChoiceKind = Literal["existing", "create", "in_vivo"]


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of the picker: the code path to apply and how it came about."""

    kind: ChoiceKind
    code: str
    colour: str = ""


def in_vivo_name(selected: str) -> str:
    """The selected words as a code name: one line, no edge punctuation, not too long."""
    words = " ".join(selected.split()).replace(PATH_SEPARATOR, " - ")
    words = words.strip(" \t.,;:!?\"'“”‘’()[]-–—")
    if len(words) > IN_VIVO_MAX:
        cut = words[:IN_VIVO_MAX]
        words = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return words


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def choices_for(typed: str, codes: list[CodeInfo], selected: str = "") -> list[Choice]:
    """Exact match first, else "create <typed>" first; then fuzzy matches; then in vivo."""
    query = _collapse(typed)
    exact = [c for c in codes if query and query in (c.path, c.name)]
    exact_ids = {c.id for c in exact}
    found: list[Choice] = [Choice("existing", c.path, c.color) for c in exact]
    if query and not exact:
        found.append(Choice("create", query))
    if query:
        matcher = Matcher(query)
        scored = [(matcher.match(c.path), index, c) for index, c in enumerate(codes)]
        ranked = sorted(
            (item for item in scored if item[0] > 0 and item[2].id not in exact_ids),
            key=lambda item: (-item[0], item[1]),
        )
        found.extend(Choice("existing", c.path, c.color) for _score, _index, c in ranked)
    else:
        found.extend(Choice("existing", c.path, c.color) for c in codes)
    vivo = in_vivo_name(selected)
    if vivo:
        found.append(Choice("in_vivo", vivo))
    return found
