"""Bulk coding from a CSV: source,start,end,code[,coder][,memo].

Every row is checked before anything is written, so a bad row anywhere leaves the
project unchanged. The file is read into integer columns
(:mod:`cen_themes.bulk.codings_csv`), its distinct spans and codings are found with
numpy, and only what the project lacks goes in, through the change's bulk path with
ids numbered after the highest (the write lock is held): one undoable event whose
record holds id ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import bindparam, func, select

from cen_themes.bookkeeping.bulk_writes import BulkTable
from cen_themes.bookkeeping.change import Change
from cen_themes.bulk import codings_csv
from cen_themes.bulk.arrays import count_rows, integer_rows, lookup_rows
from cen_themes.db import Project, retried
from cen_themes.errors import InputError
from cen_themes.models import Coding, Excerpt, Source, utcnow
from cen_themes.results import CodingImportResult
from cen_themes.services.codebook import ensure_codes
from cen_themes.services.coding import coder_id, memo_fields, write_memo
from cen_themes.wording import plural

# A file this large brings so many new pages that writing them once (rollback journal)
# instead of twice (write-ahead log, then its checkpoint) pays.
_LARGE_FILE_BYTES = 16_000_000


def import_codings(project: Project, path: Path, *, coder: str) -> CodingImportResult:
    with codings_csv.no_cyclic_gc():
        return _import_codings(project, path, coder=coder)


def _is_large(path: Path) -> bool:
    try:
        return path.stat().st_size > _LARGE_FILE_BYTES
    except OSError:  # reading it says what is wrong
        return False


@retried
def _import_codings(project: Project, path: Path, *, coder: str) -> CodingImportResult:
    # Every id written is one this change looked up or made under the write lock.
    with project.change("coding.import", coder, bulk=True, large=_is_large(path)) as ch:
        # in the order a single coding writes them, so that neither waits on the other
        ch.hold_for_bulk("coders", "codes", "excerpts", "codings")
        sources = {
            name: (source_id, length)
            for source_id, name, length in ch.session.execute(
                select(Source.id, Source.name, func.length(Source.text))
            )
        }
        data = codings_csv.read(path, sources, coder)
        texts = list(data.codes)
        for text in texts:
            try:
                ch.codes.lookup(text)  # a malformed path or an ambiguous name
            except InputError as exc:
                problem = "the code is empty" if not text else str(exc)
                raise InputError(f"{path}, {data.line_of_code(text)}: {problem}") from None
        resolved, created = ensure_codes(ch, texts)
        code_ids = np.array([resolved[t] for t in texts], dtype=np.int64)
        coder_ids = np.array([coder_id(ch, n) for n in data.coders], dtype=np.int64)
        rows = data.rows
        data.text = ""  # no error can name a line from here on: let the text go
        spans, distinct = _excerpts(ch, data, code_ids, coder_ids)
        excerpts_added = len(spans.new)
        del data  # the parsed columns go before the writes
        added = _codings(ch, spans, distinct)
        ch.summary = (
            f"imported {plural(added, 'coding')} from {path.name} ({rows - added} already there, "
            f"{plural(excerpts_added, 'new excerpt')}, {plural(len(created), 'new code')})"
        )
    return CodingImportResult(rows, added, rows - added, excerpts_added, created, ch.summary)


@dataclass(frozen=True)
class _Spans:
    """The spans to insert as excerpts (ids after ``before``), and their memos."""

    before: int  # the highest excerpt id before the import
    new: np.ndarray  # (n, 3): source, start, end of excerpt before + 1 + i
    memos: dict[int, dict[str, object]]  # memos of new excerpts (with author, time), by id


def _excerpts(
    ch: Change,
    data: codings_csv.Columns,
    code_ids: np.ndarray,
    coder_ids: np.ndarray,
) -> tuple[_Spans, np.ndarray]:
    """Number the file's distinct spans: the project's excerpt where it has one, a new
    id in one block above every other otherwise (the tables are held). Memos for excerpts that
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
        ch.session.execute(
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
    before = ch.id_block("excerpts", len(new)) - 1  # every excerpt id so far is lower
    ids[new] = np.arange(before + 1, before + 1 + len(new))
    memos: dict[int, dict[str, object]] = {}
    if data.memos:
        rows = np.fromiter(data.memos, dtype=np.int64, count=len(data.memos))
        spans = lookup_rows(unique.T, (source[rows], start[rows], end[rows]))
        names = list(data.coders)  # a memo is signed by its row's coder
        writers = data.column("coder")[rows].tolist()
        for memo, span, writer in zip(data.memos.values(), spans.tolist(), writers, strict=True):
            excerpt_id = int(ids[span])
            if excerpt_id > before:
                memos[excerpt_id] = memo_fields(memo, names[writer])
            else:
                write_memo(ch, Excerpt.id == excerpt_id, memo, names[writer])
    excerpt = ids[np.cumsum(first) - 1]
    triples = np.column_stack([excerpt, codings[:, 3], codings[:, 4], codings[:, 0]])
    if existing.any():  # the project's own excerpt ids are in no order: sort by excerpt
        triples = triples[np.lexsort(triples.T[::-1])]
    return _Spans(before, unique[new], memos), triples


def _codings(ch: Change, spans: _Spans, triples: np.ndarray) -> int:
    """Write the new excerpts and those of the distinct codings (rows of excerpt, code,
    coder, source) not already in the project. Only excerpts that existed before the
    import can already carry one of these codings."""
    old_excerpts = spans.before
    old = np.unique(triples[triples[:, 0] <= old_excerpts, 0]).tolist()
    for start in range(0, len(old), 10_000):  # drop the codings the project already has
        known = integer_rows(
            ch.session.execute(
                select(Coding.excerpt_id, Coding.code_id, Coding.coder_id).where(
                    Coding.excerpt_id.in_(old[start : start + 10_000])
                )
            ),
            3,
        )
        triples = triples[lookup_rows(known.T, triples[:, :3].T) < 0]
    if not len(triples):
        return 0
    before = ch.id_block("codings", len(triples)) - 1
    # One time for every row, bound once per statement as the column's type stores it.
    now = bindparam("now", utcnow(), type_=Coding.__table__.c.created_at.type)
    ch.bulk_insert(
        [
            BulkTable(
                "excerpts",
                old_excerpts + 1,
                len(spans.new),
                {
                    "source_id": spans.new[:, 0],
                    "start": spans.new[:, 1],
                    "end": spans.new[:, 2],
                    "memo": "''",
                    "created_at": ":now",
                },
                [now],
            ),
            BulkTable(
                "codings",
                before + 1,
                len(triples),
                {
                    "excerpt_id": triples[:, 0],
                    "code_id": triples[:, 1],
                    "coder_id": triples[:, 2],
                    "source_id": triples[:, 3],
                    "created_at": ":now",
                },
                [now],
            ),
        ]
    )
    ch.set_on_new("excerpts", spans.memos)
    return len(triples)
