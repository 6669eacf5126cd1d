"""The reader: n edits the memo of the excerpt at the cursor (asking which when several),
saves through the coding service, and keeps what was typed when saving fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from cen_themes.db import Project
from cen_themes.services import analysis, coding
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.dialogs import ChooseOne, Confirm, TextEditor
from cen_themes.tui.screens.reader import ReaderScreen
from tests.conftest import CodedProject, dump_database, who
from tests.tui.conftest import held_lock, open_impatient

TEXT = "Interviewer: How was it?\nP01: The wait was long. Then they listened to me.\n"
WAIT = (30, 48)  # "The wait was long."
TURN = (30, 74)  # P01's whole turn
SIZE = (100, 30)


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    assert TEXT[WAIT[0] : WAIT[1]] == "The wait was long."
    assert TEXT[TURN[0] : TURN[1]] == "The wait was long. Then they listened to me."
    return coded_project(TEXT, [("int01", WAIT, "Waiting", "ann", "first thought")], coder="ann")


def memos(project: Project) -> dict[tuple[int, int], str]:
    return {(e.start, e.end): e.memo for e in analysis.find_excerpts(project, source="int01")}


def messages(app: CenThemesApp, severity: str) -> list[str]:
    return [n.message for n in app._notifications if n.severity == severity]


async def open_at(pilot: Pilot, offset: int) -> ReaderScreen:
    pilot.app.open_reader("int01", cursor=offset)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*("enter" if char == "\n" else char for char in text))


async def editor(pilot: Pilot) -> TextEditor:
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TextEditor)
    return screen


async def test_n_edits_the_memo_of_the_excerpt_at_the_cursor(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 35)
        assert "first thought" in str(reader.query_one("#memo", Static).render())
        await pilot.press("n")
        dialog = await editor(pilot)
        assert dialog.query_one(TextArea).text == "first thought"  # pre-filled
        await type_text(pilot, " (q, u and k go in)\nsecond line")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is reader
        assert "second line" in str(reader.query_one("#memo", Static).render())
        assert not app._exit
    assert memos(coded) == {WAIT: "first thought (q, u and k go in)\nsecond line"}


async def test_n_asks_which_excerpt_when_several_cover_the_cursor(coded: Project) -> None:
    coding.apply_code(coded, "int01", *TURN, "Being heard", coder=who(coded, "ann"))
    app = CenThemesApp(coded, who(coded, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, 35)
        await pilot.press("n")
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, ChooseOne)
        assert sorted((e.start, e.end) for e in chooser.values) == [WAIT, TURN]
        await pilot.press("down", "enter")
        chosen = chooser.values[1]
        dialog = await editor(pilot)
        assert dialog.query_one(TextArea).text == chosen.memo
        await pilot.press("ctrl+a")  # the line start: the new words go before the memo
        await type_text(pilot, "NEW ")
        await pilot.press("ctrl+s")
        await pilot.pause()
    other = TURN if (chosen.start, chosen.end) == WAIT else WAIT
    after = memos(coded)
    assert after[(chosen.start, chosen.end)] == ("NEW " + chosen.memo).strip()
    assert after[other] == ("" if other == TURN else "first thought")


async def test_n_without_an_excerpt_warns_and_writes_nothing(
    coded: Project, db: Path | str
) -> None:
    before = dump_database(db)
    app = CenThemesApp(coded, who(coded, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 5)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is reader
        assert any("No excerpt at the cursor" in m for m in messages(app, "warning"))
    assert dump_database(db) == before


async def test_clearing_the_memo(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 40)
        await pilot.press("n")
        await editor(pilot)
        await pilot.press(*["backspace"] * len("first thought"), "ctrl+s")
        await pilot.pause()
        assert app.screen is reader
        assert "(none)" in str(reader.query_one("#memo", Static).render())
    assert memos(coded) == {WAIT: ""}


async def test_escape_asks_before_discarding_typed_text(coded: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(coded, who(coded, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 35)
        await pilot.press("n")
        dialog = await editor(pilot)
        await type_text(pilot, " more")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one(TextArea).text == "first thought more"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")  # discard
        await pilot.pause()
        assert app.screen is reader
    assert dump_database(db) == before


@pytest.fixture
def impatient(coded: Project, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    opened = open_impatient(db_path, monkeypatch)
    yield opened
    opened.close()


async def test_a_locked_database_keeps_the_dialog_and_the_text(
    impatient: Project, db_path: Path
) -> None:
    app = CenThemesApp(impatient, who(impatient, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 35)
        await pilot.press("n")
        dialog = await editor(pilot)
        await type_text(pilot, "\nwritten while locked")
        with held_lock(db_path):  # another program holds the write lock
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is dialog
            assert dialog.query_one(TextArea).text == "first thought\nwritten while locked"
            assert any("locked" in m for m in messages(app, "error"))
        assert memos(impatient) == {WAIT: "first thought"}
        await pilot.press("ctrl+s")  # the lock is gone: the same text saves
        await pilot.pause()
        assert app.screen is reader
    assert memos(impatient) == {WAIT: "first thought\nwritten while locked"}
