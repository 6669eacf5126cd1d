"""The workbench as the user sees it: the real `cen-themes tui` in a real terminal (tmux,
100x30), timed by reading the screen (`tmux capture-pane`) every few milliseconds.

Pilot's figures (test_bench_tui.py) stop when Textual has rendered; these go on until
the text has crossed the terminal: Textual's driver start-up, the writes of each frame
and the terminal's parsing of them are in. Three moments, from the key (or the command)
to the screen showing it:

- launch: from starting the command to the sources list (the source's name and the
  footer) on screen: target at most 1 s, on the 200,000-word project and (timed too)
  on 1,000 sources with 1,000,000 codings;
- open: from Enter on the 200,000-word transcript (2,000 coded spans) to its first
  words in the reader: target at most 1 s;
- a coding appearing: from Enter in the code picker (a new code for a few selected
  characters) to the code's name under "Codes here" in the side panel.

A moment counts when the capture that shows it returns (the user sees it no later);
the capture itself takes a few milliseconds. Each round starts a fresh tmux server on a
private socket and kills it at the end.

Enter on the source goes as soon as the list shows, the launch's work after its first
screen (the coded shares' worker, the warm-up of the other screens) still under way.

Run: pytest tests/benchmarks/test_bench_terminal.py --benchmark-enable -s
"""

from __future__ import annotations

import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .generate import LONG_SPANS, LONG_WORDS, coded_corpus, long_coded_transcript

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

WORDS, SPANS = LONG_WORDS, LONG_SPANS
WIDTH, HEIGHT = 100, 30
ROUNDS = 5
TARGET_S = 1.0
POLL_S = 0.005  # each capture is a tmux client process: polling faster takes CPU from the app


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One 200,000-word interview with 2,000 spans coded by 20 coloured codes (as in
    test_bench_tui.py), and a phrase from its first turn to look for on screen."""
    db, text = long_coded_transcript(tmp_path_factory.mktemp("terminal"))
    first_turn = next(line for line in text.splitlines() if line.startswith("Interviewer: "))
    phrase = " ".join(first_turn.split(": ", 1)[1].split()[:5])
    return {"db": db, "name": "long_interview", "phrase": phrase}


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """1,000 sources of 1,000 words and 1,000,000 codings of 500 codes, brought in by
    `code import` (as test_bench_tui.py and test_bench_analysis.py build theirs)."""
    db = coded_corpus(tmp_path_factory.mktemp("many"), 1_000, 1_000, 1_000_000, seed=5)
    return {"db": db, "name": "generated_0000"}


def _command(db: Path) -> str:
    """The console script beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("cen-themes")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "cen_themes"]
    return shlex.join([*program, "--db", str(db), "tui", "--coder", "bench"])


# Under pytest the process's C environment has COLUMNS=80 and LINES=24 (importing GNU
# readline exports them; os.environ does not show them), and a tmux server
# started with them passes them on: the workbench would size itself 80x24 in the
# 100x30 pane. The server gets os.environ, which has neither.
_ENV = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


class Terminal:
    """A tmux server of its own with one 100x30 pane."""

    def __init__(self, name: str) -> None:
        self.socket = f"cen-themes-bench-{os.getpid()}-{name}"
        # An idle pane first: the server's own start-up is not the workbench's.
        self.tmux("new-session", "-d", "-s", "tui", "-x", str(WIDTH), "-y", str(HEIGHT), "cat")
        self.path = self.tmux("display", "-p", "#{socket_path}").strip()

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=_ENV
        ).stdout

    def run(self, command: str) -> float:
        """Replace the idle pane by ``command``; the time it was started."""
        started = time.perf_counter()
        self.tmux("respawn-pane", "-k", "-t", "tui", command)
        return started

    def keys(self, *keys: str, literal: bool = False) -> float:
        """Send ``keys``; the time they were sent."""
        started = time.perf_counter()
        self.tmux("send-keys", "-t", "tui", *(["-l"] if literal else []), *keys)
        return started

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "tui")

    def until(self, shows: Callable[[str], bool], since: float, seconds: float = 30) -> float:
        """Seconds from ``since`` until a capture of the screen ``shows`` what is wanted."""
        deadline = time.perf_counter() + seconds
        screen = ""
        while time.perf_counter() < deadline:
            screen = self.screen()
            if shows(screen):
                return time.perf_counter() - since
            time.sleep(POLL_S)
        size = self.tmux("display", "-p", "-t", "tui", "#{window_width}x#{window_height}")
        raise AssertionError(f"the screen ({size.strip()}) never showed it; it was:\n{screen}")

    def close(self) -> None:
        self.tmux("kill-server")
        if self.path:  # tmux leaves its socket behind
            Path(self.path).unlink(missing_ok=True)


