"""Every plain dataclass the services return, and the exporters and screens read.

Frozen values with no database behind them: a screen or an exporter can hold them as
long as it likes, and nothing it does to them reaches the project."""

from __future__ import annotations

from collections.abc import Iterable
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


# -- a project as REFI-QDA writes it -----------------------------------------------------
# GUIDs are strings; a user, code or note is named by its GUID wherever it is referred to.


@dataclass(frozen=True, slots=True)
class RefiOutNote:
    """A memo as a REFI-QDA note."""

    guid: str
    text: str
    user: str | None
    time: datetime | None


@dataclass(frozen=True, slots=True)
class RefiOutCode:
    guid: str
    name: str
    color: str
    description: str
    notes: list[str]
    children: list[RefiOutCode]


@dataclass(frozen=True, slots=True)
class RefiOutCoding:
    guid: str
    code: str
    user: str | None
    time: datetime | None


@dataclass(frozen=True, slots=True)
class RefiOutSelection:
    """An excerpt: its span in code points of the source's text, and its codings."""

    guid: str
    start: int
    end: int
    user: str | None
    time: datetime | None
    codings: list[RefiOutCoding]
    notes: list[str]


@dataclass(frozen=True, slots=True)
class RefiOutSource:
    """A text source; its text is written from :attr:`RefiOut.texts`, its selections
    are read as they are written."""

    guid: str
    name: str
    time: datetime | None
    notes: list[str]
    values: list[tuple[str, str]]  # (variable guid, value)
    selections: Iterable[RefiOutSelection]


@dataclass(frozen=True, slots=True)
class RefiOutSet:
    """A theme as a set of codes; its memos are member notes."""

    guid: str
    name: str
    description: str
    codes: list[str]
    notes: list[str]


@dataclass(frozen=True, slots=True)
class RefiOut:
    """A whole project for a .qdpx, or its codes and themes for a .qdc. The iterables
    are read once, in this order: texts, sources, notes; each reads the project as it
    goes, so a large project is never in memory at once."""

    name: str
    origin: str
    users: list[tuple[str, str]]  # (guid, name)
    codes: list[RefiOutCode]
    variables: list[tuple[str, str]]  # (guid, name)
    sets: list[RefiOutSet]
    project_notes: list[str]
    texts: Iterable[tuple[str, str]] = ()  # (source guid, text)
    sources: Iterable[RefiOutSource] = ()
    notes: Iterable[RefiOutNote] = ()


@dataclass(frozen=True, slots=True)
class CheckProblem:
    """One thing ``check`` found wrong: a short kind (``excerpt_offsets``) and what
    exactly, naming the row ("excerpt 12 of su01 (40-30): ends before it starts")."""

    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What ``check`` found: its problems (none when the project is sound), and how many
    checks it ran. Of a kind with many problems, the first are listed and the rest
    summed up in one last problem ("... and 980 more of this kind"); ``total`` counts
    them all."""

    problems: list[CheckProblem]
    checks: int
    total: int

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class TeamMember:
    """A login and its role on a team's PostgreSQL project (``owner`` for who made it)."""

    name: str
    role: str


@dataclass(frozen=True, slots=True)
class AgreementStats:
    """Agreement over a set of yes/no decisions of two coders: percent agreement
    (0-100), Cohen's kappa and Krippendorff's nominal alpha; each ``None`` where it is
    undefined (no decisions, or no variation to measure it against)."""

    percent_agreement: float | None
    kappa: float | None
    alpha: float | None


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    """Agreement of two coders on one code over the units (its path, tree order)."""

    code: str
    units: int
    stats: AgreementStats


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A unit (a segment: its offsets) that one coder gave ``code`` and the other did
    not; ``coder`` is the one who gave it."""

    source: str
    start: int
    end: int
    code: str
    coder: str


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """Inter-coder agreement of two coders: the units, the pooled statistics, each
    code's, and (when asked for) every disagreement in source order."""

    coders: tuple[str, str]
    units: int
    overall: AgreementStats
    codes: list[CodeAgreement]
    disagreements: list[Disagreement]


