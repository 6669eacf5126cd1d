"""The workbench's speed (issue 4's targets):

- launch until the sources screen is interactive in at most 1 s, without importing spaCy;
- a 200,000-word transcript with 2,000 coded spans opens in the reader and paints in at
  most 1 s;
- a new coding appears (apply_code from the reader through to the repaint) in at most
  100 ms.

Times are taken inside the app (Pilot, headless): "painted" is the moment the reader's
text area last rendered a line, which Textual does even without a terminal.
Run: pytest tests/benchmarks/test_bench_tui.py --benchmark-enable -s

Measured on the 2-core development machine (shared), Textual 8.2.8: launch 0.66-0.78 s;
open and paint 0.54-0.56 s (1.44 s before excerpt texts were cut in Python and the text
was wrapped once per width); a new coding 55-71 ms median (1.09 s before), 75 ms from
Enter in the code picker. A later day on the same machine, 20% slower throughout: a new
coding 63-97 ms, from the picker 106-210 ms (over the target). Two causes, neither the
coding: the cursor's blink repainting its line after the coding's repaint (now off while
timing), and full runs of the cyclic collector over the transcript's objects, 55-80 ms
every few codings (the reader now freezes them while it is open). After: a new coding
63-66 ms median (worst 78-85 ms), 70-71 ms from Enter in the picker.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.strip import Strip
from textual.widgets import DataTable, TextArea

from cen_themes.db import open_project
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.widgets.coded_text import CodedTextArea

from .generate import LONG_SPANS, LONG_WORDS, coded_corpus, long_coded_transcript

WORDS, SPANS = LONG_WORDS, LONG_SPANS
SIZE = (120, 40)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 200,000-word interview with 2,000 spans coded by 20 coloured codes."""
    db, text = long_coded_transcript(tmp_path_factory.mktemp("tui"))
    assert len(text.split()) >= WORDS
    return db


class PaintClock:
    """Records when the reader's text area renders a line."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.times: list[float] = []

        def render_line(area: CodedTextArea, y: int) -> Strip:
            strip = TextArea.render_line(area, y)
            self.times.append(time.perf_counter())
            return strip

        monkeypatch.setattr(CodedTextArea, "render_line", render_line, raising=False)

    def since(self, started: float) -> float:
        """Seconds from ``started`` to the last line painted after it."""
        painted = [t for t in self.times if t >= started]
        assert painted, "the reader painted nothing"
        return painted[-1] - started


def _in_app(db: Path, scenario: Callable[[Any, CenThemesApp], Coroutine[Any, Any, Any]]) -> Any:
    async def run() -> Any:
        project = open_project(db)
        app = CenThemesApp(project, "bench")
        try:
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                return await scenario(pilot, app)
        finally:
            project.close()

    return asyncio.run(run())


# Ready when the sources screen answers a key: an f posted once the table has rows
# puts the focus in the filter. (Pilot's pause waits for the processor to be idle, which includes
# the workers still counting in the background while the user can already work.)
_LAUNCH = """
import time
started = time.perf_counter()
import asyncio, json, sys
import cen_themes.cli.commands  # what the entry point imports before the workbench
from cen_themes.db import open_project
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.sources import SourcesScreen
from textual import events
from textual.widgets import DataTable, Input

async def main():
    app = CenThemesApp(open_project(sys.argv[1]), "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        while not (
            isinstance(app.screen, SourcesScreen) and app.screen.query_one(DataTable).row_count
        ):
            await asyncio.sleep(0.002)
        app.post_message(events.Key("f", "f"))
        while not isinstance(app.focused, Input):
            await asyncio.sleep(0.002)
        ready = time.perf_counter() - started
        print(json.dumps({"seconds": ready, "spacy": "spacy" in sys.modules}))

asyncio.run(main())
"""


def _launches(db: Path, rounds: int = 3) -> list[dict]:
    """Launches in a fresh interpreter each, imports included (its start-up not)."""
    found = []
    for _ in range(rounds):
        done = subprocess.run(
            [sys.executable, "-c", _LAUNCH, str(db)], capture_output=True, text=True, check=True
        )
        found.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return found


def test_launch_until_sources_are_interactive(benchmark, big: Path) -> None:
    launches: list[dict] = []
    benchmark.pedantic(lambda: launches.extend(_launches(big, 1)), rounds=3, iterations=1)
    seconds = statistics.median(run["seconds"] for run in launches)
    benchmark.extra_info.update(launch_s=round(seconds, 3))
    print(f"\nlaunch to interactive sources screen: {seconds:.3f} s (median of 3)")
    assert not any(run["spacy"] for run in launches)
    assert seconds <= 1.0


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 sources of 1,000 words with 1,000,000 codings of 500 codes."""
    return coded_corpus(tmp_path_factory.mktemp("million"), 1_000, 1_000, 1_000_000, seed=5)


