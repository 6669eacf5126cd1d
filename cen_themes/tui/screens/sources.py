"""The first screen: every source in import order; Enter opens one in the reader."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer

from cen_themes.errors import CenThemesError
from cen_themes.services import sources
from cen_themes.tui.screens.base import WorkbenchScreen, refill
from cen_themes.tui.widgets.status import StatusLine

COLUMNS = ("name", "kind", "words", "segments", "excerpts", "attributes")


class SourcesScreen(WorkbenchScreen):
    CSS_PATH = "sources.tcss"

    def compose(self) -> ComposeResult:
        yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)

    def on_screen_resume(self) -> None:
        # Sent when the screen is first shown and each time the reader closes.
        self.reload()

    def reload(self) -> None:
        """Read the sources again (counts change as the reader codes)."""
        try:
            found = sources.list_sources(self.workbench.project)
        except CenThemesError as exc:
            self.report(exc)
            return
        rows = [
            (
                source.name,
                (
                    source.name,
                    source.kind,
                    source.words,
                    source.segments,
                    source.excerpts,
                    ", ".join(f"{k}={v}" for k, v in sorted(source.attributes.items())),
                ),
            )
            for source in found
        ]
        refill(self.query_one(DataTable), rows)
        self.workbench.refresh_status()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.workbench.open_reader(event.row_key.value)
