"""Every screen is readable in the dark and the light theme: each piece of text on it
has a contrast of at least 3:1 with what is behind it (WCAG's figure for interface
text and controls), as the screen is drawn. Lines, borders and scrollbars are drawing,
not text, and are left out; so is the dimmed screen behind a dialog.

`L` switches between the two; CEN_THEMES_THEME=light starts light."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets._toggle_button import ToggleButton

from cen_themes.db import Project
from cen_themes.tui.app import DARK, LIGHT, CenThemesApp

from ..conftest import CodedProject, settle, who
from .test_footers import SCREENS, every_screen_has_content

MINIMUM = 3.0
DRAWING = range(0x2500, 0x25A0)  # box drawing and block elements

one_engine = pytest.mark.sqlite_only(reason="colours do not depend on the engine")


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def faint_text(pilot: Pilot) -> list[tuple[float, int, str]]:
    """(contrast, line, text) of each piece of text on the screen below the minimum."""
    found = []
    # the screen as the compositor draws it: segments of text with their colours
    screen = pilot.app.screen
    for line, strip in enumerate(screen._compositor.render_strips()):
        column = 0
        for segment in strip:
            text, style = segment.text, segment.style
            at, column = column, column + len(text)
            widget, _region = screen.get_widget_at(at, line)
            if isinstance(widget, ToggleButton) and text == widget.BUTTON_INNER:
                continue  # a switch's mark: faint when off, as it is meant to be
            letters = "".join(c for c in text if not c.isspace() and ord(c) not in DRAWING)
            if not letters or style is None or style.color is None or style.bgcolor is None:
                continue
            fore, back = style.color.get_truecolor(), style.bgcolor.get_truecolor()
            if style.reverse:
                fore, back = back, fore
            ratio = contrast(tuple(fore), tuple(back))
            if ratio < MINIMUM:
                found.append((round(ratio, 2), line, text.strip()))
    return found


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    return every_screen_has_content(coded_project)


def test_contrast_is_what_wcag_defines() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast((10, 20, 30), (10, 20, 30)) == 1.0


@one_engine
@pytest.mark.parametrize("theme", [DARK, LIGHT])
@pytest.mark.parametrize("screen", SCREENS)
async def test_every_screen_is_readable(coded: Project, screen: str, theme: str) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = theme
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause()
        assert faint_text(pilot) == []


@one_engine
async def test_l_switches_between_dark_and_light(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == DARK
        await pilot.press("L")
        assert app.theme == LIGHT
        await pilot.press("k", "L")  # from any screen
        assert app.theme == DARK
    monkeypatch.setenv("CEN_THEMES_THEME", "light")
    app = CenThemesApp(coded, who(coded, "ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == LIGHT
