"""One change, one path: the unit of work every write of the project goes through.

``with project.change("code.merge", coder) as ch:`` hands a service a :class:`Change`
inside one transaction. The service says what it inserts (:meth:`Change.add`,
:meth:`Change.bulk_insert`), updates (:meth:`Change.update`) and deletes
(:meth:`Change.delete`), and sets the summary. The change keeps, in this one place:

- the undo record: every operation is journaled (:mod:`cen_themes.bookkeeping.trail`);
- the derived tables: ``theme_rollup`` and ``excerpt_themes`` follow each operation on
  codings, theme assignments and themes (:mod:`cen_themes.bookkeeping.rollup`);
- the audit Event, written when the change wrote anything, with the undo record in it;
- races: a row that a unique constraint guards (a code's name among its siblings, a
  coder's name, a span) and that another program made first is found and used.

Anything written past it (an ORM object added, changed or deleted in the session, or
an INSERT, UPDATE or DELETE statement run on it) is a bug and fails the change.
Undo replays a reversal through the same operations, so it keeps the derived tables
the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import set_committed_value

from cen_themes.bookkeeping import rollup, trail
from cen_themes.bookkeeping.trees import Tree
from cen_themes.models import Base, Code, Event, Theme

if TYPE_CHECKING:
    from cen_themes.bookkeeping.bulk_writes import BulkTable

# What each table's changes mean for the derived tables.
_CODINGS = "codings"
_STRUCTURE = frozenset({"theme_codes", "themes"})  # changes the rollup's (theme, code) pairs


# Tables whose rows PostgreSQL's row-level security guards on a team project (the
# policies of migration 0008): an UPDATE or DELETE silently passes over a row the login
# may not touch, so the change counts what it meant to touch.
_GUARDED = frozenset(
    {"coders", "codes", "excerpts", "codings", "memos", "events", "suggestion_rejections"}
)
# Every change on PostgreSQL takes these tables' ROW EXCLUSIVE lock first, in this order
# (the order of Change.hold_for_bulk): a bulk import's stronger lock then queues behind
# changes under way or ahead of them, never half way, which would be a deadlock.
_LOCK_ORDER = ("coders", "codes", "excerpts", "codings")


class RowsRefused(Exception):
    """The server's row-level security kept rows that this change meant to update or
    delete (the project turns it into a one-line refusal naming the role needed)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BypassError(RuntimeError):
    """A write reached the session without going through the change (a bug)."""


