"""What every workbench screen shares: the app with its project, a reload hook (for its
own changes and, live, for other people's), slow work in a thread, errors as
notifications, refilling a table without losing the user's place in it, and writing a
memo on what is highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rich.console import RenderableType
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable

from cen_themes.results import MemoTarget
from cen_themes.services import memos
from cen_themes.tui.notices import notify_error
from cen_themes.tui.screens.dialogs import MemoWriter
from cen_themes.tui.work import RunsThreadWork, ThreadWork

if TYPE_CHECKING:
    from cen_themes.tui.app import CenThemesApp

Rows = Sequence[tuple[str, Sequence[RenderableType]]]
ResultT = TypeVar("ResultT")


def highlighted_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor, or ``None`` in an empty table."""
    row = table.cursor_row
    if not 0 <= row < table.row_count:
        return None
    key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
    return key


def refill(table: DataTable[Any], rows: Rows, keep: str | None = None) -> None:
    """Replace every row of ``table`` with ``rows`` ((key, cells) pairs).

    The cursor goes to the row keyed ``keep`` when given and present, else to the row
    whose key was highlighted before, else stays on the same row number (or the last
    row, when the table got shorter), so that a reload never throws the user back to
    the top. The table stays scrolled as it was while the cursor is in view.
    """
    row = table.cursor_row
    wanted = keep if keep is not None else highlighted_key(table)
    scrolled = table.scroll_offset
    table.clear()
    keys = []
    for key, cells in rows:
        table.add_row(*cells, key=key)
        keys.append(key)
    if wanted in keys:
        table.move_cursor(row=keys.index(wanted))
    elif keys:
        table.move_cursor(row=min(max(row, 0), len(keys) - 1))
    keep_scrolled(table, scrolled.x, scrolled.y)


def keep_scrolled(table: DataTable[Any], x: int, y: int) -> None:
    """Once a refilled table is laid out, scroll it back to (``x``, ``y``), where it was
    before (clearing scrolls it to the top), then as little as it takes to show the
    cursor."""

    def restore() -> None:
        table.scroll_to(x, y, animate=False, immediate=True)
        table.move_cursor(row=table.cursor_row, column=table.cursor_column, scroll=True)

    if x or y:
        table.call_after_refresh(restore)


class WorkbenchScreen(RunsThreadWork, Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self._work = ThreadWork(self)
        # Someone else changed the project while another screen covered this one.
        self.stale = False

    @property
    def workbench(self) -> CenThemesApp:
        return cast("CenThemesApp", self.app)

    def reload(self) -> None:
        """Read again what the screen shows, after the project changed."""

    def follow_change(self) -> None:
        """Someone else changed the project while this screen is shown: read it again
        where the user is (the cursor, the selection and the scrolling stay)."""
        self.reload()

    def catch_up(self) -> None:
        """Someone else changed the project while this screen was covered, and it is
        shown again. Screens that read everything again whenever they are shown need
        nothing more (the default)."""

    def on_screen_resume(self) -> None:
        # Textual calls this after a subclass's own handler of the same message.
        if self.stale:
            self.stale = False
            self.catch_up()

    def report(self, error: Exception, doing: str = "that") -> None:
        """A user's mistake or an unusable project, or a bug: a titled notification,
        never a crash."""
        notify_error(self, error, doing=doing)

    def write_memo(self, on: MemoTarget, target: str) -> None:
        """The new-memo dialog for the source, code or theme ``target`` (``on`` says
        which); the memo is signed with the app's coder, and the screen reloads."""
        project, coder = self.workbench.project, self.workbench.coder

        def save(text: str) -> None:
            memo = memos.add_memo(project, on, target, text, coder=coder)
            self.notify(f"memo on {on} {memo.target}")

        def saved(text: str | None) -> None:
            if text is not None:
                self.reload()

        self.app.push_screen(MemoWriter(f"New memo on {on} {target}", save), saved)
