"""Reading a coding CSV (source,start,end,code[,coder][,memo]) into integer columns.

A million rows must parse in little more time than reading them takes, so a plain
file (no quotes, as programs write them) is split column-wise with numpy a few
megabytes at a time, its second half on the other core (:mod:`cen_themes.bulk.beside`);
anything else goes through the csv module row by row, which also words every error
with its line. Either way every row is checked (a known source, a span inside its
text) before the caller writes anything; the caller checks the code paths.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

from cen_themes.bulk import beside, csvsplit
from cen_themes.errors import InputError
from cen_themes.textfiles import read_text_file

COLUMNS = ("source", "start", "end", "code", "coder", "memo")


@dataclass
class Columns:
    """The file as integer columns; codes and coders as indexes into their dicts."""

    source: list[np.ndarray] = field(default_factory=list)  # chunks of source ids
    start: list[np.ndarray] = field(default_factory=list)
    end: list[np.ndarray] = field(default_factory=list)
    code: list[np.ndarray] = field(default_factory=list)
    coder: list[np.ndarray] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)  # code text -> index
    coders: dict[str, int] = field(default_factory=dict)
    memos: dict[int, str] = field(default_factory=dict)  # row -> memo
    rows: int = 0
    text: str = ""
    header: int = 0  # 1 when the first record names the columns

    def extend(self, other: Columns) -> None:
        """Append the records of a later part of the file, read on their own (so with
        its own numbering of codes and coders)."""
        codes = np.array(
            [self.codes.setdefault(c, len(self.codes)) for c in other.codes], dtype=np.int64
        )
        coders = np.array(
            [self.coders.setdefault(c, len(self.coders)) for c in other.coders], dtype=np.int64
        )
        self.source += other.source
        self.start += other.start
        self.end += other.end
        self.code += [codes[chunk] for chunk in other.code]
        self.coder += [coders[chunk] for chunk in other.coder]
        self.memos.update((self.rows + row, memo) for row, memo in other.memos.items())
        self.rows += other.rows

    def line_of_code(self, code: str) -> str:
        """'line N': where the file first uses this code."""
        row = int(np.flatnonzero(self.column("code") == self.codes[code])[0])
        return line_of(self.text, row + self.header)

    def column(self, name: str) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _columns_of(path: Path, header: list[str]) -> tuple[dict[str, int], bool]:
    names = [cell.strip().lower() for cell in header]
    if names[:1] != ["source"]:
        return {name: i for i, name in enumerate(COLUMNS)}, False
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise InputError(f"{path}: unknown column '{unknown[0]}' (columns: {', '.join(COLUMNS)})")
    found = {name: names.index(name) for name in COLUMNS if name in names}
    missing = [n for n in COLUMNS[:4] if n not in found]
    if missing:
        raise InputError(f"{path}: the header has no '{missing[0]}' column")
    return found, True


class _Sources:
    """Source names as small indexes, with numpy arrays of their ids and lengths."""

    def __init__(self, found: dict[str, tuple[int, int]]) -> None:
        self.names = list(found)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.ids = np.array([found[n][0] for n in self.names] + [0], dtype=np.int64)
        self.lengths = np.array([found[n][1] for n in self.names] + [0], dtype=np.int64)


def read(path: Path, found: dict[str, tuple[int, int]], default_coder: str) -> Columns:
    """Parse the CSV a chunk of rows at a time with column-wise list and numpy
    operations; any problem is reported with the line it is on."""
    text = read_text_file(path)
    reader = _records(text)
    sources = _Sources(found)
    data = Columns(coders={default_coder: 0}, text=text)
    try:
        first = next(reader, None)
        if first is None:
            raise InputError(f"{path}: file is empty")
        index, has_header = _columns_of(path, first)
        data.header = int(has_header)
        if not _read_fast(text, has_header, index, sources, data, default_coder):
            data = Columns(coders={default_coder: 0}, text=text, header=int(has_header))
            rows = reader if has_header else _prepend(first, reader)
            offset = 1 if has_header else 0
            while chunk := list(islice(rows, _CHUNK_ROWS)):
                chunk = [row for row in chunk if any(row)]
                if chunk:
                    _read_chunk(path, text, offset, chunk, index, sources, data, default_coder)
                    offset += len(chunk)
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    if not data.rows:
        raise InputError(f"{path}: no codings in the file")
    return data


_CHUNK_ROWS = 100_000
_CHUNK_CHARS = 8_000_000  # the fast reader's piece of the file: memory stays flat


def _read_fast(
    text: str,
    has_header: bool,
    index: dict[str, int],
    sources: _Sources,
    data: Columns,
    default_coder: str,
) -> bool:
    """Read a plain file (no quotes) a few megabytes at a time, column-wise with numpy.
    False as soon as a piece needs the row-by-row reader: the caller starts over.

    A large file's second half is read at the same time by a child process (the
    parse is Python-bound, so a thread would not help)."""
    if '"' in text:
        return False
    delimiter = _delimiter(text)
    position = text.find("\n") + 1 if has_header else 0
    if has_header and position == 0:
        return False
    end = len(text)
    half = text.find("\n", (position + end) // 2) + 1
    layout = _Layout(delimiter, index, sources, default_coder)
    if end - position < _PARALLEL_CHARS or half <= 0 or not beside.can_fork():
        return _read_span(text, position, end, layout, data)
    with beside.Beside(_read_part, text, half, end, layout) as later:
        if not _read_span(text, position, half, layout, data):
            return False
        second = later.result()
    if second is None:
        return False
    data.extend(second)
    return True


_PARALLEL_CHARS = 16_000_000  # about 300,000 rows: below that a child costs more than it saves


@dataclass(frozen=True)
class _Layout:
    """How the file's records read: delimiter, columns, sources, default coder."""

    delimiter: str
    index: dict[str, int]
    sources: _Sources
    default_coder: str


