"""Reading the analysis: excerpts by code, theme, source or coder; the theme-by-source
matrix; the material of the quotes report."""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from cen_themes.bookkeeping.trees import Tree
from cen_themes.bookkeeping.views import excerpt_views
from cen_themes.db import Project
from cen_themes.errors import NotFoundError
from cen_themes.models import (
    Attribute,
    Code,
    Coder,
    Coding,
    Excerpt,
    ExcerptTheme,
    Source,
    ThemeRollup,
)
from cen_themes.results import (
    CodingRow,
    CodingTable,
    ExcerptView,
    Matrix,
    MatrixRow,
    RowsKind,
    SourceColumn,
    ThemeReport,
)
from cen_themes.services.codebook import code_tree
from cen_themes.services.sources import find_source
from cen_themes.services.themes import theme_infos, theme_tree


def find_excerpts(
    project: Project,
    *,
    code: str | None = None,
    theme: str | None = None,
    source: str | None = None,
    coder: str | None = None,
) -> list[ExcerptView]:
    """Excerpts with their text, narrowed by any of code, theme, source and coder.

    With ``coder``, an excerpt qualifies through that coder's codings and shows only
    those; a theme brings the excerpts of its codes and of its subthemes' codes.
    """
    with project.read() as session:
        coder_filter = _by_coder(session, coder)
        # each narrows the excerpts further
        wanted = _by_code_and_theme(session, code_tree(session), code, theme)
        if not wanted and coder_filter is not None:
            wanted.append(true())
        where: ColumnElement[bool] = true()
        for condition in wanted:
            if coder_filter is not None:
                condition = and_(condition, coder_filter)
            where = and_(where, Excerpt.id.in_(select(Coding.excerpt_id).where(condition)))
        if source is not None:
            where = and_(where, Excerpt.source_id == find_source(session, source).id)
        return excerpt_views(session, where, coding_filter=coder_filter)


def coding_rows(
    project: Project,
    *,
    code: str | None = None,
    theme: str | None = None,
    source: str | None = None,
    coder: str | None = None,
) -> CodingTable:
    """Every coding, one row each, narrowed by any of code (that code's codings),
    theme (the codings of the codes it brings, its subthemes' included), source and
    coder; in source (import) order, then by position, code (tree order) and coder.
    Texts are cut in Python from each source, read once (as :func:`excerpt_views`)."""
    with project.read() as session:
        tree = code_tree(session)
        wanted = _by_code_and_theme(session, tree, code, theme)
        by_coder = _by_coder(session, coder)
        if by_coder is not None:
            wanted.append(by_coder)
        if source is not None:
            wanted.append(Coding.source_id == find_source(session, source).id)
        found = session.execute(
            select(
                Coding.source_id,
                Excerpt.start,
                Excerpt.end,
                Coding.code_id,
                Coder.name,
                Excerpt.memo,
                Coding.created_at,
            )
            .join(Excerpt, Excerpt.id == Coding.excerpt_id)
            .join(Coder, Coder.id == Coding.coder_id)
            .where(and_(true(), *wanted))
        ).all()
        if any(row[3] not in tree.name for row in found):
            tree = code_tree(session)  # a code made since the tree was read (PostgreSQL)
        order = {node: i for i, node in enumerate(tree.ordered())}
        found.sort(key=lambda r: (r[0], r[1], r[2], order[r[3]], r[4]))
        source_ids = sorted({row[0] for row in found})
        names: dict[int, str] = {
            source_id: name
            for source_id, name in session.execute(
                select(Source.id, Source.name).where(Source.id.in_(source_ids))
            )
        }
        attributes: dict[str, dict[str, str]] = {}
        for source_id, key, value in session.execute(
            select(Attribute.source_id, Attribute.key, Attribute.value).where(
                Attribute.source_id.in_(source_ids)
            )
        ):
            attributes.setdefault(names[source_id], {})[key] = value
        rows: list[CodingRow] = []
        paths = {node: tree.path(node) for node in {row[3] for row in found}}
        for source_id, group in groupby(found, key=itemgetter(0)):
            text = session.scalar(select(Source.text).where(Source.id == source_id)) or ""
            name = names[source_id]
            rows.extend(
                CodingRow(name, start, end, text[start:end], paths[code_id], who, memo, at)
                for _source, start, end, code_id, who, memo, at in group
            )
    keys = sorted({key for values in attributes.values() for key in values})
    return CodingTable(rows, keys, attributes)


