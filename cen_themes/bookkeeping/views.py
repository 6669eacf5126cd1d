"""Excerpts as plain views: text, codes and coders, read in a few set-based queries."""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from cen_themes.bookkeeping.trees import Tree
from cen_themes.models import Code, Coder, Coding, Excerpt, Source
from cen_themes.results import ExcerptView


def excerpt_views(
    session: Session,
    where: ColumnElement[bool],
    coding_filter: ColumnElement[bool] | None = None,
    code_tree: Tree[Code] | None = None,
) -> list[ExcerptView]:
    """Excerpts matching ``where``, in source (import) order then by position.

    ``codes``/``coders`` list the excerpt's codings, only those matching
    ``coding_filter`` when one is given. Texts are cut in Python from each source,
    read once and let go before the next: SQL ``substr`` would rescan a long source
    from its start for every excerpt (a second for 2,000 excerpts of a
    200,000-word transcript).
    """
    found = session.execute(
        select(
            Excerpt.id,
            Excerpt.source_id,
            Source.name,
            Excerpt.start,
            Excerpt.end,
            Excerpt.memo,
            Excerpt.memo_author,
            Excerpt.memo_at,
        )
        .join(Source, Source.id == Excerpt.source_id)
        .where(where)
        .order_by(Excerpt.source_id, Excerpt.start, Excerpt.end)
    ).all()
    rows = []
    for source_id, group in groupby(found, key=itemgetter(1)):
        text = session.scalar(select(Source.text).where(Source.id == source_id)) or ""
        rows.extend(
            (excerpt_id, name, start, end, text[start:end], memo, author, at)
            for excerpt_id, _source, name, start, end, memo, author, at in group
        )
    if not rows:
        return []
    tree = code_tree or Tree(session, Code, "code")
    codes: dict[int, set[int]] = {}
    coders: dict[int, set[str]] = {}
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 10_000):
        chunk = ids[start : start + 10_000]
        query = (
            select(Coding.excerpt_id, Coding.code_id, Coder.name)
            .join(Coder, Coder.id == Coding.coder_id)
            .where(Coding.excerpt_id.in_(chunk))
        )
        if coding_filter is not None:
            query = query.where(coding_filter)
        for excerpt_id, code_id, coder in session.execute(query):
            codes.setdefault(excerpt_id, set()).add(code_id)
            coders.setdefault(excerpt_id, set()).add(coder)
    if any(c not in tree.name for found_codes in codes.values() for c in found_codes):
        # On PostgreSQL each statement sees what others committed since the last: a code
        # made, and coded, after the tree was read. Read the tree again.
        tree = Tree(session, Code, "code")
    order = {node: i for i, node in enumerate(tree.ordered())}
    return [
        ExcerptView(
            id=excerpt_id,
            source=source,
            start=start,
            end=end,
            text=text,
            codes=[tree.path(c) for c in sorted(codes.get(excerpt_id, ()), key=order.get)],
            coders=sorted(coders.get(excerpt_id, ())),
            memo=memo,
            memo_author=author,
            memo_at=at,
        )
        for excerpt_id, source, start, end, text, memo, author, at in rows
    ]
