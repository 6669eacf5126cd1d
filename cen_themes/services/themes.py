"""Themes and subthemes, and the codes they roll up."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cen_themes.bookkeeping.trees import Tree
from cen_themes.db import Project, retried
from cen_themes.errors import InputError
from cen_themes.models import CerqualAssessment, ExcerptTheme, Memo, Theme, ThemeCode
from cen_themes.results import ThemeChange, ThemeInfo
from cen_themes.services.codebook import code_tree
from cen_themes.wording import plural


def theme_tree(session: Session) -> Tree[Theme]:
    return Tree(session, Theme, "theme")


@retried
def add_theme(
    project: Project,
    name: str,
    *,
    coder: str,
    parent: str | None = None,
    description: str = "",
) -> ThemeChange:
    """A new theme, at the top level or as a subtheme of ``parent``."""
    with project.change("theme.add", coder) as ch:
        tree = ch.themes
        parent_id = None if parent is None else tree.find(parent)
        if parent is None and " > " in name:
            node, created = tree.ensure_path(name)
            if not created:
                raise InputError(f"theme '{tree.path(node)}' already exists")
        else:
            node = tree.add(parent_id, name)
        theme = ch.session.get(Theme, node)
        assert theme is not None
        theme.description = description.strip()
        ch.summary = f"added theme {tree.path(node)}"
        return ThemeChange(ch.summary, tree.path(node))


@retried
def assign_codes(project: Project, theme: str, codes: list[str], *, coder: str) -> ThemeChange:
    """Assign codes to a theme (a code may serve several themes)."""
    if not codes:
        raise InputError("name at least one code to assign")
    with project.change("theme.assign", coder) as ch:
        tree, codebook = ch.themes, ch.codes
        node = tree.find(theme)
        wanted = list(dict.fromkeys(codebook.find(c) for c in codes))
        present = set(
            ch.session.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == node))
        )
        new = [c for c in wanted if c not in present]
        if not new:
            return ThemeChange(
                f"{tree.path(node)}: those codes are assigned already", tree.path(node)
            )
        ch.add(*(ThemeCode(theme_id=node, code_id=code_id) for code_id in new))
        ch.summary = (
            f"assigned {', '.join(codebook.path(c) for c in new)} to theme {tree.path(node)}"
        )
        return ThemeChange(ch.summary, tree.path(node))


@retried
def unassign_codes(project: Project, theme: str, codes: list[str], *, coder: str) -> ThemeChange:
    if not codes:
        raise InputError("name at least one code to unassign")
    with project.change("theme.unassign", coder) as ch:
        tree, codebook = ch.themes, ch.codes
        node = tree.find(theme)
        wanted = [codebook.find(c) for c in codes]
        present = set(
            ch.session.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == node))
        )
        missing = [codebook.path(c) for c in wanted if c not in present]
        if missing:
            raise InputError(f"theme '{tree.path(node)}' has no code {', '.join(missing)}")
        ch.delete("theme_codes", (ThemeCode.theme_id == node) & ThemeCode.code_id.in_(wanted))
        ch.summary = (
            f"unassigned {', '.join(codebook.path(c) for c in wanted)} from theme {tree.path(node)}"
        )
        return ThemeChange(ch.summary, tree.path(node))


@retried
def rename_theme(project: Project, theme: str, new_name: str, *, coder: str) -> ThemeChange:
    with project.change("theme.rename", coder) as ch:
        node = ch.themes.find(theme)
        before = ch.themes.path(node)
        if not ch.themes.rename(node, new_name):
            return ThemeChange(f"{before}: no change", before)
        ch.summary = f"renamed theme {before} to {ch.themes.path(node)}"
        return ThemeChange(ch.summary, ch.themes.path(node))


@retried
def describe_theme(project: Project, theme: str, description: str, *, coder: str) -> ThemeChange:
    with project.change("theme.describe", coder) as ch:
        node = ch.themes.find(theme)
        path = ch.themes.path(node)
        if not ch.update("themes", Theme.id == node, {"description": description.strip()}):
            return ThemeChange(f"{path}: no change", path)
        ch.summary = f"described theme {path}"
        return ThemeChange(ch.summary, path)


@retried
def move_theme(project: Project, theme: str, parent: str | None, *, coder: str) -> ThemeChange:
    """Nest a theme under another (making it a subtheme), or bring it to the top."""
    with project.change("theme.move", coder) as ch:
        tree = ch.themes
        node = tree.find(theme)
        before = tree.path(node)
        target = None if parent is None else tree.find(parent)
        if not tree.move(node, target):
            return ThemeChange(f"{before}: no change", before)
        ch.summary = f"moved theme {before} to {tree.path(node)}"
        return ThemeChange(ch.summary, tree.path(node))


@retried
def delete_theme(project: Project, theme: str, *, coder: str, force: bool = False) -> ThemeChange:
    """Delete a theme; with subthemes only when ``force`` (they go too). Codes stay."""
    with project.change("theme.delete", coder) as ch:
        tree = ch.themes
        node = tree.find(theme)
        path = tree.path(node)
        subtree = {node} | tree.descendants(node)
        if len(subtree) > 1 and not force:
            raise InputError(
                f"theme '{path}' has {plural(len(subtree) - 1, 'subtheme')}; "
                "use --force to delete them too, or move them first"
            )
        ch.delete("theme_codes", ThemeCode.theme_id.in_(subtree))
        # Recorded, not left to the cascade, so that undo brings the judgements back too.
        ch.delete("cerqual", CerqualAssessment.theme_id.in_(subtree))
        ch.delete("memos", (Memo.target_type == "theme") & Memo.target_id.in_(subtree))
        for theme_id in sorted(subtree, key=lambda n: -tree.depth(n)):
            ch.delete("themes", Theme.id == theme_id)
        ch.summary = f"deleted theme {path}" + (
            f" and {plural(len(subtree) - 1, 'subtheme')}" if len(subtree) > 1 else ""
        )
        return ThemeChange(ch.summary, None)


def list_themes(project: Project) -> list[ThemeInfo]:
    with project.read() as session:
        return theme_infos(session)


def theme_infos(session: Session) -> list[ThemeInfo]:
    """Every theme in tree order, with its own codes and what it rolls up."""
    tree, codebook = theme_tree(session), code_tree(session)
    code_order = {node: i for i, node in enumerate(codebook.ordered())}
    own: dict[int, list[int]] = {}
    for theme_id, code_id in session.execute(select(ThemeCode.theme_id, ThemeCode.code_id)):
        own.setdefault(theme_id, []).append(code_id)
    counts = {
        theme_id: (excerpts, sources)
        for theme_id, excerpts, sources in session.execute(
            select(
                ExcerptTheme.theme_id,
                func.count(),
                func.count(func.distinct(ExcerptTheme.source_id)),
            ).group_by(ExcerptTheme.theme_id)
        )
    }
    descriptions = dict(session.execute(select(Theme.id, Theme.description)).all())
    memos: dict[int, list[str]] = {}
    for target, text in session.execute(
        select(Memo.target_id, Memo.text).where(Memo.target_type == "theme").order_by(Memo.id)
    ):
        memos.setdefault(target, []).append(text)
    return [
        ThemeInfo(
            id=node,
            path=tree.path(node),
            name=tree.name[node],
            depth=tree.depth(node),
            description=descriptions[node],
            codes=[codebook.path(c) for c in sorted(own.get(node, []), key=code_order.get)],
            excerpts=counts.get(node, (0, 0))[0],
            sources=counts.get(node, (0, 0))[1],
            memos=memos.get(node, []),
        )
        for node in tree.ordered()
    ]
