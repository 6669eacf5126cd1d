"""A list of excerpts (a code's, a theme's, a matrix cell's); Enter opens the reader at one."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from cen_themes.results import ExcerptView
from cen_themes.tui.screens.base import WorkbenchScreen, refill
from cen_themes.tui.widgets.status import StatusLine

PREVIEW = 80
# Textual's DataTable measures every cell of every row it is given: the tens of
# thousands of excerpts of a top-level theme in a large project froze the workbench. A
# list shows the first LISTED and says how many there are; `cen-themes excerpts` gives all.
LISTED = 2_000
Item = TypeVar("Item")
# The codes before the text: a long text runs off the right edge, the codes stay in view.
COLUMNS = ("source", "offsets", "codes", "text")


def preview(text: str, width: int = PREVIEW) -> str:
    """The excerpt on one line, cut to ``width`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class ItemListScreen(WorkbenchScreen, Generic[Item]):
    """A list read by ``loader``, called on every reload in a thread (what it raises is
    a notification), so the list follows codings changed in the reader it opens: the
    first LISTED rows and how many there are in the title; Enter opens the reader at
    the highlighted one (:meth:`open`); Escape goes back.

    A subclass names its COLUMNS, the NOUN it counts, its TABLE_ID, and how an item
    becomes a row (:meth:`row`) and is opened."""

    COLUMNS: ClassVar[tuple[str, ...]]
    NOUN: ClassVar[str]
    TABLE_ID: ClassVar[str]

    def __init__(self, title: str, loader: Callable[[], list[Item]]) -> None:
        super().__init__()
        self.title_text = title
        self.loader = loader
        self.noun = self.NOUN
        self.items: list[Item] = []

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="title")
        yield DataTable(id=self.TABLE_ID, cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*self.COLUMNS)

    def on_screen_resume(self) -> None:
        # First shown, and again when the reader closes (its coding may have changed).
        self.reload()

    @property
    def highlighted(self) -> Item | None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row < 0:
            return None
        return self.items[min(table.cursor_row, len(self.items) - 1)]

    def reload(self) -> None:
        """Read the list in a worker: a large theme's take seconds, and the workbench
        stays live meanwhile (the rows shown stay until the new ones come). Only the
        latest read is shown: a slower earlier one is let go."""
        if not self.items:
            self.query_one("#title", Static).update(f"{self.title_text}  ·  reading…")
        self.run_in_thread(
            self.loader,
            self._show,
            doing=f"reading the {self.NOUN}s",
            group=self.TABLE_ID,
            failed=self._failed,
        )

    def _failed(self, _error: Exception) -> None:
        if not self.items:  # no longer "reading…"
            self.query_one("#title", Static).update(self.title_text)

    def distinct(self, found: list[Item]) -> list[Item]:
        """The items to list, each once."""
        return found

    def row(self, item: Item) -> tuple[str, tuple[str, ...]]:
        """An item's row: its key and its cells."""
        raise NotImplementedError

    def open(self, item: Item) -> None:
        raise NotImplementedError

    def _show(self, found: list[Item]) -> None:
        distinct = self.distinct(found)
        self.items = distinct[:LISTED]
        refill(self.query_one(DataTable), [self.row(item) for item in self.items])
        count = len(distinct)
        title = f"{self.title_text}  ·  {count:,} {self.noun}{'' if count == 1 else 's'}"
        if count > LISTED:
            title += f" (the first {LISTED:,} listed, in source order)"
        self.query_one("#title", Static).update(title)
        self.workbench.refresh_status()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.items:
            self.open(self.items[min(event.cursor_row, len(self.items) - 1)])


class ExcerptListScreen(ItemListScreen[ExcerptView]):
    """A code's, a theme's or a matrix cell's excerpts."""

    CSS_PATH = "excerpt_list.tcss"
    COLUMNS = COLUMNS
    NOUN = "excerpt"
    TABLE_ID = "excerpts"

    @property
    def excerpts(self) -> list[ExcerptView]:
        return self.items

    def distinct(self, found: list[ExcerptView]) -> list[ExcerptView]:
        return list({e.id: e for e in found}.values())  # rows are keyed by id

    def row(self, item: ExcerptView) -> tuple[str, tuple[str, ...]]:
        codes = ", ".join(item.codes)
        return str(item.id), (item.source, f"{item.start}-{item.end}", codes, preview(item.text))

    def open(self, item: ExcerptView) -> None:
        self.workbench.open_reader(item.source, item.start)
