"""A laid-out matrix as an Excel workbook with one sheet, "Matrix"."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cen_themes.exporters.layout import Table

SHEET = "Matrix"
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of one cell
LABEL_WIDTH = (12, 60)  # the label column's width: at least, at most
OTHER_WIDTH = (6, 40)
QUOTES_WIDTH = 60

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER = Alignment(wrap_text=True, vertical="bottom")
_SUBTOTAL = PatternFill("solid", fgColor="EDEDED")
_SCALE = ColorScaleRule(
    start_type="num", start_value=0, start_color="FFFFFF", end_type="max", end_color="5B9BD5"
)


def render_xlsx(table: Table) -> bytes:
    """A bold, frozen header row and label column, widths from the content, numbers
    as numbers, quotes wrapped, a colour scale over the source cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for index, column in enumerate(table.columns, start=1):
        cell = _put(sheet, 1, index, column.header)
        cell.font = _BOLD
        cell.alignment = _HEADER
    for row_number, row in enumerate(table.rows, start=2):
        for index, value in enumerate(row.cells, start=1):
            cell = _put(sheet, row_number, index, value.value)
            if isinstance(value.value, str) and value.kind != "label":
                cell.alignment = _WRAP
            if value.kind == "subtotal" or row.kind == "subtotal":
                cell.fill = _SUBTOTAL
                cell.font = _BOLD
    sheet.freeze_panes = "B2"
    _set_widths(sheet, table)
    if table.cells != "quotes":
        ranges = _source_ranges(table)
        if ranges:
            sheet.conditional_formatting.add(" ".join(ranges), _SCALE)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(sheet: Worksheet, row: int, column: int, value: str | int) -> SheetCell:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(text) > MAX_CELL_TEXT:
            text = text[: MAX_CELL_TEXT - 1] + "…"
        cell.value = text
        cell.data_type = "s"  # never a formula, even when the text starts with "="
    else:
        cell.value = value
    return cell


def _set_widths(sheet: Worksheet, table: Table) -> None:
    for index, column in enumerate(table.columns):
        texts = [column.header, *(str(row.cells[index].value) for row in table.rows)]
        longest = max(len(line) for text in texts for line in text.split("\n"))
        if column.kind == "label":
            low, high = LABEL_WIDTH
        elif column.numeric:
            low, high = OTHER_WIDTH
        else:
            low, high = OTHER_WIDTH[0], QUOTES_WIDTH
        width = min(max(longest + 2, low), high)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width


def _source_ranges(table: Table) -> list[str]:
    """The source cells as rectangles such as ``B2:D9``: each row's runs of source
    columns, the same run in consecutive rows merged."""
    rows_by_run: dict[tuple[int, int], list[int]] = {}
    for row_number, row in enumerate(table.rows, start=2):
        columns = [i for i, cell in enumerate(row.cells, start=1) if cell.kind == "source"]
        for run in _runs(columns):
            rows_by_run.setdefault(run, []).append(row_number)
    return [
        f"{get_column_letter(first)}{top}:{get_column_letter(last)}{bottom}"
        for (first, last), rows in rows_by_run.items()
        for top, bottom in _runs(rows)
    ]


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """The runs of consecutive numbers in increasing ``numbers``, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs
