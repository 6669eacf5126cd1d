"""Reconcile: two coders' disagreements one by one, both readings side by side.

Opened from the app (`R`), which asks for the two coders first
(:func:`start_reconcile`). A disagreement is a unit (a segment) that one coder gave a
code and the other did not, in source order, then code order ("3 of 41"). Two panes
show the text around the unit, coder A's on the left and coder B's on the right, each
with that coder's spans of the code shaded and the unit underlined.

The keys, and what each does to the project (each decision is ONE change, in the log,
and `u` undoes it; :mod:`cen_themes.services.reconcile` has the details):

- `1` / `a`: accept A's side. If A gave the code, B gets the same coding on A's span;
  if A did not, B's coding of the code on that unit's excerpt is removed.
- `2` / `b`: accept B's side, the same the other way round.
- `k`: keep both: no coding changes; the decision is recorded as a memo on the source.
- Space / `n`: skip to the next disagreement; nothing is recorded.
- Escape: back.

After a decision the list is read again (a span accepted may settle neighbouring units
too) and the next disagreement after the one decided is shown; past the last, the
walk starts again at the first still open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from cen_themes.errors import CenThemesError
from cen_themes.results.agreement import CoderSpans, Disagreement, DisagreementView
from cen_themes.services import agreement, reconcile
from cen_themes.tui.notices import notify_error
from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.dialogs import ChooseOne
from cen_themes.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from cen_themes.tui.app import CenThemesApp

SHADE = ("black on #f2c14e", "black on #7fb7e6")  # coder A's spans, coder B's


def start_reconcile(app: CenThemesApp) -> None:
    """Ask for the two coders (A, then B among the others), then open the screen."""
    try:
        names = agreement.coder_names(app.project)
    except CenThemesError as exc:
        notify_error(app, exc)
        return
    if len(names) < 2:
        app.notify(
            f"Reconciling needs two coders; this project has {len(names)}.",
            title="Nothing to reconcile",
            severity="warning",
        )
        return

    def first(a: str | None) -> None:
        if a is None:
            return

        def second(b: str | None) -> None:
            if b is not None:
                app.push_screen(ReconcileScreen(a, b))

        others = [(name, name) for name in names if name != a]
        app.push_screen(ChooseOne(f"Reconcile {a} with which coder (B)?", others), second)

    app.push_screen(ChooseOne("Reconcile: the first coder (A)", [(n, n) for n in names]), first)


def pane_text(view: DisagreementView, side: CoderSpans, shade: str) -> Text:
    """The window of text with this coder's spans of the code shaded and the unit
    underlined."""
    text = Text(view.text)
    found = view.disagreement
    text.stylize("underline", found.start - view.offset, found.end - view.offset)
    for start, end in side.spans:
        text.stylize(shade, max(start - view.offset, 0), max(end - view.offset, 0))
    return text


def pane_heading(side: CoderSpans) -> str:
    """Whether the coder gave the code, and the other codes they gave the unit."""
    heading = "gave it" if side.spans else "did not give it"
    if side.other_codes:
        heading += f"; coded here: {', '.join(side.other_codes)}"
    return heading


class ReconcileScreen(WorkbenchScreen):
    """The disagreements of coders ``a`` and ``b``; see the module's docstring."""

    CSS_PATH = "reconcile.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1,a", "decide('a')", "Accept A", key_display="1/a"),
        Binding("2,b", "decide('b')", "Accept B", key_display="2/b"),
        Binding("k", "decide('keep')", "Keep both"),
        Binding("space,n", "skip", "Skip", key_display="space/n"),
        Binding("u", "app.undo", "Undo"),
    ]

    def __init__(self, a: str, b: str) -> None:
        super().__init__()
        self.coders = (a, b)
        self.items: list[Disagreement] = []
        self.index = 0
        self.view: DisagreementView | None = None
        self.busy = False  # a decision is being written

    def compose(self) -> ComposeResult:
        yield Static(id="caption")
        yield Static(id="unit")
        with Horizontal(id="sides"):
            for side, name in zip(("a", "b"), self.coders, strict=True):
                with Vertical(classes="side", id=f"side-{side}"):
                    yield Static(f"{name} ({side.upper()})", classes="coder")
                    yield Static(classes="heading")
                    with VerticalScroll(classes="scroll"):
                        yield Static(classes="text")
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#caption", Static).update(self._caption("reading…"))
        self.reload()

    @property
    def current(self) -> Disagreement | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def _caption(self, where: str) -> str:
        a, b = self.coders
        return f"Reconcile {a} (A) | {b} (B)  ·  {where}"

    # -- reading -------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the disagreements again, staying on the one shown when it is still open."""
        self._read(keep=self.current)

    def _read(
        self, keep: Disagreement | None = None, after: list[Disagreement] | None = None
    ) -> None:
        """Read the list; show ``keep`` if still there, else the first of ``after`` that
        is, else the same place in the list."""
        project, coders = self.workbench.project, self.coders

        def read() -> list[Disagreement]:
            return agreement.agreement(project, coders, disagreements=True).disagreements

        def done(items: list[Disagreement]) -> None:
            place = {item: i for i, item in enumerate(items)}
            wanted = [keep] if keep is not None else []
            found = next((place[w] for w in [*wanted, *(after or [])] if w in place), None)
            if found is None and after is not None and items:
                found = 0
                self.notify("Past the last disagreement: back to the first still open.")
            self.items = items
            self.index = found if found is not None else min(self.index, max(len(items) - 1, 0))
            self.refresh_bindings()
            self._show_current()

        self.run_in_thread(read, done, doing="reading the disagreements", group="list")

    def _show_current(self) -> None:
        found = self.current
        if found is None:
            self.view = None
            self.query_one("#caption", Static).update(self._caption("no disagreements"))
            self.query_one("#unit", Static).update(
                "The two coders agree on every unit of the sources both coded."
            )
            for pane in self.query(".side"):
                pane.query_one(".heading", Static).update("")
                pane.query_one(".text", Static).update("")
            return
        project, coders = self.workbench.project, self.coders
        self.run_in_thread(
            lambda: agreement.disagreement_view(project, coders, found),
            self._show_view,
            doing="reading the disagreement",
            group="view",
        )

    def _show_view(self, view: DisagreementView) -> None:
        self.view = view
        found = view.disagreement
        where = f"{self.index + 1} of {len(self.items)}"
        self.query_one("#caption", Static).update(self._caption(where))
        self.query_one("#unit", Static).update(
            Text.assemble((found.code, "bold"), f"  ·  {found.source} {found.start}-{found.end}")
        )
        for side, shade, name in zip(view.sides, SHADE, ("a", "b"), strict=True):
            pane = self.query_one(f"#side-{name}")
            pane.query_one(".heading", Static).update(pane_heading(side))
            pane.query_one(".text", Static).update(pane_text(view, side, shade))
            pane.query_one(".scroll", VerticalScroll).scroll_home(animate=False)

    # -- deciding ------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("decide", "skip"):
            return self.current is not None and not self.busy
        return True

    def action_skip(self) -> None:
        if not self.items:
            return
        self.index = (self.index + 1) % len(self.items)
        self._show_current()

    def action_decide(self, choice: reconcile.Choice) -> None:
        found = self.current
        if found is None or self.busy:
            return
        self.busy = True
        self.refresh_bindings()
        project, coders, coder = self.workbench.project, self.coders, self.workbench.coder
        after = self.items[self.index + 1 :]

        def done(summary: str) -> None:
            self.busy = False
            self.refresh_bindings()
            self.notify(summary)
            self.workbench.refresh_status()
            self._read(after=after)

        def failed(_error: Exception) -> None:
            self.busy = False
            self.refresh_bindings()
            self.reload()

        self.run_in_thread(
            lambda: reconcile.decide(project, coders, found, choice, coder=coder),
            done,
            doing="recording the decision",
            group="decide",
            failed=failed,
        )
