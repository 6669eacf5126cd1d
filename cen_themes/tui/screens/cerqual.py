"""A theme's GRADE-CERQual assessment (g on the themes screen): the finding, the four
components with their levels of concerns and explanations, the overall confidence, and
the contributing studies, which are computed from the coding.

Enter (or e) edits the highlighted row: the finding in a text editor; a component or
the confidence by choosing its level, then writing why; both are saved together, as one
change, when the explanation is saved (Escape leaves everything as it was). f edits the
finding from any row; o lists the excerpts that make the studies contribute. The
highlighted row is shown in full under the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, OptionList, Static

from cen_themes.errors import CenThemesError
from cen_themes.results.synthesis import (
    CERQUAL_COMPONENTS,
    CERQUAL_CONCERNS,
    CERQUAL_CONFIDENCE_LABELS,
    CERQUAL_CONFIDENCES,
    CERQUAL_LEVELS,
    CERQUAL_TITLES,
    CerqualFinding,
)
from cen_themes.services import analysis
from cen_themes.services import cerqual as cerqual_service
from cen_themes.tui.screens.base import WorkbenchScreen, refill
from cen_themes.tui.screens.dialogs import ChooseOne, TextEditor
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen, preview
from cen_themes.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from cen_themes.db import Project

FINDING, CONFIDENCE, STUDIES = "finding", "confidence", "studies"
ROWS = (FINDING, *CERQUAL_COMPONENTS, CONFIDENCE, STUDIES)
LABELS = {
    FINDING: "Finding",
    **CERQUAL_TITLES,
    CONFIDENCE: "Confidence",
    STUDIES: "Contributing studies",
}
NOT_ASSESSED = "not assessed"
PREVIEW_LEAST = 20  # characters of an explanation shown in the table, at least
BESIDE = 58  # the columns before the explanation, with the table's padding


class ChooseLevel(ChooseOne[str]):
    """One of the levels, the current one highlighted."""

    def __init__(self, question: str, choices: list[tuple[str, str]], current: str | None):
        super().__init__(question, choices)
        self.current = current

    def on_mount(self) -> None:
        if self.current in self.values:
            index = self.values.index(self.current)
            self.call_after_refresh(
                lambda: setattr(self.query_one(OptionList), "highlighted", index)
            )


def row_cells(finding: CerqualFinding, row: str) -> tuple[str, str, str]:
    """(what, judgement, text) of one row of the table."""
    if row == FINDING:
        return LABELS[row], "", finding.finding or "—"
    if row == CONFIDENCE:
        label = CERQUAL_CONFIDENCE_LABELS.get(finding.confidence or "", NOT_ASSESSED)
        return LABELS[row], label.removesuffix(" confidence"), finding.explanation
    if row == STUDIES:
        return LABELS[row], str(len(finding.sources)), "; ".join(finding.sources) or "none"
    judged = finding.components[row]
    level = CERQUAL_CONCERNS[judged.level] if judged.level else NOT_ASSESSED
    return LABELS[row], level, judged.explanation


class CerqualScreen(WorkbenchScreen):
    """One theme's assessment, read again after every change (its own or others')."""

    CSS_PATH = "cerqual.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit"),
        Binding("f", "finding", "Finding"),
        Binding("o", "excerpts", "Excerpts"),
    ]

    def __init__(self, theme_id: int, path: str) -> None:
        super().__init__()
        self.theme_id = theme_id
        self.path = path
        self.finding: CerqualFinding | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        yield DataTable(id="assessment", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="detail-box"):
            yield Static("", id="detail")
        yield StatusLine()
        yield Footer()

    @property
    def table(self) -> DataTable[object]:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.table.add_column("", key="what")
        self.table.add_column("judgement", key="judgement")
        self.table.add_column("explanation", key="text")

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self, _event: events.Resize) -> None:
        if self.finding is not None:  # the explanations cut anew to the width
            self.reload()

    def _title(self, note: str = "") -> str:
        return f"GRADE-CERQual  ·  {self.path}" + (f"  ·  {note}" if note else "")

    def reload(self) -> None:
        """Read the theme's assessment again (by id: a rename elsewhere is followed)."""
        try:
            found = cerqual_service.assessments(self.project)
        except CenThemesError as exc:
            self.report(exc)
            return
        mine = next((f for f in found if f.id == self.theme_id), None)
        if mine is None:
            self.finding = None
            self.query_one("#title", Static).update(self._title("the theme was deleted"))
            refill(self.table, [])
            self.show_detail()
            return
        self.finding, self.path = mine, mine.theme
        # the explanations cut to what fits beside the other two columns (in full below)
        width = max(PREVIEW_LEAST, self.app.size.width - BESIDE)
        rows = []
        for row in ROWS:
            what, judgement, text = row_cells(mine, row)
            rows.append((row, (what, judgement, preview(text, width))))
        refill(self.table, rows)
        note = "assessed" if mine.assessed else "not assessed yet: Enter on a row to judge it"
        if mine.updated_by is not None and mine.updated_at is not None:
            note += f" by {mine.updated_by}, {mine.updated_at:%Y-%m-%d %H:%M} UTC"
        self.query_one("#title", Static).update(self._title(note))
        self.show_detail()
        self.workbench.refresh_status()

    @property
    def highlighted(self) -> str | None:
        row = self.table.cursor_row
        return ROWS[row] if self.finding is not None and 0 <= row < len(ROWS) else None

    def show_detail(self) -> None:
        """The highlighted row in full."""
        row = self.highlighted
        shown = Text("")
        if self.finding is not None and row is not None:
            what, judgement, text = row_cells(self.finding, row)
            head = f"{what}: {judgement}" if judgement else what
            if row == STUDIES:
                head = f"{what} ({judgement}), computed from the coding"
                text = "\n".join(self.finding.sources) or "none: no excerpt of this theme yet"
            shown = Text.assemble((head + "\n", "bold"), text or "(no explanation yet)")
        self.query_one("#detail", Static).update(shown)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    # -- editing ------------------------------------------------------------------------
    def action_edit(self) -> None:
        row = self.highlighted
        if row is None:
            return
        if row == FINDING:
            self.action_finding()
        elif row == STUDIES:
            self.action_excerpts()
        elif row == CONFIDENCE:
            self._judge(
                "the overall confidence",
                [(CERQUAL_CONFIDENCE_LABELS[c], c) for c in CERQUAL_CONFIDENCES],
                CONFIDENCE,
            )
        else:
            self._judge(
                CERQUAL_TITLES[row].lower(),
                [(CERQUAL_CONCERNS[level], level) for level in CERQUAL_LEVELS],
                row,
            )

    def _judge(self, what: str, choices: list[tuple[str, str]], row: str) -> None:
        """Choose a level, then write why; the two are saved as one change."""
        finding = self.finding
        if finding is None:
            return
        if row == CONFIDENCE:
            current, why = finding.confidence, finding.explanation
        else:
            current, why = finding.components[row].level, finding.components[row].explanation
        path, project, coder = finding.theme, self.project, self.coder

        def save(level: str, text: str) -> None:
            if row == CONFIDENCE:
                change = cerqual_service.set_assessment(
                    project, path, coder=coder, confidence=level, confidence_explanation=text
                )
            else:
                change = cerqual_service.set_assessment(
                    project, path, coder=coder, levels={row: level}, explanations={row: text}
                )
            self.notify(change.summary)

        def chosen(level: str | None) -> None:
            if level is None:
                return
            label = dict((v, k) for k, v in choices)[level]
            needed = " (required)" if row == CONFIDENCE else ""
            self.app.push_screen(
                TextEditor(
                    f"{path}: {label.lower()} for {what}. Why?{needed}",
                    why,
                    lambda text: save(level, text),
                ),
                self._saved,
            )

        self.app.push_screen(ChooseLevel(f"{path}: {what}", choices, current), chosen)

    def action_finding(self) -> None:
        finding = self.finding
        if finding is None:
            return
        path, project, coder = finding.theme, self.project, self.coder

        def save(text: str) -> None:
            change = cerqual_service.set_assessment(project, path, coder=coder, finding=text)
            self.notify(change.summary)

        self.app.push_screen(
            TextEditor(f"{path}: the summarised review finding", finding.finding, save),
            self._saved,
        )

    def _saved(self, _text: str | None) -> None:
        self.reload()

    def action_excerpts(self) -> None:
        if self.finding is None:
            return
        path, project = self.finding.theme, self.project
        self.app.push_screen(
            ExcerptListScreen(
                f"Excerpts theme {path} brings", lambda: analysis.find_excerpts(project, theme=path)
            )
        )

    @property
    def project(self) -> Project:
        return self.workbench.project

    @property
    def coder(self) -> str:
        return self.workbench.coder
