"""The codebook screen and the excerpt list: keys drive them, the project is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from cen_themes.db import Project
from cen_themes.services import analysis, codebook
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.codebook import CodebookScreen
from cen_themes.tui.screens.dialogs import Confirm, TextPrompt
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.widgets.coded_text import CodedTextArea
from tests.conftest import CodedProject, dump_database, settle, who

SIZE = (100, 30)
NAME = "int01"
TEXT = (
    "Interviewer: How did the clinic treat you?\n"
    "P01: I waited six weeks for a first appointment.\n"
    "P01: The nurse really listened to me, which helped.\n"
    "P01: Then I waited again for the results.\n"
)
WAIT_1 = "waited six weeks"
LISTEN = "really listened to me"
WAIT_2 = "waited again"


def span(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    return coded_project(
        TEXT,
        [
            (NAME, WAIT_1, "Access > Waiting", "ana"),
            (NAME, WAIT_2, "Access > Waiting", "ana"),
            (NAME, LISTEN, "Listening", "ana"),
            (NAME, "helped", "Care", "ana"),
        ],
        name=NAME,
    )


def paths(project: Project) -> list[str]:
    return [code.path for code in codebook.list_codes(project)]


def spans(project: Project, code: str) -> list[tuple[int, int]]:
    return [(e.start, e.end) for e in analysis.find_excerpts(project, code=code)]


def errors(app: CenThemesApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_codebook(pilot: Pilot) -> CodebookScreen:
    screen = CodebookScreen()
    await pilot.app.push_screen(screen)
    await pilot.pause()
    assert pilot.app.screen is screen
    return screen


async def go_to(pilot: Pilot, screen: CodebookScreen, path: str) -> None:
    """Move the cursor to the code at ``path`` with the arrow keys."""
    rows = [code.path for code in screen.codes]
    await pilot.press("ctrl+home", *["down"] * rows.index(path))
    assert screen.highlighted is not None
    assert screen.highlighted.path == path


async def answer(pilot: Pilot, text: str | None) -> None:
    """Replace the prompt's text and press Enter (``None``: press Escape)."""
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    if text is None:
        await pilot.press("escape")
    else:
        prompt.query_one(Input).value = ""
        await pilot.press(*text, "enter")
    await pilot.pause()


