"""Themes and subthemes, and the codes they roll up."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cen_themes.bookkeeping import rollup
from cen_themes.bookkeeping.trail import Journal, record
from cen_themes.bookkeeping.trees import Tree, check_name
from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.models import ExcerptTheme, Memo, Theme, ThemeCode
from cen_themes.results import ThemeInfo
from cen_themes.services.codebook import code_tree


@dataclass(frozen=True, slots=True)
class ThemeChange:
    summary: str
    path: str | None


def theme_tree(session: Session) -> Tree[Theme]:
    return Tree(session, Theme, "theme")


def add_theme(
    project: Project,
    name: str,
    *,
    coder: str,
    parent: str | None = None,
    description: str = "",
) -> ThemeChange:
    """A new theme, at the top level or as a subtheme of ``parent``."""
    with project.write() as session:
        tree = theme_tree(session)
        journal = Journal(session)
        parent_id = None if parent is None else tree.find(parent)
        if parent is None and " > " in name:
            node, created = tree.ensure_path(name, description="")
            if not created:
                raise InputError(f"theme '{tree.path(node)}' already exists")
        else:
            node = tree.add(parent_id, check_name(name, "theme")).id
            created = [node]
        session.get(Theme, node).description = description.strip()  # type: ignore[union-attr]
        journal.inserted("themes", created)
        summary = f"added theme {tree.path(node)}"
        record(session, "theme.add", summary, coder, ops=journal.ops)
        return ThemeChange(summary, tree.path(node))


def assign_codes(project: Project, theme: str, codes: list[str], *, coder: str) -> ThemeChange:
    """Assign codes to a theme (a code may serve several themes)."""
    if not codes:
        raise InputError("name at least one code to assign")
    with project.write() as session:
        tree, codebook = theme_tree(session), code_tree(session)
        node = tree.find(theme)
        wanted = list(dict.fromkeys(codebook.find(c) for c in codes))
        present = set(session.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == node)))
        new = [c for c in wanted if c not in present]
        if not new:
            return ThemeChange(
                f"{tree.path(node)}: those codes are assigned already", tree.path(node)
            )
        journal = Journal(session)
        with rollup.codes_changing(session, new):
            for code_id in new:
                session.add(ThemeCode(theme_id=node, code_id=code_id))
            session.flush()
        journal.inserted_keys("theme_codes", [(node, c) for c in new])
        summary = f"assigned {', '.join(codebook.path(c) for c in new)} to theme {tree.path(node)}"
        record(session, "theme.assign", summary, coder, ops=journal.ops)
        return ThemeChange(summary, tree.path(node))


def unassign_codes(project: Project, theme: str, codes: list[str], *, coder: str) -> ThemeChange:
    if not codes:
        raise InputError("name at least one code to unassign")
    with project.write() as session:
        tree, codebook = theme_tree(session), code_tree(session)
        node = tree.find(theme)
        wanted = [codebook.find(c) for c in codes]
        present = set(session.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == node)))
        missing = [codebook.path(c) for c in wanted if c not in present]
        if missing:
            raise InputError(f"theme '{tree.path(node)}' has no code {', '.join(missing)}")
        journal = Journal(session)
        with rollup.codes_changing(session, wanted):
            journal.delete(
                "theme_codes", (ThemeCode.theme_id == node) & ThemeCode.code_id.in_(wanted)
            )
        summary = (
            f"unassigned {', '.join(codebook.path(c) for c in wanted)} from theme {tree.path(node)}"
        )
        record(session, "theme.unassign", summary, coder, ops=journal.ops)
        return ThemeChange(summary, tree.path(node))


def _update_theme(project: Project, theme: str, values_for, coder: str, kind: str) -> ThemeChange:
    with project.write() as session:
        tree = theme_tree(session)
        node = tree.find(theme)
        before = tree.path(node)
        values, describe = values_for(session, tree, node)
        journal = Journal(session)
        journal.update("themes", Theme.id == node, values)
        if not journal.ops:
            return ThemeChange(f"{before}: no change", before)
        if "name" in values:
            tree.name[node] = values["name"]
        if "parent_id" in values:
            tree.reparent(node, values["parent_id"])
            rollup.after_structure_change(session)
        summary = describe(before, tree.path(node))
        record(session, kind, summary, coder, ops=journal.ops)
        return ThemeChange(summary, tree.path(node))


def rename_theme(project: Project, theme: str, new_name: str, *, coder: str) -> ThemeChange:
    new_name = check_name(new_name, "theme")

    def values(session, tree, node):
        clash = tree.child_named(tree.parent[node], new_name)
        if clash is not None and clash != node:
            raise InputError(
                f"a theme named '{new_name}' already exists beside '{tree.path(node)}'"
            )
        return {"name": new_name}, lambda old, new: f"renamed theme {old} to {new}"

    return _update_theme(project, theme, values, coder, "theme.rename")


def describe_theme(project: Project, theme: str, description: str, *, coder: str) -> ThemeChange:
    def values(session, tree, node):
        return {"description": description.strip()}, lambda old, new: f"described theme {old}"

    return _update_theme(project, theme, values, coder, "theme.describe")


def move_theme(project: Project, theme: str, parent: str | None, *, coder: str) -> ThemeChange:
    """Nest a theme under another (making it a subtheme), or bring it to the top."""

    def values(session, tree, node):
        target = None if parent is None else tree.find(parent)
        tree.check_move(node, target)
        position = tree.next_position(target)
        return (
            {"parent_id": target, "position": position},
            lambda old, new: f"moved theme {old} to {new}",
        )

    return _update_theme(project, theme, values, coder, "theme.move")


def delete_theme(project: Project, theme: str, *, coder: str, force: bool = False) -> ThemeChange:
    """Delete a theme; with subthemes only when ``force`` (they go too). Codes stay."""
    with project.write() as session:
        tree = theme_tree(session)
        node = tree.find(theme)
        path = tree.path(node)
        subtree = {node} | tree.descendants(node)
        if len(subtree) > 1 and not force:
            raise InputError(
                f"theme '{path}' has {len(subtree) - 1} subtheme(s); "
                "use --force to delete them too, or move them first"
            )
        journal = Journal(session)
        journal.delete("theme_codes", ThemeCode.theme_id.in_(subtree))
        journal.delete("memos", (Memo.target_type == "theme") & Memo.target_id.in_(subtree))
        for theme_id in sorted(subtree, key=lambda n: -tree.depth(n)):
            journal.delete("themes", Theme.id == theme_id)
        rollup.after_structure_change(session)
        summary = f"deleted theme {path}" + (
            f" and {len(subtree) - 1} subtheme(s)" if len(subtree) > 1 else ""
        )
        record(session, "theme.delete", summary, coder, ops=journal.ops)
        return ThemeChange(summary, None)


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
        )
        for node in tree.ordered()
    ]
