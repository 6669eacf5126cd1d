"""check: is the project sound? The database's own integrity, then the domain's invariants.

Everything is read in one snapshot and nothing is written. The database vouches for
itself first: SQLite's ``integrity_check`` and ``foreign_key_check``; on PostgreSQL,
constraints left NOT VALID and each foreign key's rows. Then what the domain promises and
the schema cannot say: offsets within their texts, every excerpt coded, a coding on its
excerpt's source, memos on targets that exist, code and theme trees without cycles or
twin siblings, the derived theme tables equal to a recomputation from the base tables
(by the bookkeeping's own code), and an audit trail whose undos and undone changes
agree. A foreign key broken while a bulk import had SQLite's checks off is found too.

Large tables are checked with set-based queries (and the derived tables with numpy),
so a project of a million codings checks in seconds. Each kind of problem lists its
first :data:`LISTED` rows, then how many more there are.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Select,
    Table,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from cen_themes.bookkeeping import rollup
from cen_themes.bookkeeping.trees import SEPARATOR, name_key
from cen_themes.db import Project
from cen_themes.errors import ProjectError
from cen_themes.models import (
    Base,
    Code,
    Coding,
    Event,
    Excerpt,
    Memo,
    Segment,
    Source,
    Theme,
    ThemeRollup,
)
from cen_themes.results.project import CheckProblem, CheckReport
from cen_themes.wording import plural

LISTED = 20  # problems of one kind listed one by one; the rest are counted
DERIVED = frozenset({"theme_rollup", "excerpt_themes"})  # never in an undo record
MEMO_TARGETS = {"source": Source, "code": Code, "theme": Theme}


def check_project(project: Project) -> CheckReport:
    """Run every check on one snapshot of the project; change nothing."""
    checker: _Checker | None = None
    try:
        with project.read() as session:
            checker = _Checker(session)
            for what, run in (*checker.engine_checks, *_DOMAIN_CHECKS):
                checker.run(what, run)
    except ProjectError:
        # A damaged file may fail even to end the read: the checks have said where.
        if checker is None or not checker.damaged:
            raise
    assert checker is not None
    checks = len(checker.engine_checks) + len(_DOMAIN_CHECKS)
    return CheckReport(checker.problems, checks, checker.total)


class _Checker:
    """The snapshot being checked and the problems found so far."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.engine_checks = _SQLITE_CHECKS if self.sqlite else _POSTGRESQL_CHECKS
        self.damaged = False  # a check could not read part of the file
        self.problems: list[CheckProblem] = []
        self.total = 0  # the problems listed and those only counted
        self._shown: Counter[str] = Counter()
        self._unlisted: Counter[str] = Counter()
        self._sources: dict[int, tuple[str, int]] | None = None
        self._paths: dict[type, dict[int, str]] = {}

    def run(self, what: str, check: Callable[[_Checker], None]) -> None:
        try:
            check(self)
        except (DatabaseError, sqlite3.DatabaseError) as exc:  # the latter from a raw cursor
            message = " ".join(str(getattr(exc, "orig", exc)).split())
            if not (self.sqlite and ("malformed" in message or "corrupt" in message)):
                raise
            # A damaged file: go on with the checks that can still read it.
            self.damaged = True
            self.add("integrity", f"could not check {what}: {message}")
        for kind, count in sorted(self._unlisted.items()):
            self.problems.append(CheckProblem(kind, f"... and {count} more of this kind"))
        self._unlisted.clear()

    def add(self, kind: str, detail: str) -> None:
        self.total += 1
        if self._shown[kind] < LISTED:
            self._shown[kind] += 1
            self.problems.append(CheckProblem(kind, detail))
        else:
            self._unlisted[kind] += 1

    def listed(self, kind: str, query: Select, describe: Callable[[Any], str]) -> None:
        """A problem for each row of ``query``: the first ones described, the rest
        counted by the database."""
        rows = self.session.execute(query.limit(LISTED + 1)).all()
        for row in rows[:LISTED]:
            self.add(kind, describe(row))
        if len(rows) > LISTED:
            total = self.session.scalar(
                select(func.count()).select_from(query.order_by(None).subquery())
            )
            self.more(kind, (total or 0) - LISTED)

    def more(self, kind: str, count: int) -> None:
        if count > 0:
            self.total += count
            self._unlisted[kind] += count

    # -- names for the details -------------------------------------------------------
    @property
    def sources(self) -> dict[int, tuple[str, int]]:
        """Each source's name and the length of its text, in code points (read one
        text at a time: SQLite's length() stops at a NUL)."""
        if self._sources is None:
            query = select(Source.id, Source.name, Source.text).execution_options(yield_per=50)
            self._sources = {i: (name, len(t)) for i, name, t in self.session.execute(query)}
        return self._sources

    def source(self, source_id: int) -> str:
        found = self.sources.get(source_id)
        return found[0] if found else f"source {source_id} (missing)"

    def span(self, noun: str, row_id: int, source_id: int, start: int, end: int) -> str:
        return f"{noun} {row_id} of {self.source(source_id)} ({start}-{end})"

    def excerpts(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(ids))
        found = {
            e.id: self.span("excerpt", e.id, e.source_id, e.start, e.end)
            for e in self.session.execute(
                select(Excerpt.id, Excerpt.source_id, Excerpt.start, Excerpt.end).where(
                    Excerpt.id.in_(wanted)
                )
            )
        }
        return {i: found.get(i, f"excerpt {i} (missing)") for i in wanted}

    def node(self, model: type, node: int) -> str:
        """A code or theme as ``code 7 'Stigma > Diagnosis'``."""
        if model not in self._paths:
            self._paths[model] = _paths(self.session, model)
        path = self._paths[model].get(node)
        what = model.__tablename__.removesuffix("s")
        return f"{what} {node} '{path}'" if path is not None else f"{what} {node} (missing)"


