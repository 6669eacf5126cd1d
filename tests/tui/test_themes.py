"""The themes screen: add, subtheme, rename, nest (N), assign and unassign, checked through
the themes service; Escape in a modal changes nothing; Enter shows a theme's excerpts."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList

from cen_themes.db import Project
from cen_themes.services import analysis, themes
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.dialogs import ChooseOne, TextPrompt
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen
from cen_themes.tui.screens.themes import TOP_LEVEL, ThemesScreen
from tests.conftest import CodedProject, settle, who
from tests.tui.test_matrix import build

SIZE = (100, 30)


@pytest.fixture
def built(coded_project: CodedProject) -> Project:
    return build(coded_project)


def tree(project: Project) -> list[tuple[str, list[str]]]:
    return [(t.path, t.codes) for t in themes.list_themes(project)]


async def open_themes(pilot: Pilot) -> tuple[ThemesScreen, DataTable]:
    screen = ThemesScreen()
    await pilot.app.push_screen(screen)
    await pilot.pause()
    return screen, screen.query_one(DataTable)


async def highlight(pilot: Pilot, screen: ThemesScreen, path: str) -> None:
    table = screen.query_one(DataTable)
    table.move_cursor(row=[t.path for t in screen.themes].index(path))
    await pilot.pause()
    assert screen.highlighted is not None and screen.highlighted.path == path


async def answer(pilot: Pilot, key: str, text: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def choose(pilot: Pilot, key: str, label: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    prompt = pilot.app.screen
    assert isinstance(prompt, ChooseOne)
    prompt.query_one(OptionList).highlighted = prompt.choices.index(label)
    await pilot.press("enter")
    await pilot.pause()


async def test_rows_show_codes_and_rolled_up_counts(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await open_themes(pilot)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [
            ["Barriers", "Access > Waiting", "2", "2"],
            ["Support", "Care", "3", "2"],
            ["  Staff", "", "0", "0"],
        ]


async def test_add_subtheme_rename(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_themes(pilot)
        await answer(pilot, "a", "Trust")
        assert app.screen is screen
        assert "Trust" in [p for p, _c in tree(built)]
        assert screen.highlighted is not None and screen.highlighted.path == "Trust"
        await answer(pilot, "s", "Doubt")
        assert "Trust > Doubt" in [p for p, _c in tree(built)]
        assert screen.highlighted is not None and screen.highlighted.path == "Trust > Doubt"
        await highlight(pilot, screen, "Trust")
        await answer(pilot, "r", "Confidence")
        paths = [p for p, _c in tree(built)]
        assert "Confidence > Doubt" in paths and "Trust" not in paths
        assert screen.highlighted is not None and screen.highlighted.path == "Confidence"
        await answer(pilot, "a", "Barriers")  # already there: an error, no crash
        assert app.screen is screen
        assert [n for n in app._notifications if n.severity == "error"]


async def test_nest_and_back_to_top(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_themes(pilot)
        await highlight(pilot, screen, "Barriers")
        await pilot.press("N")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, ChooseOne)
        assert prompt.choices == [TOP_LEVEL, "Support", "Support > Staff"]  # not itself
        await pilot.press("escape")
        await pilot.pause()
        await choose(pilot, "N", "Support > Staff")
        assert "Support > Staff > Barriers" in [p for p, _c in tree(built)]
        assert screen.highlighted is not None
        assert screen.highlighted.path == "Support > Staff > Barriers"
        assert analysis.matrix(built).rows[0].n_excerpts == 4  # Support now rolls it up
        await choose(pilot, "N", TOP_LEVEL)
        assert "Barriers" in [p for p, _c in tree(built)]


async def test_assign_and_unassign(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_themes(pilot)
        await highlight(pilot, screen, "Support > Staff")
        await pilot.press("plus")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, ChooseOne)
        assert "Care" in prompt.choices and "Access > Waiting" in prompt.choices
        await pilot.press("escape")
        await pilot.pause()
        await choose(pilot, "plus", "Access > Waiting")
        assert dict(tree(built))["Support > Staff"] == ["Access > Waiting"]
        assert screen.highlighted is not None and screen.highlighted.path == "Support > Staff"
        await highlight(pilot, screen, "Support")
        await choose(pilot, "minus", "Care")
        assert dict(tree(built))["Support"] == []
        await choose(pilot, "plus", "Care")
        assert dict(tree(built))["Support"] == ["Care"]


async def test_escape_in_every_modal_changes_nothing(built: Project) -> None:
    before = tree(built)
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_themes(pilot)
        await highlight(pilot, screen, "Support")
        for key in ["a", "s", "r", "N", "n", "plus", "minus"]:
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is not screen, key
            if isinstance(app.screen, TextPrompt):
                app.screen.query_one(Input).value = "Changed"
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen, key
    assert tree(built) == before


async def test_enter_shows_a_themes_excerpts(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _table = await open_themes(pilot)
        await highlight(pilot, screen, "Support")
        await pilot.press("enter")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ExcerptListScreen)
        want = analysis.find_excerpts(built, theme="Support")
        assert [e.id for e in listing.excerpts] == [e.id for e in want]
        assert listing.query_one(DataTable).row_count == len(want) == 3
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert screen.highlighted is not None and screen.highlighted.path == "Support"


async def test_empty_project_prompts_to_add(project: Project) -> None:
    app = CenThemesApp(project, who(project, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_themes(pilot)
        assert table.row_count == 0
        await pilot.press("s")  # nothing highlighted: a warning, no modal
        await pilot.pause()
        assert app.screen is screen
        await answer(pilot, "a", "First")
        assert tree(project) == [("First", [])]


async def test_assign_filters_the_codes_as_you_type(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_themes(pilot)
        await highlight(pilot, screen, "Support > Staff")
        await pilot.press("plus")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, ChooseOne)
        await pilot.press(*"WAIT")  # any case
        await pilot.pause()
        options = prompt.query_one(OptionList)
        assert [
            str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
        ] == ["Access > Waiting"]
        await pilot.press("enter")
        await pilot.pause()
        assert dict(tree(built))["Support > Staff"] == ["Access > Waiting"]
