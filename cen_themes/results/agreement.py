"""Two coders compared: agreement statistics, disagreements and what reconciling shows."""

from __future__ import annotations

from dataclasses import dataclass


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
