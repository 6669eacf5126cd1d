"""The help screen: every key binding of the screen it was opened from."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static


class HelpScreen(Screen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.back", "Back")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", show_header=True, expand=False)
        table.add_column("key", style="bold")
        table.add_column("does")
        for key, description in self.bindings:
            table.add_row(key, description)
        with VerticalScroll():
            yield Static(table, id="keys")
            yield Static("Escape goes back; q quits (everything is saved as it happens).")
        yield Footer()
