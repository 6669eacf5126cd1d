"""A change's bulk path: whole tables' worth of new rows, written with bulk SQL.

A service hands :meth:`Change.bulk_insert <cen_themes.bookkeeping.change.Change.bulk_insert>`
the new rows of each table as integer columns, with ids it numbered after the highest
(it holds the write lock). Here they are written table after table while a thread makes
the next table's statements ready (the database releases the GIL while it works), and
the derived tables follow as for any insert: codings on excerpts made in the same call
bring their ``excerpt_themes`` rows as plain appends counted with numpy; codings on
older excerpts are counted in with one set-based upsert.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import BindParameter, Connection
from sqlalchemy.orm import Session

from cen_themes.bookkeeping import rollup
from cen_themes.bulk import inserts
from cen_themes.models import Base, Coding

# A smaller sort run than the project's page cache: see _indexes_rebuilt_after.
_SORT_RUN_KB = -4096  # negative: kibibytes


@dataclass
class BulkTable:
    """New rows of one table: ``count`` rows with ids ``first_id`` onwards, and their
    other columns as arrays or SQL expressions (see :func:`inserts.prepare`)."""

    name: str
    first_id: int
    count: int
    columns: Mapping[str, np.ndarray | str]
    params: Sequence[BindParameter] = field(default_factory=tuple)

    @property
    def ids(self) -> range:
        return range(self.first_id, self.first_id + self.count)

    def prepare(self, dialect: str) -> inserts.Rows:
        columns = {"id": f"{self.first_id} + {{n}}", **self.columns}
        return inserts.prepare(dialect, self.name, columns, self.params)


def write(session: Session, tables: list[BulkTable]) -> None:
    """Insert every table's rows in order, and keep the derived tables."""
    tables = [t for t in tables if t.count]
    if not tables:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    new_excerpts = next((t.ids for t in tables if t.name == "excerpts"), range(0))
    code_themes = rollup.code_themes(session) if any(t.name == "codings" for t in tables) else None
    with ThreadPoolExecutor(max_workers=1) as pool:
        ready = [pool.submit(t.prepare, dialect) for t in tables]
        themed: Future[inserts.Rows] | None = None
        for table in tables:
            if table.name == "codings":
                assert code_themes is not None
                themed = pool.submit(_fresh_theme_rows, dialect, code_themes, table, new_excerpts)
        for table, rows in zip(tables, ready, strict=True):
            # More rows coming than there are: build the indexes after, sorted.
            big = table.count > table.first_id - 1
            with _indexes_rebuilt_after(connection, table.name, big):
                inserts.insert(connection, rows.result())
            if dialect == "postgresql":  # explicit ids: the sequence must be past them
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {table.ids[-1]})"
                    f" WHERE {table.ids[-1]} > (SELECT last_value FROM "
                    f"{_sequence(connection, table.name)})"
                )
            if table.name == "codings":
                assert themed is not None
                with _indexes_rebuilt_after(connection, "excerpt_themes", big):
                    if not _all_fresh(table, new_excerpts):  # codings on older excerpts
                        on_old = Coding.id.between(table.first_id, table.ids[-1])
                        if new_excerpts:
                            on_old &= ~Coding.excerpt_id.between(
                                new_excerpts.start, new_excerpts[-1]
                            )
                        rollup.add(session, on_old)
                    inserts.insert(connection, themed.result())


def _sequence(connection, table: str) -> str:
    return connection.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', 'id')").scalar()


def _all_fresh(codings: BulkTable, new_excerpts: range) -> bool:
    excerpt = np.asarray(codings.columns["excerpt_id"])
    return bool(len(new_excerpts)) and bool(
        ((excerpt >= new_excerpts.start) & (excerpt < new_excerpts.stop)).all()
    )


def _fresh_theme_rows(
    dialect: str, code_themes: np.ndarray, codings: BulkTable, new_excerpts: range
) -> inserts.Rows:
    """The ``excerpt_themes`` rows of the codings on excerpts new in this write (which
    have no theme rows yet), ready to insert."""
    excerpt = np.asarray(codings.columns["excerpt_id"])
    fresh = (excerpt >= new_excerpts.start) & (excerpt < new_excerpts.stop)
    source = np.asarray(codings.columns["source_id"])
    code = np.asarray(codings.columns["code_id"])
    return inserts.prepare(
        dialect,
        "excerpt_themes",
        rollup.fresh_rows(code_themes, excerpt[fresh], source[fresh], code[fresh]),
    )


@contextmanager
def _indexes_rebuilt_after(connection: Connection, table: str, worth_it: bool) -> Iterator[None]:
    """On SQLite, when the rows coming in outnumber those there, drop the table's
    secondary (non-unique) indexes and build them again after the insert: a sorted
    build is much cheaper than millions of random-order index updates.

    The build sorts in runs as large as the page cache; one run of a million keys
    sorts slower than many small runs merged (those also sort on the ``threads``
    workers), so the cache is made small for the build."""
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
