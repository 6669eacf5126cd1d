"""A read-only TextArea that shades coded excerpts in their code's colour."""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.text import Text
from textual.widgets import TextArea

from cen_themes.tui.offsets import LineTable

FALLBACK_COLOUR = "#a9a9a9"


def readable_on(colour: str) -> str:
    """Black or white text, whichever reads better on this background."""
    try:
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return "#000000"
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#000000" if luminance > 140 else "#ffffff"


def shade(colour: str) -> Style:
    colour = colour or FALLBACK_COLOUR
    return Style(bgcolor=colour, color=readable_on(colour))


class CodedTextArea(TextArea):
    """Shows a source verbatim; ``set_spans`` gives the (start, end, colour) to shade.

    Shading is worked out per row once, when the spans change, so painting a line
    is a dictionary look-up however the text is scrolled.
    """

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(
            text,
            read_only=True,
            highlight_cursor_line=False,
            soft_wrap=True,
            id=id,
        )
        self.lines = LineTable.of(text)
        self._row_styles: dict[int, list[tuple[int, int, Style]]] = {}

    def set_spans(self, spans: Iterable[tuple[int, int, str]]) -> None:
        rows: dict[int, list[tuple[int, int, Style]]] = {}
        for start, end, colour in spans:
            style = shade(colour)
            for row, column_start, column_end in self.lines.line_spans(start, end):
                rows.setdefault(row, []).append((column_start, column_end, style))
        self._row_styles = rows
        self.notify_style_update()
        self.refresh()

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for column_start, column_end, style in self._row_styles.get(line_index, ()):
            line.stylize(style, column_start, column_end)
        return line

    def selected_offsets(self) -> tuple[int, int]:
        """The selection as code-point offsets [start, end) into the stored text."""
        start, end = sorted(self.selection)
        return self.lines.offset(*start), self.lines.offset(*end)

    def cursor_offset(self) -> int:
        return self.lines.offset(*self.cursor_location)
