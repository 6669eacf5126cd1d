"""Millions of integer rows into a table without binding them one by one.

Binding is the slow part of a bulk insert from Python: ``executemany`` makes a tuple
and binds every value of every row. Here the rows go to the database as one value per
chunk and the database unpacks them in an ``INSERT ... SELECT``:

- SQLite: a JSON array read by ``json_each``. When the columns' bits fit in 63, each
  row is packed into one integer and taken apart with shifts and masks (fewer values to
  parse than ``executemany`` binds); otherwise each row is a small array, read with
  ``json_extract``.
- PostgreSQL: one array per column, read by ``unnest``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import BindParameter, Connection, TextClause, text

from cen_themes.bulk.arrays import bit_widths, pack

CHUNK_ROWS = 250_000  # a JSON text of a few megabytes per statement: memory stays flat


@dataclass(frozen=True)
class Rows:
    """A bulk insert made ready: its statements with their bound values."""

    statements: list[tuple[TextClause, dict[str, object]]]


def prepare(
    dialect: str,
    table: str,
    columns: Mapping[str, np.ndarray | str],
    params: Sequence[BindParameter] = (),
) -> Rows:
    """``INSERT INTO table (columns) SELECT ...`` for ``dialect``, rows in the arrays'
    order. Pure computation, so it can run in a thread while the database works.

    Each column is an array of integers (one per row, all the same length) or an SQL
    expression, in which ``{n}`` stands for the row's number (from 0) and ``:name``
    for one of ``params`` (bound parameters with their values and types).
    """
    arrays = {name: np.asarray(v, dtype=np.int64) for name, v in columns.items() if _is_array(v)}
    if not arrays:
        raise ValueError("a bulk insert needs at least one column of values")
    count = len(next(iter(arrays.values())))
    feed = _postgres if dialect == "postgresql" else _sqlite
    names = ", ".join(f'"{name}"' for name in columns)
    statements = []
    for start in range(0, count, CHUNK_ROWS):
        part = {name: values[start : start + CHUNK_ROWS] for name, values in arrays.items()}
        source, expressions, bound = feed(part)
        number = f"({expressions.pop('n')} + {start})"
        selected = ", ".join(
            expressions[name] if _is_array(value) else value.replace("{n}", number)
            for name, value in columns.items()
        )
        statement = text(f"INSERT INTO {table} ({names}) SELECT {selected} FROM {source}")
        statements.append((statement.bindparams(*params), bound))
    return Rows(statements)


def insert(connection: Connection, rows: Rows) -> None:
    """Run a prepared bulk insert."""
    for statement, bound in rows.statements:
        connection.execute(statement, bound)


def _is_array(value: object) -> bool:
    return not isinstance(value, str)


def _sqlite(part: dict[str, np.ndarray]) -> tuple[str, dict[str, str], dict[str, str]]:
    columns = list(part.values())
    widths = bit_widths(columns)
    expressions: dict[str, str] = {"n": "key"}
    if min(int(c.min()) for c in columns) >= 0 and sum(widths) <= 63:
        shift = sum(widths)
        for name, width in zip(part, widths, strict=True):
            shift -= width
            expressions[name] = f"((value >> {shift}) & {(1 << width) - 1})"
        rows = json.dumps(pack(columns, widths).tolist())
    else:
        for j, name in enumerate(part):
            expressions[name] = f"json_extract(value, '$[{j}]')"
        rows = json.dumps(np.stack(columns, axis=1).tolist())
    return "json_each(:bulk_rows)", expressions, {"bulk_rows": rows}


def _postgres(part: dict[str, np.ndarray]) -> tuple[str, dict[str, str], dict[str, list[int]]]:
    aliases = [f"c{j}" for j in range(len(part))]
    arrays = ", ".join(f"CAST(:bulk_{a} AS BIGINT[])" for a in aliases)
    source = f"unnest({arrays}) WITH ORDINALITY AS bulk_rows({', '.join(aliases)}, ordinal)"
    expressions = {"n": "(bulk_rows.ordinal - 1)"}
    expressions.update({name: f"bulk_rows.{a}" for name, a in zip(part, aliases, strict=True)})
    bound = {f"bulk_{a}": values.tolist() for a, values in zip(aliases, part.values(), strict=True)}
    return source, expressions, bound
