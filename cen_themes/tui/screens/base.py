"""What every workbench screen shares: the app with its project, and a reload hook."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from cen_themes.errors import CenThemesError

if TYPE_CHECKING:
    from cen_themes.tui.app import CenThemesApp


class WorkbenchScreen(Screen[None]):
    @property
    def workbench(self) -> CenThemesApp:
        return cast("CenThemesApp", self.app)

    def reload(self) -> None:
        """Read again what the screen shows, after the project changed."""

    def report(self, error: CenThemesError) -> None:
        """A user's mistake or an unusable project: a notification, never a crash."""
        self.notify(str(error), title=error.title, severity="error")
