"""Suggestions for a code (S in the codebook): uncoded segments that read like its
excerpts, best first, the highlighted one in its context below the list.

a or Enter accepts the highlighted suggestion (codes the segment with the code), r or x
rejects it (it is not suggested for the code again; u undoes either), o opens the
reader with the segment selected. The list is read in a worker (the first time spaCy
loads), and read again when the screen is shown again; accepting or rejecting takes
the row away at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from cen_themes.results import Suggestion
from cen_themes.services import suggest
from cen_themes.tui.screens.base import WorkbenchScreen, refill
from cen_themes.tui.screens.excerpt_list import preview
from cen_themes.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from cen_themes.db import Project

LISTED = 50  # suggestions asked for at a time
CONTEXT = 200  # characters of the source shown either side of the highlighted one
# accept or reject: (project, code, source, start, end, coder=) -> what was done
Decision = Callable[..., str]


def key(suggestion: Suggestion) -> str:
    return f"{suggestion.source}\x00{suggestion.start}\x00{suggestion.end}"


def in_context(suggestion: Suggestion) -> Text:
    """The suggestion highlighted within the text around it, cut at line ends."""
    before = suggestion.before
    if len(before) == CONTEXT and "\n" in before:
        before = before[before.index("\n") + 1 :]
    after = suggestion.after
    if len(after) == CONTEXT and "\n" in after:
        after = after[: after.rindex("\n")]
    return Text.assemble(
        ("…" if suggestion.start > len(before) else "", "dim"),
        (before, "dim"),
        (suggestion.text, "bold reverse"),
        (after, "dim"),
    )


class SuggestionsScreen(WorkbenchScreen):
    CSS_PATH = "suggestions.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept"),
        Binding("r", "reject", "Reject"),
        Binding("x", "reject", "Reject", show=False),
        Binding("o", "open", "Open in reader"),
        Binding("u", "app.undo", "Undo"),
    ]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.suggestions: list[Suggestion] = []
        self.read = False  # the first list has come

    def compose(self) -> ComposeResult:
        yield Static(self._title("finding suggestions…"), id="title")
        yield DataTable(id="suggestions", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="context-box"):
            yield Static("", id="context")
        yield StatusLine()
        yield Footer()

    @property
    def table(self) -> DataTable[object]:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.table.add_column("score", key="score")
        self.table.add_column("source", key="source")
        self.table.add_column("text", key="text")

    def on_screen_resume(self) -> None:
        # First shown, and again when the reader closes (its codings may have changed).
        self.reload()

    def _title(self, what: str) -> str:
        return f"Suggestions for {self.code}  ·  {what}"

    def reload(self) -> None:
        project, code = self.workbench.project, self.code
        self.run_in_thread(
            lambda: suggest.suggest(project, code, limit=LISTED, context=CONTEXT),
            self._show,
            doing="finding suggestions",
            group="suggestions",
            failed=self._failed,
        )

    def _failed(self, _error: Exception) -> None:
        if not self.read:
            self.query_one("#title", Static).update(self._title("no suggestions"))

    def _show(self, found: list[Suggestion]) -> None:
        self.read = True
        self.suggestions = found
        self._fill()
        self.workbench.refresh_status()

    def _fill(self) -> None:
        rows = [(key(s), (f"{s.score:.2f}", s.source, preview(s.text))) for s in self.suggestions]
        refill(self.table, rows)
        count = len(self.suggestions)
        if count:
            what = (
                f"the {count} most like its excerpts" if count == LISTED else f"{count}, best first"
            )
        else:
            what = "none left: every segment like its excerpts is coded or rejected"
        self.query_one("#title", Static).update(self._title(what))
        self.show_context()

    @property
    def highlighted(self) -> Suggestion | None:
        if not self.suggestions or self.table.cursor_row < 0:
            return None
        return self.suggestions[min(self.table.cursor_row, len(self.suggestions) - 1)]

    def show_context(self) -> None:
        chosen = self.highlighted
        shown = Text("") if chosen is None else in_context(chosen)
        if chosen is not None:
            shown = Text.assemble((f"{chosen.source} {chosen.start}-{chosen.end}\n", "bold"), shown)
        self.query_one("#context", Static).update(shown)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_context()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_accept()

    def _need(self) -> Suggestion | None:
        chosen = self.highlighted
        if chosen is None:
            self.notify("No suggestion to act on", severity="warning")
        return chosen

    def _decide(self, chosen: Suggestion, service: Decision, doing: str) -> None:
        """Run an accept or a reject in a worker; the row goes once it is done."""
        project, coder, code = self.workbench.project, self.workbench.coder, self.code

        def done(message: str) -> None:
            self.notify(message)
            self.suggestions = [s for s in self.suggestions if key(s) != key(chosen)]
            self._fill()
            self.workbench.refresh_status()

        self.run_in_thread(
            lambda: service(project, code, chosen.source, chosen.start, chosen.end, coder=coder),
            done,
            doing=doing,
            group="decide",
            exclusive=False,
        )

    def action_accept(self) -> None:
        chosen = self._need()
        if chosen is not None:
            self._decide(chosen, _accept, "accepting the suggestion")

    def action_reject(self) -> None:
        chosen = self._need()
        if chosen is not None:
            self._decide(chosen, suggest.reject, "rejecting the suggestion")

    def action_open(self) -> None:
        chosen = self._need()
        if chosen is not None:
            self.workbench.open_reader(chosen.source, chosen.start, chosen.end)


def _accept(project: Project, code: str, source: str, start: int, end: int, *, coder: str) -> str:
    result = suggest.accept(project, code, source, start, end, coder=coder)
    done = "coded" if result.added else "already coded"
    return f"{done} {source} {start}-{end} with {code}"
