"""Keep the derived tables that make theme counts fast.

``theme_rollup`` lists every code a theme brings (its own and its subthemes', each
once); ``excerpt_themes`` lists every excerpt a theme brings with ``refs``, the number
of codings that bring it. Codings added or removed one at a time adjust ``refs``;
anything larger (a merge, a forced delete, a theme change, an undo) rebuilds the rows of
the themes concerned.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from cen_themes.models import Coding, ExcerptTheme, Theme, ThemeCode, ThemeRollup

# Above this many (theme, excerpt) pairs, rebuilding the themes beats adjusting refs.
_ADJUST_LIMIT = 2_000


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


def themes_bringing(session: Session, code_ids: Iterable[int]) -> set[int]:
    codes = list(set(code_ids))
    if not codes:
        return set()
    return set(session.scalars(select(ThemeRollup.theme_id).where(ThemeRollup.code_id.in_(codes))))


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
                "GROUP BY r.theme_id, c.excerpt_id, c.source_id"
            ),
            {"theme": theme_id},
        )


def after_structure_change(session: Session, touched_codes: Iterable[int] = ()) -> None:
    """After themes, theme codes or codes changed: rebuild what depends on them."""
    changed = rebuild_rollup(session)
    refresh_themes(session, changed | themes_bringing(session, touched_codes))


def codings_added(session: Session, where: ColumnElement[bool]) -> None:
    """Count new codings (matching ``where``) into the themes that bring their codes."""
    pairs = _pairs(session, where)
    if len(pairs) > _ADJUST_LIMIT:
        refresh_themes(session, {theme for theme, _e, _s, _n in pairs})
        return
    for theme_id, excerpt_id, source_id, n in pairs:
        updated = session.execute(
            text(
                "UPDATE excerpt_themes SET refs = refs + :n "
                "WHERE theme_id = :theme AND excerpt_id = :excerpt"
            ),
            {"n": n, "theme": theme_id, "excerpt": excerpt_id},
        )
        if updated.rowcount == 0:
            session.execute(
                insert(ExcerptTheme).values(
                    theme_id=theme_id, excerpt_id=excerpt_id, source_id=source_id, refs=n
                )
            )


def codings_removing(session: Session, where: ColumnElement[bool]) -> set[int] | None:
    """Call BEFORE deleting codings: take them out of the themes' counts.

    For a large removal it returns the themes to rebuild once the codings are gone
    (pass them to :func:`refresh_themes`); for a small one it adjusts now, returns None.
    """
    pairs = _pairs(session, where)
    if len(pairs) > _ADJUST_LIMIT:
        return {theme for theme, _e, _s, _n in pairs}
    for theme_id, excerpt_id, _source, n in pairs:
        session.execute(
            text(
                "UPDATE excerpt_themes SET refs = refs - :n "
                "WHERE theme_id = :theme AND excerpt_id = :excerpt"
            ),
            {"n": n, "theme": theme_id, "excerpt": excerpt_id},
        )
    if pairs:
        session.execute(
            delete(ExcerptTheme).where(
                ExcerptTheme.refs <= 0,
                ExcerptTheme.theme_id.in_({theme for theme, _e, _s, _n in pairs}),
            )
        )
    return None


def _pairs(session: Session, where: ColumnElement[bool]) -> list[tuple[int, int, int, int]]:
    """(theme, excerpt, source, number of codings) for the codings matching ``where``."""
    query = (
        select(ThemeRollup.theme_id, Coding.excerpt_id, Coding.source_id, func.count())
        .join(Coding, Coding.code_id == ThemeRollup.code_id)
        .where(where)
        .group_by(ThemeRollup.theme_id, Coding.excerpt_id, Coding.source_id)
    )
    return [tuple(row) for row in session.execute(query)]
