"""The evidence map (v) and saturation (s) screens, from the sources screen: the tables
the export and the command give, at 80x24 and 100x30."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from cen_themes.db import Project
from cen_themes.services import synthesis
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.dialogs import TextPrompt
from cen_themes.tui.screens.sources import SourcesScreen
from cen_themes.tui.screens.synthesis import EvidenceMapScreen, SaturationScreen, step

from ..conftest import CodedProject, settle, who

STUDIES = {
    "Adams": {"country": "UK", "design": "interviews"},
    "Berg": {"country": "Sweden", "design": "interviews; focus groups"},
    "Chen": {"country": "UK", "design": "focus groups", "year": "2020"},
}


@pytest.fixture
def studies(coded_project: CodedProject) -> Project:
    texts = {name: f"{name} found that continuity mattered. Staff listened.\n" for name in STUDIES}
    return coded_project(
        texts,
        [
            ("Berg", "continuity mattered", "Continuity"),
            ("Adams", "Staff listened", "Listening"),
            ("Adams", "continuity mattered", "Continuity"),
            ("Chen", "Staff listened", "Listening"),
        ],
        attributes=STUDIES,
    )


def cells(table: DataTable) -> list[list[str]]:
    return [
        [str(table.get_cell_at(Coordinate(r, c))) for c in range(len(table.columns))]
        for r in range(table.row_count)
    ]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_v_shows_the_evidence_map_and_r_c_step_the_attributes(
    studies: Project, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = CenThemesApp(studies, who(studies, "ana"))
    async with app.run_test(size=size) as pilot:
        assert isinstance(app.screen, SourcesScreen)
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EvidenceMapScreen)
        table = screen.query_one(DataTable)
        # country by design, the first two attributes as first given
        assert (screen.rows_attr, screen.cols_attr) == ("country", "design")
        assert cells(table) == [
            ["Sweden", "1", "1", "1"],
            ["UK", "1", "1", "2"],
            ["Total", "2", "2", "3"],
        ]
        found = synthesis.evidence_map(studies, "country", "design")
        assert [row[1:-1] for row in cells(table)[:-1]] == [
            [str(n) for n in counts] for counts in found.counts
        ]
        caption = str(screen.query_one("#caption", Static).render())
        assert caption == "Evidence map: sources by country (r) and design (c)"
        await pilot.press("c")  # design -> year
        await pilot.pause()
        assert screen.cols_attr == "year"
        assert cells(table)[0] == ["Sweden", "0", "1", "1"]  # 2020, (not given), total
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        out = tmp_path / "map.csv"
        app.screen.query_one(Input).value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert out.read_text(encoding="utf-8").splitlines()[0] == "country,2020,(not given),Total"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_s_shows_saturation_and_b_switches_to_themes(
    studies: Project, size: tuple[int, int]
) -> None:
    from cen_themes.services import themes

    themes.add_theme(studies, "Relationships", coder=who(studies, "tester"))
    themes.assign_codes(studies, "Relationships", ["Listening"], coder=who(studies, "tester"))
    app = CenThemesApp(studies, who(studies, "ana"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SaturationScreen)
        table = screen.query_one(DataTable)
        # Berg was coded first (Continuity), then Adams (Listening new), then Chen.
        assert cells(table) == [
            ["1", "Berg", "1", "1", "█"],
            ["2", "Adams", "1", "2", "█"],
            ["3", "Chen", "0", "2", ""],
        ]
        await pilot.press("b")
        await pilot.pause()
        assert [row[0] for row in cells(table)] == ["Relationships"] * 3
        assert [row[3:5] for row in cells(table)] == [["0", "0"], ["1", "1"], ["0", "1"]]
        caption = str(screen.query_one("#caption", Static).render())
        assert caption.startswith("Saturation per theme (b switches): 3 sources coded")


async def test_no_attributes_yet(coded_project: CodedProject) -> None:
    project = coded_project({"int01": "Just a line.\n"})
    app = CenThemesApp(project, who(project, "ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        caption = str(app.screen.query_one("#caption", Static).render())
        assert caption.startswith("Evidence map: no source has attributes yet")
        await pilot.press("e")  # nothing to export: a notice, no prompt
        await pilot.pause()
        assert isinstance(app.screen, EvidenceMapScreen)


def test_step_cycles_and_avoids_the_other_axis() -> None:
    assert step(["a", "b", "c"], None) == "a"
    assert step(["a", "b", "c"], "c") == "a"
    assert step(["a", "b"], "a", avoid="b") == "a"
    assert step(["a"], None, avoid="a") == "a"
    assert step([], None) is None