async def test_tree_order_colours_and_counts(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        table = screen.query_one(DataTable)
        assert [code.path for code in screen.codes] == paths(coded)
        assert table.row_count == 4
        waiting = table.get_row("Access > Waiting")
        assert str(waiting[2]) == "  Waiting"  # indented under Access
        assert (waiting[3], waiting[4]) == (2, 1)
        assert waiting[1].style.bgcolor is not None  # the colour swatch


async def test_add_prefills_the_highlighted_path(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Access")
        await pilot.press("a")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert prompt.query_one(Input).value == "Access > "
        await pilot.press(*"Cost", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.highlighted is not None
        assert screen.highlighted.path == "Access > Cost"
    assert "Access > Cost" in paths(coded)


async def test_rename_keeps_the_highlight(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Access > Waiting")
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "Waiting"
        await answer(pilot, "Delays")
        assert screen.highlighted is not None
        assert screen.highlighted.path == "Access > Delays"
    assert "Access > Delays" in paths(coded)
    assert "Access > Waiting" not in paths(coded)
    assert spans(coded, "Access > Delays") == [span(WAIT_1), span(WAIT_2)]


async def test_recolour_and_bad_colour(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Care")
        await pilot.press("o")
        await pilot.pause()
        await answer(pilot, "teal")
        await pilot.press("o")
        await pilot.pause()
        await answer(pilot, "not-a-colour")
        assert app.screen is screen
        assert any("is not a colour" in message for message in errors(app))
    care = next(code for code in codebook.list_codes(coded) if code.path == "Care")
    assert care.color == codebook.NAMED_COLOURS["teal"]


async def test_mark_two_and_merge(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        table = screen.query_one(DataTable)
        await go_to(pilot, screen, "Listening")
        await pilot.press("space")
        await go_to(pilot, screen, "Care")
        await pilot.press("space")
        assert screen.marked == {"Listening", "Care"}
        assert str(table.get_row("Listening")[0]) == "●"
        await go_to(pilot, screen, "Access > Waiting")
        await pilot.press("M")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, Confirm)
        message = str(confirm.query_one("#message", Static).render())
        assert "Listening, Care into Access > Waiting" in message
        assert "2 excerpts" in message
        await pilot.press("enter")  # the focused button is Merge
        await pilot.pause()
        assert app.screen is screen
        assert screen.marked == set()
        assert screen.highlighted is not None
        assert screen.highlighted.path == "Access > Waiting"
    assert paths(coded) == ["Access", "Access > Waiting"]
    assert spans(coded, "Access > Waiting") == sorted(
        [span(WAIT_1), span(WAIT_2), span(LISTEN), span("helped")]
    )


async def test_merge_without_marks_warns(coded: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await pilot.press("space")  # only the highlighted code itself is marked
        await pilot.press("M")
        await pilot.pause()
        assert app.screen is screen
    assert dump_database(db) == before


async def test_delete_unused_code(coded: Project) -> None:
    codebook.create_code(coded, "Spare", coder=who(coded, "ana"))
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Spare")
        await pilot.press("d")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, Confirm)
        assert "unused" in str(confirm.query_one("#message", Static).render())
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
    assert "Spare" not in paths(coded)


async def test_delete_used_code_says_so(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Access")
        await pilot.press("d")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, Confirm)
        message = str(confirm.query_one("#message", Static).render())
        assert "in use" in message
        assert "2 excerpts" in message and "1 child code" in message
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        assert "Access > Waiting" in paths(coded)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert not errors(app)
    assert paths(coded) == ["Listening", "Care"]  # tree order: as created
    assert spans(coded, "Listening") == [span(LISTEN)]


@pytest.mark.parametrize("key", ["a", "r", "o", "d", "M"])
async def test_escape_in_a_modal_changes_nothing(coded: Project, db: Path | str, key: str) -> None:
    before = dump_database(db)
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Care")
        await pilot.press("space")
        await go_to(pilot, screen, "Access")
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt | Confirm)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    assert dump_database(db) == before


async def test_enter_lists_excerpts_and_opens_the_reader(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Access > Waiting")
        await pilot.press("enter")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ExcerptListScreen)
        table = listing.query_one(DataTable)
        assert table.row_count == 2
        assert table.get_row_at(1)[:2] == [NAME, "{}-{}".format(*span(WAIT_2))]
        assert table.get_row_at(1)[3] == WAIT_2
        await pilot.press("down", "enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.query_one(CodedTextArea).cursor_offset() == span(WAIT_2)[0]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is listing
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_excerpt_list_with_failing_loader(coded: Project) -> None:
    def gone() -> list[analysis.ExcerptView]:
        return analysis.find_excerpts(coded, code="No such code")

    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        listing = ExcerptListScreen("Excerpts of nothing", gone)
        await app.push_screen(listing)
        await settle(pilot)
        assert app.screen is listing
        assert errors(app)


def contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(rgb: tuple[int, int, int]) -> float:
        parts = [c / 255 for c in rgb]
        linear = [p / 12.92 if p <= 0.03928 else ((p + 0.055) / 1.055) ** 2.4 for p in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_title_bars_are_readable_in_dark_and_light(coded: Project, theme: str) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Care")
        await pilot.press("enter")
        await pilot.pause()
        for shown in (screen, app.screen):
            style = shown.query_one("#title", Static).rich_style
            assert style.color is not None and style.bgcolor is not None
            ratio = contrast(style.color.get_truecolor(), style.bgcolor.get_truecolor())
            assert ratio >= 4.5, (theme, type(shown).__name__, ratio)


async def test_reload_keeps_the_highlighted_code_when_rows_above_go(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_codebook(pilot)
        await go_to(pilot, screen, "Listening")
        codebook.delete_code(coded, "Access > Waiting", coder=who(coded, "bob"), force=True)
        screen.reload()  # what undo and returning to the screen do
        await pilot.pause()
        assert screen.highlighted is not None and screen.highlighted.path == "Listening"
        codebook.delete_code(coded, "Listening", coder=who(coded, "bob"), force=True)
        screen.reload()  # the highlighted code itself went: same row, now Care
        await pilot.pause()
        assert screen.highlighted is not None and screen.highlighted.path == "Care"


async def test_excerpt_list_shows_an_excerpt_given_twice_once(coded: Project) -> None:
    def twice() -> list[analysis.ExcerptView]:
        found = analysis.find_excerpts(coded, code="Access > Waiting")
        return found + found[:1]

    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        listing = ExcerptListScreen("Twice", twice)
        await app.push_screen(listing)
        await settle(pilot)
        assert app.screen is listing
        assert listing.query_one(DataTable).row_count == 2
        assert [e.start for e in listing.excerpts] == [span(WAIT_1)[0], span(WAIT_2)[0]]


async def test_a_long_excerpt_list_shows_the_first_ones_and_says_how_many(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cen_themes.tui.screens import excerpt_list

    monkeypatch.setattr(excerpt_list, "LISTED", 1)
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        listing = ExcerptListScreen(
            "Waiting", lambda: analysis.find_excerpts(coded, code="Access > Waiting")
        )
        await app.push_screen(listing)
        await settle(pilot)
        assert listing.query_one(DataTable).row_count == 1
        assert [e.start for e in listing.excerpts] == [span(WAIT_1)[0]]
        title = str(listing.query_one("#title", Static).render())
        assert title == "Waiting  ·  2 excerpts (the first 1 listed, in source order)"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.text_area.cursor_offset() == span(WAIT_1)[0]


async def test_an_excerpt_list_reads_in_a_worker_while_the_workbench_answers(
    coded: Project,
) -> None:
    import threading

    release, returned = threading.Event(), threading.Event()
    shown: list[int] = []

    def slow() -> list[analysis.ExcerptView]:
        release.wait(10)
        try:
            return analysis.find_excerpts(coded, code="Access > Waiting")
        finally:
            returned.set()

    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        first = await open_codebook(pilot)
        listing = ExcerptListScreen("Waiting", slow)
        original_show = listing._show
        listing._show = lambda found: (shown.append(len(found)), original_show(found))
        await app.push_screen(listing)
        await pilot.pause()
        assert str(listing.query_one("#title", Static).render()) == "Waiting  ·  reading…"
        await pilot.press("escape")  # answered while the excerpts are still being read
        await pilot.pause()
        assert app.screen is first
        release.set()
        assert returned.wait(10)
        for _ in range(20):
            await pilot.pause(0.01)
        assert shown == []  # closing the list cancelled its worker: they were let go
        assert not errors(app)
        again = ExcerptListScreen("Waiting", slow)
        await app.push_screen(again)
        await settle(pilot)
        assert again.query_one(DataTable).row_count == 2


async def test_an_excerpt_list_shows_its_latest_read_not_a_slower_earlier_one(
    coded: Project,
) -> None:
    import threading

    release, finished = threading.Event(), threading.Event()
    calls: list[int] = []

    def loader() -> list[analysis.ExcerptView]:
        calls.append(len(calls))
        found = analysis.find_excerpts(coded, code="Access > Waiting")
        if len(calls) == 1:  # the first read is slow and sees an older project
            release.wait(10)
            finished.set()
            return found[:1]
        return found

    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        listing = ExcerptListScreen("Waiting", loader)
        await app.push_screen(listing)
        await pilot.pause()
        listing.reload()  # what returning from the reader does
        await settle(pilot)
        assert listing.query_one(DataTable).row_count == 2
        release.set()
        assert finished.wait(10)
        for _ in range(20):
            await pilot.pause(0.01)
        assert listing.query_one(DataTable).row_count == 2
        assert len(listing.excerpts) == 2
