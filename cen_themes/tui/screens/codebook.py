"""The codebook: the code tree with colours and counts; add, rename, recolour, merge,
delete; the highlighted code's memos under the table (n writes one); S suggests uncoded
segments like the highlighted code's excerpts."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from cen_themes.errors import CenThemesError
from cen_themes.results import CodeInfo, MemoInfo
from cen_themes.services import analysis, codebook, memos
from cen_themes.services.codebook import CodeChange
from cen_themes.tui.screens.base import WorkbenchScreen, refill
from cen_themes.tui.screens.dialogs import Confirm, TextPrompt
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen
from cen_themes.tui.screens.suggestions import SuggestionsScreen
from cen_themes.tui.widgets.coded_text import shade
from cen_themes.tui.widgets.memo_panel import MemoPanel, by_target
from cen_themes.tui.widgets.status import StatusLine

MARK = "●"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def subtree(codes: list[CodeInfo], path: str) -> list[CodeInfo]:
    """The code at ``path`` and every code below it."""
    return [c for c in codes if c.path == path or c.path.startswith(path + " > ")]


def usage(codes: list[CodeInfo], path: str) -> tuple[int, int, int, int]:
    """(excerpts, sources, themes, child codes) of a code with its children; the
    excerpt and source counts add up each code's own, so overlaps count twice."""
    below = subtree(codes, path)
    themes = {theme for code in below for theme in code.themes}
    return (
        sum(c.excerpts for c in below),
        sum(c.sources for c in below),
        len(themes),
        len(below) - 1,
    )


