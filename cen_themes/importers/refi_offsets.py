"""Selections' offsets as each REFI-QDA producer means them, turned into ours.

The standard says "characters"; producers count them differently. NVivo counts UTF-16
code units (an emoji is two) with CRLF as two; others count code points, with the
file's CRLF as two or as one. A source here stores its text with every CRLF as one LF,
and offsets are its code points. So each selection is read in every one of the four
ways, and the reading under which most selections start and end on word boundaries
wins (a coder selects words); ties go to what the producer is known to write. A text
without emoji and CRLF reads the same in all four. A file this program wrote counts
code points of LF text, as it says, and is read only that way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cen_themes import NAME


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


OWN_ORIGIN = NAME  # how this program's REFI-QDA files name their origin
READINGS = (
    ("code points", False),  # of the text with LF newlines
    ("code points, CRLF as two", True),
    ("UTF-16 units, CRLF as two", True),
    ("UTF-16 units", False),
)


def to_code_points(
    original: str, spans: list[Span], origin: str = ""
) -> tuple[list[Span | None], str, int]:
    """``spans`` of ``original`` (decoded, newlines as in the file) as spans of the
    stored text (LF newlines), by the best reading. Returns the spans (``None`` where a
    span falls outside the text or is empty), the reading's name when the readings
    differ for this text ('' otherwise), and how many spans were ``None``."""
    stored = original.replace("\r\n", "\n").replace("\r", "\n")
    if not spans:
        return [], "", 0
    wide = any(ord(c) > 0xFFFF for c in original)
    crlf = "\r\n" in original
    preferred = READINGS
    if origin.lower().startswith(OWN_ORIGIN):
        mapped = _read(stored, spans, False, False)
        return mapped, "", sum(1 for s in mapped if s is None)
    if "nvivo" in origin.lower():
        preferred = (READINGS[2], READINGS[0], READINGS[1], READINGS[3])
    best: tuple[float, list[Span | None], str] | None = None
    for name, file_newlines in preferred:
        if "UTF-16" in name and not wide and best is not None:
            continue  # the same as the code-point reading
        if file_newlines and not crlf and best is not None:
            continue
        mapped = _read(
            original if file_newlines else stored, spans, "UTF-16" in name, file_newlines
        )
        score = _on_word_boundaries(stored, mapped)
        if best is None or score > best[0]:
            best = (score, mapped, name)
    assert best is not None
    _score, mapped, name = best
    shown = name if (wide or crlf) else ""
    return mapped, shown, sum(1 for s in mapped if s is None)


def _read(text: str, spans: list[Span], utf16: bool, collapse_crlf: bool) -> list[Span | None]:
    """Map unit offsets of ``text`` to code points of the stored text."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    units = (1 + (points > 0xFFFF)) if utf16 else np.ones(len(points), dtype=np.int64)
    # boundary[i]: the unit offset where code point i starts; boundary[n]: the end
    boundary = np.concatenate(([0], np.cumsum(units, dtype=np.int64)))
    removed = np.zeros(len(points) + 1, dtype=np.int64)  # CRs of CRLF before each point
    if collapse_crlf and len(points) > 1:
        is_cr = np.zeros(len(points), dtype=bool)
        is_cr[:-1] = (points[:-1] == 13) & (points[1:] == 10)
        removed[1:] = np.cumsum(is_cr)
    length = int(boundary[-1])
    out: list[Span | None] = []
    for span in spans:
        if not 0 <= span.start < span.end <= length:
            out.append(None)
            continue
        first = int(np.searchsorted(boundary, span.start, side="right")) - 1  # round down
        last = int(np.searchsorted(boundary, span.end, side="left"))  # round up
        start, end = first - int(removed[first]), last - int(removed[last])
        out.append(Span(start, end) if start < end else None)
    return out


def _on_word_boundaries(text: str, spans: list[Span | None]) -> float:
    """The share of spans that start and end where a word does; outside spans count
    against a reading."""
    if not spans:
        return 0.0
    good = 0
    for span in spans:
        if span is None or span.end > len(text):
            continue
        starts = span.start == 0 or not (
            text[span.start - 1].isalnum() and text[span.start].isalnum()
        )
        ends = span.end == len(text) or not (
            text[span.end - 1].isalnum() and text[span.end].isalnum()
        )
        good += starts and ends
    return good / len(spans)