# -- the database's own checks ------------------------------------------------------------
def _sqlite_integrity(c: _Checker) -> None:
    for (line,) in c.session.execute(text("PRAGMA integrity_check")):
        if line != "ok":
            c.add("integrity", line)


def _sqlite_foreign_keys(c: _Checker) -> None:
    """SQLite's own foreign key check, in one pass; the keys it finds broken are then
    listed row by row, as on PostgreSQL."""
    broken = c.session.execute(
        text(
            'SELECT c."table", l."from", l."table", count(*) '
            'FROM pragma_foreign_key_check AS c JOIN pragma_foreign_key_list(c."table") AS l '
            'ON l.id = c.fkid GROUP BY c."table", c.fkid ORDER BY c."table", l."from"'
        )
    ).all()
    for table_name, column, referred, count in broken:
        fk = _foreign_key(table_name, column, referred)
        if fk is None:  # a key this version does not know of
            c.add(
                "foreign_key",
                f"{plural(count, 'row')} of {table_name} refer through {column} to "
                f"{referred} rows that do not exist",
            )
        else:
            _orphans(c, fk)


def _postgresql_constraints(c: _Checker) -> None:
    """The server enforces its constraints, except those added NOT VALID: rows from
    before are not vouched for (the foreign keys' rows are checked one by one next)."""
    for table_name, name in c.session.execute(
        text(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE NOT convalidated AND connamespace = "
            "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
            "ORDER BY 1, 2"
        )
    ):
        c.add("constraint_not_valid", f"constraint {name} on {table_name} is NOT VALID")


def _postgresql_foreign_keys(c: _Checker) -> None:
    """Rows whose key names nothing, in the order SQLite's check lists them."""
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        for fk in sorted(table.foreign_keys, key=lambda k: k.parent.name):
            _orphans(c, fk)


def _foreign_key(table_name: str, column: str, referred: str) -> ForeignKey | None:
    table = Base.metadata.tables.get(table_name)
    if table is None:
        return None
    return next(
        (
            fk
            for fk in table.foreign_keys
            if fk.parent.name == column and fk.column.table.name == referred
        ),
        None,
    )


