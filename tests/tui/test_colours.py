"""Text on a coded span: black or white, whichever reads better (WCAG contrast)."""

from __future__ import annotations

import pytest

from cen_themes.tui.widgets.coded_text import readable_on


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#3cb44b", "#000000"),
        ("#000075", "#ffffff"),
        ("#ffe119", "#000000"),
        ("#e6194b", "#000000"),
    ],
)
def test_the_text_colour_with_more_contrast(background: str, text: str) -> None:
    assert readable_on(background) == text
    other = "#ffffff" if text == "#000000" else "#000000"
    assert _contrast(background, text) >= _contrast(background, other)
    assert _contrast(background, text) >= 4.5


def test_a_colour_that_is_not_hex_gets_black() -> None:
    assert readable_on("teal") == "#000000"


def test_overlapping_spans_are_underlined_where_they_overlap() -> None:
    from rich.style import Style

    from cen_themes.tui.widgets.coded_text import OVERLAP, _overlaps

    red, blue = Style(bgcolor="red"), Style(bgcolor="blue")
    assert _overlaps([(0, 10, red), (5, 20, blue)]) == [(5, 10, OVERLAP)]
    assert _overlaps([(0, 10, red), (10, 20, blue)]) == []  # touching is not overlapping
    assert _overlaps([(0, 30, red), (5, 10, blue), (8, 20, red)]) == [(5, 20, OVERLAP)]
