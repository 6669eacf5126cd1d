"""The memos on the highlighted source, code or theme, in a strip under a screen's table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cen_themes.results import MemoInfo


def by_target(memos: Iterable[MemoInfo]) -> dict[str, list[MemoInfo]]:
    """Memos grouped by what they are on (a source name, a code or theme path), each
    target's in the order given (the services list them oldest first)."""
    grouped: defaultdict[str, list[MemoInfo]] = defaultdict(list)
    for memo in memos:
        if memo.target is not None:
            grouped[memo.target].append(memo)
    return dict(grouped)


def signed(memo: MemoInfo) -> Text:
    """One memo as "ann · 2026-12-03: text" (the date in UTC, as stored)."""
    line = Text()
    line.append(memo.author or "?", style="bold")
    if memo.time is not None:
        line.append(f" · {memo.time:%Y-%m-%d}", style="dim")
    line.append(": ")
    line.append(memo.text)
    return line


class MemoPanel(VerticalScroll):
    """A few lines high, under the table, following its highlight: every memo on the
    highlighted item, the newest last and in view; the older ones scroll."""

    DEFAULT_CSS = """
    MemoPanel {
        height: 5;
        border-top: solid $primary;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
    }
    MemoPanel > #memos {
        width: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="memos")

    def show(self, what: str | None, memos: Sequence[MemoInfo]) -> None:
        """The memos on ``what`` (words such as "source su01"); ``None`` when nothing
        is highlighted."""
        if what is None:
            self.border_title = "Memos"
            body = Text("(nothing highlighted)", style="dim")
        else:
            count = f" ({len(memos)})" if memos else ""
            self.border_title = f"Memos on {what}{count}"
            body = Text("\n").join(signed(memo) for memo in memos) or Text(
                "(none) · n writes one", style="dim"
            )
        self.query_one("#memos", Static).update(body)
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    @property
    def text(self) -> str:
        """What the panel shows, title and memos, as plain text."""
        shown = self.query_one("#memos", Static).render()
        return f"{self.border_title}\n{shown}"
