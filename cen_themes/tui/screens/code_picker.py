"""The code picker: type to filter codes (fuzzy), or to create one; Enter applies."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cen_themes.results import CodeInfo
from cen_themes.tui.picker_model import Choice, choices_for
from cen_themes.tui.screens.dialogs import MovesInList
from cen_themes.tui.widgets.coded_text import shade


def _prompt(choice: Choice) -> Text:
    if choice.kind == "create":
        return Text.assemble(("create ", "bold"), choice.code)
    if choice.kind == "in_vivo":
        return Text.assemble(("in vivo ", "bold italic"), f"“{choice.code}”")
    return Text.assemble(("  ", shade(choice.colour)), " ", choice.code)


class CodePicker(MovesInList, ModalScreen[str | None]):
    """Dismisses with the code path to apply, or ``None`` when cancelled."""

    CSS_PATH = "code_picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, codes: list[CodeInfo], selected: str) -> None:
        super().__init__()
        self.codes = codes
        self.selected = selected
        self.choices: list[Choice] = []
        self.early: list[str] = []  # characters typed before the input had the focus

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label("Code the selection: type to filter, or a new name to create it")
            yield Input(placeholder="code name", id="query")
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self._fill("")
        self._take_early()

    def take_early_key(self, event: events.Key) -> bool:
        """A key typed (or pasted) before the input has the focus, which the app hands
        over instead of dropping it: a character is part of the name, so it goes into
        the input, now or as soon as there is one. Whether the key was taken."""
        if not (event.is_printable and event.character):
            return False
        if self.is_mounted and self.focused not in (None, self.query_one(Input)):
            return False  # the list has the focus: a key it passed over, not a name
        self.early.append(event.character)
        if self.is_mounted:
            self._take_early()
        return True

    def _take_early(self) -> None:
        answer = self.query_one(Input)
        answer.focus()
        if self.early:
            answer.insert_text_at_cursor("".join(self.early))
            self.early.clear()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, typed: str) -> None:
        self.choices = choices_for(typed, self.codes, self.selected)
        options = self.query_one(OptionList)
        options.set_options(
            Option(_prompt(choice), id=f"choice-{index}")
            for index, choice in enumerate(self.choices)
        )
        options.highlighted = 0 if self.choices else None

    @property
    def highlighted(self) -> Choice | None:
        index = self.query_one(OptionList).highlighted
        return self.choices[index] if index is not None else None

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        choice = self.highlighted
        if choice is not None:
            self.dismiss(choice.code)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index].code)

    def action_cancel(self) -> None:
        self.dismiss(None)
