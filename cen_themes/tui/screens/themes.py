"""The themes: each theme with its own codes and what it rolls up; keys add, rename,
nest, and assign or unassign codes; the highlighted theme's memos under the table (n
writes one); Enter shows a theme's excerpts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from cen_themes.errors import CenThemesError
from cen_themes.results import MemoInfo, ThemeInfo
from cen_themes.services import analysis, codebook, memos, themes
from cen_themes.services.themes import ThemeChange
from cen_themes.tui.screens.base import WorkbenchScreen, refill
from cen_themes.tui.screens.dialogs import ChooseOne, TextPrompt
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen
from cen_themes.tui.widgets.memo_panel import MemoPanel, by_target
from cen_themes.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from cen_themes.db import Project

TOP_LEVEL = "(top level)"


def _right(n: int) -> Text:
    return Text(str(n), justify="right")


def is_inside(path: str, ancestor: str) -> bool:
    """Whether theme ``path`` is ``ancestor`` or one of its subthemes."""
    return path == ancestor or path.startswith(f"{ancestor} > ")


def _indexed(labels: list[str]) -> list[tuple[str, int]]:
    """Choices whose value is their position in ``labels``."""
    return [(label, i) for i, label in enumerate(labels)]


class ThemesScreen(WorkbenchScreen):
    """The theme tree as indented rows, keyed by theme path."""

    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("enter", "list the highlighted theme's excerpts"),
    ]

    CSS_PATH = "themes.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add"),
        Binding("s", "add_sub", "Subtheme"),
        Binding("r", "rename", "Rename"),
        Binding("plus", "assign", "Assign", key_display="+"),
        Binding("minus", "unassign", "Unassign", key_display="-"),
        Binding("g", "cerqual", "CERQual"),
        Binding("N", "nest", "Nest", key_display="N", show=False),
        Binding("n", "memo", "Memo", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.themes: list[ThemeInfo] = []
        self.memos: dict[str, list[MemoInfo]] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="caption")
        yield DataTable(id="themes", cursor_type="row", zebra_stripes=True)
        yield MemoPanel()
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("theme", key="theme")
        table.add_column("codes", key="codes")
        table.add_column(Text("excerpts", justify="right"), key="excerpts")
        table.add_column(Text("sources", justify="right"), key="sources")

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def highlighted(self) -> ThemeInfo | None:
        """The theme under the cursor, if any."""
        if not self.themes:
            return None
        row = self.query_one(DataTable).cursor_row
        return self.themes[row] if 0 <= row < len(self.themes) else None

    def reload(self, keep: str | None = None) -> None:
        """Read the themes again; keep the cursor on ``keep``, else on the same path."""
        try:
            found = themes.list_themes(self.workbench.project)
            self.memos = by_target(memos.list_memos(self.workbench.project, on="theme"))
        except CenThemesError as exc:
            self.report(exc)
            return
        self.themes = found
        rows = [
            (
                info.path,
                (
                    "  " * info.depth + info.name,
                    ", ".join(info.codes),
                    _right(info.excerpts),
                    _right(info.sources),
                ),
            )
            for info in found
        ]
        refill(self.query_one(DataTable), rows, keep)
        self.show_memos()
        caption = f"{len(found)} theme{'' if len(found) == 1 else 's'}"
        if not found:
            caption += "  ·  press a to add one"
        self.query_one("#caption", Static).update(caption)
        self.workbench.refresh_status()

    def show_memos(self) -> None:
        """The highlighted theme's memos, under the table."""
        info = self.highlighted
        what = None if info is None else f"theme {info.path}"
        self.query_one(MemoPanel).show(what, self.memos.get(info.path, []) if info else [])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_memos()

    def _change(self, do: Callable[[], ThemeChange]) -> None:
        """Make a change through the services, say what it did, and show the result."""
        try:
            change = do()
        except CenThemesError as exc:
            self.report(exc)
            return
        self.notify(change.summary)
        self.reload(keep=change.path)

    def _need_theme(self) -> ThemeInfo | None:
        info = self.highlighted
        if info is None:
            self.notify("no theme highlighted; press a to add one", severity="warning")
        return info

    def action_add(self) -> None:
        def done(name: str | None) -> None:
            if name is not None:
                self._change(lambda: themes.add_theme(self.project, name, coder=self.coder))

        self.app.push_screen(TextPrompt("New theme name", placeholder="theme"), done)

    def action_add_sub(self) -> None:
        parent = self._need_theme()
        if parent is None:
            return

        def done(name: str | None) -> None:
            if name is not None:
                self._change(
                    lambda: themes.add_theme(
                        self.project, name, coder=self.coder, parent=parent.path
                    )
                )

        self.app.push_screen(TextPrompt(f"New subtheme of {parent.path}"), done)

    def action_rename(self) -> None:
        info = self._need_theme()
        if info is None:
            return

        def done(name: str | None) -> None:
            if name is not None and name != info.name:
                self._change(
                    lambda: themes.rename_theme(self.project, info.path, name, coder=self.coder)
                )

        self.app.push_screen(TextPrompt(f"Rename {info.path}", value=info.name), done)

    def action_memo(self) -> None:
        info = self._need_theme()
        if info is not None:
            self.write_memo("theme", info.path)

    def action_nest(self) -> None:
        info = self._need_theme()
        if info is None:
            return
        targets = [t.path for t in self.themes if not is_inside(t.path, info.path)]
        choices = [TOP_LEVEL, *targets]

        def done(index: int | None) -> None:
            if index is None:
                return
            parent = None if index == 0 else targets[index - 1]
            self._change(
                lambda: themes.move_theme(self.project, info.path, parent, coder=self.coder)
            )

        self.app.push_screen(ChooseOne(f"Move {info.path} under", _indexed(choices)), done)

    def action_assign(self) -> None:
        info = self._need_theme()
        if info is None:
            return
        try:
            codes = [
                c.path
                for c in codebook.list_codes(self.project, usage=False)
                if c.path not in info.codes
            ]
        except CenThemesError as exc:
            self.report(exc)
            return
        if not codes:
            self.notify("no code left to assign; code some text in the reader first")
            return

        def done(index: int | None) -> None:
            if index is not None:
                self._change(
                    lambda: themes.assign_codes(
                        self.project, info.path, [codes[index]], coder=self.coder
                    )
                )

        self.app.push_screen(
            ChooseOne(f"Assign a code to {info.path}", _indexed(codes), filtered=True), done
        )

    def action_unassign(self) -> None:
        info = self._need_theme()
        if info is None:
            return
        if not info.codes:
            self.notify(f"theme {info.path} has no codes of its own")
            return
        codes = list(info.codes)

        def done(index: int | None) -> None:
            if index is not None:
                self._change(
                    lambda: themes.unassign_codes(
                        self.project, info.path, [codes[index]], coder=self.coder
                    )
                )

        self.app.push_screen(ChooseOne(f"Unassign a code from {info.path}", _indexed(codes)), done)

    def action_cerqual(self) -> None:
        """The highlighted theme's GRADE-CERQual assessment."""
        from cen_themes.tui.screens.cerqual import CerqualScreen

        info = self._need_theme()
        if info is not None:
            self.app.push_screen(CerqualScreen(info.id, info.path))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        path = event.row_key.value
        if path is None:
            return
        project = self.project
        self.app.push_screen(
            ExcerptListScreen(
                f"Excerpts theme {path} brings",
                lambda: analysis.find_excerpts(project, theme=path),
            )
        )

    @property
    def project(self) -> Project:
        return self.workbench.project

    @property
    def coder(self) -> str:
        return self.workbench.coder
