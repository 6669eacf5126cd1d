"""The reader: a source verbatim, coded spans shaded, and one key to code a selection."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, TextArea

from cen_themes.errors import CenThemesError, NotFoundError
from cen_themes.services import analysis, codebook, coding
from cen_themes.services.results import CodeInfo, ExcerptView
from cen_themes.services.sources import SourceDetail
from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.code_picker import CodePicker
from cen_themes.tui.screens.dialogs import ChooseOne
from cen_themes.tui.widgets.coded_text import CodedTextArea, shade
from cen_themes.tui.widgets.status import StatusLine


class ReaderScreen(WorkbenchScreen):
    CSS_PATH = "reader.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "code", "Code selection"),
        Binding("x", "uncode", "Remove coding"),
    ]

    def __init__(
        self, detail: SourceDetail, cursor: int = 0, selection_end: int | None = None
    ) -> None:
        super().__init__()
        self.detail = detail
        self.cursor = cursor
        self.selection_end = selection_end  # select [cursor, selection_end) on opening
        self.source = detail.name
        self.text = detail.text
        self.excerpts: list[ExcerptView] = []
        self.codes: dict[str, CodeInfo] = {}

    def compose(self) -> ComposeResult:
        detail = self.detail
        yield Static(f"{detail.name}  ({detail.kind})", id="title")
        with Horizontal():
            yield CodedTextArea(detail.text, id="text")
            with VerticalScroll(id="side"):
                yield Static("Codes here", classes="heading")
                yield Static("", id="here")
        yield StatusLine()
        yield Footer()

    @property
    def text_area(self) -> CodedTextArea:
        return self.query_one(CodedTextArea)

    def on_mount(self) -> None:
        self.text_area.move_cursor(self.text_area.lines.location(self.cursor), center=True)
        if self.selection_end is not None:
            end = self.text_area.lines.location(self.selection_end)
            self.text_area.move_cursor(end, select=True, center=True)
        self.text_area.focus()
        self.reload()

    def reload(self) -> None:
        """Read this source's excerpts and the codebook once, then shade and list."""
        project = self.workbench.project
        try:
            self.excerpts = analysis.find_excerpts(project, source=self.source)
            self.codes = {c.path: c for c in codebook.list_codes(project, usage=False)}
        except NotFoundError as exc:  # the source is gone (its import was undone)
            self.report(exc)
            self.dismiss()
            return
        except CenThemesError as exc:
            self.report(exc)
            return
        self.text_area.set_spans(
            (e.start, e.end, self._colour(e.codes[0] if e.codes else "")) for e in self.excerpts
        )
        self._show_codes_here()
        self.workbench.refresh_status()

    def _colour(self, path: str) -> str:
        code = self.codes.get(path)
        return code.color if code else ""

    def codes_at(self, offset: int) -> list[str]:
        """The code paths of every excerpt that covers the character at ``offset``."""
        found: list[str] = []
        for excerpt in self.excerpts:
            if excerpt.start <= offset < excerpt.end:
                found.extend(path for path in excerpt.codes if path not in found)
        return found

    def _show_codes_here(self) -> None:
        lines = Text()
        for path in self.codes_at(self.text_area.cursor_offset()):
            lines.append("  ", style=shade(self._colour(path)))
            lines.append(f" {path}\n")
        self.query_one("#here", Static).update(lines or Text("(none)", style="dim"))

    def on_text_area_selection_changed(self, _event: TextArea.SelectionChanged) -> None:
        self._show_codes_here()

    def action_code(self) -> None:
        start, end = self.text_area.selected_offsets()
        if start == end:
            self.notify("Select some text first (shift+arrows or the mouse)", severity="warning")
            return
        picker = CodePicker(list(self.codes.values()), self.text[start:end])

        def apply(code: str | None) -> None:
            if code is not None:
                self.apply_code(start, end, code)

        self.app.push_screen(picker, apply)

    def apply_code(self, start: int, end: int, code: str) -> None:
        try:
            result = coding.apply_code(
                self.workbench.project, self.source, start, end, code, coder=self.workbench.coder
            )
        except CenThemesError as exc:
            self.report(exc)
            return
        created = f" (new code: {', '.join(result.created_codes)})" if result.created_codes else ""
        note = "coded" if result.added else "already coded"
        self.notify(f"{note} {start}-{end} with {code}{created}")
        self.reload()

    def excerpts_at(self, offset: int) -> list[ExcerptView]:
        return [e for e in self.excerpts if e.start <= offset < e.end]

    def action_uncode(self) -> None:
        """Remove a coding at the cursor, asking which when there are several."""
        offset = self.text_area.cursor_offset()
        choices = [
            (f"{path}  ({e.start}-{e.end})", (e.start, e.end, path))
            for e in self.excerpts_at(offset)
            for path in e.codes
        ]
        if not choices:
            self.notify("No coding at the cursor", severity="warning")
            return
        if len(choices) == 1:
            self.remove_coding(*choices[0][1])
            return

        def chosen(choice: tuple[int, int, str] | None) -> None:
            if choice is not None:
                self.remove_coding(*choice)

        self.app.push_screen(ChooseOne("Remove which coding?", choices), chosen)

    def remove_coding(self, start: int, end: int, code: str) -> None:
        try:
            summary = coding.remove_coding(
                self.workbench.project, self.source, start, end, code, coder=self.workbench.coder
            )
        except CenThemesError as exc:
            self.report(exc)
            return
        self.notify(summary)
        self.reload()
