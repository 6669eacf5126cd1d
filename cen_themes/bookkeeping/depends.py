"""Which later changes build on an earlier one, so that undoing it would undo half.

A change's record names the rows it inserted, updated and deleted. A later change
depends on it when it touched one of the same rows, or when a row it made refers to a
row the earlier change made (a coding with a code that the earlier change created:
deleting that code would take the coding with it). Undo refuses such a change and says
which later changes to undo first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, not_, select
from sqlalchemy.orm import Session

from cen_themes.bookkeeping import trail
from cen_themes.models import Event

Runs = list[list[int]]
_DERIVED = frozenset({"theme_rollup", "excerpt_themes"})


def touched(ops: Iterable[dict[str, Any]]) -> tuple[dict[str, Runs], dict[str, set[tuple]]]:
    """The rows a change's operations touched: id runs per table keyed by ``id``, and
    whole keys per table with a composite key."""
    by_id: dict[str, list[int]] = {}
    runs: dict[str, Runs] = {}
    keys: dict[str, set[tuple]] = {}
    for op in ops:
        name = op["table"]
        if name in _DERIVED:
            continue
        if "ranges" in op:
            runs.setdefault(name, []).extend(op["ranges"])
        elif "keys" in op:
            keys.setdefault(name, set()).update(tuple(k) for k in op["keys"])
        elif op["op"] == "delete":
            t = trail.table(name)
            names = trail.key_columns(t)
            if names == ["id"]:
                by_id.setdefault(name, []).extend(r["id"] for r in op["rows"])
            else:
                keys.setdefault(name, set()).update(tuple(r[n] for n in names) for r in op["rows"])
    for name, ids in by_id.items():
        runs.setdefault(name, []).extend(trail.ranges(ids))
    return {name: _merged(r) for name, r in runs.items()}, keys


def inserted(ops: Iterable[dict[str, Any]]) -> dict[str, Runs]:
    """Id runs of the rows a change inserted, per table keyed by ``id``."""
    runs: dict[str, Runs] = {}
    for op in ops:
        if op["op"] == "insert" and "ranges" in op and op["table"] not in _DERIVED:
            runs.setdefault(op["table"], []).extend(op["ranges"])
    return {name: _merged(r) for name, r in runs.items()}


def _merged(runs: Runs) -> Runs:
    out: Runs = []
    for lo, hi in sorted(runs):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def _overlap(a: Sequence[Sequence[int]], b: Sequence[Sequence[int]]) -> bool:
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False


def _within(value: int, runs: Runs) -> bool:
    return any(lo <= value <= hi for lo, hi in runs)


def dependents(session: Session, target: Event) -> list[Event]:
    """The later changes, not undone, that build on ``target`` (oldest first)."""
    ops = target.payload.get("ops") or []
    runs, keys = touched(ops)
    made = inserted(ops)
    later = session.scalars(
        select(Event)
        .where(Event.id > target.id, Event.undone_by.is_(None), Event.kind != "undo")
        .order_by(Event.id)
    ).all()
    later = [e for e in later if e.payload.get("ops")]
    if not later or not (runs or keys):
        return []
    found: dict[int, Event] = {}
    records = {e.id: touched(e.payload["ops"]) for e in later}
    for event in later:
        their_runs, their_keys = records[event.id]
        if any(_overlap(r, their_runs.get(n, [])) for n, r in runs.items()) or any(
            k & their_keys.get(n, set()) for n, k in keys.items()
        ):
            found[event.id] = event
    # rows made later that refer to rows this change made (they would go with them)
    for name, refs in _referring(session, made, keys):
        for event in later:
            their_runs, their_keys = records[event.id]
            if event.id not in found and any(
                ref in their_keys.get(name, set())
                if isinstance(ref, tuple)
                else _within(ref, their_runs.get(name, []))
                for ref in refs
            ):
                found[event.id] = event
    return [found[i] for i in sorted(found)]


def _referring(
    session: Session, made: dict[str, Runs], made_keys: dict[str, set[tuple]]
) -> list[tuple[str, list[Any]]]:
    """(table, ids or keys) of rows, not made by the change, referring to rows it made."""
    out: list[tuple[str, list[Any]]] = []
    for t in trail.table("events").metadata.sorted_tables:
        if t.name in _DERIVED:
            continue
        names = trail.key_columns(t)
        for fk in t.foreign_keys:
            target_runs = made.get(fk.column.table.name)
            if not target_runs:
                continue
            where = trail.id_filter(fk.parent, target_runs)
            own = made.get(t.name)
            if own and names == ["id"]:
                where = and_(where, not_(trail.id_filter(t.c.id, own)))
            rows = session.execute(select(*(t.c[n] for n in names)).where(where).limit(200))
            refs: list[Any] = [
                r[0] if names == ["id"] else tuple(r)
                for r in rows
                if names == ["id"] or tuple(r) not in made_keys.get(t.name, set())
            ]
            if refs:
                out.append((t.name, refs))
    return out
