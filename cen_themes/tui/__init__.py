"""The Textual workbench. Importing this package imports Textual; the domain never does."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cen_themes.db import Project


def run_tui(project: Project, coder: str) -> None:
    """Run the workbench on an open project until the user quits."""
    from cen_themes.tui.app import CenThemesApp

    CenThemesApp(project, coder).run()
