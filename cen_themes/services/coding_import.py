"""Bulk coding from a CSV: source,start,end,code[,coder][,memo].

Every row is checked before anything is written, so a bad row anywhere leaves the
project unchanged. Rows are then written with set-based statements (hundreds of
thousands of codings a second on SQLite), and the change is one undoable event.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.importers.textfile import read_text_file
from cen_themes.models import Coding, Excerpt, Source, utcnow
from cen_themes.services import rollup
from cen_themes.services.codebook import code_tree, ensure_code
from cen_themes.services.coding import coder_id
from cen_themes.services.events import record
from cen_themes.services.journal import Journal, ranges
from cen_themes.services.trees import split_path

COLUMNS = ("source", "start", "end", "code", "coder", "memo")
_BATCH = 50_000


@dataclass(frozen=True, slots=True)
class CodingImportResult:
    rows: int
    codings_added: int
    duplicates: int  # rows whose coding was already there
    excerpts_added: int
    codes_created: list[str]
    summary: str


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    source: str
    start: int
    end: int
    code: str
    coder: str
    memo: str | None


def _read_rows(path: Path, default_coder: str) -> list[_Row]:
    text = read_text_file(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[_Row] = []
    columns = {name: i for i, name in enumerate(COLUMNS)}
    try:
        first = next(reader, None)
        if first is None or not any(cell.strip() for cell in first):
            raise InputError(f"{path}: file is empty")
        header = [cell.strip().lower() for cell in first]
        body_start = 1
        if header[:1] == ["source"]:
            unknown = [h for h in header if h not in COLUMNS]
            if unknown:
                raise InputError(
                    f"{path}: unknown column '{unknown[0]}' (columns: {', '.join(COLUMNS)})"
                )
            columns = {name: header.index(name) for name in COLUMNS if name in header}
            missing = [n for n in COLUMNS[:4] if n not in columns]
            if missing:
                raise InputError(f"{path}: the header has no '{missing[0]}' column")
            records = reader
        else:
            body_start = 0
            records = _chain(first, reader)
        for line, record_ in enumerate(records, start=body_start + 1):
            if not any(cell.strip() for cell in record_):
                continue
            rows.append(_parse(path, line, record_, columns, default_coder))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    if not rows:
        raise InputError(f"{path}: no codings in the file")
    return rows


def _chain(first, rest):
    yield first
    yield from rest


def _parse(
    path: Path, line: int, cells: list[str], columns: dict[str, int], default_coder: str
) -> _Row:
    def cell(name: str) -> str | None:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    if len(cells) < 4:
        raise InputError(f"{path}, line {line}: needs at least source,start,end,code")
    source, start, end, code = (cell(n) or "" for n in COLUMNS[:4])
    try:
        first, last = int(start), int(end)
    except ValueError:
        raise InputError(f"{path}, line {line}: start and end must be whole numbers") from None
    if not code.strip():
        raise InputError(f"{path}, line {line}: the code is empty")
    coder = (cell("coder") or "").strip() or default_coder
    memo = cell("memo")
    return _Row(line, source.strip(), first, last, code.strip(), coder, memo or None)


def import_codings(project: Project, path: Path, *, coder: str) -> CodingImportResult:
    rows = _read_rows(path, coder)
    with project.write() as session:
        sources = {
            name: (source_id, length)
            for source_id, name, length in session.execute(
                select(Source.id, Source.name, func.length(Source.text))
            )
        }
        for row in rows:
            found = sources.get(row.source)
            if found is None:
                raise InputError(f"{path}, line {row.line}: no source named '{row.source}'")
            if row.start < 0 or row.start >= row.end or row.end > found[1]:
                raise InputError(
                    f"{path}, line {row.line}: {row.start}-{row.end} is not a span of "
                    f"'{row.source}' (0 <= start < end <= {found[1]})"
                )
        for code in {row.code for row in rows}:
            try:
                split_path(code)
            except InputError as exc:
                line = next(r.line for r in rows if r.code == code)
                raise InputError(f"{path}, line {line}: {exc}") from None
        journal = Journal(session)
        tree = code_tree(session)
        code_ids: dict[str, int] = {}
        created: list[str] = []
        for code in sorted({row.code for row in rows}):
            node, new = ensure_code(session, tree, journal, code)
            code_ids[code] = node
            created.extend(tree.path(n) for n in new)
        coder_ids = {name: coder_id(session, journal, name) for name in {r.coder for r in rows}}
        excerpts, excerpts_added = _excerpts(session, journal, rows, sources)
        added, duplicates = _codings(session, journal, rows, sources, excerpts, code_ids, coder_ids)
        rollup.refresh_themes(session, rollup.themes_bringing(session, code_ids.values()))
        summary = (
            f"imported {added} codings from {path.name} ({duplicates} already there, "
            f"{excerpts_added} new excerpts, {len(created)} new codes)"
        )
        if journal.ops:
            record(session, "coding.import", summary, coder, ops=journal.ops)
    return CodingImportResult(len(rows), added, duplicates, excerpts_added, created, summary)


def _placeholders(connection: Connection, count: int) -> str:
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def _timestamp(connection: Connection) -> object:
    """Now, as the driver stores Coding.created_at for this dialect."""
    processor = Coding.__table__.c.created_at.type.bind_processor(connection.dialect)
    now: datetime = utcnow()
    return processor(now) if processor else now


def _excerpts(
    session: Session, journal: Journal, rows: list[_Row], sources: dict[str, tuple[int, int]]
) -> tuple[dict[tuple[int, int, int], int], int]:
    """The excerpt id of every span in the file, inserting the new ones."""
    connection = session.connection()
    involved = {sources[r.source][0] for r in rows}
    known: dict[tuple[int, int, int], int] = {
        (s, a, b): i
        for i, s, a, b in session.execute(
            select(Excerpt.id, Excerpt.source_id, Excerpt.start, Excerpt.end).where(
                Excerpt.source_id.in_(involved)
            )
        )
    }
    memos: dict[tuple[int, int, int], str] = {}
    for row in rows:
        key = (sources[row.source][0], row.start, row.end)
        if row.memo is not None:
            memos[key] = row.memo
    new = sorted({(sources[r.source][0], r.start, r.end) for r in rows} - known.keys())
    if new:
        before = session.scalar(select(func.coalesce(func.max(Excerpt.id), 0)))
        stamp = _timestamp(connection)
        sql = (
            'INSERT INTO excerpts (source_id, start, "end", memo, created_at) '
            f"VALUES ({_placeholders(connection, 5)})"
        )
        for i in range(0, len(new), _BATCH):
            connection.exec_driver_sql(
                sql, [(s, a, b, memos.get((s, a, b), ""), stamp) for s, a, b in new[i : i + _BATCH]]
            )
        for i, s, a, b in session.execute(
            select(Excerpt.id, Excerpt.source_id, Excerpt.start, Excerpt.end).where(
                Excerpt.id > before
            )
        ):
            known[(s, a, b)] = i
        journal.inserted("excerpts", (known[k] for k in new))
    fresh = set(new)
    for key, memo in memos.items():
        if key not in fresh:
            journal.update("excerpts", Excerpt.id == known[key], {"memo": memo})
    return known, len(new)


def _codings(session, journal, rows, sources, excerpts, code_ids, coder_ids) -> tuple[int, int]:
    connection = session.connection()
    wanted = {
        (excerpts[(sources[r.source][0], r.start, r.end)], code_ids[r.code], coder_ids[r.coder])
        for r in rows
    }
    source_of = {excerpt_id: key[0] for key, excerpt_id in excerpts.items()}
    before = session.scalar(select(func.coalesce(func.max(Coding.id), 0)))
    stamp = _timestamp(connection)
    sql = (
        "INSERT INTO codings (excerpt_id, code_id, coder_id, source_id, created_at) "
        f"VALUES ({_placeholders(connection, 5)}) "
        "ON CONFLICT (excerpt_id, code_id, coder_id) DO NOTHING"
    )
    ordered = sorted(wanted)
    for i in range(0, len(ordered), _BATCH):
        connection.exec_driver_sql(
            sql, [(e, c, w, source_of[e], stamp) for e, c, w in ordered[i : i + _BATCH]]
        )
    after = session.scalar(select(func.coalesce(func.max(Coding.id), 0)))
    added = 0
    if after > before:
        new_ids = session.scalars(select(Coding.id).where(Coding.id > before)).all()
        added = len(new_ids)
        journal.ops.append({"op": "insert", "table": "codings", "ranges": ranges(new_ids)})
    return added, len(rows) - added
