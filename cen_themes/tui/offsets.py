"""Convert between TextArea locations (row, column) and code-point offsets.

The table mirrors how Textual's ``Document`` splits a text into lines
(``str.splitlines``, plus a last empty line after a trailing newline), so every
row starts at the offset of the same character in the stored text, whatever line
separators it holds (``\\n``, a form feed from a PDF, ``\\u2028``...).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
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


@dataclass(frozen=True, slots=True)
class Unit:
    """A span of the stored text that one key codes: a sentence, or a whole turn."""

    start: int
    end: int
    speaker: str | None
    turn: int


class SegmentIndex:
    """The sentence and the speaker turn at an offset, by bisection over the segments.

    ``segments`` are (start, end, speaker, turn) in text order, as the sources service
    gives them; a turn is the segments that share its number, and runs from the start
    of its first sentence to the end of its last (its speaker label is outside it).
    """

    def __init__(self, segments: Iterable[tuple[int, int, str | None, int]]) -> None:
        self.sentences = [Unit(*segment) for segment in segments]
        self.sentences.sort(key=lambda unit: unit.start)
        self._starts = [unit.start for unit in self.sentences]
        turns: dict[int, Unit] = {}
        for unit in self.sentences:
            first = turns.get(unit.turn)
            start = first.start if first else unit.start
            turns[unit.turn] = Unit(
                start, max(unit.end, first.end if first else 0), unit.speaker, unit.turn
            )
        self.turns = turns
        counts: dict[str, int] = {}
        for turn in turns.values():
            if turn.speaker is not None:
                counts[turn.speaker] = counts.get(turn.speaker, 0) + 1
        self._speakers = list(counts.items())

    def sentence_at(self, offset: int, lines: LineTable | None = None) -> Unit | None:
        """The sentence holding ``offset``; else the one it ends (the cursor just after
        its last character); else the next one when it starts on the same row (the
        cursor on a speaker label), given the rows in ``lines``."""
        index = bisect_right(self._starts, offset) - 1
        if index >= 0 and offset <= self.sentences[index].end:
            return self.sentences[index]
        following = index + 1
        if following < len(self.sentences) and lines is not None:
            unit = self.sentences[following]
            if lines.location(unit.start)[0] == lines.location(offset)[0]:
                return unit
        return None

    def turn_at(self, offset: int, lines: LineTable | None = None) -> Unit | None:
        """The whole speaker turn of the sentence at ``offset``."""
        sentence = self.sentence_at(offset, lines)
        return self.turns[sentence.turn] if sentence else None

    def speakers(self) -> list[tuple[str, int]]:
        """Each speaker with their number of turns, in order of first appearance."""
        return list(self._speakers)