def _read_part(text: str, position: int, end: int, layout: _Layout) -> Columns | None:
    """The records of ``text[position:end]`` on their own, or ``None`` if they need the
    row-by-row reader."""
    part = Columns(coders={layout.default_coder: 0})
    return part if _read_span(text, position, end, layout, part) else None


def _read_span(text: str, position: int, end: int, layout: _Layout, data: Columns) -> bool:
    """Add the records of ``text[position:end]`` to ``data`` a piece at a time."""
    while position < end:
        stop = text.find("\n", position + _CHUNK_CHARS, end)
        stop = end if stop < 0 else stop + 1
        piece = text[position:stop]
        position = stop
        if not piece.strip():
            continue
        fields = csvsplit.split(piece, layout.delimiter, skip_first=False)
        if fields is None or not _read_fields(
            fields, layout.index, layout.sources, data, layout.default_coder
        ):
            return False
    return True


def _read_fields(
    fields: csvsplit.Fields,
    index: dict[str, int],
    sources: _Sources,
    data: Columns,
    default_coder: str,
) -> bool:
    """Add one piece's records to ``data``, column by column; False (and ``data``
    untouched) if any record needs the row-by-row reader, which words the error."""
    i_source, i_start, i_end, i_code = (index[n] for n in COLUMNS[:4])
    if fields.width <= max(i_source, i_start, i_end, i_code):
        return False
    allowed = max(index.values()) + 1
    if fields.width > allowed and (fields.ends[:, allowed:] > fields.starts[:, allowed:]).any():
        return False  # a field more than the columns: the row-by-row reader says where
    starts, ends = fields.integers(i_start), fields.integers(i_end)
    names, codes = fields.strings(i_source), fields.strings(i_code)
    if starts is None or ends is None:
        return False
    known = sources.index
    positions = np.array(
        [known.get(name, known.get(name.strip(), -1)) for name in names[0]], dtype=np.int64
    )
    if (positions < 0).any():
        return False
    where = positions[names[1]]
    if ((starts < 0) | (starts >= ends) | (ends > sources.lengths[where])).any():
        return False
    coder_index = np.zeros(fields.records, dtype=np.int64)
    coders: list[str] = []
    i_coder = index.get("coder")
    if i_coder is not None and i_coder < fields.width:
        coders, coder_index = fields.strings(i_coder)
    memos: dict[int, str] = {}
    i_memo = index.get("memo")
    if i_memo is not None and i_memo < fields.width:
        filled = np.flatnonzero(fields.ends[:, i_memo] > fields.starts[:, i_memo])
        memos = dict(zip(filled.tolist(), fields.texts(i_memo, filled), strict=True))
    # Nothing can fail from here on: only now is ``data`` changed.
    code_numbers = np.array(
        [data.codes.setdefault(code.strip(), len(data.codes)) for code in codes[0]],
        dtype=np.int64,
    )
    coder_numbers = np.array(
        [data.coders.setdefault(c.strip() or default_coder, len(data.coders)) for c in coders],
        dtype=np.int64,
    )
    data.source.append(sources.ids[where])
    data.start.append(starts)
    data.end.append(ends)
    data.code.append(code_numbers[codes[1]])
    data.coder.append(coder_numbers[coder_index] if coders else coder_index)
    data.memos.update((data.rows + k, memo) for k, memo in memos.items())
    data.rows += fields.records
    return True


