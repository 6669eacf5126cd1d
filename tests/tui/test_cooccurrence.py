"""The co-occurrence screen: opened from the matrix, counts as the service gives them,
codes or themes, a cell's pairs of excerpts and the reader at one, and exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from cen_themes.db import Project
from cen_themes.services import coding, themes
from cen_themes.services.cooccurrence import cooccurrence, cooccurrence_pairs
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.cooccurrence import CooccurrenceScreen, PairListScreen, short_name
from cen_themes.tui.screens.dialogs import TextPrompt
from cen_themes.tui.screens.matrix import MatrixScreen
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.widgets.coded_text import CodedTextArea
from tests.conftest import CodedProject, settle, who

SIZE = (100, 30)
TEXTS = {
    "s1": "P01: I waited for weeks. The nurse was kind.\nP01: They cared for me.\n",
    "s2": "P02: Nobody listened. I felt judged.\n",
}
CODINGS = [
    ("s1", "I waited", "Access > Waiting"),
    ("s1", "for weeks.", "Care"),  # the same segment
    ("s1", "The nurse", "Care"),
    ("s1", "The nurse", "Kind"),  # one excerpt, two codes
    ("s1", "nurse was kind", "Access > Waiting"),  # overlaps "The nurse"
    ("s2", "Nobody listened.", "Access > Waiting"),
    ("s2", "I felt judged.", "Care"),
]


@pytest.fixture
def built(coded_project: CodedProject) -> Project:
    project = coded_project(TEXTS, CODINGS)
    login = who(project, "tester")
    themes.add_theme(project, "Barriers", coder=login)
    themes.add_theme(project, "Support", coder=login)
    themes.add_theme(project, "Staff", parent="Support", coder=login)
    themes.assign_codes(project, "Barriers", ["Access > Waiting"], coder=login)
    themes.assign_codes(project, "Support", ["Care"], coder=login)
    themes.assign_codes(project, "Support > Staff", ["Kind"], coder=login)
    return project


def shown(table: DataTable) -> list[list[str]]:
    return [
        [str(table.get_cell_at(Coordinate(row, column))) for column in range(len(table.columns))]
        for row in range(table.row_count)
    ]


def expected(project: Project, rows: str) -> list[list[str]]:
    data = cooccurrence(project, rows)  # type: ignore[arg-type]
    return [
        ["  " * depth + short_name(path), *map(str, counts)]
        for path, depth, counts in zip(data.paths, data.depths, data.counts, strict=True)
    ]


def errors(app: CenThemesApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_screen(pilot: Pilot, rows: str = "codes") -> tuple[CooccurrenceScreen, DataTable]:
    screen = CooccurrenceScreen(rows)  # type: ignore[arg-type]
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen, screen.query_one(DataTable)


def line(screen: CooccurrenceScreen, widget: str) -> str:
    return str(screen.query_one(widget, Static).render())


async def test_o_on_the_matrix_opens_it_with_the_matrix_rows(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        matrix = MatrixScreen()
        await app.push_screen(matrix)
        await pilot.pause()
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CooccurrenceScreen)
        assert screen.rows_kind == "themes"  # as the matrix shows
        table = screen.query_one(DataTable)
        assert shown(table) == expected(built, "themes")
        assert shown(table) == [
            ["Barriers", "3", "2", "1"],
            ["Support", "2", "3", "1"],
            ["  Staff", "1", "1", "1"],
        ]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is matrix
        await pilot.press("r", "o")  # codes on the matrix: codes here
        await settle(pilot)
        assert isinstance(app.screen, CooccurrenceScreen)
        assert app.screen.rows_kind == "codes"


async def test_cells_equal_the_service_and_r_toggles(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_screen(pilot)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == ["code", "Access", "Waiting", "Care", "Kind"]
        assert table.fixed_columns == 1
        assert shown(table) == expected(built, "codes")
        assert shown(table)[1] == ["  Waiting", "0", "3", "2", "1"]
        assert table.get_cell_at(Coordinate(1, 3)).justify == "right"
        assert "Code-by-code co-occurrence" in line(screen, "#caption")
        table.move_cursor(row=1, column=3)
        await pilot.pause()
        assert line(screen, "#cell") == "Access > Waiting × Care: 2 pairs of excerpts"
        table.move_cursor(row=2, column=3)
        await pilot.pause()
        assert line(screen, "#cell") == "Care: 3 excerpts"
        await pilot.press("r")
        await settle(pilot)
        assert screen.rows_kind == "themes"
        assert shown(table) == expected(built, "themes")
        assert line(screen, "#cell").startswith("Support")  # the same row number, clamped
        await pilot.press("r")
        await settle(pilot)
        assert shown(table) == expected(built, "codes")


async def enter_cell(pilot: Pilot, table: DataTable, row: int, column: int) -> PairListScreen:
    table.move_cursor(row=row, column=column)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    listing = pilot.app.screen
    assert isinstance(listing, PairListScreen)
    assert listing.query_one(DataTable).row_count == len(listing.pairs)
    return listing


async def test_enter_lists_the_pairs_and_opens_the_reader(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_screen(pilot)
        listing = await enter_cell(pilot, table, 1, 3)  # Waiting × Care
        want = cooccurrence_pairs(built, "codes", "Access > Waiting", "Care")
        assert listing.pairs == want
        rows = [listing.query_one(DataTable).get_row_at(i) for i in range(2)]
        assert rows == [
            ["s1", "segment", "I waited", "for weeks."],
            ["s1", "overlap", "nurse was kind", "The nurse"],
        ]
        assert "Access > Waiting × Care  ·  2 pairs" in str(
            listing.query_one("#title", Static).render()
        )
        await pilot.press("down", "enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.source == "s1"
        assert reader.query_one(CodedTextArea).cursor_offset() == TEXTS["s1"].index("The nurse")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is listing
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        listing = await enter_cell(pilot, table, 2, 4)  # Care × Kind: one excerpt carries both
        assert [(p.first.text, p.link) for p in listing.pairs] == [("The nurse", "same")]
        assert listing.query_one(DataTable).get_row_at(0) == ["s1", "same", "The nurse", ""]


async def test_the_diagonal_and_the_names_list_the_rows_excerpts(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await open_screen(pilot)
        listing = await enter_cell(pilot, table, 1, 2)  # Waiting × Waiting
        assert [p.first.text for p in listing.pairs] == [
            "I waited",
            "nurse was kind",
            "Nobody listened.",
        ]
        assert "Access > Waiting  ·  3 excerpts" in str(
            listing.query_one("#title", Static).render()
        )
        await pilot.press("escape")
        await pilot.pause()
        listing = await enter_cell(pilot, table, 3, 0)  # the name Kind: its excerpts
        assert [p.first.text for p in listing.pairs] == ["The nurse"]
        await pilot.press("escape")
        await pilot.pause()
        listing = await enter_cell(pilot, table, 0, 3)  # Access × Care: nothing
        assert listing.pairs == []


async def test_the_lists_and_the_counts_follow_a_change(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_screen(pilot)
        listing = await enter_cell(pilot, table, 2, 4)  # Care × Kind
        assert len(listing.pairs) == 1
        start = TEXTS["s1"].index("The nurse")
        coding.remove_coding(built, "s1", start, start + 9, "Kind", coder=who(built, "tester"))
        listing.reload()
        await settle(pilot)
        assert listing.pairs == []
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert shown(table) == expected(built, "codes")
        assert shown(table)[2][4] == "0"
        assert table.cursor_coordinate == Coordinate(2, 4)  # the same cell


async def export(pilot: Pilot, path: str) -> None:
    await pilot.press("e")
    await pilot.pause()
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = path
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_e_exports_what_is_shown(built: Project, tmp_path: Path) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    target = tmp_path / "co.csv"
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_screen(pilot, "themes")
        await export(pilot, str(target))
        assert app.screen is screen
        assert not errors(app)
        assert any(
            f"wrote {target} (co-occurrence of 3 themes)" in n.message for n in app._notifications
        )
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["theme", "Barriers", "Support", "Support > Staff"],
        ["Barriers", "3", "2", "1"],
        ["Support", "2", "3", "1"],
        ["Support > Staff", "1", "1", "1"],
    ]


async def test_a_bad_path_is_an_error_and_offered_again(built: Project, tmp_path: Path) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    typed = str(tmp_path / "co.txt")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _table = await open_screen(pilot)
        await export(pilot, typed)
        assert app.is_running
        assert any("cannot export a co-occurrence matrix as '.txt'" in m for m in errors(app))
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert prompt.query_one(Input).value == typed
        prompt.query_one(Input).value = typed.replace(".txt", ".md")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert not screen.query_one("#exporting").display
    assert not (tmp_path / "co.txt").exists()
    assert "| code | Access |" in (tmp_path / "co.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_fits_small_terminals(built: Project, size: tuple[int, int]) -> None:
    login = who(built, "tester")
    coding.apply_code(built, "s1", 5, 41, "Long A", coder=login)  # 36 characters
    coding.apply_code(built, "s1", 6, 41, "Long B", coder=login)
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=size) as pilot:
        screen, table = await open_screen(pilot)
        assert table.region.height > 5
        assert table.region.width == size[0]
        for widget in ("#caption", "#cell"):
            assert screen.query_one(widget).region.height == 1
        listing = await enter_cell(pilot, table, 4, 6)  # Long A × Long B
        pairs = listing.query_one(DataTable)
        assert pairs.region.height > 5
        first, second = pairs.get_row_at(0)[2:]
        assert first.startswith("I waited for weeks.") and second.startswith("waited")
        cut = size[0] < 90  # two of 36 characters fit beside each other in 100 columns
        assert first.endswith("…") == cut and second.endswith("…") == cut
        # both excerpts' columns are in view, not scrolled off to the right
        width = sum(column.get_render_width(pairs) for column in pairs.columns.values())
        assert width <= size[0]


async def test_an_empty_project(project: Project) -> None:
    app = CenThemesApp(project, who(project, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_screen(pilot)
        assert table.row_count == 0
        assert "no codes yet" in line(screen, "#caption")
        await pilot.press("enter", "r")
        await settle(pilot)
        assert app.screen is screen and "no themes yet" in line(screen, "#caption")
