"""The matrix: themes (or codes) by source, with excerpt counts; Enter lists a cell's
excerpts, `g` groups the sources by an attribute chosen from a list, `a` shows the
matrix as it stood at an earlier moment (rebuilt from the audit trail), `e` exports
what is shown and `E` the quotes report, each in a worker of the app's so that typing
never waits for a file and the notice comes even after the matrix is closed. The row
labels stay in view while the sources scroll; the line above the table names the
highlighted cell in full."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Static

from cen_themes import exporters
from cen_themes.errors import CenThemesError, NotFoundError
from cen_themes.exporters.layout import Cell, Table
from cen_themes.results import ExcerptView, Matrix, RowsKind
from cen_themes.services import analysis, exports, synthesis
from cen_themes.services.as_of import matrix_as_of, parse_moment
from cen_themes.tui.screens.base import keep_scrolled
from cen_themes.tui.screens.dialogs import ChooseOne, TextPrompt
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen
from cen_themes.tui.screens.exporting import ExportsFiles, export_bar
from cen_themes.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from cen_themes.db import Project

ExportKind = Literal["matrix", "quotes"]


def attribute_keys(matrix: Matrix) -> list[str]:
    """Every attribute key some source has, sorted."""
    return sorted({key for source in matrix.sources for key in source.attributes})


LABEL_MAX = 32  # a row label's characters at most: the sources need the width


def row_label(path: str, depth: int) -> str:
    """The row's name indented by its depth (its parents are the rows above), cut to
    LABEL_MAX; the line above the table gives the highlighted row's whole path."""
    label = "  " * depth + path.rsplit(" > ", 1)[-1]
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def cell_sources(table: Table, column: int) -> set[str] | None:
    """The sources a column's cells stand for: one for a source column, its group's
    for a subtotal, ``None`` (all of them) for the label and the totals."""
    kind = table.columns[column].kind
    if kind == "source":
        return {table.columns[column].header}
    if kind != "subtotal":
        return None
    group: set[str] = set()
    for col in table.columns[:column]:  # the source columns since the last subtotal
        if col.kind == "subtotal":
            group = set()
        elif col.kind == "source":
            group.add(col.header)
    return group


def kept_place(shown: Table | None, table: Table, where: Coordinate) -> tuple[int, int]:
    """Where the cursor goes in ``table``: the row with the label and the column with the
    header it was on in ``shown``, when both are still there; else the same row and
    column numbers (within the table)."""
    row = min(where.row, max(len(table.rows) - 1, 0))
    column = min(where.column, max(len(table.columns) - 1, 0))
    if shown is None or where.row >= len(shown.rows) or where.column >= len(shown.columns):
        return row, column
    label = shown.rows[where.row].cells[0].value
    labels = [r.cells[0].value for r in table.rows]
    if label in labels:
        row = labels.index(label)
    header = shown.columns[where.column].header
    headers = [c.header for c in table.columns]
    if header in headers:
        column = headers.index(header)
    return row, column


def _shown(cell: Cell, numeric: bool, depth: int) -> Text | str:
    if cell.kind == "label":
        return row_label(str(cell.value), depth)
    return Text(str(cell.value), justify="right") if numeric else str(cell.value)


