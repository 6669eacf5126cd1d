"""Inter-coder agreement of two coders, and the disagreements behind it.

The units are the segments of every source that both coders have coded at least once
(with any code). A coder gave a code to a unit when one of their excerpts with that
code overlaps it. Per code, each unit is one yes/no decision per coder; percent
agreement, Cohen's kappa and Krippendorff's nominal alpha are worked out over those
decisions, and the overall figures pool the decisions of every code. A statistic that
is undefined (no decisions, or no variation to measure against) is ``None``.

The project is read in a few queries (the coders' codings with their spans, the
segments of the sources both coded); the overlaps are interval arithmetic in Python.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cen_themes.bookkeeping.trees import Tree
from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Code, Coder, Coding, Excerpt, Segment, Source
from cen_themes.results.agreement import (
    AgreementReport,
    AgreementStats,
    CodeAgreement,
    CoderSpans,
    Disagreement,
    DisagreementView,
)
from cen_themes.services.codebook import code_tree
from cen_themes.services.sources import find_source
from cen_themes.wording import did_you_mean

# Characters of text shown on either side of a unit, at most, around its spans.
CONTEXT = 400


def statistics(units: int, yes_a: int, yes_b: int, disagree: int) -> AgreementStats:
    """The statistics of ``units`` yes/no decisions by each of two coders, of which
    coder A said yes ``yes_a`` times, coder B ``yes_b`` times, and they differed on
    ``disagree`` units.

    - percent agreement: 100 (N - D) / N;
    - Cohen's kappa: (p_o - p_e) / (1 - p_e), p_o = (N - D) / N and p_e the chance
      agreement a/N b/N + (1 - a/N)(1 - b/N); undefined when p_e is 1;
    - Krippendorff's alpha (nominal, two coders, no missing values): with n = 2N
      values, n_1 = a + b of them yes and n_0 = n - n_1 no, the coincidence matrix
      has o_01 = o_10 = D, so alpha = 1 - (n - 1) D / (n_0 n_1); undefined when every
      value is the same (n_0 n_1 = 0).

    Kappa is worked out in integers up to the last division, so that 'no agreement
    beyond chance' is exactly 0.
    """
    if units <= 0:
        return AgreementStats(None, None, None)
    n = units
    agree = n - disagree
    chance = yes_a * yes_b + (n - yes_a) * (n - yes_b)  # p_e, times N^2
    kappa = None if chance == n * n else (n * agree - chance) / (n * n - chance)
    values = 2 * n
    yes = yes_a + yes_b
    no = values - yes
    alpha = None if yes * no == 0 else 1 - (values - 1) * disagree / (yes * no)
    return AgreementStats(100 * agree / n, kappa, alpha)


def coder_names(project: Project) -> list[str]:
    """Every coder of the project, by name."""
    with project.read() as session:
        return list(session.scalars(select(Coder.name).order_by(Coder.name)))


def find_coders(session: Session, names: Iterable[str]) -> list[int]:
    """The ids of two different coders named exactly so; an unknown name is a
    NotFoundError that suggests close ones."""
    wanted = [name.strip() for name in names]
    if len(wanted) != 2:
        raise InputError(f"agreement is between two coders, not {len(wanted)}")
    if wanted[0] == wanted[1]:
        raise InputError(f"name two different coders, not '{wanted[0]}' twice")
    known = {name: i for name, i in session.execute(select(Coder.name, Coder.id))}
    for name in wanted:
        if name not in known:
            raise NotFoundError(f"no coder named '{name}'{did_you_mean(name, known)}")
    return [known[name] for name in wanted]


@dataclass
class Units:
    """The units of two coders' work: the segments of the sources both coded, in
    source order (import order) and position; a unit is its index here."""

    sources: list[int] = field(default_factory=list)  # in order
    names: dict[int, str] = field(default_factory=dict)
    first: dict[int, int] = field(default_factory=dict)  # a source's first unit
    starts: dict[int, list[int]] = field(default_factory=dict)
    ends: dict[int, list[int]] = field(default_factory=dict)
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (source, start, end)

    def __len__(self) -> int:
        return len(self.spans)

    def overlapped(self, source: int, start: int, end: int) -> range:
        """The units that the span [start, end) of a source overlaps (consecutive:
        a source's segments do not overlap each other)."""
        base = self.first.get(source)
        if base is None:
            return range(0)
        low = bisect_right(self.ends[source], start)  # the first that ends after start
        high = bisect_left(self.starts[source], end, lo=low)  # ... starting before end
        return range(base + low, base + max(low, high))


@dataclass
class Marks:
    """What two coders did: the units each gave each code, as sets of unit numbers,
    and which codes either of them used in the sources both coded."""

    units: Units
    # (coder 0 or 1, code id) -> units
    given: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    codes: set[int] = field(default_factory=set)  # the codes either coder used there


def read_marks(session: Session, coder_ids: list[int], code: int | None = None) -> Marks:
    """The units of two coders (ids) and which of them each gave which code (just
    ``code``, when given), in three queries."""
    rows = session.execute(
        select(Coding.coder_id, Coding.code_id, Coding.source_id, Excerpt.start, Excerpt.end)
        .join(Excerpt, Excerpt.id == Coding.excerpt_id)
        .where(Coding.coder_id.in_(coder_ids))
    ).all()
    side = {coder_ids[0]: 0, coder_ids[1]: 1}
    coded: tuple[set[int], set[int]] = (set(), set())
    for coder, _code, source, _start, _end in rows:
        coded[side[coder]].add(source)
    units = _units(session, sorted(coded[0] & coded[1]))
    marks = Marks(units)
    if code is not None:
        marks.codes.add(code)
    seen: dict[tuple[int, int, int], range] = {}  # a span's units, worked out once
    for coder, code_id, source, start, end in rows:
        if source not in units.first or (code is not None and code_id != code):
            continue
        span = (source, start, end)
        covered = seen.get(span)
        if covered is None:
            covered = seen[span] = units.overlapped(source, start, end)
        marks.codes.add(code_id)
        if covered:
            marks.given.setdefault((side[coder], code_id), set()).update(covered)
    return marks


def _units(session: Session, source_ids: list[int]) -> Units:
    units = Units(sources=source_ids)
    if not source_ids:
        return units
    units.names = {
        i: name
        for i, name in session.execute(
            select(Source.id, Source.name).where(Source.id.in_(source_ids))
        )
    }
    for source, start, end in session.execute(
        select(Segment.source_id, Segment.start, Segment.end)
        .where(Segment.source_id.in_(source_ids))
        .order_by(Segment.source_id, Segment.start, Segment.end)
    ):
        if source not in units.first:
            units.first[source] = len(units.spans)
            units.starts[source], units.ends[source] = [], []
        units.starts[source].append(start)
        units.ends[source].append(end)
        units.spans.append((source, start, end))
    return units


def agreement(
    project: Project,
    coders: tuple[str, str] | list[str],
    *,
    code: str | None = None,
    disagreements: bool = False,
) -> AgreementReport:
    """How far two coders (by name) agree, per code and overall; with ``code`` (a path
    or unique name) on that code alone (its own codings, not its children's). With
    ``disagreements``, every unit one coder gave a code and the other did not, in
    source order, then code order."""
    with project.read() as session:
        coder_ids = find_coders(session, coders)
        tree = code_tree(session)
        only = tree.find(code) if code is not None else None
        marks = read_marks(session, coder_ids, only)
    return report_of(marks, tree, (coders[0].strip(), coders[1].strip()), disagreements)


def report_of(
    marks: Marks, tree: Tree[Code], coders: tuple[str, str], disagreements: bool
) -> AgreementReport:
    units = marks.units
    n = len(units)
    order = {node: i for i, node in enumerate(tree.ordered())}
    rows: list[CodeAgreement] = []
    differ: list[tuple[int, int, int]] = []  # (unit, code order, side that gave it)
    pooled = [0, 0, 0, 0]  # decisions, yes by A, yes by B, disagreements
    for code_id in sorted(marks.codes, key=lambda c: order.get(c, len(order))):
        a = marks.given.get((0, code_id), set())
        b = marks.given.get((1, code_id), set())
        apart = a ^ b
        counts = (n, len(a), len(b), len(apart))
        pooled = [total + c for total, c in zip(pooled, counts, strict=True)]
        rows.append(CodeAgreement(tree.path(code_id), n, statistics(*counts)))
        if disagreements:
            rank = order.get(code_id, len(order))
            differ.extend((unit, rank, 0 if unit in a else 1) for unit in apart)
    listed: list[Disagreement] = []
    if disagreements:
        path_at = {rank: tree.path(node) for node, rank in order.items()}
        differ.sort()
        for unit, rank, side in differ:
            source, start, end = units.spans[unit]
            listed.append(
                Disagreement(units.names[source], start, end, path_at[rank], coders[side])
            )
    return AgreementReport(coders, n, statistics(*pooled), rows, listed)


def disagreement_view(
    project: Project, coders: tuple[str, str] | list[str], found: Disagreement
) -> DisagreementView:
    """What the reconcile screen shows of a disagreement: the text around its unit and
    each coder's spans of its code there (and the other codes they gave it), widened to
    whole segments and at most ``CONTEXT`` characters either side of the unit."""
    with project.read() as session:
        coder_ids = find_coders(session, coders)
        source = find_source(session, found.source)
        tree = code_tree(session)
        code_id = tree.find(found.code)
        rows = session.execute(
            select(Coding.coder_id, Coding.code_id, Excerpt.start, Excerpt.end)
            .join(Excerpt, Excerpt.id == Coding.excerpt_id)
            .where(
                Coding.source_id == source.id,
                Coding.coder_id.in_(coder_ids),
                Excerpt.start < found.end,
                Excerpt.end > found.start,
            )
            .order_by(Excerpt.start, Excerpt.end)
        ).all()
        text = source.text
        segments = session.execute(
            select(Segment.start, Segment.end).where(
                Segment.source_id == source.id,
                Segment.start < found.end + CONTEXT,
                Segment.end > found.start - CONTEXT,
            )
        ).all()
    order = {node: i for i, node in enumerate(tree.ordered())}
    sides = []
    low, high = found.start, found.end
    for name, who in zip(coders, coder_ids, strict=True):
        spans = [(s, e) for c, k, s, e in rows if c == who and k == code_id]
        others = sorted(
            {k for c, k, _s, _e in rows if c == who and k != code_id},
            key=lambda k: order.get(k, 0),
        )
        for start, end in spans:
            low, high = min(low, start), max(high, end)
        sides.append(CoderSpans(name.strip(), spans, [tree.path(k) for k in others]))
    for start, end in segments:  # whole sentences: a span may begin mid-word
        if start < high and end > low:
            low, high = min(low, start), max(high, end)
    low = max(low, found.start - CONTEXT, 0)
    high = min(high, found.end + CONTEXT, len(text))
    return DisagreementView(found, low, text[low:high], (sides[0], sides[1]))
