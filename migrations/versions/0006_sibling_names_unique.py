"""the database keeps code and theme names unique among siblings

Until now the services checked sibling names in Python, which concurrent writers on
PostgreSQL could both pass: four processes coding with a new path made four top-level
codes of one name. Each code and theme gets ``name_key`` (its name stripped and case
folded, as the services compare names) and a unique index over the parent (a top-level
node counting as parent 0) and that key.

Twins that already exist are merged into the oldest first, as ``code merge`` would:
codings re-pointed (one that repeats a coding the survivor has for the same excerpt and
coder is dropped), children, theme assignments and memos moved, descriptions appended.
Children that then clash are merged the same way. Undo records from before this
revision get the keys of the names they would put back. Each merge is an event in the audit
trail with every row it changed or removed (``payload["record"]``, in the trail's
format). ``undo`` stops there: reversing it would bring back a twin that the database
now refuses. The derived theme tables are rebuilt after.

This revision is written against the tables as they are at 0005 and reads nothing of
the application, so it stays correct however the code changes later.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TREES = ("codes", "themes")
UPGRADER = "cen-themes upgrade"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TIMES = {t: {"created_at"} for t in ("codes", "themes", "codings", "memos")}

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("summary", sa.Text),
    sa.column("payload", sa.JSON),
    sa.column("coder", sa.String),
    sa.column("created_at"),
    sa.column("undone_by", sa.Integer),
)


def upgrade() -> None:
    connection = op.get_bind()
    for table in TREES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_key", sa.Text(), nullable=True))
        rows = connection.execute(sa.text(f"SELECT id, name FROM {table}")).all()
        for node, name in rows:
            connection.execute(
                sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"),
                {"key": name.strip().casefold(), "id": node},
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("name_key", existing_type=sa.Text(), nullable=False)
    _keys_in_the_trail(connection)
    merged = False
    for table in TREES:
        while groups := _twins(connection, table):
            for twins in groups:
                _merge(connection, table, twins)
            merged = True
    if merged:
        _rebuild_rollups(connection)
    for table in TREES:
        op.create_index(
            f"uq_{table}_sibling_name",
            table,
            [sa.text("coalesce(parent_id, 0)"), "name_key"],
            unique=True,
        )


def downgrade() -> None:
    for table in TREES:
        op.drop_index(f"uq_{table}_sibling_name", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_key")


def _keys_in_the_trail(connection: sa.Connection) -> None:
    """Undo records written before this revision know no ``name_key``: a deleted code
    put back, or a rename taken back, must bring its key too."""
    found = connection.execute(sa.select(events.c.id, events.c.payload)).all()
    for event_id, payload in found:
        ops = (payload or {}).get("ops") or []
        changed = False
        for op_ in ops:
            if op_.get("table") not in TREES:
                continue
            if op_["op"] == "delete":
                for row in op_["rows"]:
                    if "name" in row and "name_key" not in row:
                        row["name_key"] = row["name"].strip().casefold()
                        changed = True
            elif op_["op"] == "update" and "name" in op_["before"]:
                for side in ("before", "after"):
                    op_[side]["name_key"] = op_[side]["name"].strip().casefold()
                changed = True
        if changed:
            connection.execute(
                events.update().where(events.c.id == event_id).values(payload=payload)
            )


def _twins(connection: sa.Connection, table: str) -> list[list[int]]:
    """Groups of siblings sharing a name key, oldest (lowest id) first."""
    rows = connection.execute(
        sa.text(f"SELECT id, coalesce(parent_id, 0), name_key FROM {table} ORDER BY id")
    ).all()
    groups: dict[tuple[int, str], list[int]] = {}
    for node, parent, key in rows:
        groups.setdefault((parent, key), []).append(node)
    return [ids for ids in groups.values() if len(ids) > 1]


class _Journal:
    """Operations in the audit trail's format (see cen_themes.bookkeeping.trail)."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.ops: list[dict[str, Any]] = []

    def delete(self, table: str, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [
            dict(r._mapping)
            for r in self.connection.execute(
                sa.text(f"SELECT * FROM {table} WHERE {where}"), params
            )
        ]
        if rows:
            self.connection.execute(sa.text(f"DELETE FROM {table} WHERE {where}"), params)
            times = _TIMES.get(table, set())
            self.ops.append(
                {
                    "op": "delete",
                    "table": table,
                    "rows": [
                        {k: _time_text(v) if k in times else v for k, v in r.items()} for r in rows
                    ],
                }
            )
        return rows

    def update(self, table: str, ids: list[int], column: str, before: Any, after: Any) -> None:
        if not ids:
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            self.connection.execute(
                sa.text(f"UPDATE {table} SET {column} = :after WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"after": after, "ids": chunk},
            )
        self.ops.append(
            {
                "op": "update",
                "table": table,
                "before": {column: before},
                "after": {column: after},
                "ranges": _ranges(ids),
            }
        )

    def insert_keys(self, table: str, columns: tuple[str, ...], keys: list[tuple]) -> None:
        if not keys:
            return
        names = ", ".join(columns)
        marks = ", ".join(f":{c}" for c in columns)
        self.connection.execute(
            sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks})"),
            [dict(zip(columns, key, strict=True)) for key in keys],
        )
        self.ops.append({"op": "insert", "table": table, "keys": [list(k) for k in keys]})


