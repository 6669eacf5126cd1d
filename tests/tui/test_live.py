"""Live updates: someone else's codings, codes and themes show in the workbench without a
key press, within the promised time (LIVE_SECONDS), the cursor, the selection and the
scrolling kept; on one SQLite file and on a PostgreSQL server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from cen_themes.services import codebook, coding, sources, themes
from cen_themes.tui.app import CenThemesApp, ChangedElsewhere
from cen_themes.tui.screens.codebook import CodebookScreen
from cen_themes.tui.screens.matrix import MatrixScreen
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.screens.sources import SourcesScreen
from cen_themes.tui.screens.themes import ThemesScreen
from tests.conftest import settle
from tests.tui.live_server import ENGINES, Sides, open_sides

SIZE = (100, 30)
LIVE_SECONDS = 2.0
NAME = "int01"
TEXT = (
    "Interviewer: How did the clinic treat you?\n"
    "P01: I waited six weeks for a first appointment.\n"
    "P01: The nurse really listened to me, which helped.\n"
    "P01: Then I waited again for the results.\n"
)
LISTENED = "really listened to me"


def span(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def import_transcript(sides: Sides, folder: Path) -> None:
    path = folder / f"{NAME}.txt"
    path.write_text(TEXT, encoding="utf-8")
    report = sources.import_files(sides.ours, [path], coder=sides.our_coder, name=NAME)
    assert not report.failed


@pytest.fixture(params=ENGINES)
def sides(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sides]:
    with open_sides(request.param, tmp_path) as opened:
        import_transcript(opened, tmp_path)
        yield opened


@pytest.fixture
def solo(tmp_path: Path) -> Iterator[Sides]:
    """Two workbenches on one SQLite file (the checks that need no second engine)."""
    with open_sides("sqlite", tmp_path) as opened:
        import_transcript(opened, tmp_path)
        yield opened


async def until(pilot: Pilot, shown: Callable[[], bool], what: str) -> float:
    """Seconds until ``shown()``, pressing nothing; fails after LIVE_SECONDS and a margin
    (the caller asserts the promise itself, so that a miss names its time)."""
    started = time.monotonic()
    while not shown():
        if time.monotonic() - started > LIVE_SECONDS + 3:
            raise AssertionError(f"{what} never showed")
        await pilot.pause(0.05)
    return time.monotonic() - started


def in_thread(action: Callable[[], object]) -> None:
    """Someone else's change, made while the workbench runs on (its loop not held)."""
    thread = threading.Thread(target=action)
    thread.start()
    thread.join()


def shaded_columns(reader: ReaderScreen, row: int) -> set[int]:
    """The columns of a row of the text that are shaded as coded."""
    line = reader.text_area.get_line(row)
    return {
        column
        for part in line.spans
        if part.style and getattr(part.style, "bgcolor", None) is not None
        for column in range(part.start, part.end)
    }


async def open_reader(pilot: Pilot) -> ReaderScreen:
    await pilot.press("enter")
    await pilot.pause()
    reader = pilot.app.screen
    assert isinstance(reader, ReaderScreen)
    return reader