def _orphans(c: _Checker, fk: ForeignKey) -> None:
    """Rows whose key names a row that does not exist."""
    table: Table = fk.parent.table  # type: ignore[assignment]
    referred = fk.column.table.alias("referred")
    key = list(table.primary_key.columns)
    query = (
        select(*key, fk.parent)
        .where(fk.parent.is_not(None), ~exists().where(referred.c[fk.column.name] == fk.parent))
        .order_by(*key)
    )
    noun = fk.column.table.name.removesuffix("s")

    def describe(row: Any) -> str:
        missing = row[-1]
        if table.name == "events":  # undone_by
            target = f"undo #{missing}"
        elif fk.parent.name == "parent_id":
            target = f"parent {noun} {missing}"
        else:
            target = f"{noun} {missing}"
        return f"{_row_name(table, row[:-1])} refers to {target}, which does not exist"

    c.listed("orphan", query, describe)


def _row_name(table: Table, key: Iterable[Any]) -> str:
    values = list(key)
    if table.name == "events":
        return f"change #{values[0]}"
    if [col.name for col in table.primary_key.columns] == ["id"]:
        return f"{table.name.removesuffix('s')} {values[0]}"
    named = ", ".join(
        f"{col.name} {v}" for col, v in zip(table.primary_key.columns, values, strict=True)
    )
    return f"{table.name} row ({named})"


# -- the domain's invariants ---------------------------------------------------------------
def _memo_targets(c: _Checker) -> None:
    """A memo is on the project (no target id), or on a source, code or theme that
    exists."""
    for on, model in MEMO_TARGETS.items():
        query = (
            select(Memo.id, Memo.target_id)
            .where(
                Memo.target_type == on,
                Memo.target_id.is_not(None),
                ~exists().where(model.id == Memo.target_id),
            )
            .order_by(Memo.id)
        )
        c.listed(
            "memo_target",
            query,
            lambda row, on=on: f"memo {row.id} is on {on} {row.target_id}, which does not exist",
        )
    query = (
        select(Memo.id, Memo.target_type, Memo.target_id)
        .where(
            or_(
                Memo.target_type.not_in(["project", *MEMO_TARGETS]),
                and_(Memo.target_type == "project", Memo.target_id.is_not(None)),
                and_(Memo.target_type != "project", Memo.target_id.is_(None)),
            )
        )
        .order_by(Memo.id)
    )
    c.listed("memo_target", query, _memo_target_problem)


def _memo_target_problem(row: Any) -> str:
    if row.target_type == "project":
        return f"memo {row.id} is on the project but names target {row.target_id}"
    if row.target_type in MEMO_TARGETS:
        return f"memo {row.id} is on a {row.target_type} but names none"
    return f"memo {row.id} is on '{row.target_type}', not the project, a source, a code or a theme"


def _excerpt_offsets(c: _Checker) -> None:
    _offsets(c, Excerpt, "excerpt", "excerpt_offsets")


def _segment_offsets(c: _Checker) -> None:
    _offsets(c, Segment, "segment", "segment_offsets")


def _offsets(c: _Checker, model: type[Excerpt] | type[Segment], noun: str, kind: str) -> None:
    """0 <= start < end <= the length of the source's text: the extremes of each
    source's spans first (one pass), then the spans of the sources that fail."""
    reversed_ = func.sum(case((model.start >= model.end, 1), else_=0))
    extremes = c.session.execute(
        select(model.source_id, func.min(model.start), func.max(model.end), reversed_)
        .group_by(model.source_id)
        .order_by(model.source_id)
    ).all()
    for source_id, lowest, highest, wrong_way in extremes:
        if source_id not in c.sources:
            continue  # an orphan: the foreign key check names it
        length = c.sources[source_id][1]
        if lowest >= 0 and highest <= length and not wrong_way:
            continue
        query = (
            select(model.id, model.start, model.end)
            .where(
                model.source_id == source_id,
                or_(model.start < 0, model.start >= model.end, model.end > length),
            )
            .order_by(model.start, model.end, model.id)
        )

        def describe(row: Any, source_id: int = source_id, length: int = length) -> str:
            where = c.span(noun, row.id, source_id, row.start, row.end)
            if row.start < 0:
                why = "starts before the text"
            elif row.start >= row.end:
                why = "ends before it starts" if row.start > row.end else "is empty"
            else:
                why = f"ends after the text ({length} characters)"
            return f"{where}: {why}"

        c.listed(kind, query, describe)


