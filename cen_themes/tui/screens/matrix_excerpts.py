"""A read-only list of excerpts (source, offsets, text); Escape closes it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from cen_themes.services.results import ExcerptView


def excerpt_prompt(excerpt: ExcerptView) -> Text:
    """``source start–end`` in bold, then the excerpt's text on the next line."""
    return Text.assemble(
        (f"{excerpt.source} {excerpt.start}–{excerpt.end}", "bold"), "\n", excerpt.text
    )


class MatrixExcerpts(ModalScreen[None]):
    """The excerpts behind a matrix cell or a theme, in the order given."""

    CSS_PATH = "matrix_excerpts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, title: str, excerpts: list[ExcerptView]) -> None:
        super().__init__()
        self.title_text = title
        self.excerpts = list(excerpts)

    def compose(self) -> ComposeResult:
        n = len(self.excerpts)
        with Vertical(id="excerpts-box"):
            yield Label(f"{self.title_text}: {n} excerpt{'' if n == 1 else 's'}", id="heading")
            yield OptionList(
                *(
                    Option(excerpt_prompt(excerpt), id=f"excerpt-{excerpt.id}")
                    for excerpt in self.excerpts
                ),
                id="excerpts",
            )
            yield Label("Escape closes", id="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)
