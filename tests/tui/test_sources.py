"""The sources screen: the first screen, the first source highlighted, Enter opens it."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from textual.widgets import DataTable

from cen_themes.services import analysis, attributes
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.help import HelpScreen
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.screens.sources import SourcesScreen
from cen_themes.tui.widgets.coded_text import CodedTextArea
from cen_themes.tui.widgets.status import StatusLine

from ..conftest import CodedProject, who

SIZE = (100, 30)


async def test_first_screen_lists_sources_with_first_highlighted(
    coded_project: CodedProject,
) -> None:
    project = coded_project(
        {"alpha": "Interviewer: Hello.\nP01: Hi there.\n", "beta": "Just one document line.\n"}
    )
    app = CenThemesApp(project, "tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        assert table.cursor_row == 0
        assert table.get_row_at(0)[0] == "alpha"
        assert table.get_row_at(1)[:2] == ["beta", "document"]
        status = str(app.screen.query_one(StatusLine).render())
        where = "project.db" if project.is_sqlite else make_url(project.url).database
        assert where in status and "tester" in status
        assert "2 sources" in status and "0 codes" in status


async def test_enter_opens_highlighted_source_at_offset_zero(
    coded_project: CodedProject,
) -> None:
    project = coded_project({"alpha": "First text.\n", "beta": "Second text.\n"})
    app = CenThemesApp(project, "tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.source == "beta"
        area = app.screen.query_one(CodedTextArea)
        assert area.text == "Second text.\n"
        assert area.cursor_location == (0, 0)
        await pilot.press("escape")
        assert isinstance(app.screen, SourcesScreen)
        await pilot.press("escape")  # the first screen stays
        assert isinstance(app.screen, SourcesScreen)


async def test_help_lists_bindings_and_q_quits(coded_project: CodedProject) -> None:
    project = coded_project({"alpha": "Some text.\n"})
    app = CenThemesApp(project, "tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.bindings)
        assert keys.get("c") == "Code"
        assert keys.get("shift+arrows", "").startswith("select text")
        assert keys.get("u") == "Undo"
        assert keys.get("q") == "Quit"
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        assert not app._exit
        await pilot.press("q")
        await pilot.pause()
        assert app._exit


async def test_undo_on_sources_screen_refreshes_counts(coded_project: CodedProject) -> None:
    project = coded_project(
        {"alpha": "Some words to code.\n"}, [("alpha", (0, 4), "Opening", "ana")]
    )
    app = CenThemesApp(project, "tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.get_row_at(0)[4] == 1
        status = app.screen.query_one(StatusLine)
        assert "1 source  ·  1 code" in str(status.render())
        await pilot.press("u")
        await pilot.pause()
        assert table.get_row_at(0)[4] == 0
        assert "0 codes" in str(status.render())
    assert analysis.find_excerpts(project, source="alpha") == []


async def test_k_t_m_open_the_codebook_themes_and_matrix_once(project, tmp_path) -> None:
    from cen_themes.tui.app import CenThemesApp
    from cen_themes.tui.screens.codebook import CodebookScreen
    from cen_themes.tui.screens.matrix import MatrixScreen
    from cen_themes.tui.screens.themes import ThemesScreen

    app = CenThemesApp(project, who(project, "ann"))
    async with app.run_test(size=(80, 24)) as pilot:
        for key, screen in (("k", CodebookScreen), ("t", ThemesScreen), ("m", MatrixScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen)
            depth = len(app.screen_stack)
            await pilot.press(key)  # the same key again opens no second copy
            await pilot.pause()
            assert len(app.screen_stack) == depth
            await pilot.press("escape")
            await pilot.pause()


async def test_filter_by_name_or_attribute_and_escape_clears_it(
    coded_project: CodedProject,
) -> None:
    project = coded_project({"su01": "One.\n", "su02": "Two.\n", "staff01": "Three.\n"})
    attributes.set_attributes(project, "su02", {"group": "service user"}, coder="tester")
    attributes.set_attributes(project, "staff01", {"group": "staff"}, coder="tester")
    app = CenThemesApp(project, "tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#sources", DataTable)
        await pilot.press("f", *"group=s")
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["su02", "staff01"]
        await pilot.press(*"taff")
        assert table.row_count == 1 and table.get_row_at(0)[0] == "staff01"
        await pilot.press("enter")  # back to the table, the filter kept
        assert table.has_focus and table.row_count == 1
        await pilot.press("enter")
        assert isinstance(app.screen, ReaderScreen) and app.screen.source == "staff01"
        await pilot.press("escape")
        await pilot.press("escape")  # clears the filter
        assert table.row_count == 3
        await pilot.press("down", "down")  # staff01 highlighted, then a new filter:
        assert table.get_row_at(table.cursor_row)[0] == "staff01"
        await pilot.press("f", *"group")  # its first match is highlighted, not staff01
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["su02", "staff01"]
        assert table.cursor_row == 0
        await pilot.press("escape")
        await pilot.press("f", *"SU0")  # any case; q typed here is text, not quit
        assert table.row_count == 2
        await pilot.press("q")
        assert app.is_running and table.row_count == 0


async def test_coded_column_counts_overlaps_once(coded_project: CodedProject) -> None:
    project = coded_project(
        {"alpha": "0123456789" * 10, "beta": "x" * 40},
        [("alpha", (0, 30), "One"), ("alpha", (20, 50), "Two")],
    )
    app = CenThemesApp(project, "tester")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#sources", DataTable)
        coded = list(table.columns).index(table.ordered_columns[5].key)
        assert [table.get_row_at(i)[coded] for i in range(2)] == ["50%", "0%"]