def _uncoded_excerpts(c: _Checker) -> None:
    query = (
        select(Excerpt.id, Excerpt.source_id, Excerpt.start, Excerpt.end)
        .where(~exists().where(Coding.excerpt_id == Excerpt.id))
        .order_by(Excerpt.id)
    )
    c.listed(
        "excerpt_uncoded",
        query,
        lambda e: f"{c.span('excerpt', e.id, e.source_id, e.start, e.end)} has no coding",
    )


def _coding_sources(c: _Checker) -> None:
    """A coding repeats its excerpt's source (so that counts per source read one index)."""
    query = (
        select(
            Coding.id,
            Coding.source_id,
            Excerpt.id.label("excerpt_id"),
            Excerpt.source_id.label("excerpt_source"),
            Excerpt.start,
            Excerpt.end,
        )
        .join(Excerpt, Excerpt.id == Coding.excerpt_id)
        .where(Coding.source_id != Excerpt.source_id)
        .order_by(Coding.id)
    )

    def describe(row: Any) -> str:
        on = c.span("excerpt", row.excerpt_id, row.excerpt_source, row.start, row.end)
        return f"coding {row.id} is on {on} but names {c.source(row.source_id)}"

    c.listed("coding_source", query, describe)


def _code_tree(c: _Checker) -> None:
    _tree(c, Code)


def _theme_tree(c: _Checker) -> None:
    _tree(c, Theme)


def _tree(c: _Checker, model: type[Code] | type[Theme]) -> None:
    """No node is its own ancestor; siblings' names differ (whatever their case), each
    node filed under its folded name as the unique index compares them."""
    what = model.__tablename__.removesuffix("s")
    rows = c.session.execute(
        select(model.id, model.name, model.name_key, model.parent_id).order_by(model.id)
    ).all()
    parent = {row.id: row.parent_id for row in rows}
    name = {row.id: row.name for row in rows}
    for cycle in _cycles(parent):
        nodes = " > ".join(f"{n} '{name[n]}'" for n in cycle)
        c.add(f"{what}_cycle", f"{what}s {nodes} > {cycle[0]}: a {what} is its own ancestor")
    siblings: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        folded = name_key(row.name)
        if row.name_key != folded:
            c.add(
                f"{what}_name_key",
                f"{what} {row.id} '{row.name}' is filed as '{row.name_key}', not '{folded}'",
            )
        siblings.setdefault((row.parent_id or 0, folded), []).append(row)
    for (parent_id, _folded), twins in siblings.items():
        if len(twins) > 1:
            place = "at the top level" if not parent_id else f"under {c.node(model, parent_id)}"
            named = " and ".join(f"{t.id} '{t.name}'" for t in twins)
            c.add(f"{what}_siblings", f"{what}s {named} share a name {place}")


def _cycles(parent: dict[int, int | None]) -> list[list[int]]:
    """Each cycle of parent links once, from its lowest node, each node then its child
    (as a path reads)."""
    done: set[int] = set()
    cycles: list[list[int]] = []
    for start in sorted(parent):
        chain: list[int] = []
        on_chain: dict[int, int] = {}
        node: int | None = start
        while node is not None and node in parent and node not in done:
            if node in on_chain:
                cycle = chain[on_chain[node] :][::-1]  # parents first, as in a path
                lowest = cycle.index(min(cycle))
                cycles.append(cycle[lowest:] + cycle[:lowest])
                break
            on_chain[node] = len(chain)
            chain.append(node)
            node = parent[node]
        done.update(chain)
    return cycles


def _paths(session: Session, model: type) -> dict[int, str]:
    """Every node's path, safe against cycles and missing parents."""
    rows = session.execute(select(model.id, model.name, model.parent_id)).all()
    name = {r.id: r.name for r in rows}
    parent = {r.id: r.parent_id for r in rows}
    paths = {}
    for node in name:
        names: list[str] = []
        seen: set[int] = set()
        current: int | None = node
        while current is not None and current in name and current not in seen:
            seen.add(current)
            names.append(name[current])
            current = parent[current]
        paths[node] = SEPARATOR.join(reversed(names))
    return paths


