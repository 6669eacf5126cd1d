"""Co-occurrence: which codes (or themes) meet on the same stretch of a source.

Two excerpts of one source **co-occur** when they overlap (share at least one
character) or share a segment (each overlaps one same segment: a sentence within a
speaker turn). An excerpt co-occurs with itself.

The cell (X, Y), X ≠ Y, counts the distinct pairs of co-occurring excerpts {e1, e2} in
which e1 carries X and e2 carries Y; e1 and e2 are the same excerpt when one excerpt
carries both. Each pair counts once, however many of the codes its excerpts carry, so
the matrix is symmetric: cell (X, Y) is cell (Y, X). The diagonal (X, X) is the number
of excerpts that carry X. Two excerpts that both carry X and no Y add nothing.

Codes as rows: an excerpt carries the codes of its codings (by any coder). Themes as
rows: an excerpt carries every theme that brings it, through the codes the theme rolls
up (its own and its subthemes'), so a theme and its subtheme co-occur on every excerpt
of the subtheme.

Everything is read in a few queries (the excerpts with their codes, the codes each theme
rolls up, the segments) and worked out in Python: per source, one sweep over excerpts
and segments sorted by start finds the excerpts that overlap and the segments each
excerpt touches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from cen_themes.bookkeeping.trees import Tree
from cen_themes.bookkeeping.views import excerpt_views
from cen_themes.db import Project
from cen_themes.models import Coding, Excerpt, Segment, ThemeRollup
from cen_themes.results import ExcerptView, RowsKind
from cen_themes.results.synthesis import Cooccurrence, CooccurrenceLink, CooccurrencePair
from cen_themes.services.codebook import code_tree
from cen_themes.services.themes import theme_tree

ROWS_KINDS: tuple[RowsKind, ...] = ("codes", "themes")
_CHUNK = 10_000  # rows fetched at once; excerpt ids per IN (...) when reading texts
_KINDS = 1 << 32  # more kinds of excerpt (sets of rows they carry) than a project has


@dataclass(slots=True)
class ExcerptSpan:
    """An excerpt as the sweep sees it, with the rows (codes or themes) it carries."""

    id: int
    start: int
    end: int
    labels: set[int] = field(default_factory=set)


def cooccurrence(project: Project, rows: RowsKind = "codes") -> Cooccurrence:
    """The code-by-code (or theme-by-theme) co-occurrence matrix; see the module's
    docstring for what a cell counts."""
    _check_rows(rows)
    with project.read() as session:
        tree = _tree(session, rows)
        nodes = list(tree.ordered())
        carried = _carried(session, rows, {node: i for i, node in enumerate(nodes)})
        spans = _spans(session, carried, true())
        segments = _segments(session, spans)
    n = len(nodes)
    # Excerpts that carry the same rows are alike: count excerpts and pairs per kind of
    # excerpt (its rows), then spread each count over the cells it adds to.
    kinds: dict[tuple[int, ...], int] = {}
    alone: Counter[int] = Counter()  # kind -> excerpts
    together: Counter[int] = Counter()  # kind * _KINDS + kind, the lower first -> pairs
    for source_id, excerpts in spans.items():
        kind: dict[int, int] = {}
        for span in excerpts:
            own = kinds.setdefault(tuple(sorted(span.labels)), len(kinds))
            kind[span.id] = own
            alone[own] += 1
        together.update(
            ka * _KINDS + kb if ka <= kb else kb * _KINDS + ka
            for ka, kb in (
                (kind[a], kind[b]) for a, b in related_pairs(excerpts, segments.get(source_id, []))
            )
        )
    labels_of = list(kinds)  # kind -> the labels of its excerpts
    counts = [[0] * n for _ in range(n)]
    for own, excerpts_of_kind in alone.items():
        for x in labels_of[own]:
            counts[x][x] += excerpts_of_kind
        for x, y in combinations(labels_of[own], 2):  # each excerpt is a pair with itself
            counts[x][y] += excerpts_of_kind
    for key, pairs in together.items():
        one, other = labels_of[key // _KINDS], labels_of[key % _KINDS]
        for x, y in {(x, y) if x < y else (y, x) for x in one for y in other if x != y}:
            counts[x][y] += pairs
    for x in range(n):
        for y in range(x + 1, n):
            counts[y][x] = counts[x][y]
    return Cooccurrence(
        rows_kind=rows,
        paths=[tree.path(node) for node in nodes],
        depths=[tree.depth(node) for node in nodes],
        counts=counts,
    )


def cooccurrence_pairs(
    project: Project, rows: RowsKind, row: str, column: str
) -> list[CooccurrencePair]:
    """The pairs of excerpts behind the cell of ``row`` and ``column`` (paths or unique
    names of codes, or of themes), in source order, then by position: as many as the
    cell counts. On the diagonal, each excerpt of the row as a pair with itself.

    A code or theme that is not there is a :class:`~cen_themes.errors.NotFoundError`."""
    _check_rows(rows)
    with project.read() as session:
        tree = _tree(session, rows)
        x, y = tree.find(row), tree.find(column)
        carried = _carried(session, rows, {x: 0, y: 1} if x != y else {x: 0})  # row 0, column 1
        spans = _spans(session, carried, Coding.code_id.in_(list(carried)))
        segments = _segments(session, spans)
        found: list[tuple[int, ExcerptSpan, ExcerptSpan, CooccurrenceLink]] = []
        for source_id, excerpts in spans.items():
            by_id = {span.id: span for span in excerpts}
            for span in excerpts:
                if x == y or span.labels == {0, 1}:
                    found.append((source_id, span, span, "same"))
            if x == y:
                continue
            for a, b in related_pairs(excerpts, segments.get(source_id, [])):
                first, second = _oriented(by_id[a], by_id[b])
                if first is None or second is None:
                    continue
                overlap = first.start < second.end and second.start < first.end
                found.append((source_id, first, second, "overlap" if overlap else "segment"))
        found.sort(
            key=lambda f: (f[0], min(f[1].start, f[2].start), f[1].start, f[2].start, f[1].id)
        )
        views = _views(session, {span.id for pair in found for span in pair[1:3]})
    return [
        CooccurrencePair(views[a.id].source, views[a.id], views[b.id], link)
        for _source, a, b, link in found
        if a.id in views and b.id in views
    ]


def _oriented(
    one: ExcerptSpan, other: ExcerptSpan
) -> tuple[ExcerptSpan | None, ExcerptSpan | None]:
    """The pair as (carries the row's, carries the column's), labels 0 and 1; by
    position when it goes either way; (None, None) when it goes neither way."""
    forward = 0 in one.labels and 1 in other.labels
    backward = 1 in one.labels and 0 in other.labels
    if forward and backward:
        return (one, other) if (one.start, one.end) <= (other.start, other.end) else (other, one)
    if forward:
        return one, other
    if backward:
        return other, one
    return None, None


def related_pairs(
    excerpts: Iterable[ExcerptSpan], segments: Iterable[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """The pairs (a, b) of distinct excerpts of one source, by id, that overlap or share
    a segment; each pair once, in no particular order, a < b.

    One sweep over excerpts and segments by start: whatever is still open when an
    excerpt starts overlaps it (an open excerpt: a pair; an open segment: a segment the
    excerpt touches), and an excerpt open when a segment starts touches that segment.
    Then every two excerpts that touch one segment make a pair."""
    items = sorted(
        [(s.start, s.end, s.id) for s in excerpts]
        + [(start, end, -1 - i) for i, (start, end) in enumerate(segments)]
    )
    open_excerpts: list[tuple[int, int]] = []  # (end, id)
    open_segments: list[tuple[int, int]] = []  # (end, segment)
    members: dict[int, list[int]] = {}  # segment -> the excerpts that touch it
    found: set[tuple[int, int]] = set()
    for start, end, item in items:
        if open_excerpts and min(open_excerpts)[0] <= start:
            open_excerpts = [o for o in open_excerpts if o[0] > start]
        if open_segments and min(open_segments)[0] <= start:
            open_segments = [o for o in open_segments if o[0] > start]
        if item >= 0:
            for _end, other in open_excerpts:
                found.add((other, item) if other < item else (item, other))
            for _end, segment in open_segments:
                members.setdefault(segment, []).append(item)
            open_excerpts.append((end, item))
        else:
            if open_excerpts:
                members[item] = [other for _end, other in open_excerpts]
            open_segments.append((end, item))
    for touching in members.values():
        if len(touching) > 1:
            for a, b in combinations(touching, 2):
                found.add((a, b) if a < b else (b, a))
    return iter(found)


def _check_rows(rows: str) -> None:
    if rows not in ROWS_KINDS:
        raise ValueError(f"rows must be one of {ROWS_KINDS}, not {rows!r}")


def _tree(session: Session, rows: RowsKind) -> Tree:
    return code_tree(session) if rows == "codes" else theme_tree(session)


def _carried(
    session: Session, rows: RowsKind, labels: dict[int, int]
) -> dict[int, tuple[int, ...]]:
    """Code -> the labels an excerpt with that code carries: for codes, the code's own
    (when it has one); for themes, those of every theme in ``labels`` that rolls the code
    up (its own codes and its subthemes')."""
    if rows == "codes":
        return {code: (label,) for code, label in labels.items()}
    carried: dict[int, list[int]] = {}
    query = select(ThemeRollup.code_id, ThemeRollup.theme_id).where(
        ThemeRollup.theme_id.in_(list(labels))
    )
    for code, theme in session.connection().execute(query):
        carried.setdefault(code, []).append(labels[theme])
    return {code: tuple(found) for code, found in carried.items()}


def _spans(
    session: Session, carried: dict[int, tuple[int, ...]], where: ColumnElement[bool]
) -> dict[int, list[ExcerptSpan]]:
    """Per source, its excerpts with a code of ``carried`` (code -> labels), with the
    labels they carry. A code not in ``carried`` (made since it was read) is left out."""
    by_source: dict[int, dict[int, ExcerptSpan]] = {}
    query = (
        select(Excerpt.source_id, Excerpt.id, Excerpt.start, Excerpt.end, Coding.code_id)
        .join(Coding, Coding.excerpt_id == Excerpt.id)
        .where(where)
    )
    found = session.connection().execute(query)
    for rows_read in found.partitions(_CHUNK):  # fetched many at once: row by row is slow
        for source_id, excerpt_id, start, end, code in rows_read:
            labels = carried.get(code)
            if labels is None:
                continue
            excerpts = by_source.setdefault(source_id, {})
            span = excerpts.get(excerpt_id)
            if span is None:
                span = excerpts[excerpt_id] = ExcerptSpan(excerpt_id, start, end)
            span.labels.update(labels)
    return {source_id: list(excerpts.values()) for source_id, excerpts in by_source.items()}


def _segments(
    session: Session, spans: dict[int, list[ExcerptSpan]]
) -> dict[int, list[tuple[int, int]]]:
    """The segments (start, end) of the sources in ``spans``."""
    found: dict[int, list[tuple[int, int]]] = {}
    if not spans:
        return found
    query = select(Segment.source_id, Segment.start, Segment.end)
    if len(spans) <= 1_000:
        query = query.where(Segment.source_id.in_(list(spans)))
    for source_id, start, end in session.connection().execute(query).all():
        if source_id in spans:
            found.setdefault(source_id, []).append((start, end))
    return found


def _views(session: Session, ids: set[int]) -> dict[int, ExcerptView]:
    views: dict[int, ExcerptView] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        for view in excerpt_views(session, Excerpt.id.in_(chunk)):
            views[view.id] = view
    return views