async def test_someone_elses_coding_shows_in_the_reader(sides: Sides) -> None:
    app = CenThemesApp(sides.ours, sides.our_coder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_reader(pilot)
        area = reader.text_area
        # The cursor on row 1 with "I waited" selected, as a coder would leave it.
        await pilot.press("down", *["right"] * 5, *["shift+right"] * 8)
        await pilot.pause()
        selection = area.selection
        assert area.selected_text == "I waited"
        start, end = span(LISTENED)
        row, first = area.lines.location(start)
        assert not shaded_columns(reader, row)
        assert "0 codes" in app.status

        in_thread(
            lambda: coding.apply_code(
                sides.theirs, NAME, start, end, "Being heard", coder=sides.their_coder
            )
        )
        took = await until(pilot, lambda: bool(shaded_columns(reader, row)), "the coding")

        assert took < LIVE_SECONDS, f"{sides.engine}: shown after {took:.2f} s"
        assert shaded_columns(reader, row) == set(range(first, first + len(LISTENED)))
        assert [(e.start, e.end, e.codes) for e in reader.excerpts] == [
            (start, end, ["Being heard"])
        ]
        assert area.selection == selection
        assert area.selected_text == "I waited"
        assert app.screen is reader
        await pilot.pause()
        assert app.status.endswith("1 source  ·  1 code")
        assert len(app.status) < 80  # the counts show in an 80-column terminal
        print(f"\n{sides.engine}: someone else's coding shown after {took * 1000:.0f} ms")


async def test_someone_elses_codes_and_themes_show_with_the_cursor_kept(sides: Sides) -> None:
    for path in ("Access", "Care", "Waiting"):
        codebook.create_code(sides.ours, path, coder=sides.our_coder)
    app = CenThemesApp(sides.ours, sides.our_coder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodebookScreen)
        await pilot.press("space", "down", "down")  # Access marked, the cursor on Waiting
        await pilot.pause()
        assert screen.highlighted is not None and screen.highlighted.path == "Waiting"

        in_thread(
            lambda: codebook.create_code(sides.theirs, "Access > Delay", coder=sides.their_coder)
        )
        took = await until(pilot, lambda: screen.table.row_count == 4, "the new code")

        assert took < LIVE_SECONDS
        assert [c.path for c in screen.codes] == ["Access", "Access > Delay", "Care", "Waiting"]
        assert screen.highlighted is not None and screen.highlighted.path == "Waiting"
        assert screen.marked == {"Access"}

        await pilot.press("t")
        await pilot.pause()
        theme_screen = app.screen
        assert isinstance(theme_screen, ThemesScreen)
        in_thread(lambda: themes.add_theme(sides.theirs, "Trust", coder=sides.their_coder))
        took = await until(
            pilot, lambda: [t.path for t in theme_screen.themes] == ["Trust"], "the new theme"
        )
        assert took < LIVE_SECONDS


async def test_the_matrix_follows_with_its_cursor_on_the_same_cell(solo: Sides) -> None:
    sides = solo
    for theme, code in (("Access", "Waiting"), ("Care", "Listening")):
        coding.apply_code(sides.ours, NAME, *span("waited six weeks"), code, coder="ann")
        themes.add_theme(sides.ours, theme, coder="ann")
        themes.assign_codes(sides.ours, theme, [code], coder="ann")
    app = CenThemesApp(sides.ours, sides.our_coder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        matrix = app.screen
        assert isinstance(matrix, MatrixScreen)
        table = matrix.query_one(DataTable)
        await pilot.press("down", "right")  # Care · int01
        await pilot.pause()
        assert table.get_cell_at(table.cursor_coordinate).plain == "1"

        def theirs() -> None:  # a row above the cursor's, and a second Listening excerpt
            themes.add_theme(sides.theirs, "Delays", coder="bob", parent="Access")
            coding.apply_code(sides.theirs, NAME, *span(LISTENED), "Listening", coder="bob")

        in_thread(theirs)
        took = await until(pilot, lambda: table.row_count == 3, "the new theme")
        await until(
            pilot, lambda: table.get_cell_at(table.cursor_coordinate).plain == "2", "the count"
        )
        assert took < LIVE_SECONDS
        assert matrix.table is not None
        row = matrix.table.rows[table.cursor_coordinate.row]
        assert row.cells[0].value == "Care"
        assert matrix.table.columns[table.cursor_coordinate.column].header == NAME


async def test_a_long_codebook_stays_scrolled_where_it_was(solo: Sides) -> None:
    sides = solo
    for n in range(60):
        codebook.create_code(sides.ours, f"Code {n:02d}", coder="ann")
    app = CenThemesApp(sides.ours, sides.our_coder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodebookScreen)
        await pilot.press(*["down"] * 40, *["up"] * 5)  # scrolled, the cursor mid-screen
        await pilot.pause()
        scrolled, cursor = screen.table.scroll_y, screen.table.cursor_row
        assert scrolled > 0
        assert screen.highlighted is not None and screen.highlighted.path == "Code 35"

        in_thread(lambda: codebook.create_code(sides.theirs, "Code 99", coder="bob"))
        await until(pilot, lambda: screen.table.row_count == 61, "the new code")
        await pilot.pause()

        assert screen.highlighted is not None and screen.highlighted.path == "Code 35"
        assert (screen.table.scroll_y, screen.table.cursor_row) == (scrolled, cursor)


async def test_a_covered_reader_catches_up_when_shown_again(solo: Sides) -> None:
    sides = solo
    app = CenThemesApp(sides.ours, sides.our_coder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_reader(pilot)
        reader.select_span(*span("waited again"))
        selection = reader.text_area.selection
        await pilot.press("k")
        await pilot.pause()
        book = app.screen
        assert isinstance(book, CodebookScreen)

        in_thread(
            lambda: coding.apply_code(sides.theirs, NAME, *span(LISTENED), "Heard", coder="bob")
        )
        await until(pilot, lambda: [c.path for c in book.codes] == ["Heard"], "the code")
        assert reader.excerpts == []  # covered: read when shown again

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader
        assert [e.codes for e in reader.excerpts] == [["Heard"]]
        assert reader.text_area.selection == selection


async def test_the_workbenchs_own_changes_are_not_read_twice(
    solo: Sides, monkeypatch: pytest.MonkeyPatch
) -> None:
    sides = solo
    posted: list[ChangedElsewhere] = []
    original = CenThemesApp.on_changed_elsewhere

    def counting(app: CenThemesApp, message: ChangedElsewhere) -> None:
        posted.append(message)
        original(app, message)

    monkeypatch.setattr(CenThemesApp, "on_changed_elsewhere", counting)
    app = CenThemesApp(sides.ours, sides.our_coder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_reader(pilot)
        reader.apply_code(*span(LISTENED), "Mine")
        await pilot.press("u")
        await pilot.pause(1.5)
        assert posted == []
        in_thread(lambda: codebook.create_code(sides.theirs, "Theirs", coder="bob"))
        await until(pilot, lambda: bool(posted), "their change")


async def test_quitting_stops_following_at_once(solo: Sides) -> None:
    app = CenThemesApp(solo.ours, solo.our_coder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        following = app.live
        assert following is not None and following.running
        started = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - started < 1.0
    assert not following.running
    assert app.live is None
    assert not [t for t in threading.enumerate() if t.name == "cen-themes live"]


async def test_sources_screen_follows_a_new_source(solo: Sides, tmp_path: Path) -> None:
    app = CenThemesApp(solo.ours, solo.our_coder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        other = tmp_path / "int02.txt"
        other.write_text("P02: Fine.\n", encoding="utf-8")
        in_thread(lambda: sources.import_files(solo.theirs, [other], coder="bob"))
        took = await until(pilot, lambda: screen.table.row_count == 2, "the new source")
        assert took < LIVE_SECONDS
        assert screen.table.cursor_row == 0  # int01 still highlighted
