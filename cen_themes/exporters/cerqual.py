"""The GRADE-CERQual tables as the series publishes them (Lewin et al. 2018,
Implementation Science 13(Suppl 1):2), as Markdown, Word and Excel.

The Summary of Qualitative Findings: per assessed finding, the summarised finding, the
assessment of confidence, its explanation and the references (the contributing
studies). The evidence profile: per finding, the contributing studies, each of the four
components (its level of concerns, then why) and the overall assessment with its
explanation. Findings are numbered in theme tree order, the same numbers in both
tables; each finding cell leads with its theme's path.

Markdown is a pipe table (line breaks as ``<br>``, pipes escaped); Word a real table on
a landscape page, its header row repeated on every page; Excel a sheet with a bold,
frozen header row, filters on, and wrapped text, never a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cen_themes.exporters.files import check_target, write_atomically
from cen_themes.exporters.text import md_cell
from cen_themes.results import (
    CERQUAL_COMPONENTS,
    CERQUAL_CONCERNS,
    CERQUAL_CONFIDENCE_LABELS,
    CERQUAL_TITLES,
    CerqualFinding,
)

CERQUAL_FORMATS = (".md", ".docx", ".xlsx")
NOT_ASSESSED = "Not assessed"
REFERENCES_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class Part:
    """One paragraph of a cell: its text, and whether it leads (set in bold)."""

    text: str
    bold: bool = False


Cell = list[Part]


@dataclass(frozen=True, slots=True)
class CerqualTable:
    """A titled table whose cells are paragraphs; ``widths`` are the columns' widths
    in the workbook (characters)."""

    title: str
    header: list[str]
    rows: list[list[Cell]]
    widths: list[int]


def summary_of_findings(findings: Sequence[CerqualFinding]) -> CerqualTable:
    """The Summary of Qualitative Findings table of ``findings`` (assessed ones)."""
    return CerqualTable(
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
                [Part(str(number))],
                _finding(f),
                [Part(_confidence(f.confidence))],
                _paragraphs(f.explanation),
                _paragraphs(REFERENCES_SEPARATOR.join(f.sources)),
            ]
            for number, f in enumerate(findings, start=1)
        ],
        [5, 60, 22, 60, 40],
    )


def evidence_profile(findings: Sequence[CerqualFinding]) -> CerqualTable:
    """The GRADE-CERQual evidence profile of ``findings`` (assessed ones)."""
    return CerqualTable(
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
                [Part(str(number))],
                _finding(f),
                _paragraphs(REFERENCES_SEPARATOR.join(f.sources)),
                *(_component(f, c) for c in CERQUAL_COMPONENTS),
                [Part(_confidence(f.confidence))],
                _paragraphs(f.explanation),
            ]
            for number, f in enumerate(findings, start=1)
        ],
        [5, 50, 30, 35, 35, 35, 35, 22, 50],
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


def write_table(table: CerqualTable, out: Path) -> None:
    """Write ``table`` in the format of ``out``'s extension."""
    suffix = check_target(out, CERQUAL_FORMATS, f"the {table.title}")
    render = {".md": _markdown, ".docx": _docx, ".xlsx": _xlsx}[suffix]
    write_atomically(out, render(table))


def plain(cell: Cell) -> str:
    """A cell as plain text, one paragraph a line."""
    return "\n".join(part.text for part in cell)


# -- Markdown --------------------------------------------------------------------------
def _markdown(table: CerqualTable) -> bytes:
    lines = [
        f"# {md_cell(table.title)}\n\n",
        _md_line(md_cell(h) for h in table.header),
        _md_line("---:" if i == 0 else "---" for i in range(len(table.header))),
    ]
    lines += [_md_line(_md_cell(cell) for cell in row) for row in table.rows]
    return "".join(lines).encode("utf-8")


def _md_cell(cell: Cell) -> str:
    return "<br>".join(f"**{md_cell(p.text)}**" if p.bold else md_cell(p.text) for p in cell)


def _md_line(cells: Iterable[str]) -> str:
    return f"| {' | '.join(cells)} |\n"


# -- Word ----------------------------------------------------------------------------------
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _docx(table: CerqualTable) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(_clean(table.title), level=1)
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    header = grid.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)  # the header row again on every page
    for cell, text in zip(header.cells, table.header, strict=True):
        cell.paragraphs[0].add_run(_clean(text)).bold = True
    small = Pt(9) if len(table.header) > 6 else None  # nine columns: a smaller type
    for row in table.rows:
        for cell, parts in zip(grid.add_row().cells, row, strict=True):
            for index, part in enumerate(parts):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                run = paragraph.add_run(_clean(part.text))
                run.bold = part.bold
                if small is not None:
                    run.font.size = small
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- Excel --------------------------------------------------------------------------------
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of one cell


def _xlsx(table: CerqualTable) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for column, text in enumerate(table.header, start=1):
        cell = sheet.cell(row=1, column=column, value=text)
        cell.font, cell.alignment = bold, wrap
    for row_number, row in enumerate(table.rows, start=2):
        sheet.cell(row=row_number, column=1, value=row_number - 1).alignment = wrap
        for column, parts in enumerate(row[1:], start=2):
            text = ILLEGAL_CHARACTERS_RE.sub("", plain(parts))
            if len(text) > MAX_CELL_TEXT:
                text = text[: MAX_CELL_TEXT - 1] + "…"
            cell = sheet.cell(row=row_number, column=column, value=text)
            cell.data_type = "s"  # never a formula, even when it starts with "="
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(table.header))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