def _theme_rollup(c: _Checker) -> None:
    """``theme_rollup`` holds the (theme, code) pairs the themes' codes and tree call
    for, as the bookkeeping computes them."""
    wanted = rollup.wanted_rollup(c.session)
    kept = set(c.session.execute(select(ThemeRollup.theme_id, ThemeRollup.code_id)))
    for theme_id, code_id in sorted(wanted - kept):
        theme, code = c.node(Theme, theme_id), c.node(Code, code_id)
        c.add("theme_rollup", f"{theme} brings {code}, but theme_rollup lacks it")
    for theme_id, code_id in sorted(kept - wanted):
        theme, code = c.node(Theme, theme_id), c.node(Code, code_id)
        c.add("theme_rollup", f"theme_rollup has {theme} bring {code}, which it does not")


def _excerpt_themes(c: _Checker) -> None:
    """``excerpt_themes`` equals the rows that every coding brings under the rollup the
    themes call for, counted by the bookkeeping's own :func:`rollup.fresh_rows`."""
    import numpy as np  # only for this check: the command starts without it

    from cen_themes.bulk.arrays import lookup_rows

    pairs = sorted((code, theme) for theme, code in rollup.wanted_rollup(c.session))
    code_themes = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    codings = _integer_rows(c, "SELECT excerpt_id, source_id, code_id FROM codings", 3)
    fresh = rollup.fresh_rows(code_themes, codings[:, 0], codings[:, 1], codings[:, 2])
    del codings
    expected = np.column_stack(
        [fresh["theme_id"], fresh["source_id"], fresh["excerpt_id"], fresh["refs"]]
    ).astype(np.int64)
    del fresh
    kept = _integer_rows(
        c,
        "SELECT theme_id, source_id, excerpt_id, refs FROM excerpt_themes "
        "ORDER BY theme_id, source_id, excerpt_id",
        4,
    )
    if np.array_equal(expected, kept):  # both in key order: the usual answer, at once
        return
    at = lookup_rows(list(expected[:, :3].T), list(kept[:, :3].T))
    matched = at >= 0
    stray = np.flatnonzero(~matched)
    miscounted = np.flatnonzero(matched & (expected[np.maximum(at, 0), 3] != kept[:, 3]))
    unseen = np.ones(len(expected), dtype=bool)
    unseen[at[matched]] = False
    lacking = np.flatnonzero(unseen)
    # (theme, excerpt, what excerpt_themes counts, what the codings bring)
    rows = [
        *((*expected[i, [0, 2]], 0, expected[i, 3]) for i in lacking[:LISTED]),
        *((*kept[i, [0, 2]], kept[i, 3], expected[at[i], 3]) for i in miscounted[:LISTED]),
        *((*kept[i, [0, 2]], kept[i, 3], 0) for i in stray[:LISTED]),
    ][:LISTED]
    names = c.excerpts(int(row[1]) for row in rows)
    for theme_id, excerpt_id, counted, brought in (map(int, row) for row in rows):
        theme, excerpt = c.node(Theme, theme_id), names[excerpt_id]
        if not counted:
            detail = (
                f"{theme} brings {excerpt} through {plural(brought, 'coding')}, "
                "but excerpt_themes lacks it"
            )
        elif brought:
            detail = (
                f"excerpt_themes counts {plural(counted, 'coding')} of {excerpt} for {theme}, "
                f"not {brought}"
            )
        else:
            detail = f"excerpt_themes has {excerpt} under {theme}, which no coding brings"
        c.add("excerpt_themes", detail)
    c.more("excerpt_themes", len(lacking) + len(miscounted) + len(stray) - len(rows))


def _integer_rows(c: _Checker, sql: str, width: int):
    """A query's integer rows as an (n, width) array, read through the driver's own
    cursor: SQLAlchemy's rows would take twice as long for a million."""
    import numpy as np

    cursor = c.session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return np.fromiter(chain.from_iterable(cursor), dtype=np.int64).reshape(-1, width)
    finally:
        cursor.close()


