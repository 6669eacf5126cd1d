"""The status line: project file, coder, and how many sources and codes."""

from __future__ import annotations

from textual.widgets import Static


class StatusLine(Static):
    """Mirrors the app's ``status`` text wherever a screen shows it."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show)

    def _show(self, status: str) -> None:
        self.update(status)
