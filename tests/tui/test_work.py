"""Work in a thread, one way everywhere: a result reaches its screen, a user's error
its own title, a bug a titled notice naming it, and a superseded worker says nothing.
The workbench keeps running through all of them."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.coordinate import Coordinate
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from cen_themes.db import Project
from cen_themes.errors import (
    CenThemesError,
    ImportFormatError,
    InputError,
    NotFoundError,
    ProjectError,
)
from cen_themes.results import ExcerptView
from cen_themes.services import analysis, sources
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.notices import BUG_TITLE
from cen_themes.tui.screens.dialogs import TextPrompt
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen
from cen_themes.tui.screens.matrix import MatrixScreen
from cen_themes.tui.screens.search import SearchScreen
from cen_themes.tui.screens.sources import NOT_YET, SourcesScreen
from tests.conftest import CodedProject, settle, who

SIZE = (100, 30)
TEXT = "P01: I waited for weeks.\nP01: The nurse was kind.\n"


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    """One source with one coded excerpt."""
    start = TEXT.index("I waited")
    return coded_project(TEXT, [("int01", (start, start + 17), "Waiting")])


def errors(app: CenThemesApp) -> list[Notification]:
    return [n for n in app._notifications if n.severity == "error"]


def titled(app: CenThemesApp, title: str) -> list[str]:
    """The messages of the error notices under ``title``."""
    return [n.message for n in errors(app) if n.title == title]


def test_each_kind_of_error_has_a_title_of_its_own() -> None:
    titles = {
        kind("x").title
        for kind in (CenThemesError, InputError, ImportFormatError, NotFoundError, ProjectError)
    }
    assert len(titles) == 5 and all(titles)
    assert NotFoundError("no source named 'x'").title == "Not found"
    assert ProjectError("gone", title="Project moved").title == "Project moved"
    assert str(InputError("bad value", "Cannot use that")) == "bad value"


# -- the helper -------------------------------------------------------------------


async def test_a_result_reaches_the_ui_thread(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    got: list[tuple[int, bool]] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        screen.run_in_thread(
            lambda: threading.current_thread() is threading.main_thread(),
            lambda off_main: got.append((threading.get_ident(), off_main)),
            doing="checking the thread",
            group="test",
        )
        await settle(pilot)
        assert got == [(threading.get_ident(), False)]  # worked off, delivered on, the UI thread
        assert not errors(app)


async def test_a_bug_in_the_work_is_a_titled_notice_naming_it(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    failed: list[Exception] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)

        def broken() -> None:
            raise ZeroDivisionError("division by zero")

        screen.run_in_thread(
            broken,
            lambda _: pytest.fail("a failed work has no result"),
            doing="counting",
            group="test",
            failed=failed.append,
        )
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert titled(app, BUG_TITLE) == [
            "Counting failed (ZeroDivisionError: division by zero). "
            "This is a bug; please report it."
        ]
        assert [type(e) for e in failed] == [ZeroDivisionError]


async def test_a_users_error_in_the_work_shows_its_own_title(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)

        def refused() -> None:
            raise InputError("no such [thing]", title="Cannot count that")

        screen.run_in_thread(refused, lambda _: None, doing="counting", group="test")
        await settle(pilot)
        assert app.is_running
        assert titled(app, "Cannot count that") == ["no such [thing]"]  # brackets kept


async def test_a_superseded_worker_says_nothing(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    got: list[str] = []

    def slow_then_broken() -> str:
        started.set()
        release.wait(10)
        finished.set()
        raise RuntimeError("too late to matter")

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        screen.run_in_thread(slow_then_broken, got.append, doing="the first", group="g")
        for _ in range(500):  # its thread is running when the second one starts
            if started.is_set():
                break
            await pilot.pause(0.01)
        assert started.is_set()
        screen.run_in_thread(lambda: "second", got.append, doing="the second", group="g")
        await settle(pilot)
        assert got == ["second"]
        release.set()
        assert finished.wait(10)
        for _ in range(20):
            await pilot.pause(0.01)
        assert got == ["second"]
        assert not errors(app)
        assert app.is_running


async def test_work_of_a_group_that_is_not_exclusive_all_comes_back(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    got: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        for n in range(3):
            screen.run_in_thread(
                lambda n=n: n, got.append, doing="counting", group="g", exclusive=False
            )
        await settle(pilot)
        assert sorted(got) == [0, 1, 2]


# -- the excerpt list ---------------------------------------------------------------


async def test_excerpt_list_a_bug_in_the_loader_is_a_notice(coded: Project) -> None:
    def broken() -> list[ExcerptView]:
        raise RuntimeError("the index is broken")

    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        listing = ExcerptListScreen("Waiting", broken)
        await app.push_screen(listing)
        await settle(pilot)
        assert app.is_running and app.screen is listing
        [message] = titled(app, BUG_TITLE)
        assert "Reading the excerpts failed (RuntimeError: the index is broken)" in message
        assert str(listing.query_one("#title", Static).render()) == "Waiting"  # not reading…
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)


async def test_excerpt_list_a_missing_code_is_titled_not_found(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        listing = ExcerptListScreen(
            "Gone", lambda: analysis.find_excerpts(coded, code="No such code")
        )
        await app.push_screen(listing)
        await settle(pilot)
        assert app.is_running and app.screen is listing
        assert [n.title for n in errors(app)] == ["Not found"]
        assert "No such code" in errors(app)[0].message


# -- the sources screen's coded shares --------------------------------------------


async def test_coded_shares_a_bug_is_a_notice_and_the_list_stays(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_project: Project) -> dict[str, float]:
        raise KeyError("int01")

    monkeypatch.setattr(sources, "coded_shares", broken)
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        assert app.is_running
        [message] = titled(app, BUG_TITLE)
        assert "Counting the coded shares failed (KeyError: 'int01')" in message
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        assert table.get_cell_at(Coordinate(0, 5)) == NOT_YET
        await pilot.press("enter")  # the workbench still answers
        await pilot.pause()
        assert app.screen is not screen


async def test_coded_shares_an_unusable_project_shows_its_title(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def gone(_project: Project) -> dict[str, float]:
        raise ProjectError("project.db: the project file is gone")

    monkeypatch.setattr(sources, "coded_shares", gone)
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        assert titled(app, ProjectError.default_title) == ["project.db: the project file is gone"]


# -- search -------------------------------------------------------------------------


async def open_search(pilot: Pilot) -> SearchScreen:
    await pilot.press("slash")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    return screen


async def test_search_a_bug_is_a_notice_and_the_next_search_works(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cen_themes.tui.screens import search as search_screen

    real = search_screen.search
    calls: list[str] = []

    def broken_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        if len(calls) == 1:
            raise AttributeError("'NoneType' object has no attribute 'lemma_'")
        return real(*args, **kwargs)

    monkeypatch.setattr(search_screen, "search", broken_once)
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await pilot.press(*"nurse", "enter")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        [message] = titled(app, BUG_TITLE)
        assert message.startswith("The search failed (AttributeError: ")
        title = str(screen.query_one("#title", Static).render())
        assert title == "Search failed: Enter to try again"
        screen.query_one("#query", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert [hit.match for hit in screen.hits] == ["nurse"]
        assert len(errors(app)) == 1


async def test_search_an_invalid_regex_shows_the_input_errors_title(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await pilot.press("ctrl+r", *"wait(", "enter")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        [notice] = errors(app)
        assert notice.title == InputError.default_title
        assert "invalid regular expression 'wait('" in notice.message
        title = str(screen.query_one("#title", Static).render())
        assert title == "Search: correct the query, Enter to search"


# -- the matrix export --------------------------------------------------------------


async def export(pilot: Pilot, path: str) -> None:
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TextPrompt)
    pilot.app.screen.query_one(Input).value = path
    await pilot.press("enter")
    await settle(pilot)


async def open_matrix(pilot: Pilot) -> MatrixScreen:
    await pilot.press("m")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, MatrixScreen)
    return screen


async def test_export_a_bug_is_a_titled_notice_and_the_path_is_offered_again(
    coded: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise TypeError("unsupported operand")

    monkeypatch.setattr("cen_themes.services.exports.write_matrix", broken)
    typed = str(tmp_path / "out.csv")
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(pilot)
        await export(pilot, typed)
        assert app.is_running
        [message] = titled(app, BUG_TITLE)
        assert message.startswith(f"Exporting to {typed} failed (TypeError: unsupported operand)")
        assert not screen.query_one("#exporting").display
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one(Input).value == typed
    assert not Path(typed).exists()


async def test_export_a_bad_format_shows_the_input_errors_title(
    coded: Project, tmp_path: Path
) -> None:
    typed = str(tmp_path / "out.pdf")
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot)
        await export(pilot, typed)
        [notice] = errors(app)
        assert notice.title == InputError.default_title
        assert notice.message.startswith(f"{typed}: cannot export a matrix as '.pdf'")
        assert isinstance(app.screen, TextPrompt)


async def test_export_is_announced_after_the_matrix_has_closed(
    coded: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cen_themes.services import exports

    release = threading.Event()
    real = exports.export_matrix

    def slow(*args: Any, **kwargs: Any) -> str:
        assert release.wait(20), "the test never released the export"
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "export_matrix", slow)
    target = tmp_path / "late.csv"
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # back to the sources while it writes
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        release.set()
        await settle(pilot)
        assert any(f"wrote {target}" in n.message for n in app._notifications)
        assert not errors(app)
    assert target.read_text(encoding="utf-8").startswith("theme,")
