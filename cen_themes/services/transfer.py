"""Moving a whole project between engines: ``backup`` writes any project as one SQLite
project file, ``init --from`` loads a project file into an empty server database.

Every row of every table is copied as it is -- sources, codings, memos, the audit trail
and its undo records, ids and times -- so the copy is the same project, and a project
that goes to the server and comes back is identical. A copy is read in one snapshot
(SQLite's backup API, or one repeatable-read transaction on PostgreSQL) while others
may go on working, and written whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import JSON, Table, bindparam, insert, select, text, update
from sqlalchemy.engine import Connection

from cen_themes.db import Project, open_project
from cen_themes.errors import InputError
from cen_themes.models import Base
from cen_themes.wording import plural

BATCH = 20_000  # rows read and written at a time
COUNTED = ("sources", "codes", "codings", "memos", "events")


def backup(project: Project, out: Path) -> str:
    """A consistent copy of the project, as it is now, in the SQLite file ``out``."""
    out = Path(out)
    _check_target(project, out)
    with _new_file(out) as temporary:
        if project.is_sqlite:
            _sqlite_backup(project, temporary)
        else:
            copy = open_project(temporary)
            try:
                with project.read() as session, copy.bulk_write(large=True) as target:
                    _copy_tables(session.connection(), target.connection())
            finally:
                copy.close()
    return f"wrote {out} ({_counts(out)})"


def load_from(project: Project, source: Path) -> str:
    """Load the project file ``source`` into ``project``, an empty server database."""
    source = Path(source)
    if project.is_sqlite:
        raise InputError(
            "init --from loads a project file into a PostgreSQL database: give --db its URL"
        )
    if not source.is_file():
        raise InputError(f"{source}: no such project file")
    _check_sqlite_file(source)
    with project.read() as session:
        if any(session.execute(select(table).limit(1)).first() for table in _tables()):
            raise InputError(
                f"{project.display_name} already holds a project: "
                "init --from needs an empty database"
            )
    solo = open_project(source)  # brought to this version's schema first (with a backup)
    try:
        with solo.read() as reading, project.write() as writing:
            _copy_tables(reading.connection(), writing.connection())
    finally:
        solo.close()
    return f"loaded {source} into {project.display_name} ({_counts(source)})"


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _copy_tables(source: Connection, target: Connection) -> None:
    """Every row of every table, parents before children. A column that refers to its
    own table (a code's parent, an event's undo) is filled in after all the rows are
    there; PostgreSQL's id sequences then continue after the copied ids."""
    postgres = target.dialect.name == "postgresql"
    for table in _tables():
        own = [
            fk.parent.name for fk in table.foreign_keys if fk.column.table is table
        ]  # self-references
        later: list[dict] = []
        rows = source.execute(
            select(table)
            .order_by(*table.primary_key.columns)
            .execution_options(yield_per=BATCH)  # a server-side cursor on PostgreSQL
        ).mappings()
        while batch := rows.fetchmany(BATCH):
            values = [dict(row) for row in batch]
            if own:
                for row in values:
                    refs = {c: row[c] for c in own if row[c] is not None}
                    if refs:
                        later.append({"_id": row["id"], **refs})
                        row.update(dict.fromkeys(refs))
            if postgres:
                _copy_in(target, table, values)
            else:
                target.execute(insert(table), values)
        for column in own:
            pairs = [{"_id": r["_id"], column: r[column]} for r in later if column in r]
            if pairs:
                target.execute(
                    update(table)
                    .where(table.c.id == bindparam("_id"))
                    .values({column: bindparam(column)}),
                    pairs,
                )
        if postgres and "id" in table.c:
            target.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"
                )
            )


def _copy_in(target: Connection, table: Table, values: list[dict]) -> None:
    """Rows into a PostgreSQL table with COPY, much faster than INSERTs."""
    columns = [c.name for c in table.columns]
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    cursor = target.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(
                [
                    json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                    for c in columns
                ]
            )


def _sqlite_backup(project: Project, temporary: Path) -> None:
    """SQLite's online backup: a consistent copy while others read and write."""
    raw = project.engine.raw_connection()
    try:
        target = sqlite3.connect(temporary)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
            target.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
        finally:
            target.close()
    finally:
        raw.close()


def _check_target(project: Project, out: Path) -> None:
    try:
        _check_target_path(project, out)
    except OSError as exc:  # a name too long for the file system, say
        raise InputError(f"{out}: cannot use this file name ({exc.strerror or exc})") from None


def _check_target_path(project: Project, out: Path) -> None:
    if out.suffix.lower() != ".db":
        given = f"'{out.suffix}'" if out.suffix else "a file without extension"
        raise InputError(f"{out}: a project file ends in .db, not {given}")
    if not out.parent.is_dir():
        raise InputError(f"{out}: the folder {out.parent} does not exist")
    if out.is_dir():
        raise InputError(f"{out}: is a folder, not a file")
    if project.path is not None and out.resolve() == project.path.resolve():
        raise InputError(f"{out}: is this project's own file; back it up to another")


def _check_sqlite_file(path: Path) -> None:
    with path.open("rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise InputError(f"{path}: not a project file (not an SQLite database)")


@contextlib.contextmanager
def _new_file(out: Path) -> Iterator[Path]:
    """A temporary file beside ``out``, renamed over it when the block succeeds."""
    temporary = out.parent / f".cen-themes-{secrets.token_hex(8)}.db"
    try:
        yield temporary
        os.replace(temporary, out)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the file ({exc.strerror or exc})") from None
    finally:
        for leftover in (
            temporary,
            *(Path(f"{temporary}{s}") for s in ("-wal", "-shm", "-journal")),
        ):
            leftover.unlink(missing_ok=True)


def _counts(path: Path) -> str:
    """What a project file holds, in a few words (read as a plain SQLite file)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = []
        for name in COUNTED:
            n = connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            found.append(plural(n, "change" if name == "events" else name.removesuffix("s")))
        return ", ".join(found)
    finally:
        connection.close()
