"""A whole day's work on one project, built step by step (issue 16): each step is a test
of its own, reporting its figures in ``benchmark.extra_info`` and printing a line.

1. ``cen-themes import`` of 100 generated transcripts of 5,000 words, the whole command:
   wall time and peak memory;
2. 20,000 codings made one at a time, in process, through ``coding.apply_code``, the
   service the workbench's reader codes a selection with (``ReaderScreen.apply_code``;
   the reader's repaint after it is timed by test_bench_tui.py), on random spans of the
   imported sources with a codebook of 60 codes in 10 categories, 10 subthemes under 5
   themes, and three coders: median, p95, max and the total;
3. the exports, each the whole command (median of 3): ``export excerpts`` (.csv, .xlsx:
   one row per coding), ``export quotes`` (.docx, .md), ``export matrix`` (.csv, .xlsx),
   ``export codebook`` (.csv); and two small commands, ``sources`` and ``--help``;
4. the workbench on that project (Pilot, in a fresh interpreter, 3 runs): launch until
   the sources screen answers a key (a "down" key posted at once, and the table's
   cursor polled until it moved: ``pilot.pause()`` waits for the processor to be idle,
   background workers included, so it is not the moment a user can act); then, after
   the user has read the list for 1 s, a source of some 200 codings opened in the reader
   until its text area has painted; back, 1 s, and a second source.

The steps depend on one another in this order; a step run alone (``-k``) builds what it
needs first, untimed. Times are not asserted against the targets (one coding 100 ms,
CSV of 20,000 codings 0.5 s, .xlsx 2 s, the Word report 10 s): every step runs and says
where it stands. The machine (processors, memory, platform, Python, load average) is in
every step's extra_info and printed first.

Run: pytest tests/benchmarks/test_bench_day.py --benchmark-enable -s
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cen_themes.db import open_project
from cen_themes.services import attributes, codebook, coding, sources, themes

from .generate import codebook_paths, write_corpus
from .runner import cli, total_peak_mb

SOURCES, WORDS, CODINGS = 100, 5_000, 20_000
CATEGORIES, PER_CATEGORY = 10, 5  # 10 categories of 5 codes each: 60 codes
CODERS = ("ann", "bob", "cat")
ROUNDS = 3


@dataclass
class Day:
    folder: Path
    corpus: Path
    db: Path
    machine: dict
    imported: bool = False
    prepared: bool = False
    coded: bool = False
    figures: dict[str, str] = field(default_factory=dict)


def machine() -> dict:
    """The machine the figures come from."""
    info: dict = {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    for path, key, name in (
        ("/proc/cpuinfo", "model name", "cpu"),
        ("/proc/meminfo", "MemTotal", "memory_total"),
    ):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    info[name] = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
    if "memory_total" in info:
        info["memory_gb"] = round(int(info.pop("memory_total").split()[0]) / 1024**2, 1)
    try:
        import textual

        info["textual"] = textual.__version__
    except (ImportError, AttributeError):
        pass
    return info


def load() -> list[float]:
    """The load average (1, 5, 15 minutes): how busy the machine was."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []


def note(benchmark, day: Day, line: str, **figures) -> None:
    benchmark.extra_info.update(figures, machine=day.machine, load_average=load())
    day.figures[line.split(":", 1)[0]] = line
    print(f"\n{line}  [load {' '.join(map(str, load()))}]")


def peak_rss_mb(result: subprocess.CompletedProcess) -> float:
    """This run's peak RSS, which runner.cli writes to its stderr."""
    return int(result.stderr.rsplit("PEAK_KB=", 1)[1].split()[0]) / 1024


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("whole-day")
    write_corpus(folder / "corpus", files=SOURCES, words=WORDS, seed=23)
    the_day = Day(folder, folder / "corpus", folder / "day.db", machine())
    print(
        "\nmachine: "
        + ", ".join(f"{k} {v}" for k, v in the_day.machine.items())
        + f"; load average at the start {' '.join(map(str, load()))}"
    )
    yield the_day
    print("\n\nthe day, in figures:")
    print("  machine: " + ", ".join(f"{k} {v}" for k, v in the_day.machine.items()))
    for line in the_day.figures.values():
        print(f"  {line}")


# --- 1. import ------------------------------------------------------------------------


def imported(day: Day) -> None:
    if not day.imported:
        cli("--db", str(day.db), "import", str(day.corpus))
        day.imported = True


