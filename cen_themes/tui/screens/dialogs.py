"""The workbench's small modals: a line of text, several lines saved in place, a new
memo, a yes/no confirmation, one choice."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from cen_themes.errors import CenThemesError
from cen_themes.tui.notices import notify_error

Value = TypeVar("Value")


class TextPrompt(ModalScreen[str | None]):
    """Asks for one line; dismisses with it stripped, or ``None`` on Escape or nothing."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question")
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")
            yield Label("Enter accepts, Escape cancels", classes="hint")

    def on_mount(self) -> None:
        answer = self.query_one(Input)
        answer.focus()
        answer.cursor_position = len(answer.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextEditor(ModalScreen[str | None]):
    """Edits several lines of text and saves them through ``save`` without closing first.

    ctrl+s (or the Save button) calls ``save`` with the text, ends stripped; the dialog
    closes with that text once ``save`` returns. When ``save`` raises a
    :class:`CenThemesError` (a locked database, say) the error is shown and the dialog
    stays open with everything typed, to try again. Escape closes with ``None``, after
    asking when the text was changed.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]
    HINT = "ctrl+s saves, Escape cancels"
    DISCARD = "Discard the changes to this text?"

    def __init__(self, question: str, value: str, save: Callable[[str], object]) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question")
            yield TextArea(self.value, soft_wrap=True, id="editor")
            with Horizontal(id="buttons"):
                yield Label(self.HINT, classes="hint")
                yield Button("Save", variant="primary", id="save")

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    def on_mount(self) -> None:
        self.editor.focus()
        self.editor.move_cursor(self.editor.document.end)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        text = self.editor.text.strip()
        try:
            self.save(text)
        except CenThemesError as exc:
            notify_error(self, exc, note=" (nothing was lost: save again)")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        if self.editor.text.strip() == self.value.strip():
            self.dismiss(None)
            return

        def discard(sure: bool | None) -> None:
            if sure:
                self.dismiss(None)

        self.app.push_screen(Confirm(self.DISCARD, "Discard"), discard)


class MemoWriter(TextEditor):
    """Writes a new memo: Enter (or ctrl+s) saves through ``save`` as the
    :class:`TextEditor` does, keeping the text when that fails; ctrl+j starts a new
    line. An empty memo is not saved: the dialog closes with ``None``, as on Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "Save", priority=True),
        Binding("ctrl+j,shift+enter", "new_line", "New line", priority=True),
    ]
    HINT = "Enter saves, ctrl+j new line, Escape cancels"
    DISCARD = "Discard this memo?"

    def __init__(self, question: str, save: Callable[[str], object]) -> None:
        super().__init__(question, "", save)

    def action_save(self) -> None:
        if not self.editor.text.strip():
            self.dismiss(None)
            return
        super().action_save()

    def action_new_line(self) -> None:
        start, end = self.editor.selection  # typed over, as a typed character would be
        self.editor.replace("\n", start, end, maintain_selection_offset=False)


class Confirm(ModalScreen[bool]):
    """Says what will happen; `y` or the confirm button goes ahead, `n` or Escape not."""

    CSS_PATH = "dialogs.tcss"
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
        with Vertical(classes="dialog"):
            yield Label(self.message, classes="question", id="message")
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


class MovesInList:
    """A dialog whose typing goes to an input while up and down (its ``move`` action,
    ``step`` +1 or -1) move the highlight in its one option list."""

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)  # type: ignore[attr-defined]
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()


class ChooseOne(MovesInList, ModalScreen[Value | None], Generic[Value]):
    """Offers labelled choices; dismisses with the chosen value, or ``None`` on Escape.
    With ``filtered``, an input above the list keeps the choices that hold every word
    typed (any case); up and down move in the list and Enter chooses, while typing."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(
        self, question: str, choices: list[tuple[str, Value]], filtered: bool = False
    ) -> None:
        super().__init__()
        self.question = question
        self.choices = [label for label, _value in choices]
        self.values = [value for _label, value in choices]
        self.filtered = filtered
        self.shown = list(range(len(self.choices)))  # the choices the filter keeps

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question")
            if self.filtered:
                yield Input(placeholder="type to filter", id="filter")
            yield OptionList(*(Option(label) for label in self.choices), id="choices")
            yield Label("Enter chooses, Escape cancels", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if self.choices else None
        (self.query_one(Input) if self.filtered else options).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        words = event.value.casefold().split()
        self.shown = [
            i for i, label in enumerate(self.choices) if all(w in label.casefold() for w in words)
        ]
        options = self.query_one(OptionList)
        options.set_options(Option(self.choices[i]) for i in self.shown)
        options.highlighted = 0 if self.shown else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(self.values[self.shown[index]])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.values[self.shown[event.option_index]])

    def action_cancel(self) -> None:
        self.dismiss(None)
