"""Memos on sources, codes and themes: n on the sources, codebook and themes screens
writes one on the highlighted item (Enter saves, Escape asks before discarding, an empty
memo writes nothing), the panel under the table shows the highlighted item's memos, and
u takes a new one back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TextArea

from cen_themes.db import Project
from cen_themes.results import MemoInfo, MemoTarget
from cen_themes.services import memos, themes
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.dialogs import Confirm, MemoWriter
from cen_themes.tui.screens.help import HelpScreen
from cen_themes.tui.widgets.memo_panel import MemoPanel
from tests.conftest import CodedProject, dump_database, settle, who
from tests.tui.conftest import held_lock, open_impatient

SIZE = (100, 30)
TEXTS = {
    "alpha": "Interviewer: How was it?\nP01: The wait was long.\n",
    "beta": "Interviewer: And then?\nP02: They listened to me.\n",
}
CODINGS = [
    ("alpha", "The wait was long.", "Access > Waiting"),
    ("beta", "They listened to me.", "Being heard"),
]
# (key that opens the screen, what the memo goes on, the item on the second row): the
# tests press down once and write on that item.
SCREENS = [
    pytest.param(None, "source", "beta", id="sources"),
    pytest.param("k", "code", "Access > Waiting", id="codebook"),
    pytest.param("t", "theme", "Support", id="themes"),
]


@pytest.fixture
def built(coded_project: CodedProject) -> Project:
    project = coded_project(TEXTS, CODINGS, coder="ann")
    themes.add_theme(project, "Barriers", coder=who(project, "ann"))
    themes.add_theme(project, "Support", coder=who(project, "ann"))
    themes.assign_codes(project, "Support", ["Being heard"], coder=who(project, "ann"))
    return project


def written(project: Project) -> list[tuple[str, str | None, str, str | None]]:
    """Every memo but the excerpts' as (on, target, text, author)."""
    return [
        (m.on, m.target, m.text, m.author) for m in memos.list_memos(project) if m.on != "excerpt"
    ]


def signed(memo: MemoInfo) -> str:
    assert memo.time is not None
    return f"{memo.author} · {memo.time:%Y-%m-%d}: {memo.text}"


def messages(app: CenThemesApp, severity: str) -> list[str]:
    return [n.message for n in app._notifications if n.severity == severity]


async def open_on_second_row(pilot: Pilot, key: str | None) -> WorkbenchScreen:
    """The screen ``key`` opens (the sources when None), its second row highlighted."""
    await settle(pilot)
    if key is not None:
        await pilot.press(key)
        await pilot.pause()
    await pilot.press("down")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, WorkbenchScreen)
    assert screen.query_one(DataTable).cursor_row == 1
    return screen


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*("ctrl+j" if char == "\n" else char for char in text))


async def writer(pilot: Pilot) -> MemoWriter:
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, MemoWriter)
    return dialog


def panel(screen: WorkbenchScreen) -> str:
    return screen.query_one(MemoPanel).text


@pytest.mark.parametrize(("key", "on", "target"), SCREENS)
async def test_n_writes_a_memo_on_the_highlighted_item_and_u_takes_it_back(
    built: Project, key: str | None, on: MemoTarget, target: str
) -> None:
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_on_second_row(pilot, key)
        assert f"Memos on {on} {target}\n(none)" in panel(screen)
        await pilot.press("n")
        dialog = await writer(pilot)
        assert target in str(dialog.query_one(".question").render())
        await type_text(pilot, "Worth a second look (q, u, k and t go in)\nnext line")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        text = "Worth a second look (q, u, k and t go in)\nnext line"
        assert written(built) == [(on, target, text, who(built, "ann"))]
        (memo,) = memos.list_memos(built, on=on)
        assert f"Memos on {on} {target} (1)\n{signed(memo)}" == panel(screen)
        assert f"memo on {on} {target}" in messages(app, "information")

        await pilot.press("u")
        await pilot.pause()
        assert written(built) == []
        assert f"Memos on {on} {target}\n(none)" in panel(screen)
        assert screen.query_one(DataTable).cursor_row == 1  # the same item still


@pytest.mark.parametrize(("key", "on", "target"), SCREENS)
async def test_escape_asks_before_discarding_and_writes_nothing(
    built: Project, db: Path | str, key: str | None, on: str, target: str
) -> None:
    before = dump_database(db)
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_on_second_row(pilot, key)
        await pilot.press("n")
        await writer(pilot)
        await pilot.press("escape")  # nothing typed: closes at once
        await pilot.pause()
        assert app.screen is screen

        await pilot.press("n")
        dialog = await writer(pilot)
        await type_text(pilot, "half a thought")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert app.screen.message == "Discard this memo?"
        await pilot.press("n")  # keep writing
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one(TextArea).text == "half a thought"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")  # discard
        await pilot.pause()
        assert app.screen is screen
    assert dump_database(db) == before


