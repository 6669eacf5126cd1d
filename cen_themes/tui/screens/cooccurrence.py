"""Co-occurrence: codes (or themes, `r`) by codes, the pairs of excerpts that join each
two (the rule: :mod:`cen_themes.services.cooccurrence`); Enter lists a cell's pairs,
Enter on a pair opens the reader at it, `e` exports the matrix in a worker of the
app's."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from cen_themes.exporters.cooccurrence import (
    COOCCURRENCE_FORMATS,
    CooccurrenceTable,
    cooccurrence_table,
)
from cen_themes.results import RowsKind
from cen_themes.results.synthesis import Cooccurrence, CooccurrencePair
from cen_themes.services import exports
from cen_themes.services.cooccurrence import cooccurrence, cooccurrence_pairs
from cen_themes.tui.screens.base import keep_scrolled
from cen_themes.tui.screens.excerpt_list import ItemListScreen, preview
from cen_themes.tui.screens.exporting import ExportsFiles, export_bar
from cen_themes.tui.screens.matrix import kept_place
from cen_themes.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from cen_themes.db import Project

MIN_PREVIEW = 16  # the least of each excerpt's text a pair shows, however narrow the screen
HEADER_WIDTH = 16  # a column's header, so that several columns fit beside the names
LABEL_WIDTH = 30  # a row's name, indented by its depth
SEPARATOR = " > "


def short_name(path: str, width: int | None = None) -> str:
    """A code's (or theme's) own name, cut to ``width`` characters with an ellipsis: the
    table shows these, the line above it the highlighted cell's full paths."""
    name = path.rsplit(SEPARATOR, 1)[-1]
    if width is not None and len(name) > width:
        return name[: width - 1] + "…"
    return name


def describe(data: Cooccurrence, row: int, column: int) -> str:
    """The cell in words: "Care × Access > Waiting: 2 pairs of excerpts"."""
    if not data.paths:
        return ""
    n = data.counts[row][column]
    if row == column:
        return f"{data.paths[row]}: {n:,} excerpt{'' if n == 1 else 's'}"
    pairs = f"{n:,} pair{'' if n == 1 else 's'} of excerpts"
    return f"{data.paths[row]} × {data.paths[column]}: {pairs}"


def _number(count: int, diagonal: bool) -> Text:
    """A count, right-aligned: the diagonal (the row's excerpts) in italics, zeros dim."""
    style = "italic" if diagonal else "dim" if count == 0 else ""
    return Text(str(count), justify="right", style=style)


