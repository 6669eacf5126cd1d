"""A read-only TextArea that shades coded excerpts in their code's colour."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.widgets import TextArea
from textual.widgets.text_area import WrappedDocument

from cen_themes.tui.offsets import LineTable

FALLBACK_COLOUR = "#a9a9a9"


def readable_on(colour: str) -> str:
    """Black or white text, whichever contrasts more with this background (WCAG 2
    relative luminance: white wins only below about 0.18)."""
    try:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    except ValueError:
        return "#000000"
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return "#000000" if on_black >= on_white else "#ffffff"


def shade(colour: str) -> Style:
    colour = colour or FALLBACK_COLOUR
    return Style(bgcolor=colour, color=readable_on(colour))


OVERLAP = Style(underline=True)


def _overlaps(shaded: list[tuple[int, int, Style]]) -> list[tuple[int, int, Style]]:
    """The column ranges of one row covered by two or more spans, to underline."""
    edges = sorted({edge for start, end, _style in shaded for edge in (start, end)})
    found: list[tuple[int, int, Style]] = []
    for left, right in pairwise(edges):
        covering = sum(1 for start, end, _style in shaded if start <= left and right <= end)
        if covering > 1:
            if found and found[-1][1] == left:
                found[-1] = (found[-1][0], right, OVERLAP)
            else:
                found.append((left, right, OVERLAP))
    return found


class _WrappedText(WrappedDocument):
    """Textual's wrapped document with its height worked out once per wrap.

    Textual 8.2.8 sums the wrapped height over every line of the document each time
    it paints a row (``WrappedDocument.height``), so a repaint of a 200,000-word
    transcript cost tens of milliseconds; here it is counted once after a wrap.
    """

    _cached_height = -1

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        super().wrap(width, tab_width)
        self._cached_height = -1

    def wrap_range(self, *args: Any, **kwargs: Any) -> Any:
        result = super().wrap_range(*args, **kwargs)
        self._cached_height = -1
        return result

    @property
    def height(self) -> int:
        if self._cached_height < 0:
            self._cached_height = sum(len(offsets) + 1 for offsets in self._wrap_offsets)
        return self._cached_height


class CodedTextArea(TextArea):
    """Shows a source verbatim; ``set_spans`` gives the (start, end, colour) to shade.

    Shading is worked out per row once, when the spans change, so painting a line
    is a dictionary look-up however the text is scrolled.

    Two private hooks of Textual 8.2.8 (pinned) are overridden for long transcripts:
    the wrapped document caches its height (above), and the text is wrapped again
    only when the wrap width changes, not at every resize or scrollbar change (a
    read-only text changes nothing else; edits rewrap by themselves).
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

    def _set_document(self, text: str, language: str | None) -> None:
        super()._set_document(text, language)
        self.wrapped_document.__class__ = _WrappedText

    def _watch_language(self, language: str | None) -> None:
        """Plain text, always: the document built from the text when the widget was
        made stands. (Textual builds it again when it first sets the language, every
        line of a long transcript read a second time on the way to the screen.)"""
        if language is not None:
            super()._watch_language(language)

    def _rewrap_and_refresh_virtual_size(self) -> None:
        wrapped = self.wrapped_document
        if wrapped._width != self.wrap_width or wrapped._tab_width != self.indent_width:
            wrapped.wrap(self.wrap_width, tab_width=self.indent_width)
        self._line_cache.clear()
        self._refresh_size()

    def set_spans(self, spans: Iterable[tuple[int, int, str]]) -> None:
        """Shade each (start, end, colour) span; where two or more spans cover the same
        characters the later colour shows, underlined, so that overlaps stay visible."""
        rows: dict[int, list[tuple[int, int, Style]]] = {}
        styles: dict[str, Style] = {}
        for start, end, colour in spans:
            style = styles.get(colour) or styles.setdefault(colour, shade(colour))
            for row, column_start, column_end in self.lines.line_spans(start, end):
                rows.setdefault(row, []).append((column_start, column_end, style))
        for shaded in rows.values():
            if len(shaded) > 1:
                shaded.extend(_overlaps(shaded))
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