def _by_coder(session: Session, coder: str | None) -> ColumnElement[bool] | None:
    """The codings ``coder`` made (None: anyone's)."""
    if coder is None:
        return None
    coder_id = session.scalar(select(Coder.id).where(Coder.name == coder))
    if coder_id is None:
        raise NotFoundError(f"no coder named '{coder}'")
    return Coding.coder_id == coder_id


def _by_code_and_theme(
    session: Session, tree: Tree[Code], code: str | None, theme: str | None
) -> list[ColumnElement[bool]]:
    """The codings of ``code``, and those of the codes ``theme`` brings (its
    subthemes' included): a condition for each one given."""
    wanted: list[ColumnElement[bool]] = []
    if code is not None:
        wanted.append(Coding.code_id == tree.find(code))
    if theme is not None:
        theme_id = theme_tree(session).find(theme)
        brought = select(ThemeRollup.code_id).where(ThemeRollup.theme_id == theme_id)
        wanted.append(Coding.code_id.in_(brought))
    return wanted


def counts(project: Project) -> tuple[int, int]:
    """(sources, codes) in the project: two row counts, for a status line."""
    with project.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Source)) or 0,
            session.scalar(select(func.count()).select_from(Code)) or 0,
        )


def source_columns(session: Session) -> tuple[list[int], list[SourceColumn]]:
    ids, names = [], []
    for source_id, name in session.execute(select(Source.id, Source.name).order_by(Source.id)):
        ids.append(source_id)
        names.append(name)
    attributes: dict[int, dict[str, str]] = {}
    for source_id, key, value in session.execute(
        select(Attribute.source_id, Attribute.key, Attribute.value).order_by(Attribute.key)
    ):
        attributes.setdefault(source_id, {})[key] = value
    return ids, [SourceColumn(n, attributes.get(i, {})) for i, n in zip(ids, names, strict=True)]


def matrix(
    project: Project,
    rows: RowsKind = "themes",
    *,
    with_excerpts: bool = False,
    with_source_totals: bool = False,
) -> Matrix:
    """Distinct excerpts per row and source. A theme row rolls up its codes and its
    subthemes' codes (each excerpt once); a code row counts its own excerpts."""
    with project.read() as session:
        source_ids, columns = source_columns(session)
        position = {source_id: i for i, source_id in enumerate(source_ids)}
        if rows == "themes":
            tree = theme_tree(session)
            counted = select(ExcerptTheme.theme_id, ExcerptTheme.source_id, func.count()).group_by(
                ExcerptTheme.theme_id, ExcerptTheme.source_id
            )
            members = select(ExcerptTheme.theme_id, ExcerptTheme.excerpt_id, ExcerptTheme.source_id)
            totals = select(
                ExcerptTheme.source_id, func.count(func.distinct(ExcerptTheme.excerpt_id))
            ).group_by(ExcerptTheme.source_id)
        else:
            tree = code_tree(session)
            counted = select(
                Coding.code_id, Coding.source_id, func.count(func.distinct(Coding.excerpt_id))
            ).group_by(Coding.code_id, Coding.source_id)
            members = select(Coding.code_id, Coding.excerpt_id, Coding.source_id).distinct()
            totals = select(
                Coding.source_id, func.count(func.distinct(Coding.excerpt_id))
            ).group_by(Coding.source_id)
        counts: dict[int, list[int]] = {}
        for node, source_id, n in session.execute(counted):
            counts.setdefault(node, [0] * len(source_ids))[position[source_id]] = n
        cells: dict[int, list[list[ExcerptView]]] = {}
        excerpt_sets: dict[int, set[int]] = {}
        if with_excerpts:
            cells, excerpt_sets = _cell_excerpts(session, members, position, len(source_ids))
        source_excerpts = [0] * len(source_ids)
        if with_source_totals:
            for source_id, n in session.execute(totals):
                source_excerpts[position[source_id]] = n
        matrix_rows = []
        for node in tree.ordered():
            row = counts.get(node, [0] * len(source_ids))
            matrix_rows.append(
                MatrixRow(
                    path=tree.path(node),
                    depth=tree.depth(node),
                    counts=row,
                    n_sources=sum(1 for n in row if n),
                    n_excerpts=sum(row),
                    excerpts=cells.get(node, [[] for _ in source_ids]) if with_excerpts else [],
                    excerpt_ids=frozenset(excerpt_sets.get(node, ())),
                )
            )
        return Matrix(rows, columns, matrix_rows, source_excerpts)