def test_1_import(benchmark, day: Day) -> None:
    assert not day.imported
    runs: list[tuple[float, subprocess.CompletedProcess]] = []

    def run() -> None:
        started = time.perf_counter()
        result = cli("--db", str(day.db), "import", str(day.corpus))
        runs.append((time.perf_counter() - started, result))

    benchmark.pedantic(run, rounds=1, iterations=1)
    day.imported = True
    seconds, result = runs[0]
    project = open_project(day.db)
    found = sources.list_sources(project)
    project.close()
    assert len(found) == SOURCES, result.stdout
    words = sum(s.words for s in found)
    peak = peak_rss_mb(result)
    # The memory of the command and any process it starts, in a run of its own (into a
    # second project: sampling slows a command, so the timed run does not sample).
    cli("--db", str(day.folder / "pss.db"), "import", str(day.corpus), sample_pss=True)
    together = total_peak_mb("import")
    note(
        benchmark,
        day,
        f"import: {SOURCES} transcripts, {words:,} words, the whole command {seconds:.2f} s, "
        f"peak RSS {peak:.0f} MB (PSS with any child {together:.0f} MB)",
        seconds=round(seconds, 3),
        words=words,
        peak_rss_mb=round(peak, 1),
        peak_pss_all_mb=round(together, 1),
    )


# --- 2. 20,000 codings, one at a time ---------------------------------------------------


def prepared(day: Day) -> None:
    """The codebook (60 codes), themes (5, each with 2 subthemes of a category's codes)
    and four attributes per source: what a team sets up before coding. Untimed."""
    imported(day)
    if day.prepared:
        return
    project = open_project(day.db)
    paths = codebook_paths(CATEGORIES, PER_CATEGORY)
    for path in paths:
        codebook.create_code(project, path, coder="ann")
    for t in range(CATEGORIES // 2):
        themes.add_theme(project, f"Theme {t}", coder="ann")
        for s in range(2):
            category = f"Category {2 * t + s:02d}"
            themes.add_theme(project, f"Sub {t}.{s}", parent=f"Theme {t}", coder="ann")
            themes.assign_codes(
                project,
                f"Theme {t} > Sub {t}.{s}",
                [p for p in paths if p.startswith(category)],
                coder="ann",
            )
    names = [s.name for s in sources.list_sources(project)]
    table = day.folder / "attributes.csv"
    lines = ["source,group,age,region,setting"]
    lines += [
        f"{name},{'staff' if i % 3 else 'service user'},{20 + i % 50},Region {i % 7},"
        f"{'specialist' if i % 2 else 'generic'}"
        for i, name in enumerate(names)
    ]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    attributes.import_attributes(project, table, coder="ann")
    project.close()
    day.prepared = True


def plan(day: Day) -> list[tuple[str, int, int, str, str]]:
    """20,000 (source, start, end, code, coder): spans of 10-300 characters anywhere in
    the sources; codes skewed as a real codebook's use is (a few codes take most of the
    codings), a parent code one time in ten; three coders."""
    project = open_project(day.db)
    lengths = [
        (s.name, len(sources.get_source(project, s.name).text))
        for s in sources.list_sources(project)
    ]
    project.close()
    rng = random.Random(29)
    paths = codebook_paths(CATEGORIES, PER_CATEGORY)
    parents = [p for p in paths if " > " not in p]
    leaves = [p for p in paths if " > " in p]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(leaves))]
    rng.shuffle(leaves)
    wanted = []
    for _ in range(CODINGS):
        name, length = lengths[rng.randrange(len(lengths))]
        start = rng.randrange(length - 10)
        end = min(length, start + rng.randint(10, 300))
        code = rng.choice(parents) if rng.random() < 0.1 else rng.choices(leaves, weights)[0]
        wanted.append((name, start, end, code, rng.choice(CODERS)))
    return wanted


def code_all(day: Day, times: list[float]) -> int:
    """Every coding of the plan through the service, one call each; returns the number
    of codings added (a rare repeat of a span, code and coder adds none)."""
    wanted = plan(day)
    project = open_project(day.db)
    added = 0
    try:
        for name, start, end, code, coder in wanted:
            started = time.perf_counter()
            result = coding.apply_code(project, name, start, end, code, coder=coder)
            times.append(time.perf_counter() - started)
            added += result.added
    finally:
        project.close()
    day.coded = True
    return added


def coded(day: Day) -> None:
    prepared(day)
    if not day.coded:
        code_all(day, [])


