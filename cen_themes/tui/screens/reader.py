"""The reader: a source verbatim, coded spans shaded, one key to code a selection, the
sentence or the speaker turn at the cursor, and a memo on the excerpt at the cursor."""

from __future__ import annotations

import gc
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, TextArea
from textual.widgets.text_area import Selection

from cen_themes.errors import CenThemesError, NotFoundError
from cen_themes.results import CodeInfo, ExcerptView
from cen_themes.services import codebook, coding, sources
from cen_themes.services.sources import SourceDetail
from cen_themes.tui.offsets import SegmentIndex, Unit
from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.code_picker import CodePicker
from cen_themes.tui.screens.dialogs import ChooseOne, TextEditor
from cen_themes.tui.screens.excerpt_list import preview
from cen_themes.tui.widgets.coded_text import CodedTextArea, shade
from cen_themes.tui.widgets.status import StatusLine


def whole_words(text: str, start: int, end: int) -> str:
    """The text from ``start`` to ``end`` widened to whole words, for an in-vivo code
    name: a selection that ends inside "years" gives "seven years", not "seven yea"."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return text[start:end]


class ReaderScreen(WorkbenchScreen):
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("arrows", "move the cursor"),
        ("shift+arrows", "select text (one shift+right = one character)"),
        ("mouse", "click to move, drag to select"),
    ]
    CSS_PATH = "reader.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "code", "Code"),
        Binding("s", "code_unit('sentence')", "Sentence"),
        Binding("p", "code_unit('turn')", "Turn"),
        Binding("v", "select_unit", "Select"),
        Binding("x", "uncode", "Uncode"),
        Binding("u", "app.undo", "Undo"),
        Binding("n", "memo", "Memo", show=False),
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
        self._speaking: tuple[str | None] | None = None  # whose turn the panel marks
        self.segments = SegmentIndex((s.start, s.end, s.speaker, s.turn) for s in detail.segments)

    def compose(self) -> ComposeResult:
        detail = self.detail
        yield Static(f"{detail.name}  ({detail.kind})", id="title")
        with Horizontal():
            yield CodedTextArea(detail.text, id="text")
            with VerticalScroll(id="side"):
                yield Static("Codes here", classes="heading")
                yield Static("", id="here")
                yield Static("Memo here", classes="heading")
                yield Static("", id="memo")
                yield Static("Speakers", classes="heading")
                yield Static("", id="speakers")
        yield StatusLine()
        yield Footer()

    @property
    def text_area(self) -> CodedTextArea:
        return self.query_one(CodedTextArea)

    def place_cursor(self) -> None:
        """The cursor at the offset opened at (the passage selected, when one is), in
        the middle of the screen."""
        area = self.text_area
        area.move_cursor(area.lines.location(self.cursor), center=True)
        if self.selection_end is not None:
            area.move_cursor(area.lines.location(self.selection_end), select=True, center=True)

    def _centre(self) -> None:
        """:meth:`place_cursor` again now that the text area has its height, unless
        the passage is already where that would put it (a source opened at its start):
        placing it again would paint the whole screen a second time for nothing."""
        area = self.text_area
        end = self.cursor if self.selection_end is None else self.selection_end
        row, _column = area.lines.location(end)
        height = area.scrollable_content_region.height
        wanted = max(0, min(row - height // 2, area.max_scroll_y))
        if area.scroll_offset.y != wanted or row >= area.scroll_offset.y + height:
            self.place_cursor()

    def on_mount(self) -> None:
        self.place_cursor()
        # Before the first layout the text area has no height to centre in: once it
        # has, the passage opened at goes to the middle of the screen, not its foot.
        self.call_after_refresh(self._centre)
        self.text_area.focus()
        self.reload()
        # A long transcript is hundreds of thousands of objects (its lines, sentences,
        # the painted strips) that every full run of the cyclic collector would walk: a
        # pause every few codings. They live as long as the reader, so they are frozen
        # out of the collector's way until it closes.
        gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()

    def reload(self) -> None:
        """Read this source's excerpts and the codebook once, then shade and list."""
        project = self.workbench.project
        try:
            self.excerpts = sources.source_excerpts(project, self.source)
            self.codes = {c.path: c for c in codebook.list_codes(project, usage=False)}
        except NotFoundError as exc:  # the source is gone (its import was undone)
            self.report(exc)
            self.dismiss()
            return
        except CenThemesError as exc:
            self.report(exc)
            return
        # One span per code: an excerpt with two codes shows as an overlap.
        self.text_area.set_spans(
            (e.start, e.end, self._colour(path))
            for e in self.excerpts
            for path in reversed(e.codes or [""])
        )
        self._show_codes_here()
        self.workbench.refresh_status()

    def catch_up(self) -> None:
        # Back from a screen or dialog that covered the reader while someone else coded.
        self.reload()

    def _colour(self, path: str) -> str:
        code = self.codes.get(path)
        return code.color if code else ""

    def _show_codes_here(self) -> None:
        """The side panel: codes and memos at the cursor, and the speakers (the one
        speaking at the cursor marked)."""
        offset = self.text_area.cursor_offset()
        here = self.excerpts_at(offset)
        lines = Text()
        for path in dict.fromkeys(path for excerpt in here for path in excerpt.codes):
            lines.append("  ", style=shade(self._colour(path)))
            lines.append(f" {path}\n")
        self.query_one("#here", Static).update(lines or Text("(none)", style="dim"))
        memos = Text()
        for excerpt in here:
            if excerpt.memo:
                memos.append(f"{excerpt.start}-{excerpt.end} ", style="dim")
                memos.append(f"{excerpt.memo}\n")
        self.query_one("#memo", Static).update(memos or Text("(none)", style="dim"))
        self._show_speakers(offset)

    def _show_speakers(self, offset: int) -> None:
        sentence = self.segments.sentence_at(offset, self.text_area.lines)
        speaking = sentence.speaker if sentence else None
        if self._speaking == (speaking,):
            return  # unchanged: most cursor moves stay within one speaker's turn
        self._speaking = (speaking,)
        listing = Text()
        for speaker, turns in self.segments.speakers():
            mark = "▸ " if speaker == speaking else "  "
            listing.append(f"{mark}{speaker}", style="bold" if speaker == speaking else "")
            listing.append(f"  {turns} turn{'' if turns == 1 else 's'}\n", style="dim")
        self.query_one("#speakers", Static).update(
            listing or Text("(no speaker labels)", style="dim")
        )

    def on_text_area_selection_changed(self, _event: TextArea.SelectionChanged) -> None:
        self._show_codes_here()

    def action_code(self) -> None:
        start, end = self.text_area.selected_offsets()
        if start == end:
            self.notify("Select some text first (shift+arrows or the mouse)", severity="warning")
            return
        self.pick_code(start, end)

    def unit_at_cursor(self, kind: str) -> Unit | None:
        """The sentence (``kind`` "sentence") or speaker turn ("turn") at the cursor."""
        offset, lines = self.text_area.cursor_offset(), self.text_area.lines
        if kind == "turn":
            return self.segments.turn_at(offset, lines)
        return self.segments.sentence_at(offset, lines)

    def select_span(self, start: int, end: int) -> None:
        """Select [start, end), the cursor at its end, so shift+arrows extend it."""
        lines = self.text_area.lines
        self.text_area.selection = Selection(lines.location(start), lines.location(end))
        self.text_area.scroll_cursor_visible()

    def action_select_unit(self) -> None:
        """Select the sentence at the cursor; when it is selected already, its turn."""
        sentence = self.unit_at_cursor("sentence")
        if sentence is None:
            self.notify("No sentence at the cursor", severity="warning")
            return
        unit = sentence
        if self.text_area.selected_offsets() == (sentence.start, sentence.end):
            unit = self.segments.turns[sentence.turn]
        self.select_span(unit.start, unit.end)

    def action_code_unit(self, kind: str) -> None:
        """Code the sentence or the speaker turn at the cursor, selected while picking."""
        unit = self.unit_at_cursor(kind)
        if unit is None:
            self.notify(f"No {kind} at the cursor", severity="warning")
            return
        self.select_span(unit.start, unit.end)
        self.pick_code(unit.start, unit.end)

    def pick_code(self, start: int, end: int) -> None:
        # The picker opens over the lower part of the screen: the selection goes near
        # the top, to stay in view while its code is chosen.
        area = self.text_area
        row = area.wrapped_document.location_to_offset(area.lines.location(start)).y
        area.scroll_to(y=max(row - 2, 0), animate=False, immediate=True)
        picker = CodePicker(list(self.codes.values()), whole_words(self.text, start, end))

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
        """Every excerpt that covers the character at ``offset``."""
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

    def action_memo(self) -> None:
        """Edit the memo of the excerpt at the cursor, asking which when there are several."""
        here = self.excerpts_at(self.text_area.cursor_offset())
        if not here:
            self.notify("No excerpt at the cursor to write a memo on", severity="warning")
            return
        if len(here) == 1:
            self.edit_memo(here[0])
            return
        choices = [
            (f"{e.start}-{e.end}  {', '.join(e.codes)}  “{preview(e.text, 40)}”", e) for e in here
        ]

        def chosen(excerpt: ExcerptView | None) -> None:
            if excerpt is not None:
                self.edit_memo(excerpt)

        self.app.push_screen(ChooseOne("Memo on which excerpt?", choices), chosen)

    def edit_memo(self, excerpt: ExcerptView) -> None:
        """The memo editor, saving through the coding service; it stays open with the
        text when saving fails."""
        project, coder = self.workbench.project, self.workbench.coder
        start, end = excerpt.start, excerpt.end

        def save(memo: str) -> None:
            self.notify(coding.set_memo(project, self.source, start, end, memo, coder=coder))

        def saved(memo: str | None) -> None:
            if memo is not None:
                self.reload()

        question = f"Memo on {start}-{end} “{preview(excerpt.text, 40)}”"
        self.app.push_screen(TextEditor(question, excerpt.memo, save), saved)
