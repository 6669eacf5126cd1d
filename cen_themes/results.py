"""Plain dataclasses the analysis services return and the exporters and screens read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RowsKind = Literal["themes", "codes"]
CellsKind = Literal["count", "presence", "quotes"]


@dataclass(frozen=True, slots=True)
class ExcerptView:
    """One excerpt with its text and what is coded on it."""

    id: int
    source: str
    start: int
    end: int
    text: str
    codes: list[str]  # code paths, tree order
    coders: list[str]  # coder names, sorted
    memo: str


@dataclass(frozen=True, slots=True)
class SourceColumn:
    """A source as a matrix column: its name (import order) and attributes."""

    name: str
    attributes: dict[str, str]


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """A theme or code: distinct excerpts per source, in the matrix's source order.

    ``excerpts[i]`` lists the excerpts behind ``counts[i]`` (start order) when the
    matrix was built with excerpts, else it is empty. ``excerpt_ids`` are the row's
    distinct excerpts over all sources (for totals over several sources).
    """

    path: str
    depth: int
    counts: list[int]
    n_sources: int
    n_excerpts: int
    excerpts: list[list[ExcerptView]] = field(default_factory=list)
    excerpt_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Matrix:
    """The theme-by-source (or code-by-source) matrix before layout.

    ``source_excerpts[i]`` is the number of distinct excerpts of source i that any row
    brings (the column total, where rows overlap counted once).
    """

    rows_kind: RowsKind
    sources: list[SourceColumn]
    rows: list[MatrixRow]
    source_excerpts: list[int]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """A codebook entry with its usage (its own excerpts, not its children's)."""

    id: int
    path: str
    name: str
    depth: int
    description: str
    color: str
    excerpts: int
    sources: int
    themes: list[str]  # paths of themes the code is assigned to
    memos: list[str]


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    """A theme with its own codes and what it rolls up (codes and subthemes)."""

    id: int
    path: str
    name: str
    depth: int
    description: str
    codes: list[str]  # own code paths
    excerpts: int
    sources: int


@dataclass(frozen=True, slots=True)
class ThemeReport:
    """One theme's section of the quotes report."""

    theme: ThemeInfo
    excerpts: list[ExcerptView]  # every excerpt the theme brings, source order
    source_attributes: dict[str, dict[str, str]]  # source name -> attributes
    subthemes: list[ThemeReport]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One match of a search: [start, end) in a source's stored text (code points),
    with up to ``context`` characters either side, verbatim."""

    source: str
    start: int
    end: int
    match: str
    left: str
    right: str