def test_2_twenty_thousand_codings_one_at_a_time(benchmark, day: Day) -> None:
    prepared(day)
    assert not day.coded
    times: list[float] = []
    added: list[int] = []
    benchmark.pedantic(lambda: added.append(code_all(day, times)), rounds=1, iterations=1)
    assert len(times) == CODINGS
    assert added[0] >= CODINGS * 0.99
    ordered = sorted(times)
    median = statistics.median(times)
    p95 = ordered[int(0.95 * len(ordered)) - 1]
    p99 = ordered[int(0.99 * len(ordered)) - 1]
    total = sum(times)
    first, last = statistics.median(times[:1000]), statistics.median(times[-1000:])
    over = sum(t > 0.100 for t in times)
    note(
        benchmark,
        day,
        f"one coding: {CODINGS:,} one at a time ({added[0]:,} added), median {ms(median)}, "
        f"p95 {ms(p95)}, p99 {ms(p99)}, max {ms(max(times))}, total {total:.1f} s "
        f"({CODINGS / total:.0f}/s); median of the first 1,000 {ms(first)}, of the last "
        f"1,000 {ms(last)}; {over} over 100 ms",
        codings=CODINGS,
        added=added[0],
        median_s=round(median, 5),
        p95_s=round(p95, 5),
        p99_s=round(p99, 5),
        max_s=round(max(times), 4),
        mean_s=round(total / CODINGS, 5),
        total_s=round(total, 2),
        first_1000_median_s=round(first, 5),
        last_1000_median_s=round(last, 5),
        over_100_ms=over,
    )


# --- 3. the exports and small commands ---------------------------------------------------

COMMANDS = [  # (id, arguments after --db, the file written, the target in seconds)
    ("export excerpts .csv", ("export", "excerpts", "--out"), "x.csv", 0.5),
    ("export excerpts .xlsx", ("export", "excerpts", "--out"), "x.xlsx", 2.0),
    ("export quotes .docx", ("export", "quotes", "--out"), "q.docx", 10.0),
    ("export quotes .md", ("export", "quotes", "--out"), "q.md", None),
    ("export matrix .csv", ("export", "matrix", "--out"), "m.csv", None),
    ("export matrix .xlsx", ("export", "matrix", "--out"), "m.xlsx", None),
    ("export codebook .csv", ("export", "codebook", "--out"), "c.csv", None),
    ("sources", ("sources",), None, None),
    ("--help", ("--help",), None, None),
]


def rows_in(out: Path) -> int | None:
    """Data rows of a written table (.csv, .xlsx), None for a report."""
    if out.suffix == ".csv":
        with out.open(encoding="utf-8-sig", newline="") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1
    if out.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(out, read_only=True)  # its writer leaves out the dimensions
        try:
            return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
        finally:
            book.close()
    return None