class CooccurrenceScreen(ExportsFiles):
    """Rows and columns are the same codes (or themes), in tree order; the row names
    stay in view while the table scrolls sideways."""

    CSS_PATH = "cooccurrence.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rows", "Codes/themes"),
        Binding("e", "export", "Export"),
    ]

    def __init__(self, rows: RowsKind = "codes") -> None:
        super().__init__()
        self.rows_kind: RowsKind = rows
        self.data: Cooccurrence | None = None
        self.table: CooccurrenceTable | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="caption")
        yield Static(id="cell")
        yield export_bar()
        yield DataTable(id="cooccurrence", cursor_type="cell", zebra_stripes=True, fixed_columns=1)
        yield StatusLine()
        yield Footer()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the matrix again in a worker; the one shown stays until it comes."""
        if self.data is None or self.data.rows_kind != self.rows_kind:
            self.query_one("#caption", Static).update(f"{self.rows_kind.capitalize()}  ·  reading…")
        self.run_in_thread(
            partial(cooccurrence, self.workbench.project, self.rows_kind),
            self._show,
            doing="reading the co-occurrence",
            group="cooccurrence",
        )

    def _show(self, data: Cooccurrence) -> None:
        """Lay ``data`` out; the cursor stays on the cell of the same two codes (or
        themes) when both are still there, else at the same place."""
        table = cooccurrence_table(data)
        widget = self.query_one(DataTable)
        place = kept_place(self.table, table, widget.cursor_coordinate)
        scrolled = widget.scroll_offset
        self.data, self.table = data, table
        widget.clear(columns=True)
        for index, column in enumerate(table.columns):
            label = column.header if index == 0 else short_name(column.header, HEADER_WIDTH)
            widget.add_column(Text(label, justify="right") if index else label, key=f"c{index}")
        for index, (row, depth) in enumerate(zip(table.rows, data.depths, strict=True)):
            label = "  " * depth + short_name(str(row.cells[0].value), LABEL_WIDTH)
            numbers = [_number(cell.count, j == index) for j, cell in enumerate(row.cells[1:])]
            widget.add_row(label, *numbers, key=f"r{index}")
        if table.rows:
            widget.move_cursor(row=place[0], column=max(place[1], 1))
            keep_scrolled(widget, scrolled.x, scrolled.y)
        empty = f"  ·  no {data.rows_kind} yet" if not table.rows else ""
        self.query_one("#caption", Static).update(f"{table.title}{empty}")
        self._describe()
        self.workbench.refresh_status()

    def _describe(self) -> None:
        widget = self.query_one(DataTable)
        text = ""
        if self.data is not None and self.data.paths:
            row, column = widget.cursor_coordinate
            text = describe(self.data, row, column - 1 if column else row)
        self.query_one("#cell", Static).update(text)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self._describe()

    def action_rows(self) -> None:
        self.rows_kind = "themes" if self.rows_kind == "codes" else "codes"
        self.reload()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.open_cell(event.coordinate.row, event.coordinate.column)

    def open_cell(self, row: int, column: int) -> None:
        """List the pairs behind one cell (the label column: the row's excerpts), read
        again whenever the list is shown."""
        data = self.data
        if data is None or not 0 <= row < len(data.paths):
            return
        x = data.paths[row]
        y = data.paths[column - 1] if column else x
        title = x if x == y else f"{x} × {y}"
        load = partial(cooccurrence_pairs, self.workbench.project, self.rows_kind, x, y)
        self.app.push_screen(PairListScreen(title, load, diagonal=x == y))

    def action_export(self) -> None:
        formats = ", ".join(COOCCURRENCE_FORMATS)
        project, rows_kind = self.workbench.project, self.rows_kind
        self.ask_export(
            "cooccurrence",
            f"Export the co-occurrence of {rows_kind} to a file ({formats})",
            "cooccurrence.csv",
            lambda answer: write_export(project, answer, rows_kind),
        )


def write_export(project: Project, answer: str, rows_kind: RowsKind) -> str:
    """Write the co-occurrence of ``rows_kind`` to the path typed; returns what was
    written, for a notice."""
    return exports.export_cooccurrence(project, Path(answer).expanduser(), rows_kind)


class PairListScreen(ItemListScreen[CooccurrencePair]):
    """The pairs of co-occurring excerpts behind a cell (on the diagonal, the
    excerpts themselves); Enter opens the reader at a pair."""

    CSS_PATH = "cooccurrence.tcss"
    COLUMNS = ("source", "how", "excerpt", "with")
    NOUN = "pair"
    TABLE_ID = "pairs"

    def __init__(
        self,
        title: str,
        pairs_loader: Callable[[], list[CooccurrencePair]],
        *,
        diagonal: bool = False,
    ) -> None:
        super().__init__(title, pairs_loader)
        self.noun = "excerpt" if diagonal else "pair"  # the diagonal lists excerpts

    @property
    def pairs(self) -> list[CooccurrencePair]:
        return self.items

    def _preview_width(self) -> int:
        """Each excerpt's share of the screen's width beside the source and how they
        meet, so that both are in view."""
        source = max((len(pair.source) for pair in self.items), default=0)
        others = max(source, len("source")) + len("overlap") + 4 * 2 + 2  # padding, scrollbar
        return max(MIN_PREVIEW, (self.size.width - others) // 2)

    def row(self, item: CooccurrencePair) -> tuple[str, tuple[str, ...]]:
        width = self._preview_width()
        second = "" if item.link == "same" else preview(item.second.text, width)
        key = f"{item.first.id}-{item.second.id}"
        return key, (item.source, item.link, preview(item.first.text, width), second)

    def open(self, item: CooccurrencePair) -> None:
        self.workbench.open_reader(item.source, min(item.first.start, item.second.start))
