"""One row per coding, for R, Excel and SPSS: CSV (UTF-8 with a byte-order mark, so
Excel reads it as UTF-8) or an Excel workbook (a bold header row with filters on,
frozen under it; its sheet written as text a thousand rows at a time).

The columns: source, start, end, text, code, coder, memo, time (UTC), then one per
attribute of the sources (named by its key; ``attribute_KEY`` where a key is the
name of one of the columns before it). The workbook holds every text as text, never
a formula, a time as a date-time cell and an attribute written as a number as a
number; a text longer than a cell can hold is cut there and marked with "…" (the CSV
keeps it whole).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import IO

from cen_themes.exporters.files import atomic_stream, check_target
from cen_themes.exporters.tables import as_number
from cen_themes.exporters.text import xml_safe
from cen_themes.results import CodingTable

CODINGS_FORMATS = (".csv", ".xlsx")
COLUMNS = ("source", "start", "end", "text", "code", "coder", "memo", "time")
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of one cell
WIDTHS = (14, 7, 7, 60, 30, 12, 30, 20)  # the workbook's columns, characters; attributes 14


def header(table: CodingTable) -> list[str]:
    """The column names: the fixed ones, then the attribute keys."""
    return [*COLUMNS, *(f"attribute_{k}" if k in COLUMNS else k for k in table.keys)]


def write_codings(table: CodingTable, out: Path) -> None:
    """Write ``table`` as ``out``'s extension says (.csv or .xlsx), whole or not at all."""
    suffix = check_target(out, CODINGS_FORMATS, "the codings")
    with atomic_stream(out) as stream:
        if suffix == ".csv":
            _csv(table, stream)
        else:
            _xlsx(table, stream)


def _utc(moment: datetime) -> datetime:
    """A moment as UTC without a zone (what a spreadsheet's date-time holds)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None, microsecond=0)


def _csv(table: CodingTable, stream: IO[bytes]) -> None:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header(table))
    keys, attributes = table.keys, table.attributes
    empty: dict[str, str] = {}
    for row in table.rows:
        values = attributes.get(row.source, empty)
        writer.writerow(
            (
                row.source,
                row.start,
                row.end,
                row.text,
                row.code,
                row.coder,
                row.memo,
                _utc(row.coded_at).isoformat(sep=" "),
                *(values.get(key, "") for key in keys),
            )
        )
    text.flush()
    text.detach()  # the stream stays open for the atomic write to finish


def _xlsx(table: CodingTable, stream: IO[bytes]) -> None:
    """The workbook's parts written as text, a row at a time (a general writer builds a
    cell object for each of the hundreds of thousands of cells, at several times the
    cost; this sheet needs only text, numbers and date-times)."""
    names = header(table)
    last = _column_letter(len(names))
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for part, content in _XLSX_PARTS.items():
            book.writestr(part, content)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            widths = [WIDTHS[i] if i < len(WIDTHS) else 14 for i in range(len(names))]
            sheet.write(
                (
                    _SHEET_HEAD
                    + "<cols>"
                    + "".join(
                        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                        for i, w in enumerate(widths, start=1)
                    )
                    + "</cols><sheetData>"
                    + '<row r="1">'
                    + "".join(f'<c s="1" t="inlineStr"><is>{_text(n)}</is></c>' for n in names)
                    + "</row>"
                ).encode("utf-8")
            )
            keys, attributes = table.keys, table.attributes
            empty: dict[str, str] = {}
            chunk: list[str] = []
            for number, row in enumerate(table.rows, start=2):
                values = attributes.get(row.source, empty)
                chunk.append(
                    f'<row r="{number}">'
                    f"{_string(row.source)}<c><v>{row.start}</v></c><c><v>{row.end}</v></c>"
                    f"{_string(row.text)}{_string(row.code)}{_string(row.coder)}"
                    f"{_string(row.memo) if row.memo else '<c/>'}"
                    f'<c s="2"><v>{_serial(row.coded_at)}</v></c>'
                    + "".join(_attribute(values[key]) if key in values else "<c/>" for key in keys)
                    + "</row>"
                )
                if len(chunk) == 1000:
                    sheet.write("".join(chunk).encode("utf-8"))
                    chunk = []
            sheet.write(
                (
                    "".join(chunk)
                    + f'</sheetData><autoFilter ref="A1:{last}{len(table.rows) + 1}"/>'
                    + "</worksheet>"
                ).encode("utf-8")
            )
        book.writestr(
            "xl/workbook.xml",
            _WORKBOOK.format(ref=f"Codings!$A$1:${last}${len(table.rows) + 1}"),
        )


_EPOCH = datetime(1899, 12, 30)  # day 0 of a workbook's dates (as Excel counts them)


def _text(value: str) -> str:
    """An inline string's content: characters XML cannot hold dropped, escaped, cut to
    what a cell holds."""
    value = xml_safe(value)
    if len(value) > MAX_CELL_TEXT:
        value = value[: MAX_CELL_TEXT - 1] + "…"
    return f'<t xml:space="preserve">{escape(value, quote=False)}</t>'


def _string(value: str) -> str:
    return f'<c t="inlineStr"><is>{_text(value)}</is></c>'


def _attribute(value: str) -> str:
    """A value written as a number ("34", "2019") as a number, so it sorts and sums."""
    number = as_number(value)
    return _string(value) if isinstance(number, str) else f"<c><v>{number}</v></c>"


def _serial(moment: datetime) -> str:
    return f"{(_utc(moment) - _EPOCH).total_seconds() / 86400:.10f}"


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    "</sheetView></sheetViews>"
    '<sheetFormatPr defaultRowHeight="15"/>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}">'
    '<sheets><sheet name="Codings" sheetId="1" r:id="rId1"/></sheets>'
    '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
    "{ref}</definedName></definedNames></workbook>"
)
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Types xmlns="{_PACKAGE}/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # three cell formats: plain, the bold header, a date-time
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