def _merge(connection: sa.Connection, table: str, twins: list[int]) -> None:
    """Merge ``twins[1:]`` into ``twins[0]`` and record it in the trail."""
    survivor, others = twins[0], twins[1:]
    journal = _Journal(connection)
    what = "code" if table == "codes" else "theme"
    names, descriptions = {}, {}
    for node, name, description in connection.execute(
        sa.text(f"SELECT id, name, description FROM {table} WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)
        ),
        {"ids": twins},
    ):
        names[node], descriptions[node] = name, description
    if table == "codes":
        _repoint_codings(connection, journal, survivor, others)
    for other in others:
        children = connection.execute(
            sa.text(f"SELECT id FROM {table} WHERE parent_id = :p ORDER BY id"), {"p": other}
        ).scalars()
        journal.update(table, list(children), "parent_id", other, survivor)
        assigned = set(
            connection.execute(
                sa.text(f"SELECT theme_id, code_id FROM theme_codes WHERE {what}_id = :n"),
                {"n": survivor},
            ).all()
        )
        moved = journal.delete("theme_codes", f"{what}_id = :n", {"n": other})
        new = sorted(
            {
                (r["theme_id"], survivor) if what == "code" else (survivor, r["code_id"])
                for r in moved
            }
            - assigned
        )
        journal.insert_keys("theme_codes", ("theme_id", "code_id"), new)
        memos = connection.execute(
            sa.text("SELECT id FROM memos WHERE target_type = :t AND target_id = :n"),
            {"t": what, "n": other},
        ).scalars()
        journal.update("memos", list(memos), "target_id", other, survivor)
    added = [f"{names[o]}: {descriptions[o]}" for o in others if descriptions[o]]
    if added:
        current = descriptions[survivor]
        combined = "\n".join([current, *added]) if current else "\n".join(added)
        journal.update(table, [survivor], "description", current, combined)
    for other in others:
        journal.delete(table, "id = :n", {"n": other})
    listed = ", ".join(f"#{o}" for o in others)
    summary = (
        f"merged {what}s sharing the name '{names[survivor]}' under one parent ({listed}) "
        f"into #{survivor}, as the upgrade to unique sibling names requires"
    )
    connection.execute(
        events.insert().values(
            kind=f"{what}.merge",
            summary=summary,
            payload={"revision": revision, "record": journal.ops},
            coder=UPGRADER,
            created_at=_now(connection),
        )
    )


def _repoint_codings(
    connection: sa.Connection, journal: _Journal, survivor: int, others: list[int]
) -> None:
    """Codings of the others to the survivor; those repeating one it has (or an earlier
    other has) for the same excerpt and coder are dropped."""
    rows = connection.execute(
        sa.text(
            "SELECT id, excerpt_id, coder_id, code_id FROM codings "
            "WHERE code_id IN :codes ORDER BY id"
        ).bindparams(sa.bindparam("codes", expanding=True)),
        {"codes": [survivor, *others]},
    ).all()
    seen = {(e, c) for _i, e, c, code in rows if code == survivor}
    dropped: list[int] = []
    moved: dict[int, list[int]] = {}
    for coding, excerpt, coder, code in rows:
        if code == survivor:
            continue
        if (excerpt, coder) in seen:
            dropped.append(coding)
        else:
            seen.add((excerpt, coder))
            moved.setdefault(code, []).append(coding)
    for start in range(0, len(dropped), 500):
        chunk = dropped[start : start + 500]
        journal.delete("codings", "id IN (" + ", ".join(str(int(i)) for i in chunk) + ")", {})
    for code, ids in moved.items():
        journal.update("codings", ids, "code_id", code, survivor)


def _rebuild_rollups(connection: sa.Connection) -> None:
    """theme_rollup and excerpt_themes from the base tables, as they are defined."""
    parents = dict(connection.execute(sa.text("SELECT id, parent_id FROM themes")).all())
    wanted: set[tuple[int, int]] = set()
    for theme, code in connection.execute(sa.text("SELECT theme_id, code_id FROM theme_codes")):
        ancestor, seen = theme, set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            wanted.add((ancestor, code))
            ancestor = parents.get(ancestor)
    connection.execute(sa.text("DELETE FROM theme_rollup"))
    if wanted:
        connection.execute(
            sa.text("INSERT INTO theme_rollup (theme_id, code_id) VALUES (:t, :c)"),
            [{"t": t, "c": c} for t, c in sorted(wanted)],
        )
    connection.execute(sa.text("DELETE FROM excerpt_themes"))
    connection.execute(
        sa.text(
            "INSERT INTO excerpt_themes (theme_id, source_id, excerpt_id, refs) "
            "SELECT r.theme_id, c.source_id, c.excerpt_id, count(*) "
            "FROM theme_rollup r JOIN codings c ON c.code_id = r.code_id "
            "GROUP BY r.theme_id, c.source_id, c.excerpt_id"
        )
    )


def _time_text(value: Any) -> Any:
    """A stored time as the trail writes it: ISO 8601 (SQLite keeps microseconds)."""
    if isinstance(value, int):
        return (_EPOCH + timedelta(microseconds=value)).isoformat()
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _now(connection: sa.Connection) -> Any:
    moment = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        return (moment - _EPOCH) // timedelta(microseconds=1)
    return moment


def _ranges(ids: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs
