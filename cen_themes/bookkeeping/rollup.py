"""The derived tables that make theme counts fast, kept by every change.

``theme_rollup`` lists every code a theme brings (its own and its subthemes', each
once); ``excerpt_themes`` lists every excerpt a theme brings with ``refs``, the number
of its codings whose code the theme brings. So ``excerpt_themes`` is a sum over the
(theme, code) pairs of ``theme_rollup`` of those codes' codings, and it stays right
when each change moves only what it touched:

- codings inserted or deleted: their contributions under the rollup as it is
  (:func:`add`, :func:`subtract`);
- the rollup itself changed (codes assigned, themes moved or deleted): the codings of
  each pair that came or went (:func:`sync_structure`).

Only :mod:`cen_themes.bookkeeping.change` calls these, so no service can forget one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, delete, func, insert, literal, select, tuple_, update
from sqlalchemy.orm import Session

from cen_themes.models import Coding, ExcerptTheme, Theme, ThemeCode, ThemeRollup

if TYPE_CHECKING:
    import numpy as np

Pairs = set[tuple[int, int]]


def wanted_rollup(session: Session) -> Pairs:
    """Every (theme, code) pair the themes' codes and tree call for."""
    parents = dict(session.execute(select(Theme.id, Theme.parent_id)).all())
    wanted: Pairs = set()
    for theme_id, code_id in session.execute(select(ThemeCode.theme_id, ThemeCode.code_id)):
        ancestor: int | None = theme_id
        seen: set[int] = set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            wanted.add((ancestor, code_id))
            ancestor = parents.get(ancestor)
    return wanted


def rebuild_rollup(session: Session) -> tuple[Pairs, Pairs]:
    """Bring ``theme_rollup`` up to date; return the pairs that went and that came."""
    wanted = wanted_rollup(session)
    current = set(session.execute(select(ThemeRollup.theme_id, ThemeRollup.code_id)))
    gone, new = current - wanted, wanted - current
    if gone:
        session.execute(
            delete(ThemeRollup).where(
                tuple_(ThemeRollup.theme_id, ThemeRollup.code_id).in_(sorted(gone))
            )
        )
    if new:
        session.execute(
            insert(ThemeRollup), [{"theme_id": t, "code_id": c} for t, c in sorted(new)]
        )
    return gone, new


def sync_structure(session: Session) -> None:
    """After theme assignments or the themes' tree changed: the rollup follows, and
    each pair that went (came) takes its code's codings out of (into) its theme."""
    gone, new = rebuild_rollup(session)
    for theme_id, codes in sorted(_by_theme(gone).items()):
        _subtract_counts(session, _pair_counts(theme_id, codes), ExcerptTheme.theme_id == theme_id)
    for theme_id, codes in sorted(_by_theme(new).items()):
        _upsert_counts(session, _pair_counts(theme_id, codes))


def _by_theme(pairs: Pairs) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for theme_id, code_id in pairs:
        grouped.setdefault(theme_id, []).append(code_id)
    return grouped


def _pair_counts(theme_id: int, codes: Iterable[int]):
    """(theme, source, excerpt, codings) that these codes' codings bring one theme."""
    return (
        select(
            literal(theme_id).label("theme_id"),
            Coding.source_id,
            Coding.excerpt_id,
            func.count().label("n"),
        )
        .where(Coding.code_id.in_(sorted(codes)))
        .group_by(Coding.source_id, Coding.excerpt_id)
    )


def _contributions(where: ColumnElement[bool]):
    """(theme, source, excerpt, codings) for the codings matching ``where``, under
    the rollup as it is."""
    return (
        select(
            ThemeRollup.theme_id,
            Coding.source_id,
            Coding.excerpt_id,
            func.count().label("n"),
        )
        # "+ 0": the codings come from ``where`` (ids, mostly), each then looked up in
        # the rollup; joined on the bare column, SQLite would start from the rollup and
        # read every coding of every rolled-up code once per chunk of ids (a merge grew
        # with the square of the codings it moved).
        .join(Coding, Coding.code_id + 0 == ThemeRollup.code_id)
        .where(where)
        # In the table's key order, so that rows go in as appends.
        .group_by(ThemeRollup.theme_id, Coding.source_id, Coding.excerpt_id)
    )


