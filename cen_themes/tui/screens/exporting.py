"""Exports from a screen: ask for the file (offering the path typed last for that kind
of export), ask before replacing a file that is there, write it in a worker of the
app's so that typing never waits and the notice comes even after the screen is closed,
show a progress bar while any file is being written, and after a failure (its notice
says why) offer the typed path again."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from cen_themes.tui.screens.base import WorkbenchScreen
from cen_themes.tui.screens.dialogs import Confirm, TextPrompt

Write = Callable[[str], str]  # writes the file at the path typed; says what it wrote


def export_bar() -> Horizontal:
    """The line that shows the files being written (hidden while there are none)."""
    return Horizontal(
        Static(id="export-label"),
        ProgressBar(total=None, show_percentage=False, show_eta=False),
        id="exporting",
    )


def _is_file(answer: str) -> bool:
    """Whether the path typed names a file that is there (a path the system cannot
    even look at is left to the export, which says why)."""
    try:
        return Path(answer).expanduser().is_file()
    except OSError:
        return False


class ExportsFiles(WorkbenchScreen):
    """A screen with :func:`export_bar` in its layout that exports with :meth:`ask_export`."""

    def __init__(self) -> None:
        super().__init__()
        self.export_paths: dict[str, str] = {}  # the path typed last, per kind of export
        self.exporting: list[str] = []  # the files being written now

    def ask_export(self, kind: str, question: str, placeholder: str, write: Write) -> None:
        """Ask for the file, offering the path typed last for ``kind``, else
        ``placeholder`` (Enter alone exports to it); then ``write`` it in a worker."""
        again = partial(self.ask_export, kind, question, placeholder, write)

        def answered(answer: str | None) -> None:
            if answer is None:
                return
            self.export_paths[kind] = answer
            if _is_file(answer):
                self.app.push_screen(
                    Confirm(f"{answer} is there already. Replace it?", "Replace"),
                    partial(replace, answer),
                )
            else:
                start(answer)

        def replace(answer: str, yes: bool | None) -> None:
            if yes:
                start(answer)
            else:
                again()  # the path offered again, to change it

        def start(answer: str) -> None:
            self._busy(answer, True)
            self.workbench.run_in_thread(
                partial(write, answer),
                partial(self._export_done, answer),
                doing=f"exporting to {answer}",
                group="export",
                exclusive=False,  # two files may be written at once
                failed=partial(self._export_failed, answer, again),
            )

        self.app.push_screen(
            TextPrompt(question, self.export_paths.get(kind, placeholder), placeholder), answered
        )

    def _busy(self, answer: str, started: bool) -> None:
        """Show the progress bar with the files being written while there are any."""
        if started:
            self.exporting.append(answer)
        elif answer in self.exporting:
            self.exporting.remove(answer)
        for label in self.query("#export-label").results(Static):
            label.update(f"exporting to {', '.join(self.exporting)}")
        self.set_class(bool(self.exporting), "-exporting")

    def _export_done(self, answer: str, done: str) -> None:
        self.notify(done, title="Exported")
        self._busy(answer, False)

    def _export_failed(self, answer: str, again: Callable[[], None], _error: Exception) -> None:
        """After the notice of why: offer the typed path again to correct (now, if the
        screen is still in front)."""
        self._busy(answer, False)
        if self.app.screen is self:
            again()
