"""The search screen: / opens it, Enter searches, space marks, c codes, u undoes, Enter reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input

from cen_themes.db import Project
from cen_themes.services import analysis, history
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.code_picker import CodePicker
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.screens.search import SearchScreen
from cen_themes.tui.screens.sources import SourcesScreen
from cen_themes.tui.widgets.coded_text import CodedTextArea
from tests.conftest import CodedProject, dump_database, who

SIZE = (110, 30)
# An emoji and a form feed before the hits: offsets stay code points.
FIRST = (
    "Interviewer: How was it? 🙂\n"
    "P01: The waiting list was long.\x0cI worried about money.\n"
    "P01: Waiting again, and I was worried.\n"
)
SECOND = "P02: Nobody worries about the waiting here.\n"


@pytest.fixture
def imported(coded_project: CodedProject) -> Project:
    return coded_project({"int01": FIRST, "int02": SECOND})


def at(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def coded(project: Project) -> list[tuple[str, int, int, list[str], list[str]]]:
    return [(e.source, e.start, e.end, e.codes, e.coders) for e in analysis.find_excerpts(project)]


def errors(app: CenThemesApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_search(pilot: Pilot) -> SearchScreen:
    await pilot.press("slash")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    assert screen.query_one("#query", Input).has_focus
    return screen


async def run_search(pilot: Pilot, screen: SearchScreen, query: str) -> DataTable:
    """Type ``query`` and Enter, then wait for the search worker and its result."""
    await pilot.press(*query, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen.query_one("#hits", DataTable)


async def test_slash_searches_and_lists_hits_in_context(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        table = await run_search(pilot, screen, "waiting")
        assert table.row_count == 3
        assert [(h.source, h.start, h.end, h.match) for h in screen.hits] == [
            ("int01", *at(FIRST, "waiting"), "waiting"),
            ("int01", *at(FIRST, "Waiting"), "Waiting"),
            ("int02", *at(SECOND, "waiting"), "waiting"),
        ]
        mark, source, before, match, after = (str(cell) for cell in table.get_row_at(0))
        assert (mark, source, match) == ("", "int01", "waiting")
        assert before.endswith("P01: The ") and after.startswith(" list was long.")
        assert "\n" not in before + after
        assert table.has_focus  # arrows, space and c work on the hits at once


async def test_typing_in_the_query_runs_no_commands(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await pilot.press(*"quit /mtu")  # letters that quit, undo, open screens elsewhere
        assert screen.query_one("#query", Input).value == "quit /mtu"
        assert app.screen is screen and not app._exit
        table = await run_search(pilot, screen, "")
        assert table.row_count == 0
        assert errors(app) == []  # "quit /mtu" is a search with no hits, not an error
        await pilot.press("slash")  # from the table, / goes back to the query
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#query", Input).has_focus
        assert sum(isinstance(s, SearchScreen) for s in app.screen_stack) == 1


async def test_lemma_toggle(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await pilot.press("ctrl+r", "ctrl+l")  # lemma unticks regex: not both at once
        assert screen.query_one("#lemma", Checkbox).value
        assert not screen.query_one("#regex", Checkbox).value
        table = await run_search(pilot, screen, "worry")
        assert table.row_count == 3
        assert [(h.source, h.match) for h in screen.hits] == [
            ("int01", "worried"),
            ("int01", "worried"),
            ("int02", "worries"),
        ]


async def test_invalid_regex_is_a_notification(imported: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await pilot.press("ctrl+r")
        table = await run_search(pilot, screen, "wait(")
        assert app.screen is screen
        assert table.row_count == 0
        assert any("invalid regular expression 'wait('" in m for m in errors(app))
        await pilot.press("backspace")  # the query is still there to correct
        table = await run_search(pilot, screen, "")
        assert [h.match for h in screen.hits] == ["wait", "wait"]  # a regex: case counts
        assert table.row_count == 2
    assert dump_database(db) == before


async def test_mark_two_hits_code_them_and_undo_both(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        table = await run_search(pilot, screen, "waiting")
        await pilot.press("space", "down", "space")  # the first and the third hit
        assert screen.marked == {0, 2}
        assert str(table.get_row_at(0)[0]) == "●" and str(table.get_row_at(1)[0]) == ""
        await pilot.pause()
        assert table.render_line(1).text.split()[:2] == ["●", "int01"]  # the mark shows
        await pilot.press("space", "space")  # unmark and mark again: still marked once
        assert screen.marked == {0, 2}
        await pilot.press("c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        await pilot.press(*"Access > Waiting", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert sorted(coded(imported)) == [
            ("int01", *at(FIRST, "waiting"), ["Access > Waiting"], [who(imported, "ana")]),
            ("int02", *at(SECOND, "waiting"), ["Access > Waiting"], [who(imported, "ana")]),
        ]
        assert screen.marked == set()
        assert history.log(imported)[-1].kind == "coding.apply"
        await pilot.press("u")  # one undo takes back both spans
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert coded(imported) == []
        assert table.row_count == 3  # searched again after the undo
    assert [e.summary for e in history.log(imported)][-1].startswith("undid #")


async def test_c_without_marks_codes_the_highlighted_hit(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await run_search(pilot, screen, "waiting")
        await pilot.press("down", "c")
        await pilot.pause()
        await pilot.press(*"Delay", "enter")
        await pilot.pause()
    assert coded(imported) == [("int01", *at(FIRST, "Waiting"), ["Delay"], [who(imported, "ana")])]


async def test_enter_opens_the_reader_with_the_hit_selected(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await run_search(pilot, screen, "worried")
        await pilot.press("down", "enter")  # "worried" after the form feed, on row 3
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.source == "int01"
        area = reader.query_one(CodedTextArea)
        start = FIRST.index("worried", FIRST.index("Waiting"))
        assert area.selected_offsets() == (start, start + len("worried"))
        assert area.selected_text == "worried"
        await pilot.press("escape")  # back to the hits, as they were
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#hits", DataTable).cursor_row == 1


async def test_search_is_reached_from_the_reader(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SourcesScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        await open_search(pilot)


async def test_scope_codes_the_hits_sentences_or_turns(imported: Project) -> None:
    """o cycles what coding a hit codes; the bar shows it; marked hits in one
    sentence or turn make one excerpt."""
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await run_search(pilot, screen, "worr")  # worried, worried, worries
        scope = screen.query_one("#scope")
        assert str(scope.render()) == "code: hit"
        await pilot.press("o")
        assert (screen.scope, str(scope.render())) == ("sentence", "code: sentence")
        await pilot.press("space", "space", "space", "c")
        await pilot.pause()
        await pilot.press(*"Worry", "enter")
        await pilot.pause()
        assert sorted(coded(imported)) == [
            ("int01", *at(FIRST, "I worried about money."), ["Worry"], [who(imported, "ana")]),
            (
                "int01",
                *at(FIRST, "Waiting again, and I was worried."),
                ["Worry"],
                [who(imported, "ana")],
            ),
            (
                "int02",
                *at(SECOND, SECOND.strip()),  # one speaker: no turns found, one sentence
                ["Worry"],
                [who(imported, "ana")],
            ),
        ]
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert coded(imported) == []
        await pilot.press("o")  # turn: a speaker turn, its label left out
        assert screen.scope == "turn"
        await pilot.press("home", "space", "space", "c")
        await pilot.pause()
        await pilot.press(*"Worry", "enter")
        await pilot.pause()
        first = FIRST.index("The waiting"), FIRST.index("money.") + len("money.")
        second = at(FIRST, "Waiting again, and I was worried.")
        assert coded(imported) == [
            ("int01", *first, ["Worry"], [who(imported, "ana")]),
            ("int01", *second, ["Worry"], [who(imported, "ana")]),
        ]
        await pilot.press("o")
        assert screen.scope == "hit"
