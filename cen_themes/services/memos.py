"""Memos: a researcher's notes on the project, a source, a code, a theme or an excerpt.

Memos on the project, sources, codes and themes are rows of their own, any number on
one target, each signed with its author and time. An excerpt has one memo, a field of
the excerpt (written with ``code memo``, ``code apply --memo`` or a coding CSV's memo
column); :func:`list_memos` lists those too, so one list holds every note.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from cen_themes.bookkeeping.trees import Tree
from cen_themes.bookkeeping.views import excerpt_views
from cen_themes.db import Project, retried
from cen_themes.errors import InputError
from cen_themes.models import Code, Excerpt, Memo, Source, Theme
from cen_themes.results import MemoInfo, MemoTarget
from cen_themes.services.sources import find_source

ON_ROWS = ("project", "source", "code", "theme")  # memos that are rows of their own


@retried
def add_memo(
    project: Project, on: MemoTarget, target: str | None, text: str, *, coder: str
) -> MemoInfo:
    """A new memo on the project (``target`` None), a source, a code or a theme (named
    as the commands name them). Excerpt memos are written with ``code memo``."""
    if on not in ON_ROWS:
        raise InputError(f"a memo goes on the project, a source, a code or a theme, not {on!r}")
    text = text.strip()
    if not text:
        raise InputError("the memo is empty")
    with project.change("memo.add", coder) as ch:
        target_id: int | None = None
        named: str | None = None
        if on == "source":
            found = find_source(ch.session, target or "")
            target_id, named = found.id, found.name
        elif on in ("code", "theme"):
            tree = ch.codes if on == "code" else ch.themes
            target_id = tree.find(target or "")
            named = tree.path(target_id)
        memo = Memo(target_type=on, target_id=target_id, text=text, author=coder)
        ch.add(memo)
        ch.summary = "memo on the project" if named is None else f"memo on {on} {named}"
        return MemoInfo(memo.id, on, named, memo.text, memo.author, memo.created_at)


def list_memos(project: Project, on: MemoTarget | None = None) -> list[MemoInfo]:
    """Every memo (or every memo on one kind of target): the project's first, then
    those on sources (import order), codes and themes (tree order), and excerpts
    (source order, then position); each target's memos oldest first. Only what the
    kinds asked for is read: a screen that shows one kind reloads it often."""
    kinds = [k for k in (*ON_ROWS, "excerpt") if on in (None, k)]
    with project.read() as session:
        found: list[MemoInfo] = []
        for kind in kinds:
            if kind == "excerpt":
                found.extend(
                    MemoInfo(e.id, "excerpt", f"{e.source} {e.start}-{e.end}", e.memo,
                             e.memo_author, e.memo_at)
                    for e in excerpt_views(session, Excerpt.memo != "")
                )  # fmt: skip
                continue
            rows = session.scalars(
                select(Memo).where(Memo.target_type == kind).order_by(Memo.id)
            ).all()
            if not rows:
                continue
            order, name = _targets(session, kind)
            rows = sorted(rows, key=lambda m: order.get(m.target_id, -1))
            found.extend(
                MemoInfo(m.id, kind, name(m.target_id), m.text, m.author, m.created_at)
                for m in rows
            )
        return found


def _targets(session: Session, kind: str) -> tuple[dict, Callable[[int | None], str | None]]:
    """For one kind of target: each target's place in the listing, and its name."""
    if kind == "project":
        return {None: 0}, lambda _id: None
    if kind == "source":
        names = dict(session.execute(select(Source.id, Source.name).order_by(Source.id)).all())
        return {s: i for i, s in enumerate(names)}, names.get
    tree = Tree(session, Code, "code") if kind == "code" else Tree(session, Theme, "theme")
    return {n: i for i, n in enumerate(tree.ordered())}, tree.path
