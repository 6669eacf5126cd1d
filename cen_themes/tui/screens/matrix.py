"""The matrix: themes (or codes) by source, with excerpt counts; Enter shows a cell's
excerpts, `g` groups the sources by an attribute, `e` exports what is shown."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from cen_themes import exporters
from cen_themes.errors import CenThemesError
from cen_themes.exporters.layout import Cell, Table
from cen_themes.services import analysis
from cen_themes.services.results import ExcerptView, Matrix, RowsKind
from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.dialogs import TextPrompt
from cen_themes.tui.screens.matrix_excerpts import MatrixExcerpts
from cen_themes.tui.widgets.status import StatusLine


def attribute_keys(matrix: Matrix) -> list[str]:
    """Every attribute key some source has, sorted."""
    return sorted({key for source in matrix.sources for key in source.attributes})


def next_grouping(current: str | None, keys: list[str]) -> str | None:
    """none → each key in turn → none; a key that went away restarts the cycle."""
    if not keys:
        return None
    if current is None:
        return keys[0]
    if current not in keys:
        return None
    index = keys.index(current) + 1
    return keys[index] if index < len(keys) else None


def row_label(path: str, depth: int) -> str:
    return "  " * depth + path


def cell_excerpts(table: Table, row: int, column: int) -> list[ExcerptView]:
    """The excerpts behind one cell of a table laid out from a matrix with excerpts:
    a source or subtotal cell's own; for the label and totals, the whole row's."""
    cells = table.rows[row].cells
    if table.columns[column].kind in ("source", "subtotal"):
        return list(cells[column].excerpts)
    seen: dict[int, ExcerptView] = {}
    for col, cell in zip(table.columns, cells, strict=True):
        if col.kind == "source":
            for excerpt in cell.excerpts:
                seen.setdefault(excerpt.id, excerpt)
    return list(seen.values())


def _shown(cell: Cell, numeric: bool, depth: int) -> Text | str:
    if cell.kind == "label":
        return row_label(str(cell.value), depth)
    return Text(str(cell.value), justify="right") if numeric else str(cell.value)


class MatrixScreen(WorkbenchScreen):
    """Rows are themes (or codes, `r`), columns the sources in import order."""

    CSS_PATH = "matrix.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "group", "Group"),
        Binding("r", "rows", "Themes/codes"),
        Binding("e", "export", "Export"),
    ]

    def __init__(self, rows: RowsKind = "themes") -> None:
        super().__init__()
        self.rows_kind: RowsKind = rows
        self.group_by: str | None = None
        self.matrix: Matrix | None = None
        self.table: Table | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="caption")
        yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the matrix again and lay it out with the current rows and grouping."""
        try:
            matrix = analysis.matrix(self.workbench.project, self.rows_kind)
            if self.group_by is not None and self.group_by not in attribute_keys(matrix):
                self.group_by = None
            table = exporters.layout(matrix, "count", self.group_by)
        except CenThemesError as exc:
            self.report(exc)
            return
        self.matrix, self.table = matrix, table
        self._show(matrix, table)

    def _show(self, matrix: Matrix, table: Table) -> None:
        widget = self.query_one(DataTable)
        where = widget.cursor_coordinate
        widget.clear(columns=True)
        for index, column in enumerate(table.columns):
            header = Text(column.header, justify="right") if column.numeric else column.header
            widget.add_column(header, key=f"c{index}")
        for index, (row, info) in enumerate(zip(table.rows, matrix.rows, strict=True)):
            widget.add_row(
                *(
                    _shown(cell, column.numeric, info.depth)
                    for cell, column in zip(row.cells, table.columns, strict=True)
                ),
                key=f"r{index}",
            )
        if table.rows:
            widget.move_cursor(
                row=min(where.row, len(table.rows) - 1),
                column=min(where.column, len(table.columns) - 1),
            )
        empty = f"  ·  no {self.rows_kind} yet" if not table.rows else ""
        self.query_one("#caption", Static).update(f"{table.title}{empty}")
        self.workbench.refresh_status()

    def action_group(self) -> None:
        if self.matrix is None:
            return
        keys = attribute_keys(self.matrix)
        if not keys:
            self.notify("no source has attributes to group by")
            return
        self.group_by = next_grouping(self.group_by, keys)
        self.reload()

    def action_rows(self) -> None:
        self.rows_kind = "codes" if self.rows_kind == "themes" else "themes"
        self.reload()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.open_cell(event.coordinate.row, event.coordinate.column)

    def open_cell(self, row: int, column: int) -> None:
        """Show the excerpts behind one cell, read now with the matrix's excerpts."""
        if self.table is None or row >= len(self.table.rows):
            return
        path = str(self.table.rows[row].cells[0].value)
        header = self.table.columns[column].header
        try:
            full = analysis.matrix(self.workbench.project, self.rows_kind, with_excerpts=True)
            table = exporters.layout(full, "count", self.group_by)
        except CenThemesError as exc:
            self.report(exc)
            return
        paths = [str(r.cells[0].value) for r in table.rows]
        headers = [c.header for c in table.columns]
        if path not in paths or header not in headers:
            self.notify("the matrix changed; showing it again", severity="warning")
            self.reload()
            return
        found = cell_excerpts(table, paths.index(path), headers.index(header))
        title = path if self.table.columns[column].kind == "label" else f"{path} · {header}"
        self.app.push_screen(MatrixExcerpts(title, found))

    def action_export(self) -> None:
        formats = ", ".join(exporters.MATRIX_FORMATS)
        self.app.push_screen(
            TextPrompt(f"Export this view to a file ({formats})", placeholder="matrix.csv"),
            self._export,
        )

    def _export(self, answer: str | None) -> None:
        if answer is None or self.table is None:
            return
        path = Path(answer).expanduser()
        try:
            exporters.write_matrix(self.table, path)
        except CenThemesError as exc:
            self.report(exc)
            return
        self.notify(f"wrote {path}")