@pytest.mark.parametrize(("key", "on", "target"), SCREENS)
async def test_an_empty_memo_writes_nothing(
    built: Project, db: Path | str, key: str | None, on: str, target: str
) -> None:
    before = dump_database(db)
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_on_second_row(pilot, key)
        for typed in ["", "   \n  "]:
            await pilot.press("n")
            await writer(pilot)
            await type_text(pilot, typed)
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is screen, repr(typed)
        assert not messages(app, "error")
    assert dump_database(db) == before


async def test_the_panel_follows_the_highlight_newest_last(built: Project) -> None:
    memos.add_memo(built, "source", "alpha", "first on alpha", coder=who(built, "ann"))
    memos.add_memo(built, "source", "beta", "on beta", coder=who(built, "bob"))
    memos.add_memo(built, "source", "alpha", "second on alpha", coder=who(built, "bob"))
    first, second, beta = memos.list_memos(built, on="source")  # alpha's first
    assert (first.text, second.text, beta.text) == ("first on alpha", "second on alpha", "on beta")
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkbenchScreen)
        assert panel(screen) == f"Memos on source alpha (2)\n{signed(first)}\n{signed(second)}"
        table = screen.query_one(DataTable)
        memo_column = [str(c.label) for c in table.ordered_columns].index("memos")
        assert [table.get_row_at(i)[memo_column] for i in range(2)] == [2, 1]
        await pilot.press("down")
        await pilot.pause()
        assert panel(screen) == f"Memos on source beta (1)\n{signed(beta)}"
        await pilot.press("f", "z", "z", "z")  # the filter hides every source
        await pilot.pause()
        assert panel(screen) == "Memos\n(nothing highlighted)"


async def test_codebook_and_themes_panels_show_memos_written_elsewhere(built: Project) -> None:
    memos.add_memo(built, "code", "Being heard", "a code memo", coder=who(built, "bob"))
    memos.add_memo(built, "theme", "Barriers", "a theme memo", coder=who(built, "bob"))
    (code_memo,) = memos.list_memos(built, on="code")
    (theme_memo,) = memos.list_memos(built, on="theme")
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await pilot.pause()
        codebook = app.screen
        assert isinstance(codebook, WorkbenchScreen)
        assert panel(codebook) == "Memos on code Access\n(none) · n writes one"
        await pilot.press("down", "down")
        await pilot.pause()
        assert panel(codebook) == f"Memos on code Being heard (1)\n{signed(code_memo)}"
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, WorkbenchScreen)
        assert panel(app.screen) == f"Memos on theme Barriers (1)\n{signed(theme_memo)}"


@pytest.mark.parametrize("key", [None, "k", "t"])
async def test_help_shows_n_memo(built: Project, key: str | None) -> None:
    """n is bound on the sources, codebook and themes screens and `?` lists it (the
    footer keeps to the keys that fit at 80 columns)."""
    app = CenThemesApp(built, who(built, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if key is not None:
            await pilot.press(key)
            await pilot.pause()
        bound = {
            (b.binding.key, b.binding.description) for b in app.screen.active_bindings.values()
        }
        assert ("n", "Memo") in bound
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert ("n", "Memo") in app.screen.bindings


async def test_empty_screens_warn_instead_of_asking(project: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(project, who(project, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        for key in [None, "k", "t"]:
            if key is not None:
                await pilot.press(key)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, WorkbenchScreen)
            assert panel(screen) == "Memos\n(nothing highlighted)"
            await pilot.press("n")
            await pilot.pause()
            assert app.screen is screen, key
        assert len(messages(app, "warning")) == 3
    assert dump_database(db) == before


@pytest.fixture
def impatient(built: Project, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    opened = open_impatient(db_path, monkeypatch)
    yield opened
    opened.close()


async def test_a_locked_database_keeps_the_dialog_and_the_text(
    impatient: Project, db_path: Path
) -> None:
    app = CenThemesApp(impatient, who(impatient, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_on_second_row(pilot, "k")
        await pilot.press("n")
        dialog = await writer(pilot)
        await type_text(pilot, "written while locked")
        with held_lock(db_path):  # another program holds the write lock
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog
            assert dialog.query_one(TextArea).text == "written while locked"
            assert any("locked" in m for m in messages(app, "error"))
        assert written(impatient) == []
        await pilot.press("enter")  # the lock is gone: the same text saves
        await pilot.pause()
        assert app.screen is screen
        assert "written while locked" in panel(screen)
    assert written(impatient) == [("code", "Access > Waiting", "written while locked", "ann")]
