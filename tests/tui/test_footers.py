"""Every screen's footer fits at 80 and at 100 columns (the keys that matter there, and
"? Help"), and `?` lists every key of the screen in front, those the footer leaves out
and the keys that are not bindings (Enter on a row, shift+arrows)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from cen_themes.db import Project
from cen_themes.services import cerqual, themes
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.help import HelpScreen

from ..conftest import CodedProject, settle, who

TEXT = (
    "Interviewer: How was it?\n"
    "P01: The waiting list was long. I felt judged by the staff. Then it got better.\n"
    "Interviewer: And now?\n"
    "P01: The nurse believed me. I trust her.\n"
)
# The keys that open each screen from the sources screen.
SCREENS = {
    "sources": (),
    "reader": ("enter",),
    "codebook": ("k",),
    "codebook excerpts": ("k", "enter"),
    "suggestions": ("k", "down", "S"),
    "themes": ("t",),
    "cerqual": ("t", "g"),
    "matrix": ("m",),
    "co-occurrence": ("m", "o"),
    "search": ("slash", "tab"),
    "evidence map": ("v",),
    "saturation": ("s",),
    "help": ("question_mark",),
}


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    return every_screen_has_content(coded_project)


def every_screen_has_content(coded_project: CodedProject) -> Project:
    """A source with codings, attributes, a theme with an assessment: something on
    every screen."""
    project = coded_project(
        {"int01": TEXT},
        [
            ("int01", "I felt judged by the staff.", "Stigma > Judged"),
            ("int01", "The nurse believed me.", "Trust > Believed"),
        ],
        attributes={"int01": {"group": "service user", "region": "London"}},
    )
    me = who(project, "tester")
    themes.add_theme(project, "Stigma of the diagnosis", coder=me)
    themes.assign_codes(project, "Stigma of the diagnosis", ["Stigma"], coder=me)
    cerqual.set_assessment(project, "Stigma of the diagnosis", coder=me, finding="Judged")
    return project


def footer_keys(pilot: Pilot) -> list[str]:
    footer = pilot.app.screen.query_one(Footer)
    return [f"{key.key_display} {key.description}" for key in footer.query(FooterKey)]


def fits(pilot: Pilot) -> bool:
    """Whether every key of the footer is on the screen, none cut off."""
    footer = pilot.app.screen.query_one(Footer)
    width = pilot.app.size.width
    keys = list(footer.query(FooterKey))
    return bool(keys) and all(key.region.right <= width and key.region.width for key in keys)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@pytest.mark.parametrize("screen", SCREENS)
async def test_the_footer_fits(coded: Project, screen: str, size: tuple[int, int]) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(pilot)
        assert fits(pilot), (screen, footer_keys(pilot))
        assert ("esc Back" if screen == "help" else "? Help") in footer_keys(pilot)


async def test_the_sources_footer_shows_the_way_to_every_screen(coded: Project) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert footer_keys(pilot) == [
            "f Filter",
            "/ Search",
            "k Codebook",
            "t Themes",
            "m Matrix",
            "q Quit",
            "? Help",
        ]


@pytest.mark.parametrize(
    ("keys", "listed", "absent"),
    [
        ((), ["enter", "f", "n", "v", "s", "R", "u", "q"], ["shift+arrows"]),
        (("enter",), ["shift+arrows", "arrows", "c", "n", "x", "u", "/"], ["f"]),
    ],
)
async def test_help_lists_every_key_of_the_screen(
    coded: Project, keys: tuple[str, ...], listed: list[str], absent: list[str]
) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        shown = dict(help_screen.bindings)
        for key in listed:
            assert key in shown, (key, shown)
        for key in absent:
            assert key not in shown, (key, shown)
