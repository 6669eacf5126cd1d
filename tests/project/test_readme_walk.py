"""The README is the script: its command blocks run, in order, in a fresh folder, and
give what the text says they give.

Blocks that install the program or run the tests (the "Two commands", run by CI
itself), that need a PostgreSQL server and its administrator (the team's), or that open
the workbench are not run here; every other ``sh`` block is, line by line, as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES

pytestmark = pytest.mark.slow  # left out of the quick run (pytest --all runs it)

NOT_HERE = re.compile(r"pip install|pytest|sudo |postgresql|cen-themes tui|cen-themes demo")


def _blocks() -> list[list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)
    return [
        [line for line in block.splitlines() if line.strip()]
        for block in blocks
        if not NOT_HERE.search(block)
    ]


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("walk")
    shutil.copytree(SAMPLES, folder / "sample_transcripts")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEN_THEMES_")}
    env["CEN_THEMES_CODER"] = "ana"
    script = "set -euo pipefail\n" + "\n".join(
        f"echo '$ {line}' >&2\n{line}" for block in _blocks() for line in block
    )
    done = subprocess.run(
        ["bash", "-c", script], cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-4000:]
    (folder / "walk.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    return folder


def test_the_readme_has_the_blocks_this_walk_expects() -> None:
    lines = [line for block in _blocks() for line in block]
    assert lines[0] == "export CEN_THEMES_DB=study.db"
    for wanted in ("export matrix", "export quotes", "export qdpx", "import study.qdpx", "undo"):
        assert any(wanted in line for line in lines), wanted


def test_every_block_ran_and_made_the_files_it_names(walked: Path) -> None:
    for name in (
        "study.db",
        "study-copy.db",
        "matrix.xlsx",
        "quotes.docx",
        "codebook.md",
        "study.qdpx",
        "codebook.qdc",
        "copy.db",
    ):
        assert (walked / name).is_file(), name


def test_the_exported_matrix_counts_what_was_coded(walked: Path) -> None:
    from openpyxl import load_workbook

    sheet = load_workbook(walked / "matrix.xlsx").active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Cycles of crisis" in " ".join(str(c) for c in cells if c is not None)
    numbers = [c for c in cells if isinstance(c, int | float)]
    assert numbers and max(numbers) > 0  # not the all-zero matrix an undo would leave


def test_the_quotes_report_quotes_the_coded_excerpts(walked: Path) -> None:
    with zipfile.ZipFile(walked / "quotes.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    assert "Cycles of crisis" in document
    assert "No excerpts are coded for this theme yet" not in document
    assert "18 months again" in document or "Revolving door" in document


def test_the_undo_took_back_the_slip_and_nothing_else(walked: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEN_THEMES_")}
    listed = subprocess.run(
        ["cen-themes", "--db", "study.db", "code", "list"],
        cwd=walked,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Mistake" not in listed and "Revolving door" in listed
