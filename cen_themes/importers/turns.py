"""Speaker turns and page-header lines in plain text.

A speaker label starts a line: ``Interviewer:``, ``P01:``, ``Dr Okafor:``, ``Q:``,
``[Nurse 1]``, ``[Nurse 1]:``, ``**Anna:**`` or ``**Anna**:`` (markdown); the words
may follow on the same line or on the next ones. A label is at most four words (name
particles such as "de" or "van" between them not counted), each starting with a capital
letter or a digit, so prose such as "However, she said: ..." or "[inaudible]" is not a
label. Everything is done with compiled regular expressions over the whole text, so the
cost is linear in its length.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from cen_themes.errors import InputError
from cen_themes.importers.base import Turn

if TYPE_CHECKING:
    import regex

__all__ = ["compile_speaker_pattern", "detect_turns", "match_label"]

MIN_LABELS = 2
"""A document with fewer label lines than this has no speakers."""


_CASED_LIMIT = 0x20000


def _capitals_class() -> str:
    """A character class of every upper- and titlecase letter, as ranges.

    Python's ``re`` has no ``\\p{Lu}``; all cased letters lie below U+20000.
    """
    ranges: list[tuple[int, int]] = []
    for code in range(_CASED_LIMIT):
        char = chr(code)
        if char.isupper() or char.istitle():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    parts = [
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in ranges
    ]
    return "".join(parts)


_PARTICLE = r"(?:al|bin|da|das|de|del|della|den|der|di|do|dos|du|el|la|le|ten|ter|van|von|zu)"


@lru_cache(maxsize=1)
def _default_label() -> re.Pattern[str]:
    """A label, and the whitespace after it. Built on first use: the class of capitals
    takes a scan of 128k code points, which a command that imports nothing should not
    pay for."""
    word = rf"[{_capitals_class()}\d][\w.'’\-]*"
    name = rf"{word}(?:[ \t](?:{_PARTICLE}[ \t])*{word}){{0,3}}"
    return re.compile(
        rf"""^(?:(?:
            \*\*(?P<bold>{name})(?::\*\*|\*\*:)   # **Anna:** or **Anna**:
          | \[(?P<bracket>{name})\]:?            # [Nurse 1] or [Nurse 1]:
          | (?P<plain>{name}):                   # Interviewer:
        )(?=\s|\Z))\s*""",
        re.MULTILINE | re.VERBOSE,
    )


# Capitalised annotations that look like labels but are not speakers ("[Laughter]").
_NOT_SPEAKERS = frozenset(
    {
        "applause",
        "background noise",
        "break",
        "cough",
        "coughs",
        "crosstalk",
        "cross talk",
        "end",
        "end of interview",
        "end of recording",
        "inaudible",
        "interruption",
        "laughs",
        "laughter",
        "laughing",
        "long pause",
        "music",
        "noise",
        "overlapping",
        "overlap",
        "pause",
        "redacted",
        "sighs",
        "silence",
        "unclear",
        "unintelligible",
    }
)

# A line that is only a page header or footer of text taken from a PDF: "2/5",
# "Page 3", "Page 3 of 12", or a bare page (or line) number.
_PAGE_LINE = re.compile(
    r"""^(?:
        \d{1,4}[ \t]*/[ \t]*\d{1,4}                          # 2/5
      | (?i:page)[ \t]+\d{1,5}(?:[ \t]+(?i:of)[ \t]+\d{1,5})?  # Page 3, Page 3 of 12
      | \d{1,5}                                             # 12
    )[ \t]*$""",
    re.MULTILINE | re.VERBOSE,
)
_LEADING_SPACE = re.compile(r"\s*")
_GLOBAL_FLAGS = re.compile(r"(?:\(\?[aiLmsux]+\))*")
_AFTER = "cen_themes_after_label"  # the whitespace group added to a user's pattern


SPEAKER_PATTERN_SECONDS = 5.0
"""How long a user's speaker pattern may run over one document: a pattern with nested
repeats can take for ever on a long line, and the import must say so, not hang."""


@lru_cache(maxsize=32)
def compile_speaker_pattern(pattern: str) -> regex.Pattern[str]:
    """Compile a user's speaker-label regex, anchored at line starts (MULTILINE), with
    the ``regex`` module (the syntax of ``re``), so that its runs can be timed out.

    What it matches is the label; its ``speaker`` group is the speaker's name. The
    compiled pattern goes on over the whitespace after the label, in a group of its own
    that comes last (so the user's group numbers and backreferences are kept). Raises
    :class:`InputError` for an invalid regex or one without a ``speaker`` group.
    """
    import regex  # loaded when a user gives a pattern

    try:
        plain = regex.compile(pattern, regex.MULTILINE)
    except regex.error as exc:
        raise InputError(f"invalid speaker pattern: {exc}") from None
    if "speaker" not in plain.groupindex:
        raise InputError("speaker pattern must contain a (?P<speaker>...) group")
    flags = _GLOBAL_FLAGS.match(pattern)
    prefix = flags.group() if flags else ""
    body = pattern[len(prefix) :]
    closing = "\n)" if "x" in prefix else ")"  # a verbose pattern may end in a comment
    try:
        return regex.compile(rf"{prefix}^(?:{body}{closing}(?P<{_AFTER}>\s*)", regex.MULTILINE)
    except regex.error as exc:  # pragma: no cover - compiled fine unanchored
        raise InputError(f"invalid speaker pattern: {exc}") from None


def _too_slow(pattern: str | None) -> InputError:
    return InputError(
        f"the speaker pattern '{pattern}' took over {SPEAKER_PATTERN_SECONDS:g} s on this "
        "text (nested repeats such as (a+)+ can take for ever); simplify it"
    )


def detect_turns(
    text: str, speaker_pattern: str | None = None
) -> tuple[list[Turn], list[tuple[int, int]]]:
    """Find the speaker turns of ``text`` and the page-header lines inside them.

    Returns ``(turns, skips)``. A turn spans what was said: from after the label and the
    whitespace that follows it to before the whitespace that ends it; labels are in no
    turn, and empty turns are left out. Text before the first label is a turn with
    speaker ``None``. With fewer than two label lines the document has no speakers: one
    turn with speaker ``None`` over the whole text, trimmed. ``skips`` are the lines
    inside turns that are only a page header or number (``2/5``, ``Page 3 of 9``, ``12``),
    except a bare number that is a whole turn by itself (the answer "12").

    ``speaker_pattern`` replaces the default label forms; see
    :func:`compile_speaker_pattern`.
    """
    labels = _find_labels(text, speaker_pattern)
    turns: list[Turn] = []
    if len(labels) < MIN_LABELS:
        _add_trimmed_turn(turns, text, 0, len(text), None)
        return turns, _find_skips(text, turns)
    _add_trimmed_turn(turns, text, 0, labels[0][0], None)
    ends = [label_start for label_start, _, _ in labels[1:]]
    ends.append(len(text))
    for (_, start, speaker), end in zip(labels, ends, strict=True):
        # start is past the label's whitespace already; step back over the turn's own
        # trailing whitespace (usually one newline: cheaper than slicing the turn)
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            turns.append(Turn(start, end, speaker))
    return turns, _find_skips(text, turns)


def match_label(text: str, speaker_pattern: str | None = None) -> tuple[str, int] | None:
    """Match a speaker label at the very start of ``text`` (``"Anna: hi"``).

    Returns ``(speaker, end)`` where ``end`` is past the label and the whitespace after
    it, or ``None`` if ``text`` does not start with a label. The label forms are those
    of :func:`detect_turns`.
    """
    if speaker_pattern is None:
        match = _default_label().match(text)
        speaker = None if match is None else _default_speaker(match)
    else:
        try:
            match = compile_speaker_pattern(speaker_pattern).match(
                text, timeout=SPEAKER_PATTERN_SECONDS
            )
        except TimeoutError:
            raise _too_slow(speaker_pattern) from None
        speaker = None if match is None else _custom_speaker(match)
    return None if match is None or speaker is None else (speaker, match.end())


def _find_labels(text: str, speaker_pattern: str | None) -> list[tuple[int, int, str]]:
    """``(label start, start of the words after it, speaker)`` for every label."""
    if speaker_pattern is None:
        matches = _default_label().finditer(text)
        speaker_of = _default_speaker
    else:
        pattern = compile_speaker_pattern(speaker_pattern)
        matches = pattern.finditer(text, timeout=SPEAKER_PATTERN_SECONDS)
        speaker_of = _custom_speaker
    labels: list[tuple[int, int, str]] = []
    try:
        for match in matches:
            speaker = speaker_of(match)
            if speaker is not None:
                labels.append((match.start(), match.end(), speaker))
    except TimeoutError:
        raise _too_slow(speaker_pattern) from None
    return labels


def _default_speaker(match: re.Match[str]) -> str | None:
    """The speaker a default label names, or None for an annotation ("[Laughter]").

    The name needs no stripping: the label forms allow no space around it.
    """
    bold, bracket, plain = match.group("bold", "bracket", "plain")
    speaker: str = plain or bracket or bold
    if speaker.lower() in _NOT_SPEAKERS or not any(c.isalpha() for c in speaker):
        return None  # an annotation, or a number ("2019:", "1:") rather than a name
    return speaker


def _custom_speaker(match: regex.Match[str]) -> str | None:
    """The speaker a user's pattern names, or None for an empty match or name."""
    name = match.group("speaker")
    if match.start(_AFTER) == match.start() or not name or name.isspace():
        return None
    return name.strip()


def _add_trimmed_turn(
    turns: list[Turn], text: str, start: int, end: int, speaker: str | None
) -> None:
    """Append the turn ``text[start:end]`` without surrounding whitespace, if not empty."""
    start = _LEADING_SPACE.match(text, start, end).end()  # type: ignore[union-attr]
    end = start + len(text[start:end].rstrip())
    if start < end:
        turns.append(Turn(start, end, speaker))


def _find_skips(text: str, turns: list[Turn]) -> list[tuple[int, int]]:
    """Page-header lines that lie inside a turn, clipped to it."""
    skips: list[tuple[int, int]] = []
    if not turns:
        return skips
    index = 0
    for match in _PAGE_LINE.finditer(text):
        start, end = match.start(), match.end()
        while index < len(turns) and turns[index].end <= start:
            index += 1
        if index == len(turns):
            break
        turn = turns[index]
        if start < turn.start:
            continue
        end = min(end, turn.end)
        if (start, end) == (turn.start, turn.end) and text[start:end].strip().isdigit():
            continue  # a bare number that is a whole turn is an answer ("12"), not a page
        skips.append((start, end))
    return skips
