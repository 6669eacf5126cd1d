"""The reader: select with shift+arrows, code through the picker, undo; checked in the project."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from cen_themes.db import Project
from cen_themes.services import analysis, codebook, coding, sources
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.code_picker import CodePicker
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.screens.sources import SourcesScreen
from cen_themes.tui.widgets.coded_text import CodedTextArea
from tests.conftest import CodedProject, dump_database, who

SIZE = (100, 30)
# An emoji (one code point, two UTF-16 units) and a form feed (a line break for
# str.splitlines) before the coded words: offsets must stay code points.
TEXT = "Interviewer: How was it? 🙂\nP01: I felt judged by the staff.\x0cAfter that, nothing.\n"
NAME = "su01"


@pytest.fixture
def imported(coded_project: CodedProject) -> Project:
    project = coded_project(TEXT, name=NAME)
    assert sources.get_source(project, NAME).text == TEXT
    return project


def excerpts(project: Project) -> list[tuple[int, int, list[str], list[str]]]:
    return [
        (e.start, e.end, e.codes, e.coders) for e in analysis.find_excerpts(project, source=NAME)
    ]


async def open_reader(pilot: Pilot) -> ReaderScreen:
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


async def select(pilot: Pilot, start: int, length: int) -> None:
    """Move right ``start`` times, then shift+right ``length`` times."""
    await pilot.press(*["right"] * start, *["shift+right"] * length)


async def pick(pilot: Pilot, typed: str) -> CodePicker:
    await pilot.press("c")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, CodePicker)
    assert picker.query_one(Input).value == ""
    await pilot.press(*typed)
    await pilot.pause()
    return picker


async def test_new_code_from_typed_name(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(pilot)
        await pilot.press("down")  # row 1 starts at offset 28 (after the emoji line)
        await select(pilot, 5, 13)  # "I felt judged"
        picker = await pick(pilot, "judged")
        assert picker.highlighted is not None
        assert (picker.highlighted.kind, picker.highlighted.code) == ("create", "judged")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is reader
    start = TEXT.index("I felt judged")
    assert excerpts(imported) == [(start, start + 13, ["judged"], [who(imported, "ana")])]
    assert TEXT[start : start + 13] == "I felt judged"


async def test_shading_and_codes_at_cursor(imported: Project) -> None:
    start = TEXT.index("judged")
    coding.apply_code(imported, NAME, start, start + 6, "Stigma", coder=who(imported, "ana"))
    codebook.colour_code(imported, "Stigma", "#e6194b", coder=who(imported, "ana"))
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(pilot)
        area = reader.query_one(CodedTextArea)
        line = area.get_line(1)
        shaded = [(s.start, s.end) for s in line.spans if s.style.bgcolor is not None]
        assert shaded == [(12, 18)]
        assert line.plain[12:18] == "judged"
        here = reader.query_one("#here", Static)
        assert "Stigma" not in str(here.render())
        await pilot.press("down", *["right"] * 13)
        await pilot.pause()
        assert "Stigma" in str(here.render())


async def test_existing_code_fuzzy_match(imported: Project) -> None:
    coding.apply_code(imported, NAME, 0, 11, "Stigma > Being judged", coder=who(imported, "ana"))
    coding.apply_code(imported, NAME, 0, 11, "Hope", coder=who(imported, "ana"))
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(pilot)
        await pilot.press("down", "down")  # row 2 is the text after the form feed
        await select(pilot, 0, 10)  # "After that"
        picker = await pick(pilot, "bjudg")
        options = picker.query_one(OptionList)
        assert [c.kind for c in picker.choices][:2] == ["create", "existing"]
        await pilot.press("down")
        assert options.highlighted == 1
        assert picker.highlighted is not None
        assert picker.highlighted.code == "Stigma > Being judged"
        await pilot.press("enter")
        await pilot.pause()
    start = TEXT.index("After that")
    assert excerpts(imported)[1] == (
        start,
        start + 10,
        ["Stigma > Being judged"],
        [who(imported, "ana")],
    )
    assert sorted(c.path for c in codebook.list_codes(imported)) == [
        "Hope",
        "Stigma",
        "Stigma > Being judged",
    ]


async def test_exact_match_comes_first(imported: Project) -> None:
    coding.apply_code(imported, NAME, 0, 11, "Hope", coder=who(imported, "ana"))
    coding.apply_code(imported, NAME, 0, 11, "Hopelessness", coder=who(imported, "ana"))
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(pilot)
        await select(pilot, 13, 3)  # "How"
        picker = await pick(pilot, "Hope")
        assert [(c.kind, c.code) for c in picker.choices][:2] == [
            ("existing", "Hope"),
            ("existing", "Hopelessness"),
        ]
        await pilot.press("enter")
        await pilot.pause()
    assert (13, 16, ["Hope"], [who(imported, "ana")]) in excerpts(imported)
    assert len(codebook.list_codes(imported)) == 2


async def test_in_vivo_entry(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(pilot)
        await pilot.press("down")
        await select(pilot, 5, 14)  # "I felt judged " (trailing space)
        picker = await pick(pilot, "")
        assert picker.choices[-1].kind == "in_vivo"
        assert picker.choices[-1].code == "I felt judged"
        await pilot.press("up")  # wraps from the first entry to the last
        assert picker.highlighted == picker.choices[-1]
        await pilot.press("enter")
        await pilot.pause()
    start = TEXT.index("I felt judged")
    assert excerpts(imported) == [(start, start + 14, ["I felt judged"], [who(imported, "ana")])]


async def test_escape_cancels_and_writes_nothing(imported: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(pilot)
        await select(pilot, 0, 11)
        picker = await pick(pilot, "quiet question")  # q goes into the input
        assert picker.query_one(Input).value == "quiet question"
        await pilot.press("tab", "q")  # nor does q quit from the list of a modal
        assert picker.query_one(OptionList).has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader
        assert not app._exit  # the q typed into the picker did not quit
        await pilot.press("q")  # in the reader it does
        await pilot.pause()
        assert app._exit
    assert dump_database(db) == before


async def test_without_selection_picker_does_not_open(imported: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is reader
    assert dump_database(db) == before


async def test_undo_removes_the_excerpt(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(pilot)
        await select(pilot, 0, 11)
        await pick(pilot, "Framing")
        await pilot.press("enter")
        await pilot.pause()
        assert excerpts(imported) == [(0, 11, ["Framing"], [who(imported, "ana")])]
        assert reader.excerpts and reader.query_one(CodedTextArea).get_line(0).spans
        await pilot.press("u")
        await pilot.pause()
        assert excerpts(imported) == []
        assert reader.excerpts == []
        assert not [s for s in reader.query_one(CodedTextArea).get_line(0).spans if s.style.bgcolor]


def errors(app: CenThemesApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_service_error_becomes_notification(imported: Project, db: Path | str) -> None:
    before = dump_database(db)
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_reader(pilot)
        await select(pilot, 0, 11)
        await pick(pilot, "Stigma >")  # not a valid code path: an InputError
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is reader
        assert any("may not begin or end with '>'" in message for message in errors(app))
    assert dump_database(db) == before


async def test_undoing_the_import_returns_to_sources(imported: Project) -> None:
    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await open_reader(pilot)
        await pilot.press("u")  # the last change is the import of the open source
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        assert any(f"no source named '{NAME}'" in message for message in errors(app))
        await pilot.press("u")  # nothing left to undo: a notification, not a crash
        await pilot.pause()
        assert any("nothing to undo" in message for message in errors(app))
    assert sources.list_sources(imported) == []


async def test_overlapping_codings_are_underlined(imported: Project) -> None:
    """Two codes on one span, and a span overlapping it: the shared characters are
    underlined, the rest only shaded."""
    start = TEXT.index("judged")
    coding.apply_code(imported, NAME, start, start + 6, "Stigma", coder="tester")
    coding.apply_code(imported, NAME, start, start + 6, "Feelings", coder="tester")
    other = TEXT.index("the staff")
    coding.apply_code(imported, NAME, other, other + 9, "Staff", coder="tester")
    app = CenThemesApp(imported, "tester")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reader(pilot)
        area = screen.query_one(CodedTextArea)
        line = area.get_line(1)
        column = TEXT.split("\n")[1].index("judged")
        underlined = {
            i for span in line.spans if span.style.underline for i in range(span.start, span.end)
        }
        assert underlined == set(range(column, column + 6))


async def test_the_readers_objects_stay_out_of_the_collectors_way_while_it_is_open(
    imported: Project,
) -> None:
    import gc

    app = CenThemesApp(imported, who(imported, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() == 0
        await open_reader(pilot)
        assert gc.get_freeze_count() > 0
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        assert gc.get_freeze_count() == 0  # back to the collector once the reader is closed
        await open_reader(pilot)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0  # and when the workbench quits from the reader


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_a_passage_opened_at_is_in_the_middle_of_the_screen(
    coded_project: CodedProject, size: tuple[int, int]
) -> None:
    """Opening the reader at a passage far down (from a list of excerpts) puts it in the
    middle of the text, not on its last line."""
    text = "".join(f"P01: Line {n} of a long account.\n" for n in range(200))
    project = coded_project({"long": text})
    start = text.index("Line 120 ")
    app = CenThemesApp(project, who(project, "ana"))
    async with app.run_test(size=size) as pilot:
        app.open_reader("long", start, start + len("Line 120"))
        await pilot.pause()
        await pilot.pause()
        area = app.screen.query_one(CodedTextArea)
        row = area.cursor_location[0] - area.scroll_offset.y
        height = area.scrollable_content_region.height
        assert height // 3 <= row <= 2 * height // 3, (row, height)


async def test_keys_typed_in_a_burst_after_c_reach_the_picker(
    coded_project: CodedProject,
) -> None:
    """A code name pasted right after `c` (keys that arrive before the picker's input
    has the focus) is typed into the picker, none lost and none taken as a command."""
    from textual import events

    project = coded_project({"int01": "P01: I waited for weeks and weeks.\n"})
    app = CenThemesApp(project, who(project, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await pilot.press("shift+right", "shift+right")
        for key, char in [("c", "c"), *[(k if k != " " else "space", k) for k in "snap x"]]:
            app.post_message(events.Key(key, char))  # all queued before any is handled
        await pilot.pause()
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        assert picker.query_one(Input).value == "snap x"
        assert picker.query_one(Input).has_focus
    assert analysis.find_excerpts(project) == []  # s, n, x were not commands


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_picker_leaves_the_selection_in_view(
    coded_project: CodedProject, size: tuple[int, int]
) -> None:
    """The picker opens over the lower part of the screen, the screen below dimmed, not
    blanked, and the selection scrolled above it."""
    text = "".join(f"P01: Line {n} of a long account.\n" for n in range(200))
    project = coded_project({"long": text})
    start = text.index("Line 150 ")
    app = CenThemesApp(project, who(project, "ana"))
    async with app.run_test(size=size) as pilot:
        app.open_reader("long", start, start + len("Line 150"))
        await pilot.pause()
        await pilot.pause()
        area = app.screen.query_one(CodedTextArea)
        await pilot.press("c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        row = area.wrapped_document.location_to_offset(area.selection.start).y
        on_screen = area.content_region.y + row - area.scroll_offset.y
        dialog = picker.query_one("#picker")
        assert area.content_region.y <= on_screen < dialog.region.y, (on_screen, dialog.region)
        assert picker.styles.background.a < 1  # the reader shows through
