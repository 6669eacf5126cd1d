"""Launching the workbench never imports spaCy (about 0.8 s): the sources screen paints
first, and only importing or searching by lemma loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..conftest import CodedProject

_LAUNCH = """
import asyncio, sys
import cen_themes.cli.commands  # what the entry point imports before the workbench
from cen_themes.db import open_project
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.sources import SourcesScreen
from textual.widgets import DataTable

async def main():
    app = CenThemesApp(open_project(sys.argv[1]), "ann")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        assert app.screen.query_one(DataTable).row_count == 1
        print("spacy after mount:", "spacy" in sys.modules)
        await pilot.press("enter")  # the reader too
        await pilot.pause()
        print("spacy in reader:", "spacy" in sys.modules, type(app.screen).__name__)

asyncio.run(main())
"""


def test_spacy_is_not_imported_when_the_app_mounts(
    coded_project: CodedProject, db_path: Path
) -> None:
    project = coded_project(
        "Interviewer: How was it?\nP01: Long. Then better.\n", name="su01", coder="ann"
    )
    project.close()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCH, str(db_path)], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-2:] == [
        "spacy after mount: False",
        "spacy in reader: False ReaderScreen",
    ]


async def test_the_first_screen_opened_finds_its_style_sheet_parsed(
    coded_project: CodedProject, monkeypatch
) -> None:
    """While the sources list is read, every screen's style sheet is parsed, in one
    pass: opening the reader then parses nothing (Textual would read its sheet and
    parse every sheet again on the key press)."""
    from textual.css.stylesheet import Stylesheet

    from cen_themes.tui.app import CenThemesApp
    from cen_themes.tui.screens import style_sheets
    from cen_themes.tui.screens.reader import ReaderScreen

    from ..conftest import settle, warmed_up

    project = coded_project("Interviewer: How was it?\nP01: Long.\n", name="su01", coder="ann")
    app = CenThemesApp(project, "ann")
    async with app.run_test(size=(100, 30)) as pilot:
        await warmed_up(app, pilot)
        sheets = style_sheets()
        assert len(sheets) >= 10 and all(p.is_file() for p in sheets)
        assert all(app.stylesheet.has_source(str(p), "") for p in sheets)
        parses: list[int] = []
        original = Stylesheet.reparse
        monkeypatch.setattr(
            Stylesheet, "reparse", lambda self: (parses.append(1), original(self))[1]
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert parses == []
