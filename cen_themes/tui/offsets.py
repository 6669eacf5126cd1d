"""Convert between TextArea locations (row, column) and code-point offsets.

The table mirrors how Textual's ``Document`` splits a text into lines
(``str.splitlines``, plus a last empty line after a trailing newline), so every
row starts at the offset of the same character in the stored text, whatever line
separators it holds (``\\n``, a form feed from a PDF, ``\\u2028``...).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

_TRAILING_NEWLINES = ("\r\n", "\n", "\r")


@dataclass(frozen=True, slots=True)
class LineTable:
    """Where each row starts, and how long it is (separator excluded)."""

    starts: tuple[int, ...]
    lengths: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> LineTable:
        starts: list[int] = []
        lengths: list[int] = []
        position = 0
        for line, bare in zip(text.splitlines(keepends=True), text.splitlines(), strict=True):
            starts.append(position)
            lengths.append(len(bare))
            position += len(line)
        if not text or text.endswith(_TRAILING_NEWLINES):
            starts.append(len(text))
            lengths.append(0)
        return cls(tuple(starts), tuple(lengths))

    def offset(self, row: int, column: int) -> int:
        """The code-point offset of a (row, column) location."""
        row = min(max(row, 0), len(self.starts) - 1)
        return self.starts[row] + min(max(column, 0), self.lengths[row])

    def location(self, offset: int) -> tuple[int, int]:
        """The (row, column) of a code-point offset (a separator maps to its line end)."""
        row = max(bisect_right(self.starts, offset) - 1, 0)
        return row, min(offset - self.starts[row], self.lengths[row])

    def line_spans(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """The span [start, end) cut into (row, column start, column end) pieces."""
        first, _ = self.location(start)
        pieces: list[tuple[int, int, int]] = []
        for row in range(first, len(self.starts)):
            line_start = self.starts[row]
            if line_start >= end and row != first:
                break
            column_start = max(start - line_start, 0)
            column_end = min(end - line_start, self.lengths[row])
            if column_end > column_start:
                pieces.append((row, column_start, column_end))
        return pieces
