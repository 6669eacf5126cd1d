"""The audit trail: one Event per change, with the record that lets ``undo`` reverse it.

Every change (:mod:`cen_themes.bookkeeping.change`) notes what it did to the base tables
as operations: rows inserted (by key; integer ids as compact ranges), rows deleted
(captured whole), rows updated (their earlier values). The operations go into the
change's Event as ``payload["ops"]``, JSON that any later version can read; undo asks
:func:`reversal` for the statements that take them back, last first. Derived tables
(``theme_rollup``, ``excerpt_themes``) are never in the record: the change that replays
a reversal keeps them, as it keeps them for every change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, text
from sqlalchemy.orm import Session

from cen_themes.models import Base, Event, Moment

# Rows per statement when re-inserting, and id runs per statement when matching.
CHUNK = 500
_RUNS = 200
# The PostgreSQL channel on which each change announces its Event's id as it commits
# (see cen_themes.services.live).
CHANNEL = "cen_themes"


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def key_columns(t: Table) -> list[str]:
    return [c.name for c in t.primary_key.columns]


def to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def from_json(t: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name, value in row.items():
        if value is not None and isinstance(t.c[name].type, Moment):
            out[name] = datetime.fromisoformat(value)
    return out


def ranges(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: 1,2,3,7 -> [[1, 3], [7, 7]]."""
    if isinstance(ids, range) and ids.step == 1:
        return [[ids.start, ids.stop - 1]] if len(ids) else []
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def id_filter(column: Any, runs: Sequence[Sequence[int]]) -> ColumnElement[bool]:
    """``column`` within any of the [first, last] runs."""
    singles = [lo for lo, hi in runs if lo == hi]
    spans = [column.between(lo, hi) for lo, hi in runs if lo != hi]
    clauses = spans + ([column.in_(singles)] if singles else [])
    return or_(*clauses) if clauses else column.in_([])


def key_filters(t: Table, op: dict[str, Any]) -> Iterator[ColumnElement[bool]]:
    """The rows an insert or update operation names, a few statements' worth at a time."""
    if "ranges" in op:
        runs = op["ranges"]
        for start in range(0, len(runs), _RUNS):
            yield id_filter(t.c.id, runs[start : start + _RUNS])
        return
    names = key_columns(t)
    keys = op["keys"]
    for start in range(0, len(keys), _RUNS):
        yield or_(
            *(
                and_(*(t.c[n] == v for n, v in zip(names, k, strict=True)))
                for k in keys[start : start + _RUNS]
            )
        )


def self_referencing(t: Table) -> bool:
    return any(fk.column.table is t for fk in t.foreign_keys)


@dataclass
class Journal:
    """The operations of one change, in the order they were made."""

    ops: list[dict[str, Any]] = field(default_factory=list)

    def inserted(self, table_name: str, ids: Iterable[int]) -> None:
        """Rows with these integer ids were inserted."""
        runs = ranges(ids)
        if runs:
            self.ops.append({"op": "insert", "table": table_name, "ranges": runs})

    def inserted_keys(self, table_name: str, keys: Iterable[Sequence[Any]]) -> None:
        """Rows with these (composite) primary keys were inserted."""
        listed = [list(k) for k in keys]
        if listed:
            self.ops.append({"op": "insert", "table": table_name, "keys": listed})

    def deleted(self, table_name: str, rows: list[dict[str, Any]]) -> None:
        """These whole rows were deleted."""
        if rows:
            self.ops.append(
                {
                    "op": "delete",
                    "table": table_name,
                    "rows": [{k: to_json(v) for k, v in r.items()} for r in rows],
                }
            )

    def updated(
        self, table_name: str, before: dict[tuple[Any, ...], list[int]], after: dict[str, Any]
    ) -> None:
        """Rows (by id) held the values ``before`` (keyed by the tuple of their earlier
        values, in the order of ``after``'s names) and now hold ``after``."""
        names = list(after)
        for old, ids in before.items():
            self.ops.append(
                {
                    "op": "update",
                    "table": table_name,
                    "before": {n: to_json(v) for n, v in zip(names, old, strict=True)},
                    "after": {n: to_json(after[n]) for n in names},
                    "ranges": ranges(ids),
                }
            )


@dataclass(frozen=True)
class Step:
    """One statement's worth of a reversal: delete rows, put rows back, or set values."""

    action: str  # "delete", "insert" or "update"
    table: Table
    where: ColumnElement[bool] | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


def reversal(ops: list[dict[str, Any]]) -> Iterator[Step]:
    """The steps that undo the recorded operations, last first."""
    for op in reversed(ops):
        t = table(op["table"])
        if op["op"] == "insert":
            for where in key_filters(t, op):
                yield Step("delete", t, where=where)
        elif op["op"] == "delete":
            rows = [from_json(t, r) for r in op["rows"]]
            for start in range(0, len(rows), CHUNK):
                yield Step("insert", t, rows=rows[start : start + CHUNK])
        elif op["op"] == "update":
            values = from_json(t, op["before"])
            for where in key_filters(t, op):
                yield Step("update", t, where=where, values=values)
        else:  # pragma: no cover - written by this module only
            raise ValueError(f"unknown journal operation {op['op']!r}")


def record(session: Session, kind: str, summary: str, coder: str, payload: dict) -> Event:
    """Add the change's Event to the session; it commits (or rolls back) with the change.

    On PostgreSQL the Event's id is also sent on :data:`CHANNEL`: the server delivers
    the notice to every listening workbench when, and only if, the change commits."""
    event = Event(kind=kind, summary=summary, coder=coder, payload=payload)
    session.add(event)
    if session.get_bind().dialect.name == "postgresql":
        session.flush()
        session.execute(
            text("SELECT pg_notify(:channel, :event_id)"),
            {"channel": CHANNEL, "event_id": str(event.id)},
        )
    return event
