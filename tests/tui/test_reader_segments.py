"""The reader codes the sentence (s) or the speaker turn (p) at the cursor without
selecting by hand, v selects them for shift+arrows to extend, and the side panel lists
the speakers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from cen_themes.db import Project
from cen_themes.services import analysis, sources
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.code_picker import CodePicker
from cen_themes.tui.screens.reader import ReaderScreen
from tests.conftest import CodedProject, dump_database, who

TEXT = (
    "Interviewer: How was it?\n"
    "P01: The wait was long. Then they listened to me.\n"
    "Interviewer: Why?\n"
    "P01: I do not know. Really.\n"
)
WAIT = (30, 48)  # "The wait was long."
LISTENED = (49, 74)  # "Then they listened to me."
TURN = (30, 74)  # P01's first turn, without the label "P01: "
SIZE = (100, 30)


@pytest.fixture
def imported(coded_project: CodedProject) -> Project:
    project = coded_project(TEXT, coder="ann")
    segments = [(s.start, s.end, s.speaker) for s in sources.get_source(project, "int01").segments]
    assert segments[1:3] == [(*WAIT, "P01"), (*LISTENED, "P01")]
    return project


def excerpts(project: Project) -> list[tuple[int, int, list[str]]]:
    return [(e.start, e.end, e.codes) for e in analysis.find_excerpts(project, source="int01")]


async def open_at(pilot: Pilot, offset: int) -> ReaderScreen:
    pilot.app.open_reader("int01", cursor=offset)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    assert screen.text_area.cursor_offset() == offset
    return screen


async def code_with(pilot: Pilot, key: str, code: str) -> CodePicker:
    await pilot.press(key)
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, CodePicker)
    await pilot.press(*code, "enter")
    await pilot.pause()
    return picker


async def test_s_codes_the_sentence_at_the_cursor(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 60)  # inside "Then they listened to me."
        picker = await code_with(pilot, "s", "Listened")
        assert picker.selected == "Then they listened to me."
        assert app.screen is reader
        assert reader.text_area.selected_offsets() == LISTENED
    assert excerpts(imported) == [(*LISTENED, ["Listened"])]


async def test_p_codes_the_whole_turn_from_its_speaker_label(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, 25)  # on "P01:", which belongs to no segment
        await code_with(pilot, "p", "Waiting")
    assert excerpts(imported) == [(*TURN, ["Waiting"])]


async def test_s_on_a_speaker_label_codes_the_first_sentence_of_the_turn(
    imported: Project,
) -> None:
    app = CenThemesApp(imported, who(imported, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, 26)
        await code_with(pilot, "s", "Waiting")
        await pilot.press("right", "right", "s")  # now inside the next sentence
        await pilot.pause()
        await pilot.press(*"Listened", "enter")
        await pilot.pause()
    assert excerpts(imported) == [(*WAIT, ["Waiting"]), (*LISTENED, ["Listened"])]


async def test_escape_from_the_picker_codes_nothing(imported: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(imported, who(imported, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 35)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader
    assert dump_database(db) == before


async def test_no_sentence_at_the_cursor_warns(imported: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(imported, who(imported, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, len(TEXT))  # the empty last line
        for key in ("s", "p", "v"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is reader
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("No sentence at the cursor" in m for m in warnings)
        assert any("No turn at the cursor" in m for m in warnings)
    assert dump_database(db) == before


async def test_v_selects_the_sentence_then_the_turn_and_shift_extends(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 33)
        await pilot.press("v")
        assert reader.text_area.selected_offsets() == WAIT
        await pilot.press("v")
        assert reader.text_area.selected_offsets() == TURN
        await pilot.press("right", "v", "shift+right")  # the last sentence, one more character
        assert reader.text_area.selected_offsets() == (LISTENED[0], LISTENED[1] + 1)
        await code_with(pilot, "c", "Heard")
    assert excerpts(imported) == [(LISTENED[0], LISTENED[1] + 1, ["Heard"])]


async def test_side_panel_lists_speakers_with_turn_counts(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_at(pilot, 35)
        shown = str(reader.query_one("#speakers", Static).render())
        assert "▸ P01  2 turns" in shown
        assert "  Interviewer  2 turns" in shown
        await pilot.press("up")
        await pilot.pause()
        shown = str(reader.query_one("#speakers", Static).render())
        assert "▸ Interviewer" in shown
        assert "▸ P01" not in shown


async def test_the_footer_shows_the_new_keys(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, 0)
        shown = {
            key: active.binding.description
            for key, active in app.active_bindings.items()
            if active.binding.show
        }
        assert {k: shown.get(k) for k in ("c", "s", "p", "v", "x")} == {
            "c": "Code",
            "s": "Sentence",
            "p": "Turn",
            "v": "Select",
            "x": "Uncode",
        }
        # n (memo) is bound but left to the help, so that the footer fits 80 columns
        assert app.active_bindings["n"].binding.description == "Memo"
        assert "n" not in shown