def _cell_excerpts(session, members, position, width):
    by_row: dict[int, list[tuple[int, int]]] = {}
    for node, excerpt_id, source_id in session.execute(members):
        by_row.setdefault(node, []).append((excerpt_id, source_id))
    wanted = {e for pairs in by_row.values() for e, _s in pairs}
    views: dict[int, ExcerptView] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 10_000):
        for view in excerpt_views(session, Excerpt.id.in_(ids[start : start + 10_000])):
            views[view.id] = view
    cells: dict[int, list[list[ExcerptView]]] = {}
    excerpt_sets: dict[int, set[int]] = {}
    for node, pairs in by_row.items():
        grid: list[list[ExcerptView]] = [[] for _ in range(width)]
        for excerpt_id, source_id in pairs:
            grid[position[source_id]].append(views[excerpt_id])
        for cell in grid:
            cell.sort(key=lambda v: (v.start, v.end))
        cells[node] = grid
        excerpt_sets[node] = {e for e, _s in pairs}
    return cells, excerpt_sets


def theme_reports(project: Project, limit: int | None = None) -> list[ThemeReport]:
    """Each top-level theme with its subthemes nested: codes, counts and excerpts
    (at most ``limit`` per theme, in source order, when given)."""
    with project.read() as session:
        infos = theme_infos(session)
        _ids, columns = source_columns(session)
        attributes = {c.name: c.attributes for c in columns}
        tree = theme_tree(session)
        members: dict[int, list[int]] = {}
        for theme_id, excerpt_id in session.execute(
            select(ExcerptTheme.theme_id, ExcerptTheme.excerpt_id)
            .join(Excerpt, Excerpt.id == ExcerptTheme.excerpt_id)
            .order_by(ExcerptTheme.source_id, Excerpt.start, Excerpt.end)
        ):
            members.setdefault(theme_id, []).append(excerpt_id)
        wanted = sorted(
            {e for ids in members.values() for e in (ids if limit is None else ids[:limit])}
        )
        views: dict[int, ExcerptView] = {}
        for start in range(0, len(wanted), 10_000):
            for view in excerpt_views(session, Excerpt.id.in_(wanted[start : start + 10_000])):
                views[view.id] = view
        reports: dict[int, ThemeReport] = {}
        top: list[ThemeReport] = []
        for info in infos:
            chosen = [views[e] for e in members.get(info.id, []) if e in views]
            if limit is not None:
                chosen = chosen[:limit]
            used = {v.source for v in chosen}
            report = ThemeReport(info, chosen, {s: attributes.get(s, {}) for s in sorted(used)}, [])
            reports[info.id] = report
            parent = tree.parent[info.id]
            (reports[parent].subthemes if parent is not None else top).append(report)
        return top
