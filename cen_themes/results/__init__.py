"""Every plain dataclass the services return, and the exporters and screens read (the
common ones here; those of one area in its module: refi, project, agreement, synthesis,
so a command loads only the ones it uses).

Frozen values with no database behind them: a screen or an exporter can hold them as
long as it likes, and nothing it does to them reaches the project."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
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
    memo_author: str | None = None  # None without a memo, or for one nobody signed
    memo_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CodingRow:
    """One coding: the excerpt it is on (source, span, text, memo), its code, who
    coded it and when (UTC)."""

    source: str
    start: int
    end: int
    text: str
    code: str  # the code's path
    coder: str
    memo: str  # the excerpt's memo
    coded_at: datetime


@dataclass(frozen=True, slots=True)
class CodingTable:
    """Codings, one row each, with the attributes of their sources: ``keys`` are the
    attribute keys of those sources, sorted; ``attributes`` maps a source's name to
    its values."""

    rows: list[CodingRow]
    keys: list[str]
    attributes: dict[str, dict[str, str]]


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
    memos: list[str] = field(default_factory=list)  # the theme's memos, oldest first


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


@dataclass(frozen=True, slots=True)
class CodeChange:
    """What a codebook change did, in words, and the code it left."""

    summary: str
    path: str | None


@dataclass(frozen=True, slots=True)
class ThemeChange:
    summary: str
    path: str | None


@dataclass(frozen=True, slots=True)
class SourceSummary:
    name: str
    kind: str
    words: int
    segments: int
    excerpts: int
    attributes: dict[str, str]
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    start: int
    end: int
    speaker: str | None
    turn: int


@dataclass(frozen=True, slots=True)
class SourceDetail:
    name: str
    kind: str
    text: str
    attributes: dict[str, str]
    segments: list[SegmentInfo]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What happened to one file: imported, skipped (identical content) or failed."""

    path: Path
    status: Literal["imported", "skipped", "failed"]
    message: str
    source: str | None = None
    words: int = 0
    segments: int = 0


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    def _with(self, status: str) -> list[ImportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def imported(self) -> list[ImportOutcome]:
        return self._with("imported")

    @property
    def skipped(self) -> list[ImportOutcome]:
        return self._with("skipped")

    @property
    def failed(self) -> list[ImportOutcome]:
        return self._with("failed")


@dataclass(frozen=True, slots=True)
class AttributeChange:
    source_id: int
    source: str
    key: str
    before: str | None
    after: str


@dataclass(frozen=True, slots=True)
class CodingImportResult:
    rows: int
    codings_added: int
    duplicates: int  # rows whose coding was already there (or repeated in the file)
    excerpts_added: int
    codes_created: list[str]
    summary: str


@dataclass(frozen=True, slots=True)
class EventInfo:
    id: int
    kind: str
    summary: str
    coder: str
    time: datetime
    undone_by: int | None


@dataclass(frozen=True, slots=True)
class CodingResult:
    """What coding a span did: the excerpt as it now is, and what was new."""

    excerpt: ExcerptView
    added: bool  # False when that code by that coder was already on the span
    created_codes: list[str]


@dataclass(frozen=True, slots=True)
class SpansResult:
    """What coding several spans at once did."""

    summary: str
    added: int  # spans that got the code
    already: int  # spans that had that code by that coder already
    created_codes: list[str]


MemoTarget = Literal["project", "source", "code", "theme", "excerpt"]


@dataclass(frozen=True, slots=True)
class MemoInfo:
    """A memo and what it is on. ``id`` numbers the memos of projects, sources, codes
    and themes; an excerpt's memo (one per excerpt) carries the excerpt's id.
    ``target`` names a source, a code or theme path, or an excerpt as 'su01 120-180';
    ``None`` for the project. ``author`` and ``time`` are ``None`` for an excerpt memo
    written before memos were signed."""

    id: int
    on: MemoTarget
    target: str | None
    text: str
    author: str | None
    time: datetime | None


@dataclass(frozen=True, slots=True)
class AutocodeResult:
    """What auto-coding did."""

    summary: str
    hits: int  # search hits found (0 when coding a speaker's turns)
    added: int  # spans (hits, sentences or turns) that got the code
    already: int  # spans that had that code by that coder already
    skipped: int  # hits inside no sentence or turn, not coded
    created_codes: list[str]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An uncoded segment that reads like a code's excerpts (``suggest``), with its
    cosine similarity to them (0 to 1)."""

    source: str
    start: int
    end: int
    text: str
    score: float
    before: str = ""  # the source's text just before and after, when asked for
    after: str = ""
