"""The README's captures of the workbench, made from the real program.

Builds `cen-themes demo` in a temporary folder, opens the workbench on it at 100x30 (in
process, as the tests drive it), and takes the text of each screen the README shows. A
capture in the README follows a line ``<!-- capture: NAME -->`` and is the ```text block
after it.

    python -m tests.readme_captures           # write the captures into README.md
    python -m tests.readme_captures --check   # exit 1, naming them, when any is stale

``tests/project/test_readme_captures.py`` runs the check.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot

README = Path(__file__).resolve().parents[1] / "README.md"
SIZE = (100, 30)
CODER = "ana"
MARKER = re.compile(r"(<!-- capture: (?P<name>[\w-]+) -->\n```text\n)(?P<body>.*?)(```)", re.S)


def screen_text(pilot: Pilot) -> str:
    """The screen as the terminal shows it, as text (trailing spaces dropped)."""
    app = pilot.app
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    lines = console.export_text(styles=False).splitlines()[:height]
    return "".join(line.rstrip() + "\n" for line in lines)


async def _settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _sources(pilot: Pilot) -> None:
    await _settle(pilot)


async def _reader(pilot: Pilot) -> None:
    """su01 in the reader at its first coded passage, as Enter on an excerpt in the
    codebook's list opens it."""
    from cen_themes.services import analysis

    await _settle(pilot)
    app = pilot.app
    first = min(analysis.find_excerpts(app.project, source="su01"), key=lambda e: e.start)
    app.open_reader("su01", first.start)
    await _settle(pilot)


CAPTURES: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "sources": _sources,
    "reader": _reader,
}


async def _capture(db: Path, drive: Callable[[Pilot], Awaitable[None]]) -> str:
    from cen_themes.db import open_project
    from cen_themes.tui.app import CenThemesApp

    project = open_project(db, create=False)
    try:
        app = CenThemesApp(project, CODER)
        async with app.run_test(size=SIZE) as pilot:
            await drive(pilot)
            return screen_text(pilot)
    finally:
        project.close()


def captures() -> dict[str, str]:
    """Every capture, from a demo project built now."""
    with tempfile.TemporaryDirectory() as folder:
        built = subprocess.run(
            [sys.executable, "-m", "cen_themes", "demo"],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if built.returncode:
            raise SystemExit(f"cen-themes demo failed:\n{built.stderr}")
        db = Path(folder) / "cen-themes-demo.db"
        return {name: asyncio.run(_capture(db, drive)) for name, drive in CAPTURES.items()}


def refreshed(readme: str, taken: dict[str, str]) -> str:
    """The README with each marked capture replaced by the one taken."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in taken:
            raise SystemExit(f"README.md: no capture named '{name}'")
        return match.group(1) + taken[name] + match.group(4)

    return MARKER.sub(replace, readme)


def stale(readme: str, taken: dict[str, str]) -> list[str]:
    """The captures the README shows differently from the program, by name."""
    return [m["name"] for m in MARKER.finditer(readme) if m["body"] != taken.get(m["name"])]


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether any is stale")
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    taken = captures()
    if args.check:
        old = stale(readme, taken)
        if old:
            print(f"README.md: stale captures: {', '.join(old)} (python -m tests.readme_captures)")
            return 1
        print("README.md: the captures are up to date")
        return 0
    README.write_text(refreshed(readme, taken), encoding="utf-8")
    print(f"README.md: wrote {', '.join(taken)}")
    return 0


if __name__ == "__main__":
    sys.exit(run())