def _journal(c: _Checker) -> None:
    """Undo and the changes it undid name each other: an undo (kind ``undo``, which
    carries ``undid``) reverses one earlier change that is not an undo, and that
    change's ``undone_by`` names it. Each change's undo record (``ops``) is one that
    undo can replay."""
    events: dict[int, tuple[str, int | None, Any]] = {}
    query = (
        select(Event.id, Event.kind, cast(Event.payload, Text), Event.undone_by)
        .order_by(Event.id)
        .execution_options(yield_per=200)
    )
    for event_id, kind, raw, undone_by in c.session.execute(query):
        try:
            payload = json.loads(raw) if raw is not None else None
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            c.add("journal_record", f"change #{event_id} ({kind}): its payload is not a record")
            payload = {}
        events[event_id] = (kind, undone_by, payload.get("undid"))
        if kind != "undo" and "ops" in payload:
            wrong = _unreadable(payload["ops"])
            if wrong:
                c.add("journal_record", f"change #{event_id} ({kind}): its undo record {wrong}")
    for event_id, (kind, undone_by, undid) in events.items():
        if kind == "undo":
            _undo_agrees(c, events, event_id, undid)
        if undone_by is not None and undone_by in events:  # else an orphan, named above
            by_kind, _by_undone, by_undid = events[undone_by]
            if by_kind != "undo":
                c.add(
                    "journal_undone_by",
                    f"change #{event_id} is marked undone by #{undone_by}, a {by_kind}, "
                    "not an undo",
                )
            elif by_undid != event_id:
                c.add(
                    "journal_undone_by",
                    f"change #{event_id} is marked undone by undo #{undone_by}, which "
                    f"undid {_event_ref(by_undid)}",
                )


def _undo_agrees(
    c: _Checker, events: dict[int, tuple[str, int | None, Any]], event_id: int, undid: Any
) -> None:
    if not isinstance(undid, int) or isinstance(undid, bool):
        c.add("journal_undo", f"undo #{event_id} does not say which change it undid")
        return
    target = events.get(undid)
    if target is None:
        c.add("journal_undo", f"undo #{event_id} undid #{undid}, which does not exist")
    elif target[0] == "undo":
        c.add("journal_undo", f"undo #{event_id} undid #{undid}, itself an undo")
    elif undid > event_id:
        c.add("journal_undo", f"undo #{event_id} undid change #{undid}, which came after it")
    elif target[1] != event_id:
        marked = "not marked undone" if target[1] is None else f"marked undone by #{target[1]}"
        c.add("journal_undo", f"undo #{event_id} undid change #{undid}, which is {marked}")


def _event_ref(value: Any) -> str:
    return f"#{value}" if isinstance(value, int) else "no change"


def _unreadable(ops: Any) -> str | None:
    """What stops undo from replaying a change's record, or None."""
    if not isinstance(ops, list):
        return "is not a list of operations"
    for number, op in enumerate(ops, 1):
        if not isinstance(op, dict) or op.get("op") not in ("insert", "delete", "update"):
            return f"has an unknown operation (#{number})"
        table = op.get("table")
        if table not in Base.metadata.tables or table in DERIVED:
            return f"names table {table!r}, which undo cannot restore (operation #{number})"
        kind = op["op"]
        if (
            (kind == "insert" and not isinstance(op.get("ranges", op.get("keys")), list))
            or (kind == "delete" and not isinstance(op.get("rows"), list))
            or (
                kind == "update"
                and not (isinstance(op.get("before"), dict) and isinstance(op.get("ranges"), list))
            )
        ):
            return f"has a malformed {kind} (operation #{number})"
    return None


Check = tuple[str, Callable[[_Checker], None]]

_SQLITE_CHECKS: tuple[Check, ...] = (
    ("the database file (integrity_check)", _sqlite_integrity),
    ("the foreign keys (foreign_key_check)", _sqlite_foreign_keys),
)
_POSTGRESQL_CHECKS: tuple[Check, ...] = (
    ("the constraints", _postgresql_constraints),
    ("the foreign keys", _postgresql_foreign_keys),
)
_DOMAIN_CHECKS: tuple[Check, ...] = (
    ("the memos' targets", _memo_targets),
    ("the excerpts' offsets", _excerpt_offsets),
    ("the segments' offsets", _segment_offsets),
    ("that every excerpt is coded", _uncoded_excerpts),
    ("the codings' sources", _coding_sources),
    ("the code tree", _code_tree),
    ("the theme tree", _theme_tree),
    ("theme_rollup", _theme_rollup),
    ("excerpt_themes", _excerpt_themes),
    ("the audit trail", _journal),
)