class Change:
    """One unit of work: see the module's docstring. Made by ``Project.change``."""

    def __init__(self, session: Session, kind: str, coder: str) -> None:
        self.session = session
        self.kind = kind
        self.coder = coder
        self.summary = ""
        self.payload: dict[str, Any] = {}  # what the Event carries besides the undo record
        self._journal = trail.Journal()
        self._wrote = False
        self._trusted = 0  # > 0 while the change itself writes
        # Rows this change inserted, held so the session keeps them (by id()).
        self._ours: dict[int, Base] = {}
        self._trees: dict[type, Tree[Any]] = {}
        self._undoes: Event | None = None
        self._may_race = session.get_bind().dialect.name != "sqlite"
        self._record_only = False
        self._limited: bool | None = None  # below lead on a team project (asked when needed)
        event.listen(session, "before_flush", self._check_flush)
        event.listen(session, "do_orm_execute", self._check_statement)
        if self._may_race:
            session.execute(text(f"LOCK TABLE {', '.join(_LOCK_ORDER)} IN ROW EXCLUSIVE MODE"))

    # -- what the service reads ---------------------------------------------------
    @property
    def codes(self) -> Tree[Code]:
        """The codebook, loaded once in this change; nodes it creates are journaled."""
        return self._tree(Code, "code")

    @property
    def themes(self) -> Tree[Theme]:
        return self._tree(Theme, "theme")

    def _tree(self, model: type, what: str) -> Tree[Any]:
        if model not in self._trees:
            self._trees[model] = Tree(self.session, model, what, change=self)
        return self._trees[model]

    # -- writing -----------------------------------------------------------------
    def add(self, *rows: Base) -> None:
        """Insert ORM rows (flushed, so they have their ids)."""
        self._add(rows, savepoint=False)

    def try_add(self, *rows: Base) -> IntegrityError | None:
        """:meth:`add`, where another program may have inserted a twin of a row since
        this change looked (a code's name among its siblings, a coder's name, a span):
        then the unique constraint's refusal is returned, with nothing of the rows
        written, for the caller to find the twins and use them. Only PostgreSQL's
        writers race: on SQLite this change has held the write lock since it began, so a
        refusal there is a bug and is raised."""
        if not self._may_race:
            self._add(rows, savepoint=False)
            return None
        try:
            self._add(rows, savepoint=True)
        except IntegrityError as refused:
            return refused
        return None

    def _add(self, rows: tuple[Base, ...], savepoint: bool) -> None:
        if not rows:
            return
        saved = self.session.begin_nested() if savepoint else contextlib.nullcontext()
        with self._trust(), saved:
            self.session.add_all(rows)
            self._ours.update((id(row), row) for row in rows)
            self.session.flush()
        by_table: dict[str, list[Base]] = {}
        for row in rows:
            by_table.setdefault(row.__table__.name, []).append(row)  # type: ignore[attr-defined]
        for name, added in by_table.items():
            t = trail.table(name)
            keys = trail.key_columns(t)
            if keys == ["id"]:
                self._note_insert(t, [row.id for row in added])  # type: ignore[attr-defined]
            else:
                self._journal.inserted_keys(name, [[getattr(r, k) for k in keys] for r in added])
                with self._trust():
                    self._after(name, None)
            self._wrote = True

    def insert(self, table_name: str, rows: list[dict[str, Any]]) -> list[int]:
        """Insert many plain rows of a table keyed by ``id`` (faster than ORM objects):
        their ids are taken first, so one executemany writes them. Returns the ids."""
        if not rows:
            return []
        t = trail.table(table_name)
        ids = self._new_ids(t, len(rows))
        with self._trust():
            self.session.execute(
                insert(t), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)]
            )
        self._note_insert(t, ids)
        self._wrote = True
        return ids

    def _new_ids(self, t: Table, count: int) -> list[int]:
        """Ids for ``count`` new rows: after the highest on SQLite (this change holds the
        write lock), from the table's sequence on PostgreSQL (other writers may take
        theirs meanwhile, so they need not be consecutive)."""
        if self._may_race:
            sequence = f"pg_get_serial_sequence('{t.name}', 'id')"
            return list(
                self.session.scalars(
                    text(f"SELECT nextval({sequence}) FROM generate_series(1, :n)"), {"n": count}
                )
            )
        highest = self.session.scalar(select(func.coalesce(func.max(t.c.id), 0)))
        return list(range(highest + 1, highest + 1 + count))

    def hold_for_bulk(self, *table_names: str) -> None:
        """Keep other writers out of these tables until this change ends, so that a bulk
        insert can number its rows in one block and what it read stays true; readers go
        on. SQLite's write lock does this already; on PostgreSQL two bulk imports then
        take turns, and a single coding waits for the import's commit."""
        if self._may_race:
            names = ", ".join(trail.table(n).name for n in table_names)
            self.session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))

    def id_block(self, table_name: str, count: int) -> int:
        """The first of ``count`` consecutive ids for new rows, all above every id the
        table has (after :meth:`hold_for_bulk`). On PostgreSQL they come from the
        table's sequence, so a writer that took an id before the hold keeps its own;
        a block that such a writer broke into is left as a gap and another taken."""
        t = trail.table(table_name)
        if not self._may_race:
            return self.session.scalar(select(func.coalesce(func.max(t.c.id), 0))) + 1
        while True:
            ids = self._new_ids(t, max(count, 1))
            if ids[-1] - ids[0] == len(ids) - 1:
                return ids[0]

    def add_unique(self, row: Base, existing: Callable[[], int | None]) -> tuple[int, bool]:
        """Insert ``row``, or use its twin that another program inserted meanwhile
        (:meth:`try_add`), found by ``existing()``. Returns (id, whether this change made
        it)."""
        refused = self.try_add(row)
        if refused is None:
            return row.id, True  # type: ignore[attr-defined]
        found = existing()
        if found is None:
            raise refused
        return found, False

    def update(
        self, table_name: str, where: ColumnElement[bool], values: dict[str, Any]
    ) -> list[int]:
        """Set ``values`` on the matching rows of a table keyed by ``id``; rows that hold
        them already are left alone. Returns the ids changed."""
        t = trail.table(table_name)
        names = list(values)
        before = self.session.execute(select(t.c.id, *(t.c[n] for n in names)).where(where))
        groups: dict[tuple[Any, ...], list[int]] = {}
        for row in before:
            old = tuple(row[1:])
            if any(o != values[n] for o, n in zip(old, names, strict=True)):
                groups.setdefault(old, []).append(row.id)
        changed = sorted(i for ids in groups.values() for i in ids)
        if not changed:
            return []
        for part in _id_chunks(t, changed):
            self._set(t, part, values)
        self._journal.updated(table_name, groups, values)
        return changed

    def delete(self, table_name: str, where: ColumnElement[bool]) -> list[dict[str, Any]]:
        """Delete the matching rows, kept whole in the undo record. Returns them."""
        t = trail.table(table_name)
        rows = [dict(r._mapping) for r in self.session.execute(select(t).where(where))]
        if rows:
            self._delete(t, where)
            self._journal.deleted(table_name, rows)
        return rows

    def set_on_new(self, table_name: str, values: dict[int, dict[str, Any]]) -> None:
        """Fill in columns of rows this change inserted, by id, each row its own values
        (the same columns for all): nothing to journal, since undoing the change deletes
        those rows."""
        if not values:
            return
        t = trail.table(table_name)
        columns = list(next(iter(values.values())))
        with self._trust():
            self.session.connection().execute(
                update(t)
                .where(t.c.id == bindparam("row_id"))
                .values({c: bindparam(f"new_{c}") for c in columns}),
                [
                    {"row_id": i, **{f"new_{c}": row[c] for c in columns}}
                    for i, row in values.items()
                ],
            )

    def bulk_insert(self, tables: list[BulkTable]) -> None:
        """Insert millions of rows with bulk SQL, table after table (see
        :mod:`cen_themes.bookkeeping.bulk_writes`), journaled as id ranges, with the
        derived tables kept as for any insert."""
        from cen_themes.bookkeeping.bulk_writes import write

        with self._trust():
            write(self.session, tables)
        for table in tables:
            if table.count:
                self._journal.inserted(table.name, table.ids)
            self._wrote = self._wrote or table.count > 0

    def record_only(self) -> None:
        """This change did what it did outside the project's tables (the server's roles
        and grants, say): its Event records it, and it cannot be undone."""
        self._record_only = True
        self._wrote = True

    # -- undo ----------------------------------------------------------------------
    def undo(self, target: Event) -> None:
        """Reverse ``target``'s recorded operations; the Event written for this change
        says so and ``target`` is marked undone by it."""
        for step in trail.reversal(target.payload["ops"]):
            if step.action == "delete":
                assert step.where is not None
                if trail.self_referencing(step.table):
                    # children before parents: a parent's RESTRICT key is checked per row
                    ids = self.session.scalars(
                        select(step.table.c.id).where(step.where).order_by(step.table.c.id.desc())
                    ).all()
                    for key in ids:
                        self._delete(step.table, step.table.c.id == key)
                else:
                    self._delete(step.table, step.where)
            elif step.action == "insert":
                self._insert_rows(step.table, step.rows)
            else:
                assert step.where is not None
                self._set(step.table, step.where, step.values)
        self._undoes = target
        self._wrote = True

    # -- finishing -----------------------------------------------------------------
    def finish(self) -> Event | None:
        """Write the change's Event if it wrote anything (called on success)."""
        if not self._wrote:
            return None
        if not self.summary:
            raise RuntimeError(f"change {self.kind!r} wrote without a summary")
        payload = dict(self.payload)
        # an undo is not undone in turn, nor what only the server's roles record: no ops
        if self._undoes is None and not self._record_only:
            payload["ops"] = self._journal.ops
        with self._trust():
            written = trail.record(self.session, self.kind, self.summary, self.coder, payload)
            self.session.flush()
            if self._undoes is not None:
                self.session.execute(
                    update(Event).where(Event.id == self._undoes.id).values(undone_by=written.id)
                )
                set_committed_value(self._undoes, "undone_by", written.id)
        return written

    def close(self) -> None:
        event.remove(self.session, "before_flush", self._check_flush)
        event.remove(self.session, "do_orm_execute", self._check_statement)

    # -- the one place the derived tables are kept -------------------------------------
    def _before(self, table_name: str, where: ColumnElement[bool], columns=None) -> None:
        if table_name == _CODINGS and (columns is None or "code_id" in columns):
            rollup.subtract(self.session, where)

    def _after(self, table_name: str, where: ColumnElement[bool] | None, columns=None) -> None:
        if (
            table_name == _CODINGS
            and where is not None
            and (columns is None or "code_id" in columns)
        ):
            rollup.add(self.session, where)
        elif table_name in _STRUCTURE and (columns is None or "parent_id" in columns):
            rollup.sync_structure(self.session)

    def _note_insert(self, t: Table, ids: list[int]) -> None:
        self._journal.inserted(t.name, ids)
        with self._trust():
            for part in _id_chunks(t, ids):
                self._after(t.name, part)

    def _set(self, t: Table, where: ColumnElement[bool], values: dict[str, Any]) -> None:
        """Set values on rows named by key (so ``where`` matches them after as before)."""
        with self._trust():
            self._before(t.name, where, list(values))
            meant = self._guarded_count(t, where)
            done = self.session.execute(update(t).where(where).values(values)).rowcount
            self._refused_if(t, "change", meant, done)
            self._after(t.name, where, list(values))
        self._wrote = True

    def _delete(self, t: Table, where: ColumnElement[bool]) -> None:
        with self._trust():
            self._before(t.name, where)
            meant = self._guarded_count(t, where)
            done = self.session.execute(delete(t).where(where)).rowcount
            self._refused_if(t, "delete", meant, done)
            self._after(t.name, None)
        self._wrote = True

    def _guarded_count(self, t: Table, where: ColumnElement[bool]) -> int | None:
        """How many rows a statement means to touch, where the server's row-level
        security may pass over some without a word (a team member below lead)."""
        if not self._may_race or t.name not in _GUARDED:
            return None
        if self._limited is None:
            self._limited = not self.session.scalar(text("SELECT cen_is_lead()"))
        if not self._limited:
            return None
        return self.session.scalar(select(func.count()).select_from(t).where(where))

    @staticmethod
    def _refused_if(t: Table, verb: str, meant: int | None, done: int) -> None:
        if meant is not None and done < meant:
            raise RowsRefused(
                f"row-level security let this login {verb} only {done} of the {meant} "
                f"rows of {t.name} it meant to"
            )

    def _insert_rows(self, t: Table, rows: list[dict[str, Any]]) -> None:
        with self._trust():
            self.session.execute(insert(t), rows)
            if "id" in t.c:
                for part in _id_chunks(t, [r["id"] for r in rows]):
                    self._after(t.name, part)
            else:
                self._after(t.name, None)
        self._wrote = True

    # -- the guard ---------------------------------------------------------------------
    @contextlib.contextmanager
    def _trust(self) -> Iterator[None]:
        self._trusted += 1
        try:
            yield
        finally:
            self._trusted -= 1

    def _check_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        foreign = [o for o in session.new if id(o) not in self._ours and not self._trusted]
        changed = [o for o in session.dirty if id(o) not in self._ours and session.is_modified(o)]
        if foreign or changed or session.deleted:
            what = (foreign or changed or list(session.deleted))[0]
            raise BypassError(f"{type(what).__name__} written outside the change {self.kind!r}")

    def _check_statement(self, state: ORMExecuteState) -> None:
        if (state.is_insert or state.is_update or state.is_delete) and not self._trusted:
            raise BypassError(f"a statement wrote outside the change {self.kind!r}")


def _id_chunks(t: Table, ids: list[int]) -> Iterator[ColumnElement[bool]]:
    runs = trail.ranges(ids)
    for start in range(0, len(runs), 200):
        yield trail.id_filter(t.c.id, runs[start : start + 200])
