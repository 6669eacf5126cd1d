"""The codebook's small modals: a one-line prompt, and a yes/no confirmation."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class CodebookPrompt(ModalScreen[str | None]):
    """Asks for one line of text; dismisses with it (stripped), or ``None`` on Escape."""

    CSS_PATH = "codebook_modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str, value: str = "") -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.prompt, id="prompt")
            yield Input(value=self.value, id="answer")

    def on_mount(self) -> None:
        answer = self.query_one(Input)
        answer.focus()
        answer.cursor_position = len(answer.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodebookConfirm(ModalScreen[bool]):
    """Says what will happen; `y` or the confirm button goes ahead, `n` or Escape not."""

    CSS_PATH = "codebook_modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("n", "cancel", "No", show=False),
        Binding("y", "confirm", "Yes", show=False),
    ]

    def __init__(self, message: str, confirm: str = "OK") -> None:
        super().__init__()
        self.message = message
        self.confirm_label = confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.message, id="message")
            with Horizontal(id="buttons"):
                yield Button(self.confirm_label, variant="error", id="confirm")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
