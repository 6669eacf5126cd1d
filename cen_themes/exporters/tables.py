"""Titled tables (a header row, then rows of text, numbers or paragraphs) as CSV, Excel,
Markdown and Word: the characteristics of included studies, the evidence map and the
GRADE-CERQual tables.

A cell is text, a number, or paragraphs (:class:`Part`, some leading in bold). Text
that is a number ("2019", "12", "3.5") is written as a number in the workbook, so it
sorts and sums; everything else stays text, never a formula. Markdown is a pipe table
(paragraphs joined by ``<br>``, pipes escaped); the Word table is a real table on a
landscape page, its header row repeated on every page; the workbook has a bold, frozen
header row with filters on and wrapped text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cen_themes.exporters.files import check_target, write_atomically
from cen_themes.exporters.text import md_cell

TABLE_FORMATS = (".csv", ".xlsx", ".md", ".docx")


@dataclass(frozen=True, slots=True)
class Part:
    """One paragraph of a cell: its text, and whether it leads (set in bold)."""

    text: str
    bold: bool = False


Value = str | int | float | list[Part]


@dataclass(frozen=True, slots=True)
class Grid:
    """A titled table: the title heads the Word and Markdown files and names the sheet.
    ``widths`` set the workbook's column widths (characters; default: from the text)."""

    title: str
    header: list[str]
    rows: list[list[Value]]
    notes: list[str] = field(default_factory=list)  # lines under the table
    widths: list[int] | None = None


def write_grid(grid: Grid, out: Path, what: str, formats: tuple[str, ...] = TABLE_FORMATS) -> None:
    """Write ``grid`` in the format of ``out``'s extension, one of ``formats`` (``what``
    names the table in errors)."""
    suffix = check_target(out, formats, what)
    render = {".csv": _csv, ".xlsx": _xlsx, ".md": _markdown, ".docx": _docx}[suffix]
    write_atomically(out, render(grid))


def plain(value: Value) -> str:
    """A cell as plain text, one paragraph a line."""
    return "\n".join(part.text for part in value) if isinstance(value, list) else str(value)


_INTEGER = re.compile(r"[+-]?(?:0|[1-9]\d{0,14})")
_DECIMAL = re.compile(r"[+-]?(?:0|[1-9]\d{0,14})\.\d{1,15}")


def as_number(value: Value) -> Value:
    """``value`` as an int or float when it is written as one (not "007", not "1e5",
    not "1,000": a leading zero or a separator is part of a code, not a number)."""
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
        if _DECIMAL.fullmatch(text):
            return float(text)
    return value


def _csv(grid: Grid) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(grid.header)
    writer.writerows([plain(value) for value in row] for row in grid.rows)
    return buffer.getvalue().encode("utf-8")


def _markdown(grid: Grid) -> bytes:
    numeric = _numeric_columns(grid)
    lines = [
        f"# {md_cell(grid.title)}\n\n",
        _md_line(md_cell(h) for h in grid.header),
        _md_line("---:" if n else "---" for n in numeric),
    ]
    lines += [_md_line(_md_value(v) for v in row) for row in grid.rows]
    if grid.notes:
        lines.append("\n" + "".join(f"{md_cell(note)}\n" for note in grid.notes))
    return "".join(lines).encode("utf-8")


def _md_value(value: Value) -> str:
    if isinstance(value, list):
        return "<br>".join(f"**{md_cell(p.text)}**" if p.bold else md_cell(p.text) for p in value)
    return md_cell(str(value))


def _md_line(cells: Iterable[str]) -> str:
    return f"| {' | '.join(cells)} |\n"


def _numeric_columns(grid: Grid) -> list[bool]:
    return [
        bool(grid.rows)
        and all(isinstance(as_number(row[i]), int | float) or row[i] == "" for row in grid.rows)
        and any(row[i] != "" for row in grid.rows)
        for i in range(len(grid.header))
    ]


MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of one cell
WIDTH = (8, 60)  # a column's width in the workbook: at least, at most


def _xlsx(grid: Grid) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(grid.title)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for column, header in enumerate(grid.header, start=1):
        cell = sheet.cell(row=1, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", header))
        cell.font = bold
        cell.alignment = wrap
        cell.data_type = "s"
    for row_number, row in enumerate(grid.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            number = as_number(plain(value))
            if isinstance(number, str):
                text = ILLEGAL_CHARACTERS_RE.sub("", number)
                if len(text) > MAX_CELL_TEXT:
                    text = text[: MAX_CELL_TEXT - 1] + "…"
                cell.value = text
                cell.data_type = "s"  # never a formula, even when it starts with "="
                cell.alignment = wrap
            else:
                cell.value = number
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(grid.header), 1))
    sheet.auto_filter.ref = f"A1:{last}{len(grid.rows) + 1}"
    for index, header in enumerate(grid.header):
        if grid.widths is not None:
            width = grid.widths[index]
        else:
            texts = [header, *(plain(row[index]) for row in grid.rows)]
            longest = max(len(line) for text in texts for line in text.split("\n"))
            width = min(max(longest + 2, WIDTH[0]), WIDTH[1])
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    for note_number, note in enumerate(grid.notes, start=len(grid.rows) + 3):
        sheet.cell(row=note_number, column=1, value=ILLEGAL_CHARACTERS_RE.sub("", note))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Table"


MANY_COLUMNS = 6  # a Word table with more columns is set in a smaller type


def _docx(grid: Grid) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from cen_themes.exporters.docx_body import BodyWriter, RunFormat

    document = Document()
    body = BodyWriter(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    body.heading(grid.title, level=1)
    table = document.add_table(rows=1, cols=len(grid.header))
    table.style = "Table Grid"
    header = table.rows[0]
    properties = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)  # the header row again on every page
    small = Pt(9) if len(grid.header) > MANY_COLUMNS else None
    for cell, text in zip(header.cells, grid.header, strict=True):
        body.run(cell.paragraphs[0]._p, text, RunFormat(bold=True, size=small))
    numeric = _numeric_columns(grid)
    for row in grid.rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, row, strict=True)):
            parts = value if isinstance(value, list) else [Part(str(value))]
            for number, part in enumerate(parts):
                paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                body.run(paragraph._p, part.text, RunFormat(bold=part.bold, size=small))
            if numeric[index]:
                cell.paragraphs[0].alignment = 2  # right
    for note in grid.notes:
        body.paragraph(note, run=RunFormat(size=Pt(9)))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
