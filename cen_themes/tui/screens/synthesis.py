"""A synthesis's views, from the sources screen: the evidence map (`v`) and saturation
(`s`), each the table its export or command gives, read again when the project changes.

Evidence map: `r` and `c` step the attribute down the side and across the top through
the attributes the sources have; `e` exports it. Saturation: one line per source in the
order first coded, the new codes as a bar; `b` switches to one series per theme.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from cen_themes.errors import CenThemesError
from cen_themes.exporters.tables import TABLE_FORMATS
from cen_themes.results.synthesis import EvidenceMap, SaturationPoint
from cen_themes.services import synthesis
from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.exporting import ExportsFiles, export_bar
from cen_themes.tui.widgets.status import StatusLine

BAR = "█"
BAR_WIDTH = 30  # the longest bar, in cells


def step(keys: list[str], current: str | None, avoid: str | None = None) -> str | None:
    """The next key after ``current`` (the first when there is none), skipping
    ``avoid`` when another key is left."""
    if not keys:
        return None
    start = keys.index(current) + 1 if current in keys else 0
    for offset in range(len(keys)):
        key = keys[(start + offset) % len(keys)]
        if key != avoid or len(keys) == 1:
            return key
    return None


class EvidenceMapScreen(ExportsFiles):
    CSS_PATH = "synthesis.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rows", "Rows attribute"),
        Binding("c", "cols", "Columns attribute"),
        Binding("e", "export", "Export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows_attr: str | None = None
        self.cols_attr: str | None = None
        self.shown: EvidenceMap | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="caption")
        yield export_bar()
        yield DataTable(id="map", cursor_type="cell", zebra_stripes=True)
        yield Static(id="note")
        yield StatusLine()
        yield Footer()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        project = self.workbench.project
        try:
            keys = synthesis.attribute_keys(project)
            if self.rows_attr not in keys:
                self.rows_attr = step(keys, None)
            if self.cols_attr not in keys:
                self.cols_attr = step(keys, self.rows_attr, avoid=self.rows_attr)
            found = (
                synthesis.evidence_map(project, self.rows_attr, self.cols_attr)
                if self.rows_attr is not None and self.cols_attr is not None
                else None
            )
        except CenThemesError as exc:
            self.report(exc)
            return
        self.shown = found
        self._show(found)

    def _show(self, found: EvidenceMap | None) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        caption = self.query_one("#caption", Static)
        note = self.query_one("#note", Static)
        if found is None:
            caption.update("Evidence map: no source has attributes yet (attrs set, attrs import)")
            note.update("")
            self.workbench.refresh_status()
            return
        caption.update(f"Evidence map: sources by {found.rows_attr} (r) and {found.cols_attr} (c)")
        table.add_column(found.rows_attr, key="label")
        for index, value in enumerate(found.col_values):
            table.add_column(Text(value, justify="right"), key=f"c{index}")
        table.add_column(Text("Total", justify="right"), key="total")
        for value, counts, total in zip(
            found.row_values, found.counts, found.row_totals, strict=True
        ):
            table.add_row(value, *(_number(n) for n in counts), _number(total, bold=True))
        table.add_row(
            Text("Total", style="bold"),
            *(_number(n, bold=True) for n in found.col_totals),
            _number(found.total, bold=True),
        )
        note.update(
            "A source listing several values ('a; b') counts under each; totals count "
            "each source once."
        )
        self.workbench.refresh_status()

    def action_rows(self) -> None:
        keys = synthesis.attribute_keys(self.workbench.project)
        self.rows_attr = step(keys, self.rows_attr)
        self.reload()

    def action_cols(self) -> None:
        keys = synthesis.attribute_keys(self.workbench.project)
        self.cols_attr = step(keys, self.cols_attr)
        self.reload()

    def action_export(self) -> None:
        if self.rows_attr is None or self.cols_attr is None:
            self.notify("no attributes to map yet", severity="warning")
            return
        project, rows, cols = self.workbench.project, self.rows_attr, self.cols_attr
        self.ask_export(
            "evidence map",
            f"Export the evidence map to a file ({', '.join(TABLE_FORMATS)})",
            "evidence-map.xlsx",
            lambda answer: synthesis.export_evidence_map(
                project, Path(answer).expanduser(), rows, cols
            ),
        )


def _number(n: int, bold: bool = False) -> Text:
    return Text(str(n), justify="right", style="bold" if bold else "")


class SaturationScreen(WorkbenchScreen):
    CSS_PATH = "synthesis.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "by", "By source/theme"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by = "source"
        self.points: list[SaturationPoint] = []

    def compose(self) -> ComposeResult:
        yield Static(id="caption")
        yield DataTable(id="saturation", cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        try:
            self.points = synthesis.saturation(self.workbench.project, self.by)
        except CenThemesError as exc:
            self.report(exc)
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        by_theme = self.by == "theme"
        if by_theme:
            table.add_column("theme", key="theme")
        table.add_column(Text("#", justify="right"), key="order")
        table.add_column("source", key="source")
        table.add_column(Text("new", justify="right"), key="new")
        table.add_column(Text("total", justify="right"), key="total")
        table.add_column("new codes", key="bar")
        widest = max((p.new_codes for p in self.points), default=0) or 1
        scale = min(1.0, BAR_WIDTH / widest)
        for point in self.points:
            cells: list[Text | str] = [point.theme or ""] if by_theme else []
            cells += [
                _number(point.order),
                point.source,
                _number(point.new_codes),
                _number(point.total_codes),
                Text(BAR * round(point.new_codes * scale), style="bold"),
            ]
            table.add_row(*cells)
        steps = len({p.order for p in self.points})
        last = [p for p in self.points if p.order == steps]
        self.query_one("#caption", Static).update(
            "Saturation: nothing is coded yet"
            if not self.points
            else f"Saturation {'per theme' if by_theme else 'over the sources'} (b switches): "
            f"{steps} sources coded, "
            + (
                f"{last[0].total_codes} codes met"
                if not by_theme
                else f"{len({p.theme for p in self.points})} themes"
            )
        )
        self.workbench.refresh_status()

    def action_by(self) -> None:
        self.by = "theme" if self.by == "source" else "source"
        self.reload()
