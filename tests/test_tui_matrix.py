"""The matrix screen: counts as the analysis gives them, grouping, a cell's excerpts, export."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from cen_themes.db import Project
from cen_themes.exporters import layout
from cen_themes.services import analysis, coding, sources, themes
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.dialogs import TextPrompt
from cen_themes.tui.screens.matrix import MatrixScreen, next_grouping
from cen_themes.tui.screens.matrix_excerpts import MatrixExcerpts

SIZE = (100, 30)
TEXTS = {
    "s1": "P01: I waited for weeks.\nP01: The nurse was kind.\n",
    "s2": "P02: Waiting is the worst.\nP02: They cared for me.\n",
}
GROUPS = {"s1": "A", "s2": "B"}
CODINGS = [
    ("s1", "I waited for weeks", "Access > Waiting"),
    ("s1", "The nurse was kind", "Care"),
    ("s2", "Waiting is the worst", "Access > Waiting"),
    ("s2", "Waiting is the worst", "Care"),
    ("s2", "They cared for me", "Care"),
]


def build(project: Project, tmp_path: Path) -> Project:
    """Two sources (attribute group A and B), two codes, themes Barriers and Support."""
    for name, text in TEXTS.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        report = sources.import_files(
            project, [path], coder="tester", attributes={"group": GROUPS[name]}
        )
        assert not report.failed
    for name, words, code in CODINGS:
        start = TEXTS[name].index(words)
        coding.apply_code(project, name, start, start + len(words), code, coder="tester")
    themes.add_theme(project, "Barriers", coder="tester")
    themes.add_theme(project, "Support", coder="tester")
    themes.add_theme(project, "Staff", parent="Support", coder="tester")
    themes.assign_codes(project, "Barriers", ["Access > Waiting"], coder="tester")
    themes.assign_codes(project, "Support", ["Care"], coder="tester")
    return project


@pytest.fixture
def built(project: Project, tmp_path: Path) -> Project:
    return build(project, tmp_path)


def shown(table: DataTable) -> list[list[str]]:
    return [
        [str(table.get_cell_at(Coordinate(row, column))) for column in range(len(table.columns))]
        for row in range(table.row_count)
    ]


def expected(project: Project, rows: str = "themes") -> list[list[str]]:
    matrix = analysis.matrix(project, rows)  # type: ignore[arg-type]
    return [
        [
            "  " * row.depth + row.path,
            *map(str, row.counts),
            str(row.n_sources),
            str(row.n_excerpts),
        ]
        for row in matrix.rows
    ]


def errors(app: CenThemesApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_matrix(pilot: Pilot) -> tuple[MatrixScreen, DataTable]:
    screen = MatrixScreen()
    await pilot.app.push_screen(screen)
    await pilot.pause()
    return screen, screen.query_one(DataTable)


async def test_cells_equal_the_analysis(built: Project) -> None:
    app = CenThemesApp(built, "ana")
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await open_matrix(pilot)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == ["theme", "s1", "s2", "n_sources", "n_excerpts"]
        assert shown(table) == expected(built)
        assert shown(table)[0][1:] == ["1", "1", "2", "2"]  # Barriers
        assert shown(table)[1][1:] == ["1", "2", "2", "3"]  # Support
        assert shown(table)[2][0] == "  Support > Staff"
        assert table.get_cell_at(Coordinate(0, 1)).justify == "right"


async def test_r_toggles_code_rows(built: Project) -> None:
    app = CenThemesApp(built, "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_matrix(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert screen.rows_kind == "codes"
        assert str(table.columns[table.ordered_columns[0].key].label) == "code"
        assert shown(table) == expected(built, "codes")
        await pilot.press("r")
        await pilot.pause()
        assert shown(table) == expected(built)


async def test_g_groups_by_attribute_with_subtotals(built: Project) -> None:
    app = CenThemesApp(built, "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_matrix(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert screen.group_by == "group"
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == [
            "theme",
            "s1",
            "group=A total",
            "s2",
            "group=B total",
            "n_sources",
            "n_excerpts",
        ]
        laid = layout(analysis.matrix(built, "themes"), "count", "group")
        assert [r[0].strip() for r in shown(table)] == [str(r.cells[0].value) for r in laid.rows]
        numbers = [r[1:] for r in shown(table)]
        assert numbers == [[str(c.value) for c in row.cells[1:]] for row in laid.rows]
        assert numbers[1] == ["1", "1", "2", "2", "2", "3"]  # Support: A 1, B 2
        await pilot.press("g")  # only one attribute key: back to no grouping
        await pilot.pause()
        assert screen.group_by is None
        assert shown(table) == expected(built)


def test_next_grouping_cycles() -> None:
    keys = ["age", "site"]
    assert next_grouping(None, keys) == "age"
    assert next_grouping("age", keys) == "site"
    assert next_grouping("site", keys) is None
    assert next_grouping("gone", keys) is None
    assert next_grouping(None, []) is None


async def enter_cell(pilot: Pilot, table: DataTable, row: int, column: int) -> MatrixExcerpts:
    table.move_cursor(row=row, column=column)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, MatrixExcerpts)
    return modal


async def test_enter_shows_exactly_the_cells_excerpts(built: Project) -> None:
    app = CenThemesApp(built, "ana")
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_matrix(pilot)
        modal = await enter_cell(pilot, table, 1, 2)  # Support in s2
        want = analysis.find_excerpts(built, theme="Support", source="s2")
        assert len(want) == 2
        assert [e.id for e in modal.excerpts] == [e.id for e in want]
        assert [e.text for e in modal.excerpts] == ["Waiting is the worst", "They cared for me"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        modal = await enter_cell(pilot, table, 0, 1)  # Barriers in s1
        assert [e.text for e in modal.excerpts] == ["I waited for weeks"]
        await pilot.press("escape")
        await pilot.pause()
        modal = await enter_cell(pilot, table, 2, 1)  # Support > Staff: nothing
        assert modal.excerpts == []
        await pilot.press("escape")
        await pilot.pause()
        modal = await enter_cell(pilot, table, 1, 4)  # n_excerpts: the whole row
        want = analysis.find_excerpts(built, theme="Support")
        assert sorted(e.id for e in modal.excerpts) == sorted(e.id for e in want)


async def test_enter_on_a_subtotal(built: Project) -> None:
    app = CenThemesApp(built, "ana")
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await open_matrix(pilot)
        await pilot.press("g")
        await pilot.pause()
        modal = await enter_cell(pilot, table, 1, 4)  # Support, group=B total
        want = analysis.find_excerpts(built, theme="Support", source="s2")
        assert [e.id for e in modal.excerpts] == [e.id for e in want]


async def export(pilot: Pilot, path: str) -> None:
    await pilot.press("e")
    await pilot.pause()
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = path
    await pilot.press("enter")
    await pilot.pause()


async def test_export_writes_the_view_as_csv(built: Project, tmp_path: Path) -> None:
    app = CenThemesApp(built, "ana")
    target = tmp_path / "out.csv"
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix(pilot)
        await pilot.press("g")
        await pilot.pause()
        await export(pilot, str(target))
        assert app.screen is screen
        assert any(str(target) in n.message for n in app._notifications)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    laid = layout(analysis.matrix(built, "themes"), "count", "group")
    assert rows[0] == [c.header for c in laid.columns]
    assert rows[1:] == [[str(c.value) for c in row.cells] for row in laid.rows]
    assert rows[2] == ["Support", "1", "1", "2", "2", "2", "3"]


async def test_small_terminal_bad_export_and_escape(built: Project, tmp_path: Path) -> None:
    app = CenThemesApp(built, "ana")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await open_matrix(pilot)
        assert shown(table) == expected(built)
        assert table.region.height > 5
        await export(pilot, str(tmp_path / "out.txt"))  # not a matrix format
        assert app.screen is screen
        assert errors(app)
        assert not (tmp_path / "out.txt").exists()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert list(tmp_path.glob("*.csv")) == []
        modal = await enter_cell(pilot, table, 0, 2)
        assert [e.text for e in modal.excerpts] == ["Waiting is the worst"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
