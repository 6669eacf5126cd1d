"""The workbench app: built from an open project and a coder name.

It follows the project live: when someone else commits a change (another workbench on
the same file or the same server, a script), the screen in front reads the project
again where the user is (:meth:`WorkbenchScreen.follow_change`), and screens behind it
when they are shown again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar, TypeVar
from urllib.parse import urlsplit

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive

from cen_themes.config import light_theme
from cen_themes.errors import CenThemesError
from cen_themes.services import analysis, codebook, history, live, sources
from cen_themes.tui.notices import notify_error
from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.codebook import CodebookScreen
from cen_themes.tui.screens.help import HelpScreen
from cen_themes.tui.screens.matrix import MatrixScreen
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.screens.reconcile import ReconcileScreen, start_reconcile
from cen_themes.tui.screens.search import SearchScreen
from cen_themes.tui.screens.sources import SourcesScreen
from cen_themes.tui.screens.themes import ThemesScreen
from cen_themes.tui.work import RunsThreadWork, ThreadWork

if TYPE_CHECKING:
    from cen_themes.db import Project

ResultT = TypeVar("ResultT")

_SCREENS: dict[str, type] = {
    "codebook": CodebookScreen,
    "themes": ThemesScreen,
    "matrix": MatrixScreen,
    "search": SearchScreen,
}

# A write blocked by another program fails after this long, as a notification, rather
# than freezing the screen for as long as the commands wait.
WORKBENCH_BUSY_TIMEOUT_MS = 2_000
WARM_UP_AFTER_S = 0.3  # after the first screen is up: while the user reads it
LIGHT, DARK = "textual-light", "textual-dark"  # the themes of `L` and CEN_THEMES_THEME


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def server_name(project: Project) -> str:
    """A server project as "database on host": short enough for the counts after it to
    show in an 80-column terminal (the whole URL does not leave room for them)."""
    parts = urlsplit(project.url)
    database = parts.path.lstrip("/")
    if database and parts.hostname:
        return f"{database} on {parts.hostname}"
    return project.display_name


class ChangedElsewhere(Message):
    """Someone else committed a change to the project (sent from the watcher's thread)."""


@dataclass
class LiveTrouble(Message):
    """Live updates stopped working (the connection was lost); they are retried."""

    error: CenThemesError


class CenThemesApp(RunsThreadWork, App[None]):
    """The coding workbench over one project; the CLI and the tests build it alike."""

    TITLE = "cen-themes"
    ENABLE_COMMAND_PALETTE = False  # every action has its key; ? lists them
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Each screen's footer shows the keys that matter there and "? Help"; the
        # help lists every key of the screen, these included.
        Binding("q", "quit", "Quit", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("escape", "back", "Back", show=False),
        Binding("u", "undo", "Undo", show=False),
        Binding("k", "codebook", "Codebook", show=False),
        Binding("t", "themes", "Themes", show=False),
        Binding("m", "matrix", "Matrix", show=False),
        Binding("slash", "search", "Search", key_display="/", show=False),
        Binding("R", "reconcile", "Reconcile", key_display="R", show=False),
        Binding("L", "light", "Light/dark", key_display="L", show=False),
    ]

    status: reactive[str] = reactive("")

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        project.set_busy_timeout(WORKBENCH_BUSY_TIMEOUT_MS)
        self._work = ThreadWork(self)
        self.live: live.Following | None = None
        # Set while a ChangedElsewhere is on its way: a burst of changes is one reload.
        self._change_posted = threading.Event()
        self._warming = False  # the warm-up after launch is on its way or done

    def on_mount(self) -> None:
        if light_theme():
            self.theme = LIGHT
        self.follow_project()
        self.push_screen(SourcesScreen())

    def action_light(self) -> None:
        """Light on a dark theme, dark on a light one (for a terminal with a light
        background, or a bright room)."""
        self.theme = LIGHT if self.current_theme.dark else DARK

    def on_unmount(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def follow_project(self) -> None:
        """Start following other people's changes; started before the first screen
        reads, so that nothing committed meanwhile is missed."""
        try:
            self.live = live.follow(self.project, self._changed_elsewhere, self._live_trouble)
        except CenThemesError as exc:
            notify_error(self, exc, note=" Others' changes show when a screen is opened again.")

    def _changed_elsewhere(self) -> None:  # in the watcher's thread
        if not self._change_posted.is_set():
            self._change_posted.set()
            if not self.post_message(ChangedElsewhere()):
                self._change_posted.clear()

    def _live_trouble(self, error: CenThemesError) -> None:  # in the watcher's thread
        self.post_message(LiveTrouble(error))

    def on_changed_elsewhere(self, _message: ChangedElsewhere) -> None:
        """The screen in front reads the project again; those behind it, when shown."""
        self._change_posted.clear()
        shown = self.screen
        for screen in self.screen_stack:
            if isinstance(screen, WorkbenchScreen) and screen is not shown:
                screen.stale = True
        if isinstance(shown, WorkbenchScreen) and shown.is_mounted:
            shown.follow_change()

    def on_live_trouble(self, message: LiveTrouble) -> None:
        notify_error(self, message.error, note=" Trying again.")

    def refresh_status(self) -> None:
        """Project file, coder, and the number of sources and codes."""
        try:
            n_sources, n_codes = analysis.counts(self.project)
        except CenThemesError as exc:
            notify_error(self, exc)
            return
        where = self.project.path.name if self.project.path else server_name(self.project)
        self.status = (
            f"{where}  ·  coder {self.coder}  ·  {_count(n_sources, 'source')}"
            f"  ·  {_count(n_codes, 'code')}"
        )

    def warm_up_soon(self, source: str | None) -> None:
        """Once, a moment after the first screen is drawn (while the user reads it):
        :meth:`warm_up` with the source the user is likeliest to open first."""
        if self._warming:
            return
        self._warming = True
        self.call_after_refresh(self.set_timer, WARM_UP_AFTER_S, partial(self.warm_up, source))

    def warm_up(self, source: str | None) -> None:
        """What the first screen a user opens would pay for on the key press, paid now:
        the style sheets of every screen and dialog parsed in one pass (Textual reads a
        screen's the first time it opens it, and parses every sheet again then), and
        the reader's reads of ``source`` run once in a worker, so that SQLAlchemy has
        compiled them: opening the first source costs what opening the second does."""
        from cen_themes.tui import screens

        update = False
        for path in screens.style_sheets():
            if not self.stylesheet.has_source(str(path), ""):
                self.stylesheet.read(path)
                update = True
        if update:
            self.stylesheet.reparse()
            self.stylesheet.update(self)
        if source is None:
            return
        project = self.project

        def read_one() -> None:
            try:
                sources.get_source(project, source)
                sources.source_excerpts(project, source)
                codebook.list_codes(project, usage=False)
            except CenThemesError:
                pass  # the project's trouble is told when the user opens something

        self.run_in_thread(read_one, lambda _none: None, doing="getting ready", group="warm-up")

    def open_reader(self, source: str, cursor: int = 0, selection_end: int | None = None) -> None:
        """The reader on a source, with the cursor at ``cursor`` (a code-point offset),
        and [cursor, selection_end) selected when ``selection_end`` is given."""
        try:
            detail = sources.get_source(self.project, source)
        except CenThemesError as exc:
            notify_error(self, exc)
            return
        self.push_screen(ReaderScreen(detail, cursor, selection_end))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A modal (the code picker) hides the app's keys already: Textual stops the
        # binding chain at a modal screen, so a q typed there never quits.
        if action == "help":
            return not isinstance(self.screen, HelpScreen)
        if action == "undo":  # only where the screen can show what undo changed
            return isinstance(self.screen, WorkbenchScreen)
        if action == "back":
            return True if len(self.screen_stack) > 2 else None
        if action in _SCREENS:  # no second copy of the screen already showing
            return not isinstance(self.screen, _SCREENS[action])
        return True

    def on_key(self, event: events.Key) -> None:
        """A key that no widget had the focus to take: typed (or pasted) right after the
        key that opened a screen, before that screen's input has the focus. A screen
        that can use such keys (the code picker: the name being typed) takes them."""
        take = getattr(self.screen, "take_early_key", None)
        if take is not None and take(event):
            event.stop()

    def action_help(self) -> None:
        """Every key of the screen in front (the footer shows the ones that matter most),
        the keys that are not bindings (Enter on a row, shift+arrows) first."""
        listed: dict[str, str] = dict(getattr(self.screen, "HELP_KEYS", []))
        for active in self.active_bindings.values():
            binding = active.binding
            if binding.description:
                key = binding.key_display or self.get_key_display(binding)
                listed.setdefault(key, binding.description)
        self.push_screen(HelpScreen(list(listed.items())))

    def action_codebook(self) -> None:
        self.push_screen(CodebookScreen())

    def action_themes(self) -> None:
        self.push_screen(ThemesScreen())

    def action_matrix(self) -> None:
        self.push_screen(MatrixScreen())

    def action_search(self) -> None:
        self.push_screen(SearchScreen())

    def action_reconcile(self) -> None:
        """Ask for two coders, then walk their disagreements."""
        if not isinstance(self.screen, ReconcileScreen):
            start_reconcile(self)

    def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_undo(self) -> None:
        """Undo the project's last change (whoever made it) and refresh the screen."""
        try:
            undone = history.undo(self.project, coder=self.coder)
        except CenThemesError as exc:
            notify_error(self, exc)
            return
        self.notify(f"undid: {undone.summary}")
        if isinstance(self.screen, WorkbenchScreen):
            self.screen.reload()
