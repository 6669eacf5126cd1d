"""The matrix screen: counts as the analysis gives them, grouping, a cell's excerpts, and
exports in a worker that report success or failure without blocking or crashing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from cen_themes.db import Project
from cen_themes.exporters import layout
from cen_themes.services import analysis, themes
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.dialogs import ChooseOne, TextPrompt
from cen_themes.tui.screens.excerpt_list import ExcerptListScreen
from cen_themes.tui.screens.matrix import MatrixScreen, row_label
from tests.conftest import CodedProject, settle, who

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


def build(coded_project: CodedProject) -> Project:
    """Two sources (attribute group A and B), two codes, themes Barriers and Support."""
    project = coded_project(
        TEXTS, CODINGS, attributes={name: {"group": group} for name, group in GROUPS.items()}
    )
    themes.add_theme(project, "Barriers", coder="tester")
    themes.add_theme(project, "Support", coder="tester")
    themes.add_theme(project, "Staff", parent="Support", coder="tester")
    themes.assign_codes(project, "Barriers", ["Access > Waiting"], coder="tester")
    themes.assign_codes(project, "Support", ["Care"], coder="tester")
    return project


@pytest.fixture
def built(coded_project: CodedProject) -> Project:
    return build(coded_project)


def shown(table: DataTable) -> list[list[str]]:
    return [
        [str(table.get_cell_at(Coordinate(row, column))) for column in range(len(table.columns))]
        for row in range(table.row_count)
    ]


def expected(project: Project, rows: str = "themes") -> list[list[str]]:
    matrix = analysis.matrix(project, rows)  # type: ignore[arg-type]
    return [
        [
            row_label(row.path, row.depth),
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
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await open_matrix(pilot)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == ["theme", "s1", "s2", "n_sources", "n_excerpts"]
        assert shown(table) == expected(built)
        assert shown(table)[0][1:] == ["1", "1", "2", "2"]  # Barriers
        assert shown(table)[1][1:] == ["1", "2", "2", "3"]  # Support
        assert shown(table)[2][0] == "  Staff"
        assert table.get_cell_at(Coordinate(0, 1)).justify == "right"


async def test_r_toggles_code_rows(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
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
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_matrix(pilot)
        await pilot.press("g")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ChooseOne)
        assert picker.choices == ["group", "no grouping  (now)"]
        await pilot.press("enter")
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
        assert [r[0] for r in shown(table)] == [
            row_label(str(r.cells[0].value), str(r.cells[0].value).count(" > ")) for r in laid.rows
        ]
        numbers = [r[1:] for r in shown(table)]
        assert numbers == [[str(c.value) for c in row.cells[1:]] for row in laid.rows]
        assert numbers[1] == ["1", "1", "2", "2", "2", "3"]  # Support: A 1, B 2
        await pilot.press("g", "down", "enter")  # back to no grouping
        await pilot.pause()
        assert screen.group_by is None
        assert shown(table) == expected(built)


def test_row_labels_are_indented_names_cut_short() -> None:
    assert row_label("Barriers", 0) == "Barriers"
    assert row_label("Support > Staff", 1) == "  Staff"
    long = row_label("A > " + "very long theme name " * 3, 1)
    assert len(long) == 32 and long.endswith("…") and long.startswith("  very long")


async def enter_cell(pilot: Pilot, table: DataTable, row: int, column: int) -> ExcerptListScreen:
    table.move_cursor(row=row, column=column)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    listing = pilot.app.screen
    assert isinstance(listing, ExcerptListScreen)
    assert listing.query_one(DataTable).row_count == len(listing.excerpts)
    return listing


async def test_enter_shows_exactly_the_cells_excerpts(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_matrix(pilot)
        listing = await enter_cell(pilot, table, 1, 2)  # Support in s2
        want = analysis.find_excerpts(built, theme="Support", source="s2")
        assert len(want) == 2
        assert [e.id for e in listing.excerpts] == [e.id for e in want]
        assert [e.text for e in listing.excerpts] == ["Waiting is the worst", "They cared for me"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        listing = await enter_cell(pilot, table, 0, 1)  # Barriers in s1
        assert [e.text for e in listing.excerpts] == ["I waited for weeks"]
        await pilot.press("escape")
        await pilot.pause()
        listing = await enter_cell(pilot, table, 2, 1)  # Support > Staff: nothing
        assert listing.excerpts == []
        await pilot.press("escape")
        await pilot.pause()
        listing = await enter_cell(pilot, table, 1, 4)  # n_excerpts: the whole row
        want = analysis.find_excerpts(built, theme="Support")
        assert sorted(e.id for e in listing.excerpts) == sorted(e.id for e in want)


async def test_enter_on_a_subtotal(built: Project) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await open_matrix(pilot)
        await pilot.press("g", "enter")
        await pilot.pause()
        listing = await enter_cell(pilot, table, 1, 4)  # Support, group=B total
        want = analysis.find_excerpts(built, theme="Support", source="s2")
        assert [e.id for e in listing.excerpts] == [e.id for e in want]


async def export(pilot: Pilot, path: str, key: str = "e") -> None:
    """Press ``key``, type ``path`` over what is offered, Enter, and wait for the worker."""
    await pilot.press(key)
    await pilot.pause()
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = path
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_export_writes_the_view_as_csv(built: Project, tmp_path: Path) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    target = tmp_path / "out.csv"
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix(pilot)
        await pilot.press("g", "enter")
        await pilot.pause()
        await export(pilot, str(target))
        assert app.screen is screen
        assert any(f"wrote {target}" in n.message for n in app._notifications)
        assert not errors(app)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    laid = layout(analysis.matrix(built, "themes"), "count", "group")
    assert rows[0] == [c.header for c in laid.columns]
    assert rows[1:] == [[str(c.value) for c in row.cells] for row in laid.rows]
    assert rows[2] == ["Support", "1", "1", "2", "2", "2", "3"]


@pytest.mark.parametrize("suffix", [".xlsx", ".md", ".html"])
async def test_export_every_matrix_format(built: Project, tmp_path: Path, suffix: str) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    target = tmp_path / f"out{suffix}"
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix(pilot)
        await pilot.press("r")  # codes as rows: the export follows the view
        await pilot.pause()
        await export(pilot, str(target))
        assert app.screen is screen
        assert not errors(app)
        assert any(f"wrote {target} (3 codes x 2 sources)" in n.message for n in app._notifications)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(target).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert values[0][:3] == ["code", "s1", "s2"]
        assert [row[0] for row in values[1:]] == ["Access", "Access > Waiting", "Care"]
        assert values[3][1:3] == [1, 2]
    else:
        text = target.read_text(encoding="utf-8")
        assert "Access &gt; Waiting" in text or "Access > Waiting" in text
        if suffix == ".html":  # the HTML matrix carries the excerpts, as the CLI's does
            assert "They cared for me" in text


async def test_export_runs_off_the_ui_thread(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While an export is still writing, keys keep working; its notice comes after."""
    import threading

    from cen_themes.services import exports

    release = threading.Event()
    threads: list[threading.Thread] = []
    real = exports.export_matrix

    def slow(*args: Any, **kwargs: Any) -> str:
        threads.append(threading.current_thread())
        assert release.wait(20), "the test never released the export"
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "export_matrix", slow)
    target = tmp_path / "slow.csv"
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_matrix(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("r")  # the UI answers while the worker waits
        await pilot.pause()
        assert screen.rows_kind == "codes"
        assert shown(table) == expected(built, "codes")
        assert not target.exists()
        assert not any("wrote" in n.message for n in app._notifications)
        busy = screen.query_one("#exporting")
        assert busy.display and busy.region.height == 1  # a progress bar meanwhile
        assert str(target) in str(screen.query_one("#export-label", Static).render())
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert threads and threads[0] is not threading.main_thread()
        assert any(f"wrote {target}" in n.message for n in app._notifications)
        assert not busy.display
    assert target.exists()


async def test_bad_extension_is_an_error_and_the_path_is_offered_again(
    built: Project, tmp_path: Path
) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    typed = str(tmp_path / "out.txt")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _table = await open_matrix(pilot)
        await export(pilot, typed)
        assert any("cannot export a matrix as '.txt'" in m for m in errors(app))
        prompt = app.screen  # offered again, with what was typed
        assert isinstance(prompt, TextPrompt)
        assert prompt.query_one(Input).value == typed
        prompt.query_one(Input).value = typed.replace(".txt", ".md")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
    assert not (tmp_path / "out.txt").exists()
    assert "Barriers" in (tmp_path / "out.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["missing/out.csv", "afile/out.csv", "folder"])
async def test_unwritable_paths_are_errors_not_crashes(
    built: Project, tmp_path: Path, where: str
) -> None:
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    (tmp_path / "folder.csv").mkdir()
    typed = str(tmp_path / where) + (".csv" if where == "folder" else "")
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix(pilot)
        await export(pilot, typed)
        assert app.is_running
        assert any(typed in m for m in errors(app))
        assert not screen.query_one("#exporting").display
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one(Input).value == typed
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("e")  # the path is still offered after Escape
        await pilot.pause()
        assert app.screen.query_one(Input).value == typed


async def test_an_exporter_bug_is_a_notice(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr("cen_themes.services.exports.write_matrix", broken)
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot)
        await export(pilot, str(tmp_path / "out.csv"))
        assert app.is_running
        assert any("renderer exploded" in m for m in errors(app))


async def test_export_quotes_from_the_matrix(built: Project, tmp_path: Path) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    target = tmp_path / "quotes.md"
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix(pilot)
        await export(pilot, str(tmp_path / "quotes.csv"), key="E")  # not a quotes format
        assert any("cannot export a quotes report as '.csv'" in m for m in errors(app))
        await pilot.press("escape")
        await pilot.pause()
        await export(pilot, str(target), key="E")
        assert app.screen is screen
        assert any(f"wrote {target}" in n.message for n in app._notifications)
    text = target.read_text(encoding="utf-8")
    for words in ("Barriers", "Support", "I waited for weeks", "They cared for me"):
        assert words in text


async def test_small_terminal_and_escape(built: Project, tmp_path: Path) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await open_matrix(pilot)
        assert shown(table) == expected(built)
        assert table.region.height > 5
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert list(tmp_path.glob("*.csv")) == []
        listing = await enter_cell(pilot, table, 0, 2)
        assert [e.text for e in listing.excerpts] == ["Waiting is the worst"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_enter_alone_exports_to_the_offered_name(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "matrix.csv"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("E", "enter")
        await app.workers.wait_for_complete()
    assert (tmp_path / "matrix.csv").read_text(encoding="utf-8").startswith("theme,")
    assert (tmp_path / "quotes.md").exists()


async def test_a_shows_the_matrix_as_it_stood_then(built: Project, tmp_path: Path) -> None:
    """`a` asks for a moment; the matrix then is the one exported then; "now" comes
    back."""
    import time
    from datetime import UTC, datetime

    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat()
    then = expected(built)
    time.sleep(0.01)
    themes.unassign_codes(built, "Support", ["Care"], coder=who(built, "tester"))
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_matrix(pilot)
        assert shown(table) == expected(built) != then
        await export(pilot, moment, key="a")
        assert screen.as_of == moment
        assert shown(table) == then
        assert f"as of {moment}" in str(screen.query_one("#caption", Static).render())
        await pilot.press("enter")  # a cell as of then has counts, not excerpts to list
        await pilot.pause()
        assert app.screen is screen
        target = tmp_path / "then.csv"
        await export(pilot, str(target))
        with target.open(encoding="utf-8", newline="") as handle:
            exported = [row[0] for row in csv.reader(handle)][1:]
        assert exported == ["Barriers", "Support", "Support > Staff"]
        await export(pilot, "last Tuesday", key="a")  # not a date: refused, nothing changes
        assert screen.as_of == moment and errors(app)
        await export(pilot, "NOW", key="a")
        assert screen.as_of is None
        assert shown(table) == expected(built)


async def test_the_label_column_stays_and_the_line_above_names_the_cell(
    built: Project,
) -> None:
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await open_matrix(pilot)
        assert table.fixed_columns == 1
        table.move_cursor(row=2, column=2)  # Support > Staff, s2
        await pilot.pause()
        cell = str(screen.query_one("#cell", Static).render())
        assert cell == "Support > Staff  ·  s2: 0"
        await pilot.press("g", "enter")  # grouped: scrolled back to the first column
        await pilot.pause()
        assert table.scroll_x == 0


async def test_an_export_asks_before_replacing_a_file(built: Project, tmp_path: Path) -> None:
    from cen_themes.tui.screens.dialogs import Confirm

    target = tmp_path / "matrix.csv"
    target.write_text("keep me\n", encoding="utf-8")
    app = CenThemesApp(built, who(built, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix(pilot)
        await export(pilot, str(target))
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")  # not replaced: the path is offered again
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one(Input).value == str(target)
        assert target.read_text(encoding="utf-8") == "keep me\n"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert target.read_text(encoding="utf-8").startswith("theme,s1,s2")


async def test_export_every_coding_from_the_matrix(built: Project, tmp_path: Path) -> None:
    """`x` writes one row per coding (the same file as `export excerpts`)."""
    app = CenThemesApp(built, who(built, "ana"))
    target = tmp_path / "codings.csv"
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix(pilot)
        await export(pilot, str(tmp_path / "codings.md"), key="x")  # not a codings format
        assert any("cannot export the codings as '.md'" in m for m in errors(app))
        await pilot.press("escape")
        await pilot.pause()
        await export(pilot, str(target), key="x")
        assert app.screen is screen
        assert any(f"to {target}" in n.message for n in app._notifications)
    from cen_themes.services import analysis

    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("source,start,end,text,code,coder,memo,time")
    assert len(lines) == 1 + len(analysis.coding_rows(built).rows) > 1
