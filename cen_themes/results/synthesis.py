"""From codes to a published synthesis: co-occurrence, study tables, the evidence map,
saturation and GRADE-CERQual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cen_themes.results import ExcerptView, RowsKind


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
