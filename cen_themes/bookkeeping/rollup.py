"""Keep the derived tables that make theme counts fast.

``theme_rollup`` lists every code a theme brings (its own and its subthemes', each
once); ``excerpt_themes`` lists every excerpt a theme brings with ``refs``, the number
of codings that bring it. Codings added or removed adjust ``refs``;
anything larger adjusts them with set-based statements for the codes concerned
(:func:`codes_changing`), or rebuilds whole themes when themes themselves move.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, delete, func, insert, select, text, tuple_, update
from sqlalchemy.orm import Session

from cen_themes.models import Coding, ExcerptTheme, Theme, ThemeCode, ThemeRollup

if TYPE_CHECKING:
    import numpy as np


def rebuild_rollup(session: Session) -> set[int]:
    """Recompute which codes each theme brings; return the themes whose set changed."""
    parents = dict(session.execute(select(Theme.id, Theme.parent_id)).all())
    own: dict[int, set[int]] = {theme: set() for theme in parents}
    for theme_id, code_id in session.execute(select(ThemeCode.theme_id, ThemeCode.code_id)):
        own[theme_id].add(code_id)
    wanted: set[tuple[int, int]] = set()
    for theme_id, codes in own.items():
        ancestor: int | None = theme_id
        seen: set[int] = set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            wanted.update((ancestor, code) for code in codes)
            ancestor = parents.get(ancestor)
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
    return {t for t, _c in gone | new}


def refresh_themes(session: Session, theme_ids: Iterable[int]) -> None:
    """Rebuild the excerpt rows of these themes from their codings."""
    themes = sorted(set(theme_ids))
    if not themes:
        return
    session.execute(delete(ExcerptTheme).where(ExcerptTheme.theme_id.in_(themes)))
    for theme_id in themes:
        session.execute(
            text(
                "INSERT INTO excerpt_themes (theme_id, excerpt_id, source_id, refs) "
                "SELECT r.theme_id, c.excerpt_id, c.source_id, count(*) "
                "FROM theme_rollup r JOIN codings c ON c.code_id = r.code_id "
                "WHERE r.theme_id = :theme "
                "GROUP BY r.theme_id, c.source_id, c.excerpt_id"
            ),
            {"theme": theme_id},
        )


def after_structure_change(session: Session) -> None:
    """After themes were added, moved or removed: rebuild the rows of those whose codes
    changed."""
    refresh_themes(session, rebuild_rollup(session))


def _contributions(where: ColumnElement[bool]):
    """(theme, excerpt, source, codings) for the codings matching ``where``."""
    return (
        select(
            ThemeRollup.theme_id,
            Coding.excerpt_id,
            Coding.source_id,
            func.count().label("n"),
        )
        .join(Coding, Coding.code_id == ThemeRollup.code_id)
        .where(where)
        # In the table's key order, so that rows go in as appends.
        .group_by(ThemeRollup.theme_id, Coding.source_id, Coding.excerpt_id)
    )


def add(session: Session, where: ColumnElement[bool]) -> None:
    """Count the codings matching ``where`` into the themes that bring their codes
    (call after they exist, with the rollup as it now is). One set-based upsert."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(ExcerptTheme).from_select(
        ["theme_id", "excerpt_id", "source_id", "refs"], _contributions(where)
    )
    statement = statement.on_conflict_do_update(
        index_elements=["theme_id", "source_id", "excerpt_id"],
        set_={"refs": ExcerptTheme.refs + statement.excluded.refs},
    )
    session.execute(statement)


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


def subtract(session: Session, where: ColumnElement[bool]) -> None:
    """Take the codings matching ``where`` out of the themes' counts (call before
    they change, with the rollup as it was)."""
    d = _contributions(where).subquery()
    session.execute(
        update(ExcerptTheme)
        .values(refs=ExcerptTheme.refs - d.c.n)
        .where(
            ExcerptTheme.theme_id == d.c.theme_id,
            ExcerptTheme.source_id == d.c.source_id,
            ExcerptTheme.excerpt_id == d.c.excerpt_id,
        )
    )
    session.execute(
        delete(ExcerptTheme).where(
            ExcerptTheme.refs <= 0,
            ExcerptTheme.excerpt_id.in_(select(Coding.excerpt_id).where(where)),
        )
    )


@contextmanager
def codes_changing(
    session: Session, code_ids: Iterable[int], refresh_changed: bool = False
) -> Iterator[None]:
    """Around a change to these codes' codings or theme assignments: their part of the
    theme counts is taken out before and put back after, under the new rollup. The
    cost follows these codes' codings, not the size of the themes."""
    codes = sorted(set(code_ids))
    if codes:
        subtract(session, Coding.code_id.in_(codes))
    yield
    changed = rebuild_rollup(session)
    if codes:
        add(session, Coding.code_id.in_(codes))
    if refresh_changed:  # themes themselves moved: their whole rows follow
        refresh_themes(session, changed)