class MatrixScreen(ExportsFiles):
    """Rows are themes (or codes, `r`), columns the sources in import order."""

    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("enter", "list the excerpts behind the highlighted cell"),
        ("arrows", "move between cells"),
    ]

    CSS_PATH = "matrix.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "group", "Group"),
        Binding("r", "rows", "Rows"),
        Binding("e", "export", "Export"),
        Binding("E", "export_quotes", "Quotes", key_display="E"),
        Binding("x", "export_codings", "Codings", show=False),  # in ? (the footer is full)
        Binding("o", "cooccurrence", "Co-occurrence"),
        Binding("a", "as_of", "As of"),
    ]

    def __init__(self, rows: RowsKind = "themes") -> None:
        super().__init__()
        self.rows_kind: RowsKind = rows
        self.group_by: str | None = None
        self.as_of: str | None = None  # the moment shown, as typed; None for now
        self.matrix: Matrix | None = None
        self.table: Table | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="caption")
        yield export_bar()
        yield Static(id="cell")
        yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=True, fixed_columns=1)
        yield StatusLine()
        yield Footer()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the matrix again and lay it out with the current rows and grouping."""
        try:
            matrix = read_matrix(self.workbench.project, self.rows_kind, self.as_of)
            if self.group_by is not None and self.group_by not in attribute_keys(matrix):
                self.group_by = None
            table = exporters.layout(matrix, "count", self.group_by)
        except CenThemesError as exc:
            self.report(exc)
            return
        shown, self.matrix, self.table = self.table, matrix, table
        self._show(matrix, table, shown)

    def _show(self, matrix: Matrix, table: Table, shown: Table | None = None) -> None:
        """Lay out ``table``; the cursor stays on the row and column it was on in the
        table ``shown`` before (the same theme and source), else at the same place."""
        widget = self.query_one(DataTable)
        place = kept_place(shown, table, widget.cursor_coordinate)
        scrolled = widget.scroll_offset
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
            widget.move_cursor(row=place[0], column=place[1])
            keep_scrolled(widget, scrolled.x, scrolled.y)
        empty = f"  ·  no {self.rows_kind} yet" if not table.rows else ""
        then = f"  ·  as of {self.as_of} (a, now: back)" if self.as_of is not None else ""
        self.query_one("#caption", Static).update(f"{table.title}{then}{empty}")
        self.workbench.refresh_status()

    def action_group(self) -> None:
        """Choose the attribute to group the sources by (or none) from a list."""
        if self.matrix is None:
            return
        keys = attribute_keys(self.matrix)
        if not keys:
            self.notify("no source has attributes to group by")
            return

        def chosen(choice: str | None) -> None:
            if choice is None:
                return
            self.group_by = choice or None
            self.reload()
            self.query_one(DataTable).scroll_to(x=0, animate=False)

        choices = [(key + ("  (now)" if key == self.group_by else ""), key) for key in keys]
        choices.append(("no grouping" + ("  (now)" if self.group_by is None else ""), ""))
        self.app.push_screen(ChooseOne("Group the sources by", choices), chosen)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        """The highlighted row's whole path, and the cell's column and count."""
        event.stop()
        table, row, column = self.table, event.coordinate.row, event.coordinate.column
        if table is None or row >= len(table.rows) or column >= len(table.columns):
            self.query_one("#cell", Static).update("")
            return
        path = str(table.rows[row].cells[0].value)
        where = "" if column == 0 else f"  ·  {table.columns[column].header}: {event.value}"
        self.query_one("#cell", Static).update(path + where)

    def action_as_of(self) -> None:
        """Ask for a moment ("now" for today's matrix) and show the matrix as it stood
        then."""

        def answered(answer: str | None) -> None:
            if answer is None:
                return
            if answer.strip().casefold() == "now":
                self.as_of = None
            else:
                try:
                    parse_moment(answer)
                except CenThemesError as exc:
                    self.report(exc)
                    return
                self.as_of = answer.strip()
            self.reload()

        self.app.push_screen(
            TextPrompt(
                "The matrix as it stood at (2026-03-01 or 2026-03-01T14:30, UTC; or now)",
                self.as_of or "",
                "2026-03-01",
            ),
            answered,
        )

    def action_rows(self) -> None:
        self.rows_kind = "codes" if self.rows_kind == "themes" else "themes"
        self.reload()

    def action_cooccurrence(self) -> None:
        """The co-occurrence of the codes or themes the matrix shows."""
        from cen_themes.tui.screens.cooccurrence import CooccurrenceScreen  # it imports this

        self.app.push_screen(CooccurrenceScreen(self.rows_kind))

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.open_cell(event.coordinate.row, event.coordinate.column)

    def open_cell(self, row: int, column: int) -> None:
        """List the excerpts behind one cell, read again whenever the list is shown."""
        if self.table is None or row >= len(self.table.rows):
            return
        if self.as_of is not None:
            self.notify(
                f"as of {self.as_of} the matrix shows counts; a, then 'now', "
                "comes back to today's to read excerpts",
                severity="warning",
            )
            return
        path = str(self.table.rows[row].cells[0].value)
        header = self.table.columns[column].header
        project, rows_kind, group_by = self.workbench.project, self.rows_kind, self.group_by
        try:
            first = [read_cell(project, rows_kind, group_by, path, header)]
        except NotFoundError:
            self.notify("the matrix changed; showing it again", severity="warning")
            self.reload()
            return
        except CenThemesError as exc:
            self.report(exc)
            return

        def load() -> list[ExcerptView]:  # the list just read, then fresh ones
            return first.pop() if first else read_cell(project, rows_kind, group_by, path, header)

        title = path if self.table.columns[column].kind == "label" else f"{path} · {header}"
        self.app.push_screen(ExcerptListScreen(title, load))

    def action_export(self) -> None:
        formats = ", ".join(exporters.MATRIX_FORMATS)
        project, rows_kind, group_by, as_of = (
            self.workbench.project,
            self.rows_kind,
            self.group_by,
            self.as_of,
        )
        self.ask_export(
            "matrix",
            f"Export this view to a file ({formats})",
            "matrix.csv",
            lambda answer: write_export(project, "matrix", answer, rows_kind, group_by, as_of),
        )

    def action_export_quotes(self) -> None:
        formats = ", ".join(exporters.QUOTES_FORMATS)
        project = self.workbench.project
        self.ask_export(
            "quotes",
            f"Export the quotes report by theme ({formats})",
            "quotes.md",
            lambda answer: write_export(project, "quotes", answer, "themes", None),
        )

    def action_export_codings(self) -> None:
        from cen_themes.exporters.codings import CODINGS_FORMATS

        formats = ", ".join(CODINGS_FORMATS)
        project = self.workbench.project
        self.ask_export(
            "codings",
            f"Export every coding, one row each, for R, Excel or SPSS ({formats})",
            "codings.csv",
            lambda answer: exports.export_excerpts(project, Path(answer).expanduser()),
        )


def read_matrix(project: Project, rows_kind: RowsKind, as_of: str | None) -> Matrix:
    """The matrix now, or as it stood at the moment ``as_of``."""
    if as_of is None:
        return analysis.matrix(project, rows_kind)
    return matrix_as_of(project, parse_moment(as_of), rows_kind)


def write_export(
    project: Project,
    kind: ExportKind,
    answer: str,
    rows_kind: RowsKind,
    group_by: str | None,
    as_of: str | None = None,
) -> str:
    """Write the matrix as shown (its rows, grouping and moment; HTML with the
    excerpts) or the quotes report (always now) to the path typed; returns what was
    written, for a notice.

    A grouping attribute that no source has any more is dropped, as the screen drops it.
    """
    path = Path(answer).expanduser()
    if kind == "quotes":
        return exports.export_quotes(project, path)
    if group_by is not None:
        # Now: the keys the sources have; as of a moment, those they had then.
        then = None if as_of is None else read_matrix(project, rows_kind, as_of)
        keys = synthesis.attribute_keys(project) if then is None else attribute_keys(then)
        if group_by not in keys:
            group_by = None
    return exports.export_matrix(project, path, rows_kind, group_by=group_by, as_of=as_of)


def read_cell(
    project: Project, rows_kind: RowsKind, group_by: str | None, path: str, header: str
) -> list[ExcerptView]:
    """The excerpts now behind the cell of row ``path`` and column ``header``;
    :class:`NotFoundError` when the matrix no longer has that row or column.

    The counts (no excerpts) say whether the cell is still there and which sources it
    covers; only that row's excerpts are read, not every cell's."""
    counts = analysis.matrix(project, rows_kind)
    if group_by is not None and group_by not in attribute_keys(counts):
        group_by = None
    table = exporters.layout(counts, "count", group_by)
    paths = [str(r.cells[0].value) for r in table.rows]
    headers = [c.header for c in table.columns]
    if path not in paths or header not in headers:
        raise NotFoundError(f"the matrix no longer has {path} · {header}")
    wanted = cell_sources(table, headers.index(header))
    row = {"theme": path} if rows_kind == "themes" else {"code": path}
    if wanted is not None and len(wanted) == 1:
        return analysis.find_excerpts(project, **row, source=next(iter(wanted)))
    found = analysis.find_excerpts(project, **row)
    return found if wanted is None else [e for e in found if e.source in wanted]
