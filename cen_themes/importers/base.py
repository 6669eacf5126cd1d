"""What every importer returns: the stored text and where its speaker turns are."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: the span of what was said, the speaker label excluded.

    ``start``/``end`` are 0-based code-point offsets into :attr:`Document.text`, end
    exclusive. ``speaker`` is ``None`` for text outside any labelled turn (a preamble,
    or a whole document without speaker labels).
    """

    start: int
    end: int
    speaker: str | None


@dataclass(frozen=True, slots=True)
class Document:
    """A file read into the text a source stores.

    ``text`` is exactly what is stored: decoded, a leading BOM removed, CRLF and lone CR
    turned into LF. ``turns`` are in order and do not overlap. ``skips`` are spans inside
    turns that are not part of any sentence (page headers such as ``2/5`` in text taken
    from a PDF); segments never cover them.
    """

    text: str
    turns: list[Turn]
    skips: list[tuple[int, int]] = field(default_factory=list)
    format: str = "txt"
