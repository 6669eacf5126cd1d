"""The first screen: every source in import order, how much of each is coded, a filter
by name or attribute, the highlighted source's memos under the table (n writes one);
Enter opens the highlighted source in the reader; `v` shows the evidence map of the
sources' attributes and `s` saturation."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Input

from cen_themes.errors import CenThemesError
from cen_themes.results import MemoInfo
from cen_themes.services import memos, sources
from cen_themes.services.sources import SourceSummary
from cen_themes.tui.screens.base import WorkbenchScreen, highlighted_key, refill
from cen_themes.tui.widgets.memo_panel import MemoPanel, by_target
from cen_themes.tui.widgets.status import StatusLine

COLUMNS = ("name", "kind", "words", "segments", "excerpts", "coded", "memos", "attributes")
NOT_YET = "…"  # the coded share, until the worker has counted it


def matches(source: SourceSummary, words: list[str]) -> bool:
    """Whether every word of the filter is in the source's name, kind or one of its
    attributes written ``key=value`` (case ignored)."""
    fields = [source.name, source.kind, *(f"{k}={v}" for k, v in source.attributes.items())]
    haystack = "\n".join(fields).casefold()
    return all(word in haystack for word in words)


class SourcesScreen(WorkbenchScreen):
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("enter", "open the highlighted source in the reader"),
        ("up/down", "move through the sources"),
    ]
    CSS_PATH = "sources.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "filter", "Filter"),
        Binding("slash", "app.search", "Search", key_display="/"),
        Binding("k", "app.codebook", "Codebook"),
        Binding("t", "app.themes", "Themes"),
        Binding("m", "app.matrix", "Matrix"),
        Binding("q", "app.quit", "Quit"),
        Binding("n", "memo", "Memo", show=False),
        Binding("v", "evidence_map", "Evidence map", show=False),
        Binding("s", "saturation", "Saturation", show=False),
        Binding("R", "app.reconcile", "Reconcile coders", key_display="R", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[SourceSummary] = []
        self.shares: dict[str, float] = {}
        self.memos: dict[str, list[MemoInfo]] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder="f: filter by name or attribute (group=staff)", id="filter")
        yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield MemoPanel()
        yield StatusLine()
        yield Footer()

    @property
    def table(self) -> DataTable[object]:
        return self.query_one("#sources", DataTable)

    @property
    def filter_words(self) -> list[str]:
        return self.query_one("#filter", Input).value.casefold().split()

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.table.focus()

    def on_screen_resume(self) -> None:
        # Sent when the screen is first shown and each time the reader closes.
        self.reload()

    def reload(self) -> None:
        """Read the sources again (counts change as the reader codes); the coded
        shares follow from a worker, so that a large project opens at once."""
        try:
            self.found = sources.list_sources(self.workbench.project)
            self.memos = by_target(memos.list_memos(self.workbench.project, on="source"))
        except CenThemesError as exc:
            self.report(exc)
            return
        self.show()
        self.workbench.refresh_status()
        # counted once the list is on the screen: a large project's count would
        # otherwise share the processor with drawing it
        self.call_after_refresh(self.count_coded)
        self.workbench.warm_up_soon(highlighted_key(self.table))

    def show(self, first: bool = False) -> None:
        """Fill the table with the sources the filter keeps; with ``first``, the first
        of them highlighted (a new filter), else the one highlighted before."""
        words = self.filter_words
        rows = [
            (
                source.name,
                (
                    source.name,
                    source.kind,
                    source.words,
                    source.segments,
                    source.excerpts,
                    self._share(source.name),
                    len(self.memos.get(source.name, ())),
                    ", ".join(f"{k}={v}" for k, v in sorted(source.attributes.items())),
                ),
            )
            for source in self.found
            if matches(source, words)
        ]
        refill(self.table, rows, rows[0][0] if first and rows else None)
        self.show_memos()

    def show_memos(self) -> None:
        """The highlighted source's memos, under the table."""
        name = highlighted_key(self.table)
        what = None if name is None else f"source {name}"
        self.query_one(MemoPanel).show(what, self.memos.get(name or "", []))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_memos()

    def _share(self, name: str) -> str:
        share = self.shares.get(name)
        if share is None:
            return NOT_YET
        return "0%" if share == 0 else f"{share:.1%}" if share < 0.1 else f"{share:.0%}"

    def count_coded(self) -> None:
        """The coded shares, counted in a worker; a newer count replaces an older one."""
        self.run_in_thread(
            partial(sources.coded_shares, self.workbench.project),
            self._show_shares,
            doing="counting the coded shares",
            group="coded",
        )

    def _show_shares(self, shares: dict[str, float]) -> None:
        self.shares = shares
        column = self.table.ordered_columns[COLUMNS.index("coded")].key
        for row_key in list(self.table.rows):
            if row_key.value is not None:
                self.table.update_cell(row_key, column, self._share(row_key.value))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show(first=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":  # otherwise Escape is the app's (back)
            box = self.query_one("#filter", Input)
            return bool(box.value) or box.has_focus
        return True

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.table.focus()

    def action_evidence_map(self) -> None:
        from cen_themes.tui.screens.synthesis import EvidenceMapScreen

        self.app.push_screen(EvidenceMapScreen())

    def action_saturation(self) -> None:
        from cen_themes.tui.screens.synthesis import SaturationScreen

        self.app.push_screen(SaturationScreen())

    def action_memo(self) -> None:
        name = highlighted_key(self.table)
        if name is None:
            self.notify("No source highlighted to write a memo on", severity="warning")
            return
        self.write_memo("source", name)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.workbench.open_reader(event.row_key.value)
