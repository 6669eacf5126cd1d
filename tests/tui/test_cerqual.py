"""The CERQual screen (g on the themes screen): the highlighted theme's finding, four
components, confidence and computed studies; Enter judges a row (a level, then why)
and saves both as one change; Escape saves nothing; checked through the service."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static, TextArea

from cen_themes.db import Project
from cen_themes.models import Event
from cen_themes.results.synthesis import CerqualComponent, CerqualFinding
from cen_themes.services import cerqual, themes
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.cerqual import ROWS, CerqualScreen, ChooseLevel
from cen_themes.tui.screens.dialogs import TextEditor
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen
from cen_themes.tui.screens.themes import ThemesScreen
from tests.conftest import CodedProject, who
from tests.tui.test_matrix import build

SIZE = (100, 30)


@pytest.fixture
def built(coded_project: CodedProject) -> Project:
    """Themes Barriers (one source), Support (two) > Staff (none)."""
    return build(coded_project)


def assessed(project: Project, theme: str) -> CerqualFinding:
    (found,) = cerqual.assessments(project, theme)
    return found


def kinds(project: Project) -> list[str]:
    with project.read() as session:
        return list(session.scalars(select(Event.kind).order_by(Event.id)))


def rows(screen: CerqualScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(table.get_cell_at(Coordinate(r, c))) for c in range(3)] for r in range(len(ROWS))]


def errors(app: CenThemesApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_cerqual(pilot: Pilot, theme: str) -> CerqualScreen:
    """The themes screen, the cursor on ``theme``, then g."""
    await pilot.press("t")
    await pilot.pause()
    listing = pilot.app.screen
    assert isinstance(listing, ThemesScreen)
    listing.query_one(DataTable).move_cursor(row=[t.path for t in listing.themes].index(theme))
    await pilot.press("g")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, CerqualScreen)
    return screen


async def on_row(pilot: Pilot, screen: CerqualScreen, row: str) -> None:
    screen.query_one(DataTable).move_cursor(row=ROWS.index(row))
    await pilot.pause()


async def judge(pilot: Pilot, screen: CerqualScreen, row: str, label: str) -> TextEditor:
    """Enter on ``row``, choose ``label``: the explanation editor."""
    await on_row(pilot, screen, row)
    await pilot.press("enter")
    await pilot.pause()
    chooser = pilot.app.screen
    assert isinstance(chooser, ChooseLevel)
    chooser.query_one(OptionList).highlighted = chooser.choices.index(label)
    await pilot.press("enter")
    await pilot.pause()
    editor = pilot.app.screen
    assert isinstance(editor, TextEditor)
    return editor


async def test_the_screen_shows_the_assessment_and_the_computed_studies(built: Project) -> None:
    cerqual.set_assessment(
        built,
        "Support",
        coder=who(built, "ann"),
        finding="Staff who listened made the difference.",
        levels={"coherence": "minor"},
        explanations={"coherence": "one source is ambivalent"},
    )
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cerqual(pilot, "Support")
        title = str(screen.query_one("#title", Static).render())
        assert title.startswith("GRADE-CERQual  ·  Support  ·  assessed by")
        studies = assessed(built, "Support").sources
        assert len(studies) == 2
        assert rows(screen) == [
            ["Finding", "", "Staff who listened made the difference."],
            ["Methodological limitations", "not assessed", ""],
            ["Coherence", "Minor concerns", "one source is ambivalent"],
            ["Adequacy", "not assessed", ""],
            ["Relevance", "not assessed", ""],
            ["Confidence", "not assessed", ""],
            ["Contributing studies", "2", "; ".join(studies)],
        ]
        await on_row(pilot, screen, "coherence")
        detail = str(screen.query_one("#detail", Static).render())
        assert detail == "Coherence: Minor concerns\none source is ambivalent"


async def test_a_level_and_its_why_are_saved_as_one_change(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cerqual(pilot, "Barriers")
        before = kinds(built)
        editor = await judge(pilot, screen, "adequacy", "Moderate concerns")
        editor.query_one(TextArea).load_text("two thin interviews")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert assessed(built, "Barriers").components["adequacy"] == CerqualComponent(
            "moderate", "two thin interviews"
        )
        assert kinds(built) == [*before, "cerqual.set"]
        assert rows(screen)[3] == ["Adequacy", "Moderate concerns", "two thin interviews"]
        # the chooser opens on the current level
        await on_row(pilot, screen, "adequacy")
        await pilot.press("enter")
        await pilot.pause()
        chooser = pilot.app.screen
        assert isinstance(chooser, ChooseLevel)
        assert chooser.query_one(OptionList).highlighted == 2
        await pilot.press("escape")


async def test_a_confidence_needs_its_why_and_escape_saves_nothing(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cerqual(pilot, "Barriers")
        before = kinds(built)
        editor = await judge(pilot, screen, "confidence", "Low confidence")
        await pilot.press("ctrl+s")  # no explanation: refused, the editor stays
        await pilot.pause()
        assert pilot.app.screen is editor
        assert any("needs its explanation" in m for m in errors(app))
        assert kinds(built) == before
        editor.query_one(TextArea).load_text("serious concerns about adequacy")
        await pilot.press("ctrl+s")
        await pilot.pause()
        found = assessed(built, "Barriers")
        assert (found.confidence, found.explanation) == ("low", "serious concerns about adequacy")
        # a level chosen, then Escape twice (the editor, then discarding the typed text)
        editor = await judge(pilot, screen, "relevance", "Serious concerns")
        editor.query_one(TextArea).load_text("typed, then dropped")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert assessed(built, "Barriers").components["relevance"].level is None
        assert kinds(built) == [*before, "cerqual.set"]


async def test_f_writes_the_finding_and_the_studies_row_lists_the_excerpts(
    built: Project,
) -> None:
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cerqual(pilot, "Support")
        await pilot.press("f")
        await pilot.pause()
        editor = pilot.app.screen
        assert isinstance(editor, TextEditor)
        editor.query_one(TextArea).load_text("People valued | continuity.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert assessed(built, "Support").finding == "People valued | continuity."
        assert rows(screen)[0] == ["Finding", "", "People valued | continuity."]
        await on_row(pilot, screen, "studies")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ExcerptListScreen)


async def test_a_rename_elsewhere_is_followed_and_a_delete_is_said(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cerqual(pilot, "Barriers")
        themes.rename_theme(built, "Barriers", "Obstacles", coder=who(built, "ann"))
        screen.reload()
        await pilot.pause()
        assert screen.path == "Obstacles"
        themes.delete_theme(built, "Obstacles", coder=who(built, "ann"))
        screen.reload()
        await pilot.pause()
        assert str(screen.query_one("#title", Static).render()).endswith("the theme was deleted")
        await pilot.press("enter", "f")  # nothing to edit: no dialog, no error
        await pilot.pause()
        assert pilot.app.screen is screen and errors(app) == []


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_row_shows_at_small_sizes(built: Project, size: tuple[int, int]) -> None:
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=size) as pilot:
        screen = await open_cerqual(pilot, "Support")
        table = screen.query_one(DataTable)
        assert table.region.height >= len(ROWS) + 1  # the header and every row
        detail = screen.query_one("#detail-box")
        assert detail.region.height >= 4
        assert detail.region.bottom <= size[1] - 2  # above the status line and the footer
