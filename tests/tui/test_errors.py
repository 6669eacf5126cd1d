"""An unusable project is a notification, never a crash: the database locked by another
program, and the project file gone from under the workbench; once the cause is gone, the
same keys work again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from cen_themes import db
from cen_themes.db import Project, open_project
from cen_themes.services import codebook, themes
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.codebook import CodebookScreen
from cen_themes.tui.screens.dialogs import TextPrompt
from cen_themes.tui.screens.themes import ThemesScreen

SIZE = (100, 30)


@pytest.fixture
def quick(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """A project whose connections wait 50 ms, not 10 s (or the workbench's 2 s), for
    another program's lock."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr("cen_themes.tui.app.WORKBENCH_BUSY_TIMEOUT_MS", 50)
    project = open_project(db_path)
    codebook.create_code(project, "Care", coder="ana")
    themes.add_theme(project, "Support", coder="ana")
    yield project
    project.close()


@pytest.fixture
def lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another program's connection; ``lock.execute("BEGIN IMMEDIATE")`` takes the
    write lock until ``lock.rollback()``."""
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    yield other
    if other.in_transaction:
        other.rollback()
    other.close()


def errors(app: CenThemesApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def code_paths(project: Project) -> list[str]:
    return [c.path for c in codebook.list_codes(project, usage=False)]


async def add_code(pilot: Pilot, path: str) -> None:
    """`a` in the codebook, the path typed over what is offered, Enter."""
    await pilot.press("a")
    await pilot.pause()
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = ""
    await pilot.press(*path, "enter")
    await pilot.pause()


async def test_locked_database_is_a_notice_and_the_key_works_after(
    quick: Project, lock: sqlite3.Connection
) -> None:
    app = CenThemesApp(quick, "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = CodebookScreen()
        await app.push_screen(screen)
        await pilot.pause()
        lock.execute("BEGIN IMMEDIATE")
        await add_code(pilot, "Waiting")
        assert app.is_running
        assert app.screen is screen
        assert any("locked by another program" in m for m in errors(app))
        assert code_paths(quick) == ["Care"]
        await pilot.press("u")  # undo writes too
        await pilot.pause()
        assert app.is_running
        assert len(errors(app)) == 2
        lock.rollback()
        await add_code(pilot, "Waiting")
        assert len(errors(app)) == 2
        assert code_paths(quick) == ["Care", "Waiting"]
        assert screen.highlighted is not None and screen.highlighted.path == "Waiting"


async def test_locked_database_in_the_themes_screen(
    quick: Project, lock: sqlite3.Connection
) -> None:
    app = CenThemesApp(quick, "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = ThemesScreen()
        await app.push_screen(screen)
        await pilot.pause()
        lock.execute("BEGIN IMMEDIATE")
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = "Trust"
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert any("locked" in m for m in errors(app))
        lock.rollback()
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = "Trust"
        await pilot.press("enter")
        await pilot.pause()
    assert [t.path for t in themes.list_themes(quick)] == ["Support", "Trust"]


def move_project(db_path: Path, folder: Path) -> None:
    """Move the project file (with its WAL files) into ``folder``, or back from it."""
    folder.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        here = db_path.with_name(db_path.name + suffix)
        there = folder / here.name
        if here.exists():
            here.rename(there)
        elif there.exists():
            there.rename(here)


async def test_vanished_project_file_is_a_notice_and_nothing_is_lost(
    quick: Project, db_path: Path, tmp_path: Path
) -> None:
    away = tmp_path / "away"
    app = CenThemesApp(quick, "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = CodebookScreen()
        await app.push_screen(screen)
        await pilot.pause()
        move_project(db_path, away)
        await add_code(pilot, "Waiting")
        assert app.is_running
        assert app.screen is screen
        assert any(str(db_path) in m and "gone" in m for m in errors(app))
        for key in ("k", "escape", "m", "escape", "t", "escape", "k"):
            await pilot.press(key)  # screens that read the project still open
            await pilot.pause()
            assert app.is_running
        move_project(db_path, away)  # the file comes back
        await add_code(pilot, "Waiting")
        assert code_paths(quick) == ["Care", "Waiting"]
    assert not (away / db_path.name).exists()


@pytest.mark.sqlite_only(reason="SQLite's busy timeout (PostgreSQL has row locks)")
def test_the_workbench_waits_less_for_a_lock_than_commands(project: Project) -> None:
    def waits() -> tuple[int, int]:
        with project.write() as session:
            written = session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
        with project.read() as session:
            read = session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
        return written, read

    assert waits() == (db.BUSY_TIMEOUT_MS, db.BUSY_TIMEOUT_MS)
    CenThemesApp(project, "tester")
    assert waits() == (2_000, 2_000)