@dataclass(frozen=True, slots=True)
class CoderSpans:
    """One coder's reading of a disagreement's unit: their excerpts with the code that
    overlap it, and the other codes they gave the unit (paths, tree order)."""

    coder: str
    spans: list[tuple[int, int]]
    other_codes: list[str]


@dataclass(frozen=True, slots=True)
class DisagreementView:
    """A disagreement with what the reconcile screen shows of it: a window of the
    source's text (``text`` starts at offset ``offset``) holding the unit and both
    coders' spans of the code."""

    disagreement: Disagreement
    offset: int
    text: str
    sides: tuple[CoderSpans, CoderSpans]


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
class Cooccurrence:
    """Codes by codes (or themes by themes): the pairs of co-occurring excerpts that
    join each two (the rule: :mod:`cen_themes.services.cooccurrence`).

    Rows and columns are the same ``paths``, in tree order. ``counts`` is symmetric:
    ``counts[i][j]`` (i ≠ j) counts the pairs, ``counts[i][i]`` the excerpts of
    ``paths[i]``."""

    rows_kind: RowsKind
    paths: list[str]
    depths: list[int]
    counts: list[list[int]]


CooccurrenceLink = Literal["same", "overlap", "segment"]


@dataclass(frozen=True, slots=True)
class CooccurrencePair:
    """Two co-occurring excerpts of one source behind a co-occurrence cell: ``first``
    carries the row's code or theme and ``second`` the column's. ``link`` says why they
    co-occur: ``same`` (one excerpt carries both; ``first`` is ``second``),
    ``overlap`` (they share characters) or ``segment`` (they only share a segment)."""

    source: str
    first: ExcerptView
    second: ExcerptView
    link: CooccurrenceLink


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


@dataclass(frozen=True, slots=True)
class StudyTable:
    """The characteristics of the sources: a header, then one row per source (its
    name, then each attribute's value, "" where it has none)."""

    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class EvidenceMap:
    """Sources counted per pair of values of two attributes: ``counts[i][j]`` sources
    have row value i and column value j; the totals count each source once."""

    rows_attr: str
    cols_attr: str
    row_values: list[str]
    col_values: list[str]
    counts: list[list[int]]
    row_totals: list[int]
    col_totals: list[int]
    total: int


@dataclass(frozen=True, slots=True)
class SaturationPoint:
    """One source's step in a saturation series: the codes first applied in it, and
    the codes met so far (in one theme's series, only the theme's codes)."""

    source: str
    order: int  # 1 for the first source coded
    new_codes: int
    total_codes: int
    theme: str | None = None


# GRADE-CERQual (a theme is a review finding): the four components of an assessment,
# each judged as concerns of one of four levels, and the overall confidence.
CERQUAL_COMPONENTS = ("limitations", "coherence", "adequacy", "relevance")
CERQUAL_LEVELS = ("no", "minor", "moderate", "serious")
CERQUAL_CONFIDENCES = ("high", "moderate", "low", "very-low")
# How the GRADE-CERQual series names them in its tables.
CERQUAL_TITLES = {
    "limitations": "Methodological limitations",
    "coherence": "Coherence",
    "adequacy": "Adequacy",
    "relevance": "Relevance",
}
CERQUAL_CONCERNS = {
    "no": "No or very minor concerns",
    "minor": "Minor concerns",
    "moderate": "Moderate concerns",
    "serious": "Serious concerns",
}
CERQUAL_CONFIDENCE_LABELS = {
    "high": "High confidence",
    "moderate": "Moderate confidence",
    "low": "Low confidence",
    "very-low": "Very low confidence",
}


@dataclass(frozen=True, slots=True)
class CerqualComponent:
    """One component of an assessment: the level of concerns (``None``: not judged
    yet) and why."""

    level: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class CerqualFinding:
    """A theme as a review finding with its GRADE-CERQual assessment (``assessed``
    false: none yet). ``components`` are keyed by :data:`CERQUAL_COMPONENTS`; the
    contributing ``sources`` are computed from the coding, in import order."""

    id: int  # the theme's
    theme: str  # path
    depth: int
    assessed: bool
    finding: str
    components: dict[str, CerqualComponent]
    confidence: str | None
    explanation: str
    sources: list[str]
    updated_at: datetime | None = None
    updated_by: str | None = None