def _upsert_counts(session: Session, counts) -> None:
    """Add (theme, source, excerpt, n) rows into ``excerpt_themes``. One statement."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(ExcerptTheme).from_select(
        ["theme_id", "source_id", "excerpt_id", "refs"], counts
    )
    statement = statement.on_conflict_do_update(
        index_elements=["theme_id", "source_id", "excerpt_id"],
        set_={"refs": ExcerptTheme.refs + statement.excluded.refs},
    )
    session.execute(statement)


def _subtract_counts(session: Session, counts, emptied: ColumnElement[bool]) -> None:
    """Take (theme, source, excerpt, n) rows out of ``excerpt_themes``; rows left at
    zero among those matching ``emptied`` go."""
    d = counts.subquery()
    session.execute(
        update(ExcerptTheme)
        .values(refs=ExcerptTheme.refs - d.c.n)
        .where(
            ExcerptTheme.theme_id == d.c.theme_id,
            ExcerptTheme.source_id == d.c.source_id,
            ExcerptTheme.excerpt_id == d.c.excerpt_id,
        )
    )
    session.execute(delete(ExcerptTheme).where(ExcerptTheme.refs <= 0, emptied))


def add(session: Session, where: ColumnElement[bool]) -> None:
    """Count the codings matching ``where`` into the themes that bring their codes
    (call after they exist)."""
    _upsert_counts(session, _contributions(where))


def subtract(session: Session, where: ColumnElement[bool]) -> None:
    """Take the codings matching ``where`` out of the themes' counts (call before
    they change)."""
    _subtract_counts(
        session,
        _contributions(where),
        ExcerptTheme.excerpt_id.in_(select(Coding.excerpt_id).where(where)),
    )


def code_themes(session: Session) -> np.ndarray:
    """The rollup as (code, theme) rows, sorted: for :func:`fresh_rows`."""
    from cen_themes.bulk.arrays import integer_rows  # numpy: only bulk imports need it

    return integer_rows(
        session.execute(
            select(ThemeRollup.code_id, ThemeRollup.theme_id).order_by(
                ThemeRollup.code_id, ThemeRollup.theme_id
            )
        ),
        2,
    )


def fresh_rows(
    code_themes: np.ndarray, excerpt: np.ndarray, source: np.ndarray, code: np.ndarray
) -> dict[str, np.ndarray]:
    """The ``excerpt_themes`` rows (as columns, in the table's key order) that codings
    given as arrays bring, for excerpts that have no theme rows yet (new in this unit of
    work). Counted with numpy, they go in as plain appends, with no join, sort or upsert
    in SQL; pure computation, so it can run in a thread while the database works."""
    import numpy as np

    from cen_themes.bulk.arrays import count_parts

    rows, refs = np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(code_themes) and len(code):
        # Where each code's themes lie, found by table lookup, not by search.
        highest = max(int(code.max()), int(code_themes[-1, 0]))
        bounds = np.searchsorted(code_themes[:, 0], np.arange(highest + 2))
        first, count = bounds[code], bounds[code + 1] - bounds[code]
        levels = (  # the k-th theme of every code that has k + 1, as the rows it brings
            (code_themes[first[has] + k, 1], source[has], excerpt[has])
            for k in range(int(count.max()))
            for has in [np.flatnonzero(count > k)]
        )
        highest_of = [code_themes[:, 1].max(), source.max(), excerpt.max()]
        rows, refs = count_parts(levels, highest_of)
    return {
        "theme_id": rows[:, 0],
        "source_id": rows[:, 1],
        "excerpt_id": rows[:, 2],
        "refs": refs,
    }