def _read_chunk(path, text, offset, chunk, index, sources, data, default_coder) -> None:
    i_source, i_start, i_end, i_code = (index[n] for n in COLUMNS[:4])
    width = max(i_source, i_start, i_end, i_code) + 1

    def fail(k: int, problem: str) -> InputError:
        return InputError(f"{path}, {line_of(text, offset + k)}: {problem}")

    if min(map(len, chunk)) < width:
        k = next(k for k, row in enumerate(chunk) if len(row) < width)
        raise fail(k, "needs at least source,start,end,code")
    allowed = max(index.values()) + 1
    if max(map(len, chunk)) > allowed:
        for k, row in enumerate(chunk):
            if any(cell.strip() for cell in row[allowed:]):
                columns = ",".join(sorted(index, key=index.__getitem__))
                raise fail(
                    k,
                    f"{len(row)} fields, but the columns are {columns}: a field that holds "
                    "a comma must be in double quotes",
                )
    names = [row[i_source] for row in chunk]
    positions = [sources.index.get(n, -1) for n in names]
    if -1 in positions:
        k = positions.index(-1)
        name = names[k].strip()
        if name not in sources.index:
            raise fail(k, f"no source named '{name}'")
        positions = [sources.index.get(n.strip(), -1) for n in names]
        if -1 in positions:
            k = positions.index(-1)
            raise fail(k, f"no source named '{names[k].strip()}'")
    where = np.array(positions, dtype=np.int64)
    lengths = sources.lengths[where]

    def not_a_span(k: int, start: int, end: int) -> InputError:
        name = names[k].strip()
        return fail(
            k, f"{start}-{end} is not a span of '{name}' (0 <= start < end <= {lengths[k]})"
        )

    try:
        starts = np.array([int(row[i_start]) for row in chunk], dtype=np.int64)
        ends = np.array([int(row[i_end]) for row in chunk], dtype=np.int64)
    except (ValueError, OverflowError):  # not a number, or one past any text's end
        for k, row in enumerate(chunk):
            if not _whole(row[i_start], row[i_end]):
                raise fail(k, "start and end must be whole numbers") from None
            start, end = int(row[i_start]), int(row[i_end])
            if max(abs(start), abs(end)) >= 2**63:
                raise not_a_span(k, start, end) from None
        raise
    bad = (starts < 0) | (starts >= ends) | (ends > lengths)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise not_a_span(k, starts[k], ends[k])
    codes = data.codes
    code_index = [codes.setdefault(row[i_code].strip(), len(codes)) for row in chunk]
    i_coder, i_memo = index.get("coder"), index.get("memo")
    coders = data.coders
    if i_coder is None:
        coder_index = np.zeros(len(chunk), dtype=np.int64)
    else:
        coder_index = np.array(
            [
                coders.setdefault(row[i_coder].strip() or default_coder, len(coders))
                if len(row) > i_coder
                else 0
                for row in chunk
            ],
            dtype=np.int64,
        )
    if i_memo is not None:
        for k, row in enumerate(chunk):
            if len(row) > i_memo and row[i_memo]:
                data.memos[data.rows + k] = row[i_memo]
    data.source.append(sources.ids[where])
    data.start.append(starts)
    data.end.append(ends)
    data.code.append(np.array(code_index, dtype=np.int64))
    data.coder.append(coder_index)
    data.rows += len(chunk)


def _records(text: str) -> Iterator[list[str]]:
    """CSV records, separated by commas, or by semicolons or tabs when the first line
    has those and no comma (as Excel saves CSV in many European locales). A file
    without quotes is split directly: several times faster than the csv module, with
    the same result."""
    delimiter = _delimiter(text)
    if '"' in text:
        return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return (line.split(delimiter) for line in _lines(text))


def _lines(text: str) -> Iterator[str]:
    """``text.split("\\n")``, one line at a time (the reader may need only the first)."""
    position = 0
    while (end := text.find("\n", position)) >= 0:
        yield text[position:end]
        position = end + 1
    yield text[position:]


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    return ";" if ";" in first else "\t" if "\t" in first else ","


def _whole(*cells: str) -> bool:
    try:
        for cell in cells:
            int(cell)
    except ValueError:
        return False
    return True


def line_of(text: str, row: int) -> str:
    """'line N' of the row'th record (0-based) of the CSV, quoted newlines counted."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    seen = -1
    for record_ in reader:
        if any(record_):
            seen += 1
        if seen == row:
            return f"line {reader.line_num}"
    return f"record {row + 1}"


def _prepend(first, rest):
    yield first
    yield from rest


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Millions of short-lived row lists and tuples, none in a cycle: the cyclic
    collector would walk them again and again (it doubled the parse time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
