"""What a unit of work changed, recorded so that ``undo`` can reverse it exactly.

Services change tables through a :class:`Journal`: rows they insert are noted by key
(integer ids as compact ranges), rows they delete are captured whole first, rows they
update keep their earlier values. The journal goes into the change's Event as
``payload["ops"]``; :func:`reverse` replays it backwards. Derived tables
(``theme_rollup``, ``excerpt_themes``) are never journaled: they are rebuilt from what
the reversal touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from cen_themes.models import Base, Event, Moment

# Rows per statement when re-inserting, and id runs per statement when matching.
_CHUNK = 500
_RUNS = 200


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def _key_columns(t: Table) -> list[str]:
    return [c.name for c in t.primary_key.columns]


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _from_json(t: Table, row: dict[str, Any]) -> dict[str, Any]:
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


@dataclass
class Touched:
    """What a reversal changed, for rebuilding the derived tables."""

    codes: set[int] = field(default_factory=set)  # codes whose codings or themes changed
    themes_changed: bool = False  # themes themselves were added, moved or removed


@dataclass
class Journal:
    session: Session
    ops: list[dict[str, Any]] = field(default_factory=list)

    # -- recording ---------------------------------------------------------------
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

    def delete(self, table_name: str, where: ColumnElement[bool]) -> list[dict[str, Any]]:
        """Delete the matching rows, keeping them whole in the journal."""
        t = table(table_name)
        rows = [dict(r._mapping) for r in self.session.execute(select(t).where(where))]
        if rows:
            self.session.execute(delete(t).where(where))
            self.ops.append(
                {
                    "op": "delete",
                    "table": table_name,
                    "rows": [{k: _to_json(v) for k, v in r.items()} for r in rows],
                }
            )
        return rows

    def update(
        self, table_name: str, where: ColumnElement[bool], values: dict[str, Any]
    ) -> list[int]:
        """Set ``values`` on the matching rows (integer ``id`` tables), keeping the old
        values. Returns the ids changed."""
        t = table(table_name)
        names = list(values)
        before = self.session.execute(select(t.c.id, *(t.c[n] for n in names)).where(where)).all()
        changed = [r for r in before if any(getattr(r, n) != values[n] for n in names)]
        if not changed:
            return []
        self.session.execute(update(t).where(t.c.id.in_([r.id for r in changed])).values(values))
        groups: dict[tuple, list[int]] = {}
        for row in changed:
            groups.setdefault(tuple(_to_json(getattr(row, n)) for n in names), []).append(row.id)
        for old, ids in groups.items():
            self.ops.append(
                {
                    "op": "update",
                    "table": table_name,
                    "before": dict(zip(names, old, strict=True)),
                    "after": {n: _to_json(values[n]) for n in names},
                    "ranges": ranges(ids),
                }
            )
        return [r.id for r in changed]


def touched_by(session: Session, ops: list[dict[str, Any]]) -> Touched:
    """What reversing these operations will change (ask before reversing them)."""
    touched = Touched()
    for op in ops:
        _note_touched(session, table(op["table"]), op, touched)
    return touched


def reverse(session: Session, ops: list[dict[str, Any]]) -> None:
    """Undo the journaled operations, last first."""
    for op in reversed(ops):
        t = table(op["table"])
        if op["op"] == "insert":
            for where in _op_filters(t, op):
                if _self_referencing(t):
                    # children before parents: a parent's RESTRICT key is checked per row
                    keys = session.scalars(select(t.c.id).where(where).order_by(t.c.id.desc()))
                    for key in keys.all():
                        session.execute(delete(t).where(t.c.id == key))
                else:
                    session.execute(delete(t).where(where))
        elif op["op"] == "delete":
            rows = [_from_json(t, r) for r in op["rows"]]
            for start in range(0, len(rows), _CHUNK):
                session.execute(insert(t), rows[start : start + _CHUNK])
        elif op["op"] == "update":
            values = _from_json(t, op["before"])
            for where in _op_filters(t, op):
                session.execute(update(t).where(where).values(values))
        else:  # pragma: no cover - written by this module only
            raise ValueError(f"unknown journal operation {op['op']!r}")


def _self_referencing(t: Table) -> bool:
    return any(fk.column.table is t for fk in t.foreign_keys)


def _op_filters(t: Table, op: dict[str, Any]) -> Iterator[ColumnElement[bool]]:
    """The rows an operation names, as a few statements' worth of conditions."""
    if "ranges" in op:
        runs = op["ranges"]
        for start in range(0, len(runs), _RUNS):
            yield id_filter(t.c.id, runs[start : start + _RUNS])
        return
    names = _key_columns(t)
    keys = op["keys"]
    for start in range(0, len(keys), _RUNS):
        yield or_(
            *(
                and_(*(t.c[n] == v for n, v in zip(names, k, strict=True)))
                for k in keys[start : start + _RUNS]
            )
        )


def _note_touched(session: Session, t: Table, op: dict[str, Any], touched: Touched) -> None:
    if t.name == "themes":
        touched.themes_changed = True
    if t.name == "theme_codes":
        if op["op"] == "delete":
            touched.codes.update(r["code_id"] for r in op["rows"])
        else:
            touched.codes.update(code for _theme, code in op["keys"])
        return
    if t.name != "codings":
        return
    if op["op"] == "delete":
        touched.codes.update(r["code_id"] for r in op["rows"])
        return
    if op["op"] == "update" and "code_id" in op.get("after", {}):
        touched.codes.update((op["before"]["code_id"], op["after"]["code_id"]))
        return
    for where in _op_filters(t, op):
        touched.codes.update(session.scalars(select(t.c.code_id).where(where).distinct()))
    if op["op"] == "update" and "code_id" in op["before"]:
        touched.codes.add(op["before"]["code_id"])


def record(session: Session, kind: str, summary: str, coder: str, **payload: Any) -> Event:
    """Add an event to the session; it commits (or rolls back) with the change itself."""
    event = Event(kind=kind, summary=summary, coder=coder, payload=payload)
    session.add(event)
    return event