def test_launch_on_a_million_codings(benchmark, million: Path) -> None:
    """The sources screen answers keys while its coded shares are counted in a worker."""
    launches: list[dict] = []
    benchmark.pedantic(lambda: launches.extend(_launches(million, 1)), rounds=3, iterations=1)
    seconds = statistics.median(run["seconds"] for run in launches)
    benchmark.extra_info.update(launch_s=round(seconds, 3), codings=1_000_000, sources=1_000)
    print(f"\nlaunch on 1,000 sources and 1,000,000 codings: {seconds:.3f} s (median of 3)")
    assert seconds <= 1.0


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 sources of 5,000 words with 23,000 codings: some 230 on each."""
    return coded_corpus(tmp_path_factory.mktemp("day"), 100, 5_000, 23_000, seed=11)


def test_the_first_source_opened_paints_within_100_ms(
    benchmark, day: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source of some 230 codings, opened from the sources screen after the user has
    read the list for a second (while which the workbench gets ready), then another."""
    from textual import events

    clock = PaintClock(monkeypatch)
    first: list[float] = []
    second: list[float] = []

    async def opened(app: CenThemesApp, pilot) -> float:
        started = time.perf_counter()
        app.post_message(events.Key("enter", "\r"))
        while not (isinstance(app.screen, ReaderScreen) and clock.times[-1:] > [started]):
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.2)
        painted = [t for t in clock.times if t >= started]
        burst = painted[:1]  # the first paint: lines drawn one after another
        for t in painted[1:]:
            if t - burst[-1] > 0.01:
                break
            burst.append(t)
        assert 150 <= len(app.screen.excerpts) <= 320
        return burst[-1] - started

    async def scenario(pilot, app: CenThemesApp) -> None:
        await asyncio.sleep(1.0)  # the user reads the list
        first.append(await opened(app, pilot))
        await pilot.press("escape")
        await asyncio.sleep(0.3)
        app.screen.query_one(DataTable).move_cursor(row=5)
        await asyncio.sleep(0.1)
        second.append(await opened(app, pilot))

    benchmark.pedantic(lambda: _in_app(day, scenario), rounds=3, iterations=1)
    seconds, again = statistics.median(first), statistics.median(second)
    benchmark.extra_info.update(first_open_s=round(seconds, 3), second_open_s=round(again, 3))
    print(f"\nfirst source opened and painted: {seconds:.3f} s, another: {again:.3f} s")
    assert seconds <= 0.1


def test_open_and_paint_a_200000_word_coded_transcript(
    benchmark, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = PaintClock(monkeypatch)
    times: list[float] = []

    async def scenario(pilot, app: CenThemesApp) -> None:
        assert app.screen.query_one(DataTable).row_count == 1
        started = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        times.append(clock.since(started))
        assert len(reader.excerpts) == SPANS
        assert reader.text_area.document.line_count > 1000

    benchmark.pedantic(lambda: _in_app(big, scenario), rounds=3, iterations=1)
    seconds = statistics.median(times)
    benchmark.extra_info.update(open_and_paint_s=round(seconds, 3))
    print(f"\nopen and paint 200,000 words, 2,000 spans: {seconds:.3f} s (median of 3)")
    assert seconds <= 1.0


def test_a_new_coding_appears_within_100_ms(
    benchmark, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timed twice: ReaderScreen.apply_code to the repaint, and Enter in the code picker
    (opened by s on the sentence at the cursor) to the repainted reader."""
    clock = PaintClock(monkeypatch)
    direct: list[float] = []
    picked: list[float] = []

    async def scenario(pilot, app: CenThemesApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        area = reader.text_area
        # The blinking cursor repaints its line twice a second: that line, painted
        # after the coding's repaint, is not the coding appearing.
        area.cursor_blink = False
        for n in range(10):  # spans on the first rows, which are on screen
            start = area.lines.offset(3 + n, 20)
            started = time.perf_counter()
            reader.apply_code(start, start + 12, f"New {n}")
            await pilot.pause()
            direct.append(clock.since(started))
            assert any(e.start == start and f"New {n}" in e.codes for e in reader.excerpts)
            row, column = area.lines.location(start)
            shaded = {s.start for s in area.get_line(row).spans if s.style.bgcolor}
            assert column in shaded
        for n in range(10):
            area.move_cursor((3 + n, 40))
            sentence = reader.segments.sentence_at(area.cursor_offset(), area.lines)
            assert sentence is not None
            await pilot.press("s", *f"Picked {n}")
            await pilot.pause()
            started = time.perf_counter()
            await pilot.press("enter")
            await pilot.pause()
            picked.append(clock.since(started))
            assert app.screen is reader
            assert any(
                (e.start, e.end) == (sentence.start, sentence.end) and f"Picked {n}" in e.codes
                for e in reader.excerpts
            )

    benchmark.pedantic(lambda: _in_app(big, scenario), rounds=1, iterations=1)
    median, worst = statistics.median(direct), max(direct)
    via_picker = statistics.median(picked)
    benchmark.extra_info.update(
        new_coding_median_s=round(median, 4),
        worst_s=round(worst, 4),
        from_picker_enter_median_s=round(via_picker, 4),
    )
    print(
        f"\nnew coding to repaint: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms;"
        f" from Enter in the picker: median {via_picker * 1000:.0f} ms"
    )
    assert median <= 0.100
    assert via_picker <= 0.100
