"""The GRADE-CERQual tables as the series publishes them (Lewin et al. 2018,
Implementation Science 13(Suppl 1):2), as Markdown, Word and Excel.

The Summary of Qualitative Findings: per assessed finding, the summarised finding, the
assessment of confidence, its explanation and the references (the contributing
studies). The evidence profile: per finding, the contributing studies, each of the four
components (its level of concerns, then why) and the overall assessment with its
explanation. Findings are numbered in theme tree order, the same numbers in both
tables; each finding cell leads with its theme's path.

The files are written as :mod:`cen_themes.exporters.tables` writes every titled table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cen_themes.exporters.tables import Grid, Part, write_grid
from cen_themes.results.synthesis import (
    CERQUAL_COMPONENTS,
    CERQUAL_CONCERNS,
    CERQUAL_CONFIDENCE_LABELS,
    CERQUAL_TITLES,
    CerqualFinding,
)

CERQUAL_FORMATS = (".md", ".docx", ".xlsx")
NOT_ASSESSED = "Not assessed"
REFERENCES_SEPARATOR = "; "


Cell = list[Part]


def summary_of_findings(findings: Sequence[CerqualFinding]) -> Grid:
    """The Summary of Qualitative Findings table of ``findings`` (assessed ones)."""
    return Grid(
        "Summary of Qualitative Findings",
        [
            "#",
            "Summarised review finding",
            "GRADE-CERQual assessment of confidence",
            "Explanation of GRADE-CERQual assessment",
            "References",
        ],
        [
            [
                number,
                _finding(f),
                [Part(_confidence(f.confidence))],
                _paragraphs(f.explanation),
                _paragraphs(REFERENCES_SEPARATOR.join(f.sources)),
            ]
            for number, f in enumerate(findings, start=1)
        ],
        widths=[5, 60, 22, 60, 40],
    )


def evidence_profile(findings: Sequence[CerqualFinding]) -> Grid:
    """The GRADE-CERQual evidence profile of ``findings`` (assessed ones)."""
    return Grid(
        "GRADE-CERQual evidence profile",
        [
            "#",
            "Summarised review finding",
            "Studies contributing to the review finding",
            *(CERQUAL_TITLES[c] for c in CERQUAL_COMPONENTS),
            "GRADE-CERQual assessment of confidence",
            "Explanation of GRADE-CERQual assessment",
        ],
        [
            [
                number,
                _finding(f),
                _paragraphs(REFERENCES_SEPARATOR.join(f.sources)),
                *(_component(f, c) for c in CERQUAL_COMPONENTS),
                [Part(_confidence(f.confidence))],
                _paragraphs(f.explanation),
            ]
            for number, f in enumerate(findings, start=1)
        ],
        widths=[5, 50, 30, 35, 35, 35, 35, 22, 50],
    )


def _finding(finding: CerqualFinding) -> Cell:
    return [Part(finding.theme, bold=True), *_paragraphs(finding.finding)]


def _component(finding: CerqualFinding, component: str) -> Cell:
    judged = finding.components[component]
    if judged.level is None:
        return [Part(NOT_ASSESSED)]
    return [Part(CERQUAL_CONCERNS[judged.level], bold=True), *_paragraphs(judged.explanation)]


def _confidence(confidence: str | None) -> str:
    return CERQUAL_CONFIDENCE_LABELS[confidence] if confidence is not None else NOT_ASSESSED


def _paragraphs(text: str) -> Cell:
    """A text's paragraphs (its lines, blank ones dropped)."""
    return [Part(line.strip()) for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def write_table(table: Grid, out: Path) -> None:
    """Write ``table`` in the format of ``out``'s extension."""
    write_grid(table, out, f"the {table.title}", CERQUAL_FORMATS)
