"""The real `cen-themes tui` in a real terminal (tmux): open a source, code a passage,
quit, and find the coding in the project."""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from pathlib import Path
from subprocess import run

import pytest

from cen_themes.db import open_project
from cen_themes.services import analysis, sources

pytestmark = [
    pytest.mark.slow,  # left out of the quick run (pytest --all runs it)
    pytest.mark.skipif(
        shutil.which("tmux") is None, reason="tmux is not installed (CI installs it from Debian)"
    ),
]

TEXT = "Q: How was it?\nA: The wait was long. Then they listened to me.\n"


def tmux(socket: str, *args: str) -> str:
    return run(["tmux", "-L", socket, *args], capture_output=True, text=True).stdout


def wait_for(socket: str, needle: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux(socket, "capture-pane", "-p", "-t", "tui")
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


def test_code_a_passage_in_the_real_terminal(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    transcript = tmp_path / "int01.txt"
    transcript.write_text(TEXT, encoding="utf-8")
    project = open_project(db)
    assert not sources.import_files(project, [transcript], coder="ann").failed
    project.close()
    socket = f"cen-themes-test-{tmp_path.name}"
    command = shlex.join(
        [sys.executable, "-m", "cen_themes", "--db", str(db), "tui", "--coder", "tmux"]
    )
    tmux(socket, "new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", command)
    try:
        wait_for(socket, "int01")
        tmux(socket, "send-keys", "-t", "tui", "Enter")
        wait_for(socket, "Codes here")
        tmux(socket, "send-keys", "-t", "tui", "Down", *["Right"] * 3, *["S-Right"] * 18)
        time.sleep(0.5)
        tmux(socket, "send-keys", "-t", "tui", "c")
        wait_for(socket, "Code the selection")
        tmux(socket, "send-keys", "-t", "tui", "-l", "Long waits")
        wait_for(socket, "create Long waits")
        tmux(socket, "send-keys", "-t", "tui", "Enter")
        wait_for(socket, "Long waits")
        time.sleep(0.5)
        tmux(socket, "send-keys", "-t", "tui", "q")
        deadline = time.monotonic() + 10
        while "tui" in tmux(socket, "list-sessions") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        tmux(socket, "kill-server")
    project = open_project(db)
    found = [(e.start, e.end, e.text, e.codes, e.coders) for e in analysis.find_excerpts(project)]
    project.close()
    assert found == [(18, 36, "The wait was long.", ["Long waits"], ["tmux"])]
