"""The reconcile screen: `R` asks for two coders, then walks their disagreements; each
key's decision is a change in the trail that `u` undoes; nothing is cut off at 80x24.
The project is the hand-worked one of tests/services/test_agreement.py."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from cen_themes.db import Project
from cen_themes.results.agreement import Disagreement
from cen_themes.services import history, memos, reconcile
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.dialogs import ChooseOne
from cen_themes.tui.screens.reconcile import ReconcileScreen
from tests.conftest import CodedProject, settle

from ..services.test_agreement import B, build, codings_of


@pytest.fixture
def two_coders(coded_project: CodedProject) -> tuple[Project, tuple[str, str]]:
    return build(coded_project)


def caption(screen: ReconcileScreen) -> str:
    return str(screen.query_one("#caption", Static).render())


def pane(screen: ReconcileScreen, side: str) -> tuple[str, str, str]:
    """(coder, heading, text) of a pane, as shown."""
    found = screen.query_one(f"#side-{side}")
    return tuple(
        str(found.query_one(f".{part}", Static).render()) for part in ("coder", "heading", "text")
    )  # type: ignore[return-value]


async def open_reconcile(pilot: Pilot, a: str, b: str) -> ReconcileScreen:
    """`R`, then the two coders chosen in the dialogs as a user would."""
    await pilot.press("R")
    await pilot.pause()
    for name in (a, b):
        dialog = pilot.app.screen
        assert isinstance(dialog, ChooseOne)
        options = dialog.query_one(OptionList)
        options.highlighted = dialog.values.index(name)
        await pilot.press("enter")
        await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReconcileScreen)
    await settle(pilot)
    await settle(pilot)  # the list, then the disagreement shown
    return screen


async def test_walks_the_disagreements_side_by_side(
    two_coders: tuple[Project, tuple[str, str]],
) -> None:
    project, (a, b) = two_coders
    app = CenThemesApp(project, a)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reconcile(pilot, a, b)
        assert screen.coders == (a, b)
        assert screen.items == [
            Disagreement("s1", 25, 47, "Waiting", a),
            Disagreement("s1", 48, 60, "Waiting", B),
        ]
        assert caption(screen) == f"Reconcile {a} (A) | bob (B)  ·  1 of 2"
        assert str(screen.query_one("#unit", Static).render()) == "Waiting  ·  s1 25-47"
        assert pane(screen, "a") == (
            f"{a} (A)",
            "gave it",
            "I waited for weeks. Nobody called me back.",
        )
        assert pane(screen, "b") == (
            "bob (B)",
            "did not give it",
            "I waited for weeks. Nobody called me back.",
        )
        # A's span 10-30 is shaded in A's pane only
        text_a = screen.query_one("#side-a .text", Static).render()
        assert any(span.style and "on" in str(span.style) for span in text_a.spans)
        await pilot.press("space")
        await settle(pilot)
        assert caption(screen).endswith("2 of 2")
        assert pane(screen, "b")[1] == "gave it"
        await pilot.press("n")  # past the last: round to the first
        await settle(pilot)
        assert caption(screen).endswith("1 of 2")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReconcileScreen)


async def test_accept_keep_and_undo(two_coders: tuple[Project, tuple[str, str]]) -> None:
    project, (a, b) = two_coders
    before = codings_of(project)
    app = CenThemesApp(project, a)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reconcile(pilot, a, b)
        await pilot.press("1")  # accept A's side of 25-47: bob gets A's 10-30
        await settle(pilot)
        await settle(pilot)
        assert codings_of(project) == before | {("s1", 10, 30, "Waiting", B)}
        assert history.log(project)[-1].kind == "reconcile.accept"
        assert screen.items == [Disagreement("s1", 48, 60, "Waiting", B)]
        assert caption(screen).endswith("1 of 1")
        await pilot.press("k")  # keep both on 48-60: a memo, no coding changes
        await settle(pilot)
        await settle(pilot)
        assert history.log(project)[-1].kind == "reconcile.keep"
        assert [m.target for m in memos.list_memos(project, "source")] == ["s1"]
        assert codings_of(project) == before | {("s1", 10, 30, "Waiting", B)}
        assert caption(screen).endswith("1 of 1")  # still open: kept, not settled
        await pilot.press("u")  # undo the keep
        await settle(pilot)
        await pilot.press("u")  # and the accept
        await settle(pilot)
        await settle(pilot)
        assert codings_of(project) == before
        assert memos.list_memos(project, "source") == []
        assert len(screen.items) == 2
        assert caption(screen).endswith("2 of 2")  # still on 48-60, where it was
        await pilot.press("b")  # accept B's side of 48-60: A gets bob's 50-55
        await settle(pilot)
        await settle(pilot)
        assert codings_of(project) == before | {("s1", 50, 55, "Waiting", a)}
        assert screen.items == [Disagreement("s1", 25, 47, "Waiting", a)]
        await pilot.press("2")  # accept B's side of 25-47: A's 10-30 is removed
        await settle(pilot)
        await settle(pilot)
        assert ("s1", 10, 30, "Waiting", a) not in codings_of(project)
        assert screen.items == [Disagreement("s1", 5, 24, "Waiting", B)]  # 10-30 held u1 too


async def test_fewer_than_two_coders(coded_project: CodedProject) -> None:
    project = coded_project({"s1": "P01: Hello there.\n"}, [("s1", "Hello", "Greeting")])
    app = CenThemesApp(project, project.login or "tester")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("R")
        await pilot.pause()
        assert not isinstance(app.screen, (ChooseOne, ReconcileScreen))
        assert [n.title for n in app._notifications] == ["Nothing to reconcile"]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_nothing_is_cut_off(
    two_coders: tuple[Project, tuple[str, str]], size, tmp_path
) -> None:
    project, (a, b) = two_coders
    app = CenThemesApp(project, a)
    async with app.run_test(size=size) as pilot:
        screen = await open_reconcile(pilot, a, b)
        width, height = size
        for side in ("a", "b"):
            found = screen.query_one(f"#side-{side}")
            assert found.region.width >= width // 2 - 2 and found.region.bottom <= height
            assert found.query_one(".scroll").region.height >= 5  # room for the text
            text = found.query_one(".text", Static)
            assert text.region.height >= 1 and text.region.right <= width
        assert screen.query_one("#caption", Static).region.width == width
        shot = app.export_screenshot()
        for words in (f"{a} (A)", "bob (B)", "1 of 2", "Accept", "Keep", "Skip", "Nobody called"):
            assert words.replace(" ", "&#160;") in shot or words in shot, words
        app.save_screenshot(str(tmp_path / f"reconcile_{width}x{height}.svg"))
        print(tmp_path)


async def test_a_decision_someone_made_meanwhile_is_refused_and_the_list_read_again(
    two_coders: tuple[Project, tuple[str, str]],
) -> None:
    project, (a, b) = two_coders
    app = CenThemesApp(project, a)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reconcile(pilot, a, b)
        shown = screen.current
        assert shown == Disagreement("s1", 25, 47, "Waiting", a)
        reconcile.decide(project, (a, b), shown, "a", coder=a)  # another workbench
        before = codings_of(project)
        events = len(history.log(project))
        await pilot.press("2")
        await settle(pilot)
        await settle(pilot)
        assert [n.message for n in app._notifications if n.severity == "error"] == [
            "s1 25-47 is no longer a disagreement on 'Waiting': both coders gave it"
        ]
        assert codings_of(project) == before and len(history.log(project)) == events
        assert screen.items == [Disagreement("s1", 48, 60, "Waiting", B)]
        assert caption(screen).endswith("1 of 1") and not screen.busy
        await pilot.press("R")  # no second reconcile screen over this one
        await pilot.pause()
        assert app.screen is screen
