"""The matrix as it stood at an earlier moment, rebuilt from the audit trail.

Every change's Event records what it did (rows inserted, deleted whole, updated from
their earlier values: :mod:`cen_themes.bookkeeping.trail`). Taking today's rows of the
tables a matrix reads and reversing, newest first, every change made after the moment
gives those tables as they were at that moment; the matrix is then counted from them
the way :func:`cen_themes.services.analysis.matrix` counts it from the database. Nothing
is written: the reversal happens in memory.

A moment is an ISO 8601 date or date and time; without a zone it is UTC, and a date
alone is the moment that day begins (``2026-03-01`` is the state before any change of
1 March). A change belongs to the moment it was committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select

from cen_themes.bookkeeping.trees import SEPARATOR, Tree
from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.models import Attribute, Code, Coding, Event, Source, Theme, ThemeCode
from cen_themes.results import Matrix, MatrixRow, RowsKind, SourceColumn

# The tables a matrix reads, with the columns it needs; rows are keyed by their primary
# key (a tuple for theme_codes).
_TABLES: dict[str, tuple[str, ...]] = {
    "sources": ("id", "name"),
    "attributes": ("id", "source_id", "key", "value"),
    "codes": ("id", "name", "parent_id", "position"),
    "themes": ("id", "name", "parent_id", "position"),
    "theme_codes": ("theme_id", "code_id"),
    "codings": ("id", "excerpt_id", "source_id", "code_id"),
}
_MODELS = {
    "sources": Source,
    "attributes": Attribute,
    "codes": Code,
    "themes": Theme,
    "theme_codes": ThemeCode,
    "codings": Coding,
}
_KEYS = {"theme_codes": ("theme_id", "code_id")}


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or date-time as an aware UTC datetime (UTC when no zone)."""
    given = text.strip()
    try:
        if len(given) == 10:
            moment = datetime.combine(date.fromisoformat(given), time(0), tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(given.replace(" ", "T", 1))
    except ValueError:
        raise InputError(
            f"--as-of '{text}' is not an ISO 8601 date or date-time "
            "(2026-03-01, 2026-03-01T14:30, 2026-03-01T14:30+01:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def matrix_as_of(project: Project, moment: datetime, rows: RowsKind = "themes") -> Matrix:
    """The matrix (counts only) as it stood at ``moment``."""
    with project.read() as session:
        tables: dict[str, dict[Any, dict[str, Any]]] = {}
        for name, columns in _TABLES.items():
            model = _MODELS[name]
            keys = _KEYS.get(name, ("id",))
            found = session.execute(select(*(getattr(model, c) for c in columns)))
            kept = (dict(zip(columns, r, strict=True)) for r in found)
            tables[name] = {_key(keys, row): row for row in kept}
        later = session.execute(
            select(Event.payload).where(Event.created_at > moment).order_by(Event.id.desc())
        ).scalars()
        for payload in later:
            for op in reversed((payload or {}).get("ops", [])):
                _reverse(tables, op)
    return _count(tables, rows)


def _key(keys: tuple[str, ...], row: dict[str, Any]) -> Any:
    return row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)


def _ids(op: dict[str, Any]) -> Iterable[Any]:
    if "ranges" in op:
        for first, last in op["ranges"]:
            yield from range(first, last + 1)
    else:
        for key in op["keys"]:
            yield tuple(key) if len(key) > 1 else key[0]


def _reverse(tables: dict[str, dict[Any, dict[str, Any]]], op: dict[str, Any]) -> None:
    """Take back one recorded operation on the tables kept (others are not needed)."""
    rows = tables.get(op["table"])
    if rows is None:
        return
    columns = _TABLES[op["table"]]
    keys = _KEYS.get(op["table"], ("id",))
    if op["op"] == "insert":
        for key in _ids(op):
            rows.pop(key, None)
    elif op["op"] == "delete":
        for row in op["rows"]:
            kept = {c: row.get(c) for c in columns}
            rows[_key(keys, kept)] = kept
    elif op["op"] == "update":
        before = {c: v for c, v in op["before"].items() if c in columns}
        if before:
            for key in _ids(op):
                if key in rows:
                    rows[key].update(before)


def _tree(rows: dict[Any, dict[str, Any]], model: type, what: str) -> Tree:
    return Tree.from_rows(
        ((n, r["name"], r["parent_id"], r["position"]) for n, r in rows.items()), model, what
    )


def _count(tables: dict[str, dict[Any, dict[str, Any]]], rows_kind: RowsKind) -> Matrix:
    source_ids = sorted(tables["sources"])
    position = {s: i for i, s in enumerate(source_ids)}
    attributes: dict[int, dict[str, str]] = {}
    for row in sorted(tables["attributes"].values(), key=lambda r: r["key"]):
        attributes.setdefault(row["source_id"], {})[row["key"]] = row["value"]
    columns = [
        SourceColumn(tables["sources"][s]["name"], attributes.get(s, {})) for s in source_ids
    ]
    excerpts_of_code: dict[int, set[tuple[int, int]]] = {}  # code -> (source, excerpt)
    for coding in tables["codings"].values():
        if coding["source_id"] in position:
            excerpts_of_code.setdefault(coding["code_id"], set()).add(
                (coding["source_id"], coding["excerpt_id"])
            )
    if rows_kind == "themes":
        tree = _tree(tables["themes"], Theme, "theme")
        own: dict[int, set[int]] = {}
        for theme_id, code_id in tables["theme_codes"]:
            own.setdefault(theme_id, set()).add(code_id)
        members = {}
        for node in tree.ordered():
            brought = set()
            for theme in {node} | tree.descendants(node):
                for code in own.get(theme, ()):
                    brought |= excerpts_of_code.get(code, set())
            members[node] = brought
    else:
        tree = _tree(tables["codes"], Code, "code")
        members = {node: excerpts_of_code.get(node, set()) for node in tree.ordered()}
    matrix_rows = []
    in_any: list[set[int]] = [set() for _ in source_ids]
    for node in tree.ordered():
        counts = [0] * len(source_ids)
        for source_id, excerpt in members[node]:
            counts[position[source_id]] += 1
            in_any[position[source_id]].add(excerpt)
        path = tree.path(node)
        matrix_rows.append(
            MatrixRow(
                path=path,
                depth=path.count(SEPARATOR),
                counts=counts,
                n_sources=sum(1 for n in counts if n),
                n_excerpts=sum(counts),
                excerpt_ids=frozenset(e for _s, e in members[node]),
            )
        )
    return Matrix(rows_kind, columns, matrix_rows, [len(found) for found in in_any])
