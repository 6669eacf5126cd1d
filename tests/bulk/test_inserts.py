"""Bulk rows into a table in a few statements, on SQLite and (when the run has a server)
PostgreSQL: every encoding must give back exactly the rows it was given, in order."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import bindparam, create_engine, text

from cen_themes.bulk import inserts as bulk


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def connection(request, tmp_path):
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
    else:
        engine = create_engine(request.getfixturevalue("pg_database"))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bulk_test"))
        conn.execute(
            text(
                'CREATE TABLE bulk_test (id BIGINT PRIMARY KEY, a BIGINT, b BIGINT, "end" BIGINT, '
                "label TEXT)"
            )
        )
        yield conn
        conn.execute(text("DROP TABLE bulk_test"))
    engine.dispose()


def _insert(conn, table, columns, params=()) -> None:
    bulk.insert(conn, bulk.prepare(conn.dialect.name, table, columns, params))


def _rows(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text('SELECT id, a, b, "end", label FROM bulk_test'))]


def test_packed_rows_come_back_exactly_with_numbers_and_parameters(connection) -> None:
    rng = np.random.default_rng(7)
    a = rng.integers(0, 1 << 20, 5000)
    b = rng.integers(0, 500, 5000)
    end = rng.integers(0, 1 << 30, 5000)
    _insert(
        connection,
        "bulk_test",
        {"id": "100 + {n}", "a": a, "b": b, "end": end, "label": ":label"},
        [bindparam("label", "x")],
    )
    expected = [
        (100 + k, int(x), int(y), int(z), "x")
        for k, (x, y, z) in enumerate(zip(a, b, end, strict=True))
    ]
    assert sorted(_rows(connection)) == expected


def test_rows_too_wide_to_pack_or_negative_still_come_back(connection) -> None:
    a = np.array([0, (1 << 62) + 5, 3, -7], dtype=np.int64)  # 63 bits: nothing else fits
    b = np.array([1, 2, (1 << 40), -1], dtype=np.int64)
    _insert(connection, "bulk_test", {"id": "{n}", "a": a, "b": b, "end": b, "label": "'y'"})
    assert sorted(_rows(connection)) == [
        (k, int(x), int(y), int(y), "y") for k, (x, y) in enumerate(zip(a, b, strict=True))
    ]


def test_chunks_number_rows_across_statements(connection, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 3)
    values = np.arange(10) * 7
    _insert(connection, "bulk_test", {"id": "{n}", "a": values, "b": values, "end": values})
    rows = _rows(connection)
    assert sorted(r[:4] for r in rows) == [(k, 7 * k, 7 * k, 7 * k) for k in range(10)]


def test_no_rows_writes_nothing(connection) -> None:
    empty = np.zeros(0, dtype=np.int64)
    _insert(connection, "bulk_test", {"id": "{n}", "a": empty})
    assert _rows(connection) == []
