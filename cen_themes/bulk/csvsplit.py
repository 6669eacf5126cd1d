"""Column-wise parsing of a plain CSV with numpy, for files of a million rows.

The fast path covers the files programs write: no quotes, and the same number of
fields on every non-blank line. Anything else (quotes, ragged rows, a cell that is
not a plain whole number) makes :func:`split` or a column method return ``None``, and
the caller falls back to the csv module, which also words the errors. So the fast
path never has to explain a problem; it only has to notice one.

Delimiters and newlines are ASCII, and UTF-8 never uses ASCII bytes inside a
multi-byte character, so fields are found by searching the encoded bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_DIGITS = 18  # every such number fits in an int64


@dataclass(frozen=True)
class Fields:
    """Where each field of each record lies in ``raw`` (byte offsets, end exclusive)."""

    raw: np.ndarray  # uint8, the UTF-8 encoded file
    data: bytes  # the same bytes
    text: str | None  # the file's text when it is all ASCII
    starts: np.ndarray  # (records, fields)
    ends: np.ndarray

    @property
    def records(self) -> int:
        return len(self.starts)

    @property
    def width(self) -> int:
        return self.starts.shape[1]

    def integers(self, column: int) -> np.ndarray | None:
        """The column as int64, or ``None`` unless every cell is 1-18 ASCII digits."""
        start, end = self.starts[:, column], self.ends[:, column]
        length = end - start
        if not len(length) or length.min() < 1 or length.max() > MAX_DIGITS:
            return None
        values = np.zeros(len(length), dtype=np.int64)
        for offset in range(int(length.max())):  # one digit position at a time
            inside = length > offset
            digit = self.raw[np.where(inside, start + offset, 0)].astype(np.int64) - 48
            if ((digit < 0) | (digit > 9))[inside].any():
                return None
            values = np.where(inside, values * 10 + digit, values)
        return values

    def strings(self, column: int) -> tuple[list[str], np.ndarray]:
        """The column's distinct values, in order of first appearance, and each
        record's index among them."""
        cells = self.texts(column, slice(None))
        distinct = list(dict.fromkeys(cells))
        number = {value: i for i, value in enumerate(distinct)}
        inverse = np.fromiter(map(number.__getitem__, cells), dtype=np.int64, count=len(cells))
        return distinct, inverse

    def texts(self, column: int, records: np.ndarray | slice) -> list[str]:
        """The cells of these records as strings."""
        starts = self.starts[records, column].tolist()
        ends = self.ends[records, column].tolist()
        if self.text is not None:  # ASCII: byte offsets are character offsets
            text = self.text
            return [text[s:e] for s, e in zip(starts, ends, strict=True)]
        data = self.data
        return [data[s:e].decode("utf-8") for s, e in zip(starts, ends, strict=True)]


def split(text: str, delimiter: str, skip_first: bool) -> Fields | None:
    """The records of ``text`` (newlines already LF; blank lines skipped), or ``None``
    when the file needs the csv module: quotes, or records of different widths."""
    if '"' in text:
        return None
    data = text.encode("utf-8")
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    line_starts = np.concatenate(([0], newlines + 1))
    line_ends = np.append(newlines, len(raw))
    if skip_first:
        line_starts, line_ends = line_starts[1:], line_ends[1:]
    nonblank = line_ends > line_starts
    line_starts, line_ends = line_starts[nonblank], line_ends[nonblank]
    if not len(line_starts):
        return None
    marks = np.flatnonzero(raw == ord(delimiter))
    first = np.searchsorted(marks, line_starts)
    per_line = np.searchsorted(marks, line_ends) - first
    count = int(per_line[0])
    if (per_line != count).any():
        return None
    inner = marks[first[:, None] + np.arange(count)]
    starts = np.column_stack([line_starts, inner + 1])
    ends = np.column_stack([inner, line_ends])
    return Fields(raw, data, text if len(data) == len(text) else None, starts, ends)
