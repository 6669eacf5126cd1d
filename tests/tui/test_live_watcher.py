"""The watcher behind live updates (cen_themes.services.live), on SQLite and PostgreSQL:
it says when someone else commits a change, not when the project itself does, and it
stops at once when told.

(A domain module's tests, kept beside the workbench's live tests that build on it.)
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cen_themes.errors import ProjectError
from cen_themes.models import Coder
from cen_themes.services import codebook, coding, sources
from cen_themes.services.live import APPLICATION_NAME, Watcher, follow
from tests.tui.live_server import ENGINES, Sides, open_sides

TEXT = "P01: I felt judged by the staff. After that, nothing.\n"
NAME = "int01"
LIVE_SECONDS = 2.0  # the promise: others' changes show within this


@pytest.fixture(params=ENGINES)
def sides(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sides]:
    with open_sides(request.param, tmp_path) as opened:
        import_transcript(opened, tmp_path)
        yield opened


def import_transcript(sides: Sides, folder: Path) -> None:
    path = folder / f"{NAME}.txt"
    path.write_text(TEXT, encoding="utf-8")
    report = sources.import_files(sides.ours, [path], coder=sides.our_coder, name=NAME)
    assert not report.failed


@pytest.fixture
def watcher(sides: Sides) -> Iterator[Watcher]:
    made = Watcher(sides.ours, poll=0.1)
    yield made
    made.close()


def their_coding(sides: Sides, code: str = "Stigma") -> None:
    coding.apply_code(sides.theirs, NAME, 5, 11, code, coder=sides.their_coder)


def later(seconds: float, action) -> threading.Thread:
    thread = threading.Timer(seconds, action)
    thread.start()
    return thread


def test_another_connections_change_is_seen_within_the_promise(
    sides: Sides, watcher: Watcher
) -> None:
    assert watcher.wait(0.3) is False  # connected; nothing new
    started = time.monotonic()
    writer = later(0.2, lambda: their_coding(sides))
    assert watcher.wait(LIVE_SECONDS + 1) is True
    seen = time.monotonic() - started - 0.2
    writer.join()
    print(f"\n{sides.engine}: seen {seen * 1000:.0f} ms after the change began")
    assert seen < LIVE_SECONDS
    assert watcher.wait(0.3) is False  # reported once


def test_the_projects_own_changes_are_not_reported(sides: Sides, watcher: Watcher) -> None:
    assert watcher.wait(0.2) is False
    coding.apply_code(sides.ours, NAME, 5, 11, "Own", coder=sides.our_coder)
    codebook.create_code(sides.ours, "Also own", coder=sides.our_coder)
    assert watcher.wait(0.6) is False
    their_coding(sides)  # theirs after ours: still seen
    assert watcher.wait(LIVE_SECONDS) is True


def test_a_failed_change_of_our_own_hides_nobody_elses(sides: Sides, watcher: Watcher) -> None:
    """On SQLite a rolled-back event's id goes to the next event, here someone else's."""
    assert watcher.wait(0.2) is False
    with pytest.raises(RuntimeError), sides.ours.change("coder.add", sides.our_coder) as ch:
        ch.add(Coder(name="doomed"))
        ch.summary = "a change that fails after writing its event"
        ch.finish()  # the event is flushed, with its id; then the change fails
        raise RuntimeError("failed before the commit")
    their_coding(sides)
    codebook.create_code(sides.ours, "Ours again", coder=sides.our_coder)
    assert watcher.wait(LIVE_SECONDS) is True


def test_a_burst_of_changes_is_one_report(sides: Sides, watcher: Watcher) -> None:
    assert watcher.wait(0.2) is False
    for n in range(5):
        codebook.create_code(sides.theirs, f"Code {n}", coder=sides.their_coder)
    time.sleep(0.3)
    assert watcher.wait(LIVE_SECONDS) is True
    assert watcher.wait(0.4) is False


def test_a_change_before_connecting_is_not_missed(sides: Sides) -> None:
    """Made as a screen first reads, connected a moment later (in a thread)."""
    with Watcher(sides.ours, poll=0.1) as watcher:
        their_coding(sides)
        assert watcher.wait(0.5) is True


def test_another_process_is_seen(sides: Sides, watcher: Watcher) -> None:
    assert watcher.wait(0.2) is False
    script = (
        "import sys\n"
        "from cen_themes.db import open_project\n"
        "from cen_themes.services import coding\n"
        "p = open_project(sys.argv[1])\n"
        "coding.apply_code(p, 'int01', 12, 18, 'From a script', coder=sys.argv[2])\n"
        "p.close()\n"
    )
    subprocess.run([sys.executable, "-c", script, sides.where, sides.their_coder], check=True)
    assert watcher.wait(LIVE_SECONDS) is True


def test_wake_ends_a_wait_at_once(sides: Sides, watcher: Watcher) -> None:
    assert watcher.wait(0.2) is False
    later(0.2, watcher.wake)
    started = time.monotonic()
    assert watcher.wait(None) is False
    assert time.monotonic() - started < 0.5


def test_follow_calls_back_in_its_thread_and_stops_at_once(sides: Sides) -> None:
    calls: list[str] = []
    called = threading.Event()

    def on_change() -> None:
        calls.append(threading.current_thread().name)
        called.set()

    live = follow(sides.ours, on_change, poll=0.1)
    try:
        time.sleep(0.3)
        their_coding(sides)
        assert called.wait(LIVE_SECONDS)
    finally:
        started = time.monotonic()
        live.stop()
        stopped = time.monotonic() - started
    assert calls == ["cen-themes live"]
    assert not live.running
    assert stopped < 0.5


def test_a_lost_server_connection_is_an_error_then_a_catch_up(tmp_path: Path) -> None:
    with open_sides("postgresql", tmp_path) as sides:
        import_transcript(sides, tmp_path)
        with Watcher(sides.ours) as watcher:
            assert watcher.wait(0.2) is False
            cut_off_watchers(sides.where)
            with pytest.raises(ProjectError, match="lost touch"):
                watcher.wait(LIVE_SECONDS)
            assert watcher.wait(0.2) is True  # connected again: anything may have happened
            assert watcher.wait(0.2) is False
            their_coding(sides)
            assert watcher.wait(LIVE_SECONDS) is True


def cut_off_watchers(url: str) -> None:
    """The server ends every watcher's connection (as a restart would)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": APPLICATION_NAME},
            )
    finally:
        engine.dispose()
