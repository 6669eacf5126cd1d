"""Suggestions (S in the codebook): keys accept, reject and open them; the project is
checked after."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from cen_themes.db import Project
from cen_themes.models import SuggestionRejection
from cen_themes.services import analysis, codebook, suggest
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.codebook import CodebookScreen
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.screens.suggestions import SuggestionsScreen
from cen_themes.tui.widgets.coded_text import CodedTextArea
from tests.conftest import CodedProject, settle, who

SIZE = (100, 30)
NAME = "int01"
TEXT = (
    "Interviewer: How did the clinic treat you?\n"
    "P01: I waited six weeks for a first appointment. The waiting list was long.\n"
    "P01: The nurse really listened to me, which helped.\n"
    "P01: Then I waited again for the results. The wait felt endless.\n"
)
CODED = "I waited six weeks for a first appointment."
LIKE_IT = {
    "The waiting list was long.",
    "Then I waited again for the results.",
    "The wait felt endless.",
}


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    return coded_project(
        TEXT,
        [(NAME, CODED, "Waiting", "ana"), (NAME, "really listened to me", "Listening", "ana")],
        name=NAME,
    )


def span(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def rejections(project: Project) -> int:
    with project.read() as session:
        return session.scalar(select(func.count()).select_from(SuggestionRejection)) or 0


async def open_suggestions(pilot: Pilot, code: str = "Waiting") -> SuggestionsScreen:
    codebook = CodebookScreen()
    await pilot.app.push_screen(codebook)
    await pilot.pause()
    rows = [c.path for c in codebook.codes]
    await pilot.press("ctrl+home", *["down"] * rows.index(code), "S")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SuggestionsScreen)
    return screen


def shown(screen: SuggestionsScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


async def test_the_list_is_best_first_with_the_highlighted_one_in_context(
    coded: Project,
) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_suggestions(pilot)
        expected = suggest.suggest(coded, "Waiting")
        assert set(shown(screen)) == LIKE_IT
        assert shown(screen) == [s.text for s in expected]
        title = str(screen.query_one("#title", Static).render())
        assert "Suggestions for Waiting" in title and "3, best first" in title
        context = str(screen.query_one("#context", Static).render())
        assert expected[0].text in context and "Interviewer" in context  # text around it
        await pilot.press("down")
        assert expected[1].text in str(screen.query_one("#context", Static).render())


async def test_a_accepts_r_rejects_and_u_undoes(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_suggestions(pilot)
        first, second, third = screen.suggestions
        await pilot.press("a")
        await settle(pilot)
        assert shown(screen) == [second.text, third.text]
        await pilot.press("r")
        await settle(pilot)
        assert shown(screen) == [third.text]
        assert rejections(coded) == 1
        await pilot.press("x")  # x rejects too
        await settle(pilot)
        assert shown(screen) == [] and rejections(coded) == 2
        assert "none left" in str(screen.query_one("#title", Static).render())
        await pilot.press("u")  # the second rejection comes back
        await settle(pilot)
        assert shown(screen) == [third.text] and rejections(coded) == 1
    coded_spans = [(e.start, e.end) for e in analysis.find_excerpts(coded, code="Waiting")]
    assert coded_spans == sorted([span(CODED), (first.start, first.end)])
    assert [s.text for s in suggest.suggest(coded, "Waiting")] == [third.text]


async def test_enter_accepts(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_suggestions(pilot)
        first = screen.suggestions[0]
        await pilot.press("enter")
        await settle(pilot)
        assert first.text not in shown(screen)
    assert (first.start, first.end) in [
        (e.start, e.end) for e in analysis.find_excerpts(coded, code="Waiting")
    ]


async def test_o_opens_the_reader_with_the_segment_selected_and_escape_goes_back(
    coded: Project,
) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_suggestions(pilot)
        await pilot.press("down")
        chosen = screen.suggestions[1]
        await pilot.press("o")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        area = reader.query_one(CodedTextArea)
        assert area.selected_text == chosen.text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)


async def test_a_code_without_excerpts_is_a_warning_not_a_screen(coded: Project) -> None:
    codebook.create_code(coded, "Empty", coder=who(coded, "ana"))
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        codes = CodebookScreen()
        await app.push_screen(codes)
        await pilot.pause()
        rows = [c.path for c in codes.codes]
        await pilot.press("ctrl+home", *["down"] * rows.index("Empty"), "S")
        await pilot.pause()
        assert app.screen is codes
        assert any("Empty has no excerpts yet" in n.message for n in app._notifications)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_screen_fits_small_and_large_terminals(
    coded: Project, size: tuple[int, int]
) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=size) as pilot:
        screen = await open_suggestions(pilot)
        table = screen.query_one(DataTable)
        context = screen.query_one("#context-box")
        assert table.region.height >= 4 and context.region.height >= 5
        assert table.region.bottom <= context.region.y
        assert context.region.bottom <= size[1] - 1  # the footer stays in view
