"""The reader: x removes the coding at the cursor (asking which when several), and the
reader can open at an offset."""

from __future__ import annotations

import pytest

from cen_themes.db import Project
from cen_themes.services import analysis, coding
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.dialogs import ChooseOne
from cen_themes.tui.screens.reader import ReaderScreen
from tests.conftest import CodedProject, who

TEXT = "Q: How was it?\nA: The wait was long. Then they listened to me.\n"
WAIT = (18, 36)  # "The wait was long."


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    assert TEXT[WAIT[0] : WAIT[1]] == "The wait was long."
    return coded_project(TEXT, [("int01", WAIT, "Waiting")], coder="ann")


def codes(project: Project) -> list[tuple[int, int, list[str]]]:
    return [(e.start, e.end, e.codes) for e in analysis.find_excerpts(project)]


async def open_at(pilot, offset: int) -> ReaderScreen:
    pilot.app.open_reader("int01", cursor=offset)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    assert screen.text_area.cursor_offset() == offset
    return screen


async def test_x_removes_the_only_coding_at_the_cursor(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ann"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_at(pilot, 25)
        await pilot.press("x")
        await pilot.pause()
    assert codes(coded) == []


async def test_x_asks_which_when_several_and_escape_keeps_them(coded: Project) -> None:
    coding.apply_code(coded, "int01", *WAIT, "Time", coder=who(coded, "ann"))
    app = CenThemesApp(coded, who(coded, "ann"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_at(pilot, 20)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChooseOne)
        await pilot.press("escape")
        await pilot.pause()
        assert codes(coded) == [(18, 36, ["Waiting", "Time"])]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("down", "enter")  # the second choice: Time
        await pilot.pause()
    assert codes(coded) == [(18, 36, ["Waiting"])]


async def test_x_outside_any_excerpt_changes_nothing(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ann"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_at(pilot, 3)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    assert codes(coded) == [(18, 36, ["Waiting"])]
