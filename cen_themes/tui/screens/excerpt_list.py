"""A list of excerpts (a code's, a theme's, a matrix cell's); Enter opens the reader at one."""

from __future__ import annotations

from collections.abc import Callable

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
# The codes before the text: a long text runs off the right edge, the codes stay in view.
COLUMNS = ("source", "offsets", "codes", "text")


def preview(text: str, width: int = PREVIEW) -> str:
    """The excerpt on one line, cut to ``width`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class ExcerptListScreen(WorkbenchScreen):
    """``excerpts_loader`` is called on every reload, in a thread (what it raises is a
    notification), so the list follows codings changed in the reader it opens; Escape
    goes back."""

    CSS_PATH = "excerpt_list.tcss"

    def __init__(self, title: str, excerpts_loader: Callable[[], list[ExcerptView]]) -> None:
        super().__init__()
        self.title_text = title
        self.excerpts_loader = excerpts_loader
        self.excerpts: list[ExcerptView] = []

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="title")
        yield DataTable(id="excerpts", cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)

    def on_screen_resume(self) -> None:
        # First shown, and again when the reader closes (its coding may have changed).
        self.reload()

    @property
    def highlighted(self) -> ExcerptView | None:
        table = self.query_one(DataTable)
        if not self.excerpts or table.cursor_row < 0:
            return None
        return self.excerpts[min(table.cursor_row, len(self.excerpts) - 1)]

    def reload(self) -> None:
        """Read the excerpts in a worker: a large theme's take seconds, and the
        workbench stays live meanwhile (the rows shown stay until the new ones come).
        Only the latest read is shown: a slower earlier one is let go."""
        if not self.excerpts:
            self.query_one("#title", Static).update(f"{self.title_text}  ·  reading…")
        self.run_in_thread(
            self.excerpts_loader,
            self._show,
            doing="reading the excerpts",
            group="excerpts",
            failed=self._failed,
        )

    def _failed(self, _error: Exception) -> None:
        if not self.excerpts:  # no longer "reading…"
            self.query_one("#title", Static).update(self.title_text)

    def _show(self, found: list[ExcerptView]) -> None:
        distinct = list({e.id: e for e in found}.values())  # rows are keyed by id
        self.excerpts = distinct[:LISTED]
        rows = [
            (
                str(excerpt.id),
                (
                    excerpt.source,
                    f"{excerpt.start}-{excerpt.end}",
                    ", ".join(excerpt.codes),
                    preview(excerpt.text),
                ),
            )
            for excerpt in self.excerpts
        ]
        refill(self.query_one(DataTable), rows)
        count = len(distinct)
        title = f"{self.title_text}  ·  {count:,} excerpt{'' if count == 1 else 's'}"
        if count > LISTED:
            title += f" (the first {LISTED:,} listed, in source order)"
        self.query_one("#title", Static).update(title)
        self.workbench.refresh_status()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if not self.excerpts:
            return
        excerpt = self.excerpts[min(event.cursor_row, len(self.excerpts) - 1)]
        self.workbench.open_reader(excerpt.source, excerpt.start)
