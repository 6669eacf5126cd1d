"""Scrolling the reader through a long coded source reads nothing from the database:
shading and the side panel come from what the reader read when it opened."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import event

from cen_themes.db import Project
from cen_themes.services import analysis, coding, sources
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.reader import ReaderScreen
from tests.benchmarks.generate import transcript
from tests.conftest import CodedProject, warmed_up, who

NAME = "long"


@pytest.fixture
def long_coded(coded_project: CodedProject) -> Project:
    """A 20,000-word interview with 300 coded spans, some with memos, two coders."""
    text = transcript(random.Random(5), 20_000, "P001")
    project = coded_project(text, name=NAME, coder="gen")
    rng = random.Random(9)
    for c in range(6):
        starts = [rng.randrange(len(text) - 200) for _ in range(50)]
        spans = [(NAME, s, s + rng.randint(5, 200)) for s in starts]
        coding.apply_code_spans(
            project, spans, f"Theme {c % 3} > Code {c}", coder=who(project, "gen")
        )
    for s in range(0, 3000, 500):
        coding.apply_code(
            project, NAME, s, s + 40, "Memoed", coder=who(project, "bob"), memo=f"note {s}"
        )
    return project


class StatementCounter:
    def __init__(self, project: Project) -> None:
        self.statements: list[str] = []
        event.listen(project.engine, "before_cursor_execute", self._count)
        self.project = project

    def _count(self, _conn, _cursor, statement: str, *_args: object) -> None:
        self.statements.append(statement)

    def close(self) -> None:
        event.remove(self.project.engine, "before_cursor_execute", self._count)


async def test_scrolling_a_long_coded_source_issues_no_queries(long_coded: Project) -> None:
    counter = StatementCounter(long_coded)
    try:
        app = CenThemesApp(long_coded, who(long_coded, "ann"))
        async with app.run_test(size=(100, 30)) as pilot:
            await warmed_up(app, pilot)  # the launch's own reads, done before
            app.open_reader(NAME)
            await pilot.pause()
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            assert counter.statements  # opening reads the source and its excerpts
            assert len(reader.excerpts) > 250
            area = reader.text_area
            counter.statements.clear()

            await pilot.press(*["pagedown"] * 25, *["down"] * 40, *["shift+down"] * 5)
            await pilot.press(*["pageup"] * 8, *["ctrl+right"] * 10, "end", "home")
            await pilot.pause()
            middle = area.scroll_offset.y
            assert middle > 100  # it really scrolled, through shaded rows
            area.scroll_to(y=area.max_scroll_y, animate=False)
            await pilot.pause()
            area.scroll_to(y=middle // 2, animate=False)
            await pilot.pause()
            assert area.cursor_offset() > 1000
            assert counter.statements == []

            reader.reload()  # the counter does see the reader's reads
            assert counter.statements
    finally:
        counter.close()


def test_reader_excerpts_match_find_excerpts(long_coded: Project) -> None:
    assert sources.source_excerpts(long_coded, NAME) == analysis.find_excerpts(
        long_coded, source=NAME
    )