@pytest.mark.parametrize(("name", "args", "file", "target"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_3_command(
    benchmark, day: Day, name: str, args: tuple[str, ...], file: str | None, target: float | None
) -> None:
    coded(day)
    out = day.folder / "exports" / file if file else None
    if out is not None:
        out.parent.mkdir(exist_ok=True)
    times: list[float] = []
    peaks: list[float] = []
    executable = shutil.which("cen-themes") or str(Path(sys.executable).with_name("cen-themes"))

    def run() -> None:
        started = time.perf_counter()
        if args == ("--help",):  # no project: the console script as a user types it
            done = subprocess.run(
                [executable, "--help"], capture_output=True, text=True, check=True
            )
            assert "Commands:" in done.stdout
        else:
            done = cli("--db", str(day.db), *args, *([str(out)] if out else []))
            peaks.append(peak_rss_mb(done))
        times.append(time.perf_counter() - started)

    benchmark.pedantic(run, rounds=ROUNDS, iterations=1)
    while len(times) < ROUNDS:  # with the benchmarks disabled, pedantic runs once
        run()
    median = statistics.median(times)
    figures: dict = {
        "median_s": round(median, 3),
        "runs_s": [round(t, 3) for t in times],
        "target_s": target,
    }
    line = f"{name}: {median:.2f} s (median of {ROUNDS}; {min(times):.2f}-{max(times):.2f} s)"
    if peaks:
        figures["peak_rss_mb"] = round(max(peaks), 1)
        line += f", peak RSS {max(peaks):.0f} MB"
    if out is not None:
        rows = rows_in(out)
        figures["bytes"] = out.stat().st_size
        line += f", {out.stat().st_size / 1e6:.2f} MB"
        if rows is not None:
            figures["rows"] = rows
            line += f", {rows:,} rows"
        if name.startswith("export excerpts"):
            assert rows is not None and rows >= CODINGS * 0.99
    if target is not None:
        line += f" (target {target:g} s{'' if median <= target else ': OVER'})"
    note(benchmark, day, line, **figures)


# --- 4. the workbench ---------------------------------------------------------------------

# One session at the workbench in a fresh interpreter: imports, launch, a key on the
# sources list, 1 s of reading, the second source opened and painted, back, 1 s, the
# third opened and painted. Prints one JSON line of times in seconds.
_WORKBENCH = """
import time
started = time.perf_counter()
import asyncio, json, sys
import cen_themes.cli.commands  # what the entry point imports before the workbench
from textual import events
from textual.widgets import TextArea
from cen_themes.db import open_project
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.reader import ReaderScreen
from cen_themes.tui.screens.sources import SourcesScreen
from cen_themes.tui.widgets.coded_text import CodedTextArea

imported = time.perf_counter()
paints = []

def render_line(area, y):
    strip = TextArea.render_line(area, y)
    paints.append(time.perf_counter())
    return strip

CodedTextArea.render_line = render_line


async def until(condition, timeout=60.0):
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(condition)
        await asyncio.sleep(0.001)
    return time.perf_counter()


def key(app, name):
    event = events.Key(name, None)
    event.set_sender(app)
    app.post_message(event)


async def open_highlighted(app, table):
    \"\"\"Enter on the highlighted source: seconds to its first painted line and to the
    last line painted before the text area was quiet for 0.3 s.\"\"\"
    begun = time.perf_counter()
    key(app, "enter")
    await until(lambda: isinstance(app.screen, ReaderScreen) and paints and paints[-1] >= begun)
    reader = app.screen
    reader.text_area.cursor_blink = False  # its blink repaints a line twice a second
    first = min(t for t in paints if t >= begun)
    while True:
        last = paints[-1]
        await asyncio.sleep(0.3)
        if paints[-1] == last:
            break
    return {
        "source": reader.source,
        "codings": sum(len(e.codes) for e in reader.excerpts),
        "excerpts": len(reader.excerpts),
        "first_paint_s": first - begun,
        "painted_s": last - begun,
    }


async def main():
    app_started = time.perf_counter()
    app = CenThemesApp(open_project(sys.argv[1]), "bench")
    async with app.run_test(size=(120, 40)):
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        table = screen.table
        before = table.cursor_row
        key(app, "down")
        answered = await until(lambda: table.cursor_row != before)
        shares = await until(lambda: bool(screen.shares))
        await asyncio.sleep(1.0)  # the user reads the list
        first = await open_highlighted(app, table)
        key(app, "escape")
        await until(lambda: app.screen is screen)
        await asyncio.sleep(1.0)
        before = table.cursor_row
        key(app, "down")
        await until(lambda: table.cursor_row != before)
        second = await open_highlighted(app, table)
        key(app, "escape")
        await until(lambda: app.screen is screen)
    print(json.dumps({
        "imports_s": imported - started,
        "launch_s": answered - started,
        "launch_in_process_s": answered - app_started,
        "coded_shares_shown_s": shares - started,
        "first": first,
        "second": second,
    }))

asyncio.run(main())
"""


def test_4_workbench(benchmark, day: Day) -> None:
    coded(day)
    runs: list[dict] = []

    def run() -> None:
        done = subprocess.run(
            [sys.executable, "-c", _WORKBENCH, str(day.db)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))

    benchmark.pedantic(run, rounds=ROUNDS, iterations=1)
    while len(runs) < ROUNDS:
        run()

    def median(*keys: str) -> float:
        values = []
        for one in runs:
            value = one
            for k in keys:
                value = value[k]
            values.append(value)
        return statistics.median(values)

    def spread(*keys: str) -> str:
        values = []
        for one in runs:
            value = one
            for k in keys:
                value = value[k]
            values.append(value)
        return f"{min(values):.3f}-{max(values):.3f}"

    for one in runs:
        assert one["first"]["codings"] >= 100 and one["second"]["codings"] >= 100
        assert one["first"]["source"] != one["second"]["source"]
    figures = {
        "launch_s": median("launch_s"),
        "launch_in_process_s": median("launch_in_process_s"),
        "imports_s": median("imports_s"),
        "coded_shares_shown_s": median("coded_shares_shown_s"),
        "first_source_painted_s": median("first", "painted_s"),
        "first_source_first_paint_s": median("first", "first_paint_s"),
        "second_source_painted_s": median("second", "painted_s"),
        "second_source_first_paint_s": median("second", "first_paint_s"),
        "runs": runs,
    }
    first, second = runs[0]["first"], runs[0]["second"]
    note(
        benchmark,
        day,
        f"workbench: launch until the sources list answers a key {figures['launch_s']:.3f} s "
        f"({spread('launch_s')}; imports {figures['imports_s']:.3f} s, from the app's start "
        f"{figures['launch_in_process_s']:.3f} s), coded shares shown at "
        f"{figures['coded_shares_shown_s']:.3f} s; after 1 s of reading, {first['source']} "
        f"({first['codings']} codings) painted in {figures['first_source_painted_s']:.3f} s "
        f"({spread('first', 'painted_s')}; first line {figures['first_source_first_paint_s']:.3f}"
        f" s); a second, {second['source']} ({second['codings']} codings), "
        f"{figures['second_source_painted_s']:.3f} s ({spread('second', 'painted_s')}; first "
        f"line {figures['second_source_first_paint_s']:.3f} s); median of {ROUNDS}",
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items()},
    )
