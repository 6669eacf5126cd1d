"""The codebook: a tree of codes to create, rename, describe, colour, move, merge, delete."""

from __future__ import annotations

import re

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from cen_themes.bookkeeping.change import Change
from cen_themes.bookkeeping.trees import Tree
from cen_themes.db import Project, retried
from cen_themes.errors import InputError
from cen_themes.models import (
    Code,
    Coding,
    Excerpt,
    Memo,
    SuggestionRejection,
    Theme,
    ThemeCode,
)
from cen_themes.results import CodeChange, CodeInfo
from cen_themes.wording import plural

# Distinct colours for new codes, used in turn (the TUI shades excerpts with them).
PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
    "#f032e6", "#bfef45", "#469990", "#9a6324", "#800000", "#808000",
    "#000075", "#fabed4", "#ffd8b1", "#aaffc3", "#dcbeff", "#a9a9a9",
)  # fmt: skip
NAMED_COLOURS = {
    "red": "#e6194b", "green": "#3cb44b", "blue": "#4363d8", "orange": "#f58231",
    "purple": "#911eb4", "cyan": "#42d4f4", "magenta": "#f032e6", "lime": "#bfef45",
    "teal": "#469990", "brown": "#9a6324", "maroon": "#800000", "olive": "#808000",
    "navy": "#000075", "pink": "#fabed4", "apricot": "#ffd8b1", "mint": "#aaffc3",
    "lavender": "#dcbeff", "grey": "#a9a9a9", "gray": "#a9a9a9", "yellow": "#ffe119",
    "black": "#000000", "white": "#ffffff",
}  # fmt: skip
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def normalise_colour(colour: str) -> str:
    """'#AbC', 'abc', '#aabbcc' or a colour name -> '#aabbcc'."""
    text = colour.strip().lower()
    if text in NAMED_COLOURS:
        return NAMED_COLOURS[text]
    match = _HEX.fullmatch(text)
    if match is None:
        names = ", ".join(sorted(NAMED_COLOURS))
        raise InputError(f"'{colour}' is not a colour: give #rrggbb, #rgb or one of {names}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return f"#{digits}"


def code_tree(session: Session) -> Tree[Code]:
    return Tree(session, Code, "code")


def ensure_code(ch: Change, text: str, literal: bool = False) -> tuple[int, list[int]]:
    """The code a path or unique name names (with ``literal``, exactly this path),
    creating missing levels with palette colours. Returns (code, codes created)."""
    node, created = ch.codes.ensure_path(text) if literal else ch.codes.ensure(text)
    colour_new_codes(ch, created)
    return node, created


def ensure_codes(ch: Change, texts: list[str]) -> tuple[dict[str, int], list[str]]:
    """:func:`ensure_code` for many codes at once. Returns (code of each text, paths
    of the codes created)."""
    found, created = ch.codes.ensure_many(texts)
    colour_new_codes(ch, created)
    return found, [ch.codes.path(c) for c in created]


def colour_new_codes(ch: Change, created: list[int]) -> None:
    """New codes take the palette's colours in turn, by id."""
    for code_id in created:
        code = ch.session.get(Code, code_id)
        assert code is not None
        code.color = PALETTE[(code_id - 1) % len(PALETTE)]


@retried
def create_code(
    project: Project,
    path: str,
    *,
    coder: str,
    description: str = "",
    colour: str | None = None,
) -> CodeChange:
    with project.change("code.create", coder) as ch:
        node, created = ensure_code(ch, path, literal=True)
        if not created:
            raise InputError(f"code '{ch.codes.path(node)}' already exists")
        code = ch.session.get(Code, node)
        assert code is not None
        code.description = description.strip()
        if colour is not None:
            code.color = normalise_colour(colour)
        ch.summary = f"created code {ch.codes.path(node)}"
        return CodeChange(ch.summary, ch.codes.path(node))


@retried
def _set_field(project: Project, code: str, field: str, value: str, coder: str) -> CodeChange:
    with project.change(f"code.{field}", coder) as ch:
        node = ch.codes.find(code)
        before = ch.codes.path(node)
        if field == "name":
            changed = ch.codes.rename(node, value)
        else:
            changed = bool(ch.update("codes", Code.id == node, {field: value}))
        if not changed:
            return CodeChange(f"{before}: no change", before)
        if field == "name":
            ch.summary = f"renamed code {before} to {ch.codes.path(node)}"
        elif field == "description":
            ch.summary = f"described code {before}"
        else:
            ch.summary = f"coloured code {before} {value}"
        return CodeChange(ch.summary, ch.codes.path(node))


def rename_code(project: Project, code: str, new_name: str, *, coder: str) -> CodeChange:
    return _set_field(project, code, "name", new_name, coder)


def describe_code(project: Project, code: str, description: str, *, coder: str) -> CodeChange:
    return _set_field(project, code, "description", description.strip(), coder)


def colour_code(project: Project, code: str, colour: str, *, coder: str) -> CodeChange:
    return _set_field(project, code, "color", normalise_colour(colour), coder)


@retried
def move_code(project: Project, code: str, parent: str | None, *, coder: str) -> CodeChange:
    """Move a code (with its children) under another code, or to the top level."""
    with project.change("code.move", coder) as ch:
        node = ch.codes.find(code)
        target = None if parent is None else ch.codes.find(parent)
        old = ch.codes.path(node)
        ch.codes.move(node, target)  # themes bring codes assigned to them, not children
        ch.summary = f"moved code {old} to {ch.codes.path(node)}"
        return CodeChange(ch.summary, ch.codes.path(node))


def _remove_codings(ch: Change, code_ids: set[int]) -> tuple[int, int]:
    """Delete the codings of these codes and the excerpts left without codings.

    Returns (codings removed, excerpts removed).
    """
    where = Coding.code_id.in_(code_ids)
    excerpt_ids = set(ch.session.scalars(select(Coding.excerpt_id).where(where).distinct()))
    removed = ch.delete("codings", where)
    emptied = set()
    if excerpt_ids:
        still_coded = set(
            ch.session.scalars(
                select(Coding.excerpt_id).where(Coding.excerpt_id.in_(excerpt_ids)).distinct()
            )
        )
        emptied = excerpt_ids - still_coded
        if emptied:
            ch.delete("excerpts", Excerpt.id.in_(emptied))
    return len(removed), len(emptied)


@retried
def delete_code(project: Project, code: str, *, coder: str, force: bool = False) -> CodeChange:
    """Delete a code and its children; refused while in use unless ``force``."""
    with project.change("code.delete", coder) as ch:
        tree = ch.codes
        node = tree.find(code)
        subtree = {node} | tree.descendants(node)
        path = tree.path(node)
        codings = ch.session.scalar(select(func.count()).where(Coding.code_id.in_(subtree)))
        themes = ch.session.scalar(
            select(func.count(func.distinct(ThemeCode.theme_id))).where(
                ThemeCode.code_id.in_(subtree)
            )
        )
        children = len(subtree) - 1
        if (codings or themes) and not force:
            kids = f", {plural(children, 'child code')}" if children else ""
            raise InputError(
                f"code '{path}' is in use ({plural(codings, 'coding')}, {plural(themes, 'theme')}"
                f"{kids}); "
                "use --force to delete it with its codings"
            )
        removed, emptied = _remove_codings(ch, subtree)
        ch.delete("theme_codes", ThemeCode.code_id.in_(subtree))
        ch.delete("memos", and_(Memo.target_type == "code", Memo.target_id.in_(subtree)))
        ch.delete("suggestion_rejections", SuggestionRejection.code_id.in_(subtree))
        for depth_first in sorted(subtree, key=lambda n: -tree.depth(n)):
            ch.delete("codes", Code.id == depth_first)
        parts = [f"deleted code {path}"]
        if children:
            parts.append(plural(children, "child code"))
        if removed:
            parts.append(plural(removed, "coding"))
        if emptied:
            parts.append(f"{plural(emptied, 'excerpt')} left uncoded")
        if themes:
            parts.append(f"unassigned from {plural(themes, 'theme')}")
        ch.summary = ", ".join(parts)
        return CodeChange(ch.summary, None)


@retried
def merge_codes(project: Project, codes: list[str], into: str, *, coder: str) -> CodeChange:
    """Merge codes into one: codings re-pointed (duplicates dropped), children, theme
    assignments and memos moved, descriptions appended; the merged codes go."""
    if not codes:
        raise InputError("name at least one code to merge")
    with project.change("code.merge", coder) as ch:
        tree = ch.codes
        merged = list(dict.fromkeys(tree.find(text) for text in codes))
        target = tree.lookup(into)
        if target is None:
            target, _created = ensure_code(ch, into)
        merged = [m for m in merged if m != target]
        if not merged:
            raise InputError(f"nothing to merge: every code named is '{tree.path(target)}' itself")
        for node in merged:
            if target in tree.descendants(node):
                raise InputError(
                    f"cannot merge '{tree.path(node)}' into its own child '{tree.path(target)}'; "
                    "move the child out first"
                )
        target_path = tree.path(target)
        merged_paths = [tree.path(m) for m in merged]
        moved, dropped = _repoint_codings(ch, merged, target)
        _move_children(ch, merged, target)
        _move_theme_codes(ch, merged, target)
        ch.update(
            "memos",
            and_(Memo.target_type == "code", Memo.target_id.in_(merged)),
            {"target_id": target},
        )
        _move_rejections(ch, merged, target)
        descriptions = [
            f"{tree.name[m]}: {d}"
            for m in merged
            if (d := ch.session.scalar(select(Code.description).where(Code.id == m)))
        ]
        if descriptions:
            current = ch.session.scalar(select(Code.description).where(Code.id == target)) or ""
            combined = "\n".join([current, *descriptions]) if current else "\n".join(descriptions)
            ch.update("codes", Code.id == target, {"description": combined})
        for node in merged:
            ch.delete("codes", Code.id == node)
        ch.summary = (
            f"merged {', '.join(merged_paths)} into {target_path}: "
            f"{plural(moved, 'coding')} moved, {plural(dropped, 'duplicate')} dropped"
        )
        return CodeChange(ch.summary, target_path)


def _repoint_codings(ch: Change, merged: list[int], target: int) -> tuple[int, int]:
    """Point the merged codes' codings at the target; drop those that would repeat a
    coding the target already has (same excerpt, same coder)."""
    other = aliased(Coding)
    rank = (
        select(Coding.id)
        .where(Coding.code_id.in_(merged))
        .where(
            select(other.id)
            .where(
                other.excerpt_id == Coding.excerpt_id,
                other.coder_id == Coding.coder_id,
                (other.code_id == target) | (other.code_id.in_(merged) & (other.id < Coding.id)),
            )
            .exists()
        )
    )
    duplicates = set(ch.session.scalars(rank))
    if duplicates:
        ch.delete("codings", Coding.id.in_(duplicates))
    moved = ch.update("codings", Coding.code_id.in_(merged), {"code_id": target})
    return len(moved), len(duplicates)


def _move_rejections(ch: Change, merged: list[int], target: int) -> None:
    """Segments rejected as suggestions for a merged code stay rejected for the target
    (one rejection per segment)."""
    other = aliased(SuggestionRejection)
    rejection = SuggestionRejection
    repeats = set(
        ch.session.scalars(
            select(rejection.id).where(
                rejection.code_id.in_(merged),
                select(other.id)
                .where(
                    other.segment_id == rejection.segment_id,
                    (other.code_id == target)
                    | (other.code_id.in_(merged) & (other.id < rejection.id)),
                )
                .exists(),
            )
        )
    )
    if repeats:
        ch.delete("suggestion_rejections", rejection.id.in_(repeats))
    ch.update("suggestion_rejections", rejection.code_id.in_(merged), {"code_id": target})


def _move_children(ch: Change, merged: list[int], target: int) -> None:
    tree = ch.codes
    for node in merged:
        for child in tree.children(node):
            clash = tree.child_named(target, tree.name[child])
            if clash is not None and clash != child:
                raise InputError(
                    f"cannot merge: '{tree.path(child)}' would clash with '{tree.path(clash)}'; "
                    "rename or merge one of them first"
                )
            tree.move(child, target, position=tree.position[child])


def _move_theme_codes(ch: Change, merged: list[int], target: int) -> None:
    rows = ch.session.execute(
        select(ThemeCode.theme_id, ThemeCode.code_id).where(ThemeCode.code_id.in_(merged))
    ).all()
    if not rows:
        return
    has_target = set(
        ch.session.scalars(select(ThemeCode.theme_id).where(ThemeCode.code_id == target))
    )
    ch.delete("theme_codes", ThemeCode.code_id.in_(merged))
    new = sorted({theme for theme, _code in rows} - has_target)
    ch.add(*(ThemeCode(theme_id=theme, code_id=target) for theme in new))


def list_codes(project: Project, *, usage: bool = True) -> list[CodeInfo]:
    """The codebook in tree order, with each code's own excerpt and source counts.

    ``usage=False`` leaves the counts at 0 and skips the one query that reads every
    coding (the reader only needs paths and colours, after every coding).
    """
    with project.read() as session:
        tree = code_tree(session)
        counts: dict[int, tuple[int, int]] = {}
        if usage:
            counts = {
                code: (excerpts, sources)
                for code, excerpts, sources in session.execute(
                    select(
                        Coding.code_id,
                        func.count(func.distinct(Coding.excerpt_id)),
                        func.count(func.distinct(Coding.source_id)),
                    ).group_by(Coding.code_id)
                )
            }
        details = {
            r.id: (r.description, r.color)
            for r in session.execute(select(Code.id, Code.description, Code.color))
        }
        theme_tree = Tree(session, Theme, "theme")
        themes: dict[int, list[str]] = {}
        for theme_id, code_id in session.execute(select(ThemeCode.theme_id, ThemeCode.code_id)):
            themes.setdefault(code_id, []).append(theme_tree.path(theme_id))
        memos: dict[int, list[str]] = {}
        for target, text in session.execute(
            select(Memo.target_id, Memo.text).where(Memo.target_type == "code").order_by(Memo.id)
        ):
            memos.setdefault(target, []).append(text)
        return [
            CodeInfo(
                id=node,
                path=tree.path(node),
                name=tree.name[node],
                depth=tree.depth(node),
                description=details[node][0],
                color=details[node][1],
                excerpts=counts.get(node, (0, 0))[0],
                sources=counts.get(node, (0, 0))[1],
                themes=sorted(themes.get(node, [])),
                memos=memos.get(node, []),
            )
            for node in tree.ordered()
        ]
