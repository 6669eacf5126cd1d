"""SVG snapshots of the workbench at 80x24: what a person sees, compared with the files in
__snapshots__/ that someone looked at and accepted.

A failure means the screen changed. Look at the report (`snapshot_report.html`); when
the change is wanted, accept it with `pytest tests/tui/test_snapshots.py
--snapshot-update` and commit the new SVGs. The project is built the same way each time
(fixed coder, file name and codings; no times are shown but a memo's date, which is
pinned), so only a real change in what is drawn makes a difference. Textual is pinned
exactly because its releases redraw.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cen_themes.db import Project
from cen_themes.services import memos, sources, themes
from cen_themes.tui.app import CenThemesApp
from tests.conftest import SAMPLES, CodedProject

SIZE = (80, 24)
CODER = "snap"
# Screenshots of an SQLite project: its file name and coder show in every one.
pytestmark = pytest.mark.sqlite_only(reason="screenshots of an SQLite project, named on screen")
# Sample transcript: its attributes.
FILES = {
    "su01": {"group": "service user", "setting": "specialist"},
    "su03": {"group": "service user", "setting": "generic"},
    "staff_fg03": {"group": "staff", "setting": "generic"},
}
# (source, words, code): the first two are on su01's first screen in the reader.
CODINGS = [
    ("su01", '"complex emotional needs"', "Diagnosis > Label"),
    ("su01", "I waited about five months for the assessment", "Access > Waiting"),
    ("su01", "the EUPD diagnosis", "Diagnosis > Label"),
    ("su01", "They're curious.", "Relationships > Being understood"),
    ("su03", "it's quite rural", "Access > Distance"),
    ("staff_fg03", "a third of my caseload", "Workload"),
]


def build(coded_project: CodedProject, into: Project | None = None) -> Project:
    project = coded_project(
        {name: SAMPLES / f"{name}.txt" for name in FILES},
        CODINGS,
        coder=CODER,
        attributes=FILES,
        into=into,
    )
    themes.add_theme(project, "Barriers to care", coder=CODER)
    themes.add_theme(project, "What helps", coder=CODER)
    themes.assign_codes(
        project, "Barriers to care", ["Access > Waiting", "Access > Distance"], coder=CODER
    )
    themes.assign_codes(project, "What helps", ["Relationships > Being understood"], coder=CODER)
    return project


@pytest.fixture
def sample(project: Project, coded_project: CodedProject) -> Project:
    """Three sample transcripts, coded; the file is always ``project.db``."""
    assert project.path is not None and project.path.name == "project.db"
    return build(coded_project)


def keys(*pressed: str, theme: str = "textual-dark") -> Callable[[Pilot], Awaitable[None]]:
    """Set the theme, then press ``pressed`` with a pause after each."""

    async def run_before(pilot: Pilot) -> None:
        pilot.app.theme = theme
        await pilot.pause()
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # e.g. the sources' coded shares
        await pilot.pause()

    return run_before


def test_sources_screen(sample: Project, snap_compare) -> None:
    app = CenThemesApp(sample, CODER)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


def test_codebook(sample: Project, snap_compare) -> None:
    app = CenThemesApp(sample, CODER)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("k", "down", "down"))


def test_codebook_light(sample: Project, snap_compare) -> None:
    app = CenThemesApp(sample, CODER)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=keys("k", "down", theme="textual-light")
    )


def test_themes_with_memos(sample: Project, snap_compare) -> None:
    """The highlighted theme's memos under the table, the newest last."""
    memos.add_memo(sample, "theme", "Barriers to care", "Waiting and distance.", coder=CODER)
    memos.add_memo(
        sample,
        "theme",
        "Barriers to care",
        "Is distance a barrier of its own, or one more kind of waiting? su03 says the "
        "travelling is what stops her; check the staff focus groups.",
        coder="ann",
    )
    assert sample.path is not None
    pinned = int(datetime(2026, 12, 3, 9, 30, tzinfo=UTC).timestamp() * 1_000_000)
    with sqlite3.connect(sample.path) as conn:
        conn.execute("UPDATE memos SET created_at = ?", (pinned,))
    conn.close()
    app = CenThemesApp(sample, CODER)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("t"))


def test_matrix(sample: Project, snap_compare) -> None:
    app = CenThemesApp(sample, CODER)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("m", "g", "enter", "right"))


def test_snapshot_project_is_the_same_each_time(
    tmp_path: Path, coded_project: CodedProject
) -> None:
    """The snapshots rest on this: two builds give the same sources and excerpts."""
    from cen_themes.db import open_project
    from cen_themes.services import analysis

    seen = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        project = build(coded_project, into=open_project(tmp_path / folder / "project.db"))
        seen.append(
            (
                [(s.name, s.words, s.attributes) for s in sources.list_sources(project)],
                [(e.source, e.start, e.end, e.codes) for e in analysis.find_excerpts(project)],
            )
        )
        project.close()
    assert seen[0] == seen[1]
    assert len(seen[0][1]) == len(CODINGS)


# The reader's look is still changing (its side panel): after a change there, look at
# the report and accept with --snapshot-update.
READER_KEYS = ("enter", *["down"] * 15, "right")  # su01, the cursor on a coded passage


def test_reader(sample: Project, snap_compare) -> None:
    app = CenThemesApp(sample, CODER)
    assert snap_compare(app, terminal_size=SIZE, run_before=keys(*READER_KEYS))


def test_reader_light(sample: Project, snap_compare) -> None:
    app = CenThemesApp(sample, CODER)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=keys(*READER_KEYS, theme="textual-light")
    )
