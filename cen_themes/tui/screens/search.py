"""Search (/): keyword in context across the sources; mark hits and code them at once.

Coding marked hits codes each hit itself, its sentence or its speaker turn: the scope,
which ``o`` cycles and the bar shows, is chosen before coding.

The search runs in a thread worker when Enter is pressed in the query (a lemma search
loads spaCy, which takes a moment the first time), so typing never waits for it.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Checkbox, DataTable, Footer, Input, Static

from cen_themes.errors import CenThemesError
from cen_themes.results import SearchHit
from cen_themes.services import codebook
from cen_themes.services.autocode import SCOPES, code_hits
from cen_themes.services.search import one_line, search
from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.code_picker import CodePicker
from cen_themes.tui.widgets.status import StatusLine

CONTEXT = 36  # characters shown either side of a match
MARK = "●"
COLUMNS = ("source", "before", "match", "after")


def _plural(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class SearchScreen(WorkbenchScreen):
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("enter", "search (in the query); open the hit in the reader (in the hits)"),
    ]
    CSS_PATH = "search.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "New search", key_display="/"),
        Binding("ctrl+r", "toggle('regex')", "Regex"),
        Binding("ctrl+l", "toggle('lemma')", "Lemma"),
        Binding("space", "mark", "Mark"),
        Binding("o", "scope", "Scope"),
        Binding("c", "code", "Code"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[SearchHit] = []
        self.marked: set[int] = set()  # indices into self.hits
        self.searched: tuple[str, bool, bool] | None = None  # the query the hits are for
        self.scope = SCOPES[0]  # what coding a hit codes: the hit, its sentence or its turn

    def compose(self) -> ComposeResult:
        yield Static("Search: type words, Enter to search", id="title")
        with Horizontal(id="bar"):
            yield Input(placeholder="words, a regex (ctrl+r) or lemmas (ctrl+l)", id="query")
            yield Checkbox("regex", id="regex")
            yield Checkbox("lemma", id="lemma")
            yield Static(self._scope_label(), id="scope")
        yield DataTable(id="hits", cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", width=1)  # the mark
        table.add_columns(*COLUMNS)
        self.query_one("#query", Input).focus()
        self.workbench.refresh_status()

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#hits", DataTable)

    @property
    def highlighted(self) -> int | None:
        """The index of the hit under the table's cursor."""
        row = self.table.cursor_row
        return row if self.hits and 0 <= row < len(self.hits) else None

    # -- searching ----------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        regex = self.query_one("#regex", Checkbox).value
        lemma = self.query_one("#lemma", Checkbox).value
        self.start_search(event.value, regex=regex, lemma=lemma)

    def start_search(self, query: str, *, regex: bool, lemma: bool) -> None:
        """Search in a worker; a newer search replaces one still running."""
        self.query_one("#title", Static).update(f"Searching for {query!r}…")
        self.searched = (query, regex, lemma)
        self.run_in_thread(
            partial(
                search, self.workbench.project, query, regex=regex, lemma=lemma, context=CONTEXT
            ),
            self.show_hits,
            doing="the search",
            group="search",
            failed=self._search_failed,
        )

    def _search_failed(self, error: Exception) -> None:
        self.query_one("#title", Static).update(
            "Search: correct the query, Enter to search"
            if isinstance(error, CenThemesError)
            else "Search failed: Enter to try again"
        )

    def show_hits(self, hits: list[SearchHit]) -> None:
        self.hits = hits
        self.marked.clear()
        self._fill()
        query, regex, lemma = self.searched or ("", False, False)
        how = " (regex)" if regex else " (lemma)" if lemma else ""
        sources = len({hit.source for hit in hits})
        found = (
            f"{_plural(len(hits), 'match', 'matches')} in {_plural(sources, 'source')}"
            if hits
            else "no matches"
        )
        self.query_one("#title", Static).update(f"Search {query!r}{how}: {found}")
        if hits:
            self.table.move_cursor(row=0)
            self.table.focus()

    def _fill(self) -> None:
        table = self.table
        row = table.cursor_row
        table.clear()
        width = max((len(one_line(hit.left)) for hit in self.hits), default=0)
        for index, hit in enumerate(self.hits):
            table.add_row(*self._cells(index, hit, width), key=str(index))
        if self.hits:
            table.move_cursor(row=min(max(row, 0), len(self.hits) - 1))

    def _cells(self, index: int, hit: SearchHit, width: int) -> tuple[Text | str, ...]:
        return (
            Text(MARK, style="bold") if index in self.marked else "",
            hit.source,
            one_line(hit.left).rjust(width),
            Text(one_line(hit.match), style="bold reverse"),
            one_line(hit.right),
        )

    def reload(self) -> None:
        """After undo: the sources may have changed, so search again."""
        if self.searched is not None:
            query, regex, lemma = self.searched
            self.start_search(query, regex=regex, lemma=lemma)
        self.workbench.refresh_status()

    def follow_change(self) -> None:
        """Someone else changed the project: the counts in the status line follow; the
        hits stay as they are, with the marks and the cursor (a source imported
        meanwhile shows at the next search: Enter in the query)."""
        self.workbench.refresh_status()

    def catch_up(self) -> None:
        self.workbench.refresh_status()

    # -- keys ---------------------------------------------------------------------

    def action_focus_query(self) -> None:
        self.query_one("#query", Input).focus()

    def action_toggle(self, which: str) -> None:
        box = self.query_one(f"#{which}", Checkbox)
        box.value = not box.value

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """Regex and lemma searches exclude each other: ticking one unticks the other."""
        if event.value:
            other = "lemma" if event.checkbox.id == "regex" else "regex"
            self.query_one(f"#{other}", Checkbox).value = False

    def _scope_label(self) -> str:
        return f"code: {self.scope}"

    def action_scope(self) -> None:
        """The next scope: hit, sentence, turn, hit..."""
        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]
        self.query_one("#scope", Static).update(self._scope_label())
        self.notify(f"Coding a hit now codes {self._scope_words()}")

    def _scope_words(self) -> str:
        return {"hit": "the hit itself", "sentence": "its sentence", "turn": "its speaker turn"}[
            self.scope
        ]

    def action_mark(self) -> None:
        index = self.highlighted
        if index is None:
            return
        self.marked.symmetric_difference_update({index})
        mark = Text(MARK, style="bold") if index in self.marked else ""
        self.table.update_cell_at((index, 0), mark)
        if index + 1 < len(self.hits):
            self.table.move_cursor(row=index + 1)
        self.query_one("#title", Static).update(
            f"{_plural(len(self.marked), 'hit')} marked: c codes them"
            if self.marked
            else "No hits marked: c codes the highlighted one"
        )

    def targets(self) -> list[SearchHit]:
        """The marked hits, else the highlighted one."""
        if self.marked:
            return [self.hits[i] for i in sorted(self.marked)]
        index = self.highlighted
        return [self.hits[index]] if index is not None else []

    def action_code(self) -> None:
        hits = self.targets()
        if not hits:
            self.notify("Search first, then pick the hits to code", severity="warning")
            return
        try:
            codes = codebook.list_codes(self.workbench.project, usage=False)
        except CenThemesError as exc:
            self.report(exc)
            return

        def apply(code: str | None) -> None:
            if code is not None:
                self.apply_code(hits, code)

        self.app.push_screen(CodePicker(codes, hits[0].match), apply)

    def apply_code(self, hits: list[SearchHit], code: str) -> None:
        """Code the hits (or their sentences or turns) as one change, so that one undo
        takes them all back."""
        spans = [(hit.source, hit.start, hit.end) for hit in hits]
        try:
            result = code_hits(
                self.workbench.project,
                spans,
                code,
                scope=self.scope,
                coder=self.workbench.coder,
            )
        except CenThemesError as exc:
            self.report(exc)
            return
        created = f" (new code: {', '.join(result.created_codes)})" if result.created_codes else ""
        self.notify(result.summary + created)
        self.marked.clear()
        self._fill()
        self.workbench.refresh_status()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a hit: the reader at the hit, with the hit selected."""
        event.stop()
        if event.row_key.value is None:
            return
        hit = self.hits[int(event.row_key.value)]
        self.workbench.open_reader(hit.source, hit.start, hit.end)
