"""Bulk coding from a CSV: source,start,end,code[,coder][,memo].

Every row is checked before anything is written, so a bad row anywhere leaves the
project unchanged. Rows are parsed into integer columns, de-duplicated with numpy and
written with explicit ids in a few executemany calls (the write lock is held, so the
ids are ours), and the change is one undoable event whose journal holds id ranges.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.orm import Session

from cen_themes.bookkeeping import rollup
from cen_themes.bookkeeping.trail import Journal, record
from cen_themes.bookkeeping.trees import split_path
from cen_themes.bulk import beside, csvsplit, inserts
from cen_themes.bulk.arrays import count_rows, integer_rows, lookup_rows
from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.models import Base, Coding, Excerpt, Source, utcnow
from cen_themes.services.codebook import code_tree, ensure_codes
from cen_themes.services.coding import coder_id
from cen_themes.textfiles import read_text_file

COLUMNS = ("source", "start", "end", "code", "coder", "memo")


@dataclass(frozen=True, slots=True)
class CodingImportResult:
    rows: int
    codings_added: int
    duplicates: int  # rows whose coding was already there (or repeated in the file)
    excerpts_added: int
    codes_created: list[str]
    summary: str


@dataclass
class _Columns:
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

    def extend(self, other: _Columns) -> None:
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
        return _where(self.text, row + self.header)

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


def _read(path: Path, found: dict[str, tuple[int, int]], default_coder: str) -> _Columns:
    """Parse the CSV a chunk of rows at a time with column-wise list and numpy
    operations; any problem is reported with the line it is on."""
    text = read_text_file(path)
    reader = _records(text)
    sources = _Sources(found)
    data = _Columns(coders={default_coder: 0}, text=text)
    try:
        first = next(reader, None)
        if first is None:
            raise InputError(f"{path}: file is empty")
        index, has_header = _columns_of(path, first)
        data.header = int(has_header)
        if not _read_fast(text, has_header, index, sources, data, default_coder):
            data = _Columns(coders={default_coder: 0}, text=text, header=int(has_header))
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
    for code in data.codes:
        try:
            split_path(code)
        except InputError as exc:
            problem = "the code is empty" if not code else str(exc)
            raise InputError(f"{path}, {data.line_of_code(code)}: {problem}") from None
    return data


_CHUNK_ROWS = 100_000
_CHUNK_CHARS = 8_000_000  # the fast reader's piece of the file: memory stays flat


def _read_fast(
    text: str,
    has_header: bool,
    index: dict[str, int],
    sources: _Sources,
    data: _Columns,
    default_coder: str,
) -> bool:
    """Read a plain file (no quotes) a few megabytes at a time, column-wise with numpy.
    False as soon as a piece needs the row-by-row reader: the caller starts over.

    A large file's second half is read at the same time by a child process (the
    parse is Python-bound, so a thread would not help): 1.2 s -> 0.7 s for 1M rows."""
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


def _read_part(text: str, position: int, end: int, layout: _Layout) -> _Columns | None:
    """The records of ``text[position:end]`` on their own, or ``None`` if they need the
    row-by-row reader."""
    part = _Columns(coders={layout.default_coder: 0})
    return part if _read_span(text, position, end, layout, part) else None


def _read_span(text: str, position: int, end: int, layout: _Layout, data: _Columns) -> bool:
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
    data: _Columns,
    default_coder: str,
) -> bool:
    """Add one piece's records to ``data``, column by column; False (and ``data``
    untouched) if any record needs the row-by-row reader, which words the error."""
    i_source, i_start, i_end, i_code = (index[n] for n in COLUMNS[:4])
    if fields.width <= max(i_source, i_start, i_end, i_code):
        return False
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
        return InputError(f"{path}, {_where(text, offset + k)}: {problem}")

    if min(map(len, chunk)) < width:
        k = next(k for k, row in enumerate(chunk) if len(row) < width)
        raise fail(k, "needs at least source,start,end,code")
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


def _where(text: str, row: int) -> str:
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
def _no_cyclic_gc() -> Iterator[None]:
    """Millions of short-lived row lists and tuples, none in a cycle: the cyclic
    collector would walk them again and again (it doubled the parse time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_codings(project: Project, path: Path, *, coder: str) -> CodingImportResult:
    with _no_cyclic_gc():
        return _import_codings(project, path, coder=coder)


# About 300,000 codings: some 60 MB of new pages, where writing them once (rollback
# journal) instead of twice (write-ahead log, then its checkpoint) starts to pay.
_LARGE_FILE_BYTES = 16_000_000


def _is_large(path: Path) -> bool:
    try:
        return path.stat().st_size > _LARGE_FILE_BYTES
    except OSError:  # reading it says what is wrong
        return False


def _import_codings(project: Project, path: Path, *, coder: str) -> CodingImportResult:
    # Every id written is one this unit of work looked up or made under the write lock.
    with project.bulk_write(large=_is_large(path)) as session:
        sources = {
            name: (source_id, length)
            for source_id, name, length in session.execute(
                select(Source.id, Source.name, func.length(Source.text))
            )
        }
        data = _read(path, sources, coder)
        journal = Journal(session)
        tree = code_tree(session)
        texts = list(data.codes)
        for text in texts:
            try:
                tree.lookup(text)
            except InputError as exc:  # an ambiguous name
                raise InputError(f"{path}, {data.line_of_code(text)}: {exc}") from None
        resolved, created = ensure_codes(session, tree, journal, texts)
        code_ids = np.array([resolved[t] for t in texts], dtype=np.int64)
        names = list(data.coders)
        coder_ids = np.array([coder_id(session, journal, n) for n in names], dtype=np.int64)
        rows = data.rows
        data.text = ""  # no error can name a line from here on: let the text go
        spans, distinct = _excerpts(session, journal, data, code_ids, coder_ids)
        excerpts_added = len(spans.new)
        del data  # the parsed columns go before the writes
        added = _codings(session, journal, spans, distinct)
        summary = (
            f"imported {added} codings from {path.name} ({rows - added} already there, "
            f"{excerpts_added} new excerpts, {len(created)} new codes)"
        )
        if journal.ops:
            record(session, "coding.import", summary, coder, ops=journal.ops)
    return CodingImportResult(rows, added, rows - added, excerpts_added, created, summary)


@contextmanager
def _indexes_rebuilt_after(connection: Connection, table: str, worth_it: bool) -> Iterator[None]:
    """On SQLite, when the rows coming in outnumber those there, drop the table's
    secondary (non-unique) indexes and build them again after the insert: a sorted
    build is much cheaper than millions of random-order index updates.

    The build sorts in runs as large as the page cache. One 64 MB run of a million
    keys sorts slower than sixteen 4 MB runs merged (those also sort on the ``threads``
    workers): 0.84 s against 0.43 s for the codings' index of a 1M import."""
    if not worth_it or connection.dialect.name != "sqlite":
        yield
        return
    indexes = [index for index in Base.metadata.tables[table].indexes if not index.unique]
    for index in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{index.name}"')
    yield
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = {_SORT_RUN_KB}")
    try:
        for index in indexes:
            index.create(connection)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


_SORT_RUN_KB = -4096  # negative: kibibytes


@dataclass(frozen=True)
class _Spans:
    """The spans to insert as excerpts (ids after ``before``), and their memos."""

    before: int  # the highest excerpt id before the import
    new: np.ndarray  # (n, 3): source, start, end of excerpt before + 1 + i
    memos: dict[int, str]  # memos of new excerpts, by id


def _excerpts(
    session: Session,
    journal: Journal,
    data: _Columns,
    code_ids: np.ndarray,
    coder_ids: np.ndarray,
) -> tuple[_Spans, np.ndarray]:
    """Number the file's distinct spans: the project's excerpt where it has one, a new
    id after the highest otherwise (the write lock is held). Memos for excerpts that
    exist are set here; new excerpts are written with the codings.

    Also returns the file's distinct codings as rows of (excerpt, code, coder, source),
    sorted. One sort finds both: the distinct codings in span order, whose changes of
    span are the distinct spans."""
    source, start, end = data.column("source"), data.column("start"), data.column("end")
    codings, _counts = count_rows(
        source, start, end, code_ids[data.column("code")], coder_ids[data.column("coder")]
    )
    first = np.ones(len(codings), dtype=bool)  # the first coding of each span
    first[1:] = (codings[1:, :3] != codings[:-1, :3]).any(axis=1)
    unique = codings[first, :3]
    involved = np.unique(unique[:, 0]).tolist()
    stored = integer_rows(
        session.execute(
            select(Excerpt.id, Excerpt.source_id, Excerpt.start, Excerpt.end).where(
                Excerpt.source_id.in_(involved)
            )
        ),
        4,
    )
    position = lookup_rows(stored[:, 1:].T, unique.T)
    existing = position >= 0
    ids = np.zeros(len(unique), dtype=np.int64)
    ids[existing] = stored[position[existing], 0]
    new = np.flatnonzero(~existing)
    before = session.scalar(select(func.coalesce(func.max(Excerpt.id), 0)))
    ids[new] = np.arange(before + 1, before + 1 + len(new))
    memos: dict[int, str] = {}
    if data.memos:
        rows = np.fromiter(data.memos, dtype=np.int64, count=len(data.memos))
        spans = lookup_rows(unique.T, (source[rows], start[rows], end[rows]))
        for memo, span in zip(data.memos.values(), spans.tolist(), strict=True):
            excerpt_id = int(ids[span])
            if excerpt_id > before:
                memos[excerpt_id] = memo
            else:
                journal.update("excerpts", Excerpt.id == excerpt_id, {"memo": memo})
    excerpt = ids[np.cumsum(first) - 1]
    triples = np.column_stack([excerpt, codings[:, 3], codings[:, 4], codings[:, 0]])
    if existing.any():  # the project's own excerpt ids are in no order: sort by excerpt
        triples = triples[np.lexsort(triples.T[::-1])]
    return _Spans(before, unique[new], memos), triples


def _codings(session: Session, journal: Journal, spans: _Spans, triples: np.ndarray) -> int:
    """Write the new excerpts and those of the distinct codings (rows of excerpt, code,
    coder, source) not already in the project, and count them into the themes.

    Only excerpts that existed before the import can already carry one of these
    codings. Rows go in by :mod:`bulk` inserts, in the order of the tables' keys.
    """
    connection = session.connection()
    old_excerpts = spans.before
    old = np.unique(triples[triples[:, 0] <= old_excerpts, 0]).tolist()
    for start in range(0, len(old), 10_000):  # drop the codings the project already has
        known = integer_rows(
            session.execute(
                select(Coding.excerpt_id, Coding.code_id, Coding.coder_id).where(
                    Coding.excerpt_id.in_(old[start : start + 10_000])
                )
            ),
            3,
        )
        triples = triples[lookup_rows(known.T, triples[:, :3].T) < 0]
    if not len(triples):
        return 0
    before = session.scalar(select(func.coalesce(func.max(Coding.id), 0)))
    # One time for every row, bound once per statement as the column's type stores it.
    now = bindparam("now", utcnow(), type_=Coding.__table__.c.created_at.type)
    dialect = connection.dialect.name
    code_themes = rollup.code_themes(session)
    fresh = triples[:, 0] > old_excerpts
    excerpts = inserts.prepare(
        dialect,
        "excerpts",
        {
            "id": f"{old_excerpts + 1} + {{n}}",
            "source_id": spans.new[:, 0],
            "start": spans.new[:, 1],
            "end": spans.new[:, 2],
            "memo": "''",
            "created_at": ":now",
        },
        [now],
    )
    # The database writes while a thread makes the next statements ready (it releases
    # the GIL while it works): 0.6 s of a 1M import's numpy and JSON work overlapped.
    with ThreadPoolExecutor(max_workers=1) as pool:
        codings = pool.submit(
            inserts.prepare,
            dialect,
            "codings",
            {
                "id": f"{before + 1} + {{n}}",
                "excerpt_id": triples[:, 0],
                "code_id": triples[:, 1],
                "coder_id": triples[:, 2],
                "source_id": triples[:, 3],
                "created_at": ":now",
            },
            [now],
        )
        themed = pool.submit(
            lambda: inserts.prepare(
                dialect,
                "excerpt_themes",
                rollup.fresh_rows(
                    code_themes, triples[fresh, 0], triples[fresh, 3], triples[fresh, 1]
                ),
            )
        )
        if len(spans.new):
            inserts.insert(connection, excerpts)
            if spans.memos:
                table = Excerpt.__table__
                connection.execute(
                    update(table)
                    .where(table.c.id == bindparam("excerpt"))
                    .values(memo=bindparam("text")),
                    [{"excerpt": i, "text": memo} for i, memo in spans.memos.items()],
                )
            journal.inserted("excerpts", range(old_excerpts + 1, old_excerpts + 1 + len(spans.new)))
        big = len(triples) > before
        with _indexes_rebuilt_after(connection, "codings", big):
            inserts.insert(connection, codings.result())
        if dialect == "postgresql":  # explicit ids: move the sequences on
            for table_name in ("excerpts", "codings"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                    f"(SELECT max(id) FROM {table_name}))"
                )
        journal.inserted("codings", range(before + 1, before + 1 + len(triples)))
        with _indexes_rebuilt_after(connection, "excerpt_themes", big):
            if not fresh.all():  # codings on excerpts that already have theme rows
                rollup.add(session, (Coding.id > before) & (Coding.excerpt_id <= old_excerpts))
            inserts.insert(connection, themed.result())
    return len(triples)