def sources_listed(name: str) -> Callable[[str], bool]:
    """The sources table shows ``name`` and the footer is drawn."""

    def shows(screen: str) -> bool:
        rows = screen.splitlines()
        return any(row.split()[:1] == [name] for row in rows) and "q Quit" in screen

    return shows


def codes_here(screen: str) -> list[str]:
    """The rows of the reader's side panel under "Codes here", up to "Memo here"."""
    panel = [row.rsplit("│", 1)[1].strip() for row in screen.splitlines() if "│" in row]
    panel = [row for row in panel if row]
    if "Codes here" not in panel:
        return []
    rows = panel[panel.index("Codes here") + 1 :]
    return rows[: rows.index("Memo here")] if "Memo here" in rows else rows


def _summary(seconds: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(seconds), 3), "max": round(max(seconds), 3)}


def test_launch_open_and_code_in_a_real_terminal(benchmark, big: dict, tmp_path: Path) -> None:
    times: dict[str, list[float]] = {"launch": [], "open": [], "coding": []}
    rounds = iter(range(100))

    def one_round() -> None:
        n = next(rounds)
        db = tmp_path / f"round{n}.db"  # each round codes: on a copy of its own
        shutil.copy(big["db"], db)
        terminal = Terminal(f"big{n}")
        try:
            started = terminal.run(_command(db))
            times["launch"].append(terminal.until(sources_listed(big["name"]), started))
            started = terminal.keys("Enter")
            times["open"].append(terminal.until(lambda s: big["phrase"] in s, started))
            terminal.until(lambda s: codes_here(s) == ["(none)"], started)
            # "Interv" on the first line selected from its end, the cursor at its start:
            # "Codes here" lists the codes at the cursor.
            terminal.keys(*["Right"] * 6, *["S-Left"] * 6)
            time.sleep(0.3)  # the selection made (plain captures do not show it)
            terminal.keys("c")
            terminal.until(lambda s: "Code the selection" in s, started)
            code = f"Terminal {n}"
            terminal.keys(code, literal=True)
            terminal.until(lambda s: f"create {code}" in s, started)
            time.sleep(0.3)  # the picker's list settled
            started = terminal.keys("Enter")
            times["coding"].append(
                terminal.until(lambda s: any(code in row for row in codes_here(s)), started)
            )
        finally:
            terminal.close()

    benchmark.pedantic(one_round, rounds=ROUNDS, iterations=1)
    figures = {what: _summary(seconds) for what, seconds in times.items()}
    benchmark.extra_info.update(
        {f"{what}_{k}_s": v for what, summary in figures.items() for k, v in summary.items()},
        load_average=os.getloadavg()[0],
    )
    print(
        f"\nin tmux {WIDTH}x{HEIGHT}, {ROUNDS} rounds, 200,000 words and 2,000 spans:"
        + "".join(
            f"\n  {what}: median {s['median']:.3f} s, max {s['max']:.3f} s"
            for what, s in figures.items()
        )
        + f"\n  every round (s): {times}"
        + f"\n  load average: {os.getloadavg()}"
    )
    assert figures["launch"]["median"] <= TARGET_S
    assert figures["open"]["median"] <= TARGET_S


def test_launch_on_a_million_codings_in_a_real_terminal(benchmark, many: dict) -> None:
    launches: list[float] = []
    rounds = iter(range(100))

    def one_round() -> None:
        terminal = Terminal(f"many{next(rounds)}")
        try:
            started = terminal.run(_command(many["db"]))
            launches.append(terminal.until(sources_listed(many["name"]), started))
        finally:
            terminal.close()

    benchmark.pedantic(one_round, rounds=3, iterations=1)
    figures = _summary(launches)
    benchmark.extra_info.update(
        launch_median_s=figures["median"],
        launch_max_s=figures["max"],
        load_average=os.getloadavg()[0],
    )
    print(
        f"\nin tmux {WIDTH}x{HEIGHT}, launch on 1,000 sources and 1,000,000 codings:"
        f" median {figures['median']:.3f} s, max {figures['max']:.3f} s ({launches})"
    )
    assert figures["median"] <= TARGET_S