class CodebookScreen(WorkbenchScreen):
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("enter", "list the highlighted code's excerpts"),
    ]
    CSS_PATH = "codebook.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add"),
        Binding("r", "rename", "Rename"),
        Binding("space", "mark", "Mark"),
        Binding("M", "merge", "Merge", key_display="M"),
        Binding("d", "delete", "Delete"),
        Binding("S", "suggest", "Suggest", key_display="S"),
        Binding("n", "memo", "Memo", show=False),
        Binding("o", "recolour", "Colour", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[CodeInfo] = []
        self.marked: set[str] = set()
        self.memos: dict[str, list[MemoInfo]] = {}

    def compose(self) -> ComposeResult:
        yield Static("Codebook", id="title")
        yield DataTable(id="codes", cursor_type="row", zebra_stripes=True)
        yield MemoPanel()
        yield StatusLine()
        yield Footer()

    @property
    def table(self) -> DataTable[object]:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_column("", key="mark", width=1)
        table.add_column("", key="colour", width=2)
        table.add_column("code", key="code")
        table.add_column("excerpts", key="excerpts")
        table.add_column("sources", key="sources")
        table.add_column("themes", key="themes")

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def highlighted(self) -> CodeInfo | None:
        """The code under the cursor, if there are any codes."""
        if not self.codes:
            return None
        row = self.table.cursor_row
        return self.codes[min(max(row, 0), len(self.codes) - 1)]

    def reload(self, keep: str | None = None) -> None:
        """Read the codebook again; the cursor stays on ``keep`` (else the highlighted
        code's path) when that code still exists, else on the same row."""
        try:
            found = codebook.list_codes(self.workbench.project)
            self.memos = by_target(memos.list_memos(self.workbench.project, on="code"))
        except CenThemesError as exc:
            self.report(exc)
            return
        self.codes = found
        self.marked &= {code.path for code in found}
        refill(self.table, [(code.path, self._cells(code)) for code in found], keep)
        self.show_memos()
        self.workbench.refresh_status()

    def show_memos(self) -> None:
        """The highlighted code's memos, under the table."""
        code = self.highlighted
        what = None if code is None else f"code {code.path}"
        self.query_one(MemoPanel).show(what, self.memos.get(code.path, []) if code else [])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_memos()

    def _cells(self, code: CodeInfo) -> tuple[Text, Text, Text, int, int, str]:
        marked = code.path in self.marked
        name = Text("  " * code.depth + code.name, style="bold reverse" if marked else "")
        return (
            Text(MARK if marked else " ", style="bold"),
            Text("  ", style=shade(code.color)),
            name,
            code.excerpts,
            code.sources,
            ", ".join(code.themes),
        )

    def _need_code(self) -> CodeInfo | None:
        code = self.highlighted
        if code is None:
            self.notify("The codebook is empty: a adds a code", severity="warning")
        return code

    def _change(self, action: str, *args: object, **kwargs: object) -> CodeChange | None:
        """Call a codebook service with the project and coder; errors become notices."""
        service = getattr(codebook, action)
        try:
            change: CodeChange = service(
                self.workbench.project, *args, coder=self.workbench.coder, **kwargs
            )
        except CenThemesError as exc:
            self.report(exc)
            return None
        self.notify(change.summary)
        self.reload(keep=change.path)
        return change

    def action_add(self) -> None:
        code = self.highlighted
        value = f"{code.path} > " if code else ""

        def create(path: str | None) -> None:
            if path is not None:
                self._change("create_code", path)

        self.app.push_screen(
            TextPrompt("New code (a path; ' > ' separates levels):", value), create
        )

    def action_memo(self) -> None:
        code = self._need_code()
        if code is not None:
            self.write_memo("code", code.path)

    def action_rename(self) -> None:
        code = self._need_code()
        if code is None:
            return
        path = code.path

        def rename(name: str | None) -> None:
            if name is not None:
                self._change("rename_code", path, name)

        self.app.push_screen(TextPrompt(f"Rename {path} to:", code.name), rename)

    def action_recolour(self) -> None:
        code = self._need_code()
        if code is None:
            return
        path = code.path

        def recolour(colour: str | None) -> None:
            if colour is not None:
                self._change("colour_code", path, colour)

        self.app.push_screen(
            TextPrompt(f"Colour for {path} (#rrggbb or a name such as teal):", code.color),
            recolour,
        )

    def action_mark(self) -> None:
        code = self._need_code()
        if code is None:
            return
        self.marked ^= {code.path}
        for column, value in zip(("mark", "colour", "code"), self._cells(code)[:3], strict=True):
            self.table.update_cell(code.path, column, value)
        self.notify(f"{_plural(len(self.marked), 'code')} marked for merging")

    def action_merge(self) -> None:
        target = self._need_code()
        if target is None:
            return
        merged = [c.path for c in self.codes if c.path in self.marked and c.path != target.path]
        if not merged:
            self.notify(
                "Mark codes with space, then press M on the code to merge them into",
                severity="warning",
            )
            return
        moving = sum(c.excerpts for c in self.codes if c.path in merged)
        message = (
            f"Merge {', '.join(merged)} into {target.path}?\n"
            f"Their {_plural(moving, 'excerpt')} will be coded {target.path} instead; "
            f"children, theme assignments and memos move too, and "
            f"{'the merged code is' if len(merged) == 1 else 'the merged codes are'} deleted."
        )
        into = target.path

        def merge(confirmed: bool | None) -> None:
            if confirmed and self._change("merge_codes", merged, into) is not None:
                self.marked.clear()
                self.reload(keep=into)

        self.app.push_screen(Confirm(message, "Merge"), merge)

    def action_delete(self) -> None:
        code = self._need_code()
        if code is None:
            return
        path = code.path
        excerpts, sources, themes, children = usage(self.codes, path)
        in_use = bool(excerpts or themes)
        if in_use:
            with_children = f", with {_plural(children, 'child code')}" if children else ""
            message = (
                f"{path} is in use: coded on {_plural(excerpts, 'excerpt')} in "
                f"{_plural(sources, 'source')}, assigned to {_plural(themes, 'theme')}"
                f"{with_children}.\n"
                "Delete it with all its codings and theme assignments?"
            )
        else:
            extra = f" and its {_plural(children, 'child code')}" if children else ""
            message = f"Delete the unused code {path}{extra}?"

        def delete(confirmed: bool | None) -> None:
            if confirmed:
                self._change("delete_code", path, force=in_use)

        self.app.push_screen(Confirm(message, "Delete"), delete)

    def action_suggest(self) -> None:
        """Uncoded segments like the highlighted code's excerpts, to accept or reject."""
        code = self._need_code()
        if code is None:
            return
        if not code.excerpts:
            self.notify(
                f"{code.path} has no excerpts yet: code a few passages with it, then S "
                "suggests more like them",
                severity="warning",
            )
            return
        self.app.push_screen(SuggestionsScreen(code.path))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        path = event.row_key.value
        if path is None:
            return
        project = self.workbench.project
        self.app.push_screen(
            ExcerptListScreen(
                f"Excerpts coded {path}", lambda: analysis.find_excerpts(project, code=path)
            )
        )
