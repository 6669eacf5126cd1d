"""The matrix as of a date on a project with a 100,000-event trail (issue 14): under 5 s.

The trail is made of real changes through the services: 200 sources imported, then
single codings, theme assignments, renames and merges until the trail holds 100,000
events (building it takes several minutes). The matrix is then rebuilt as of three
moments: near the start (nearly every change reversed), half way, and near the end.

Run: pytest tests/benchmarks/test_bench_as_of.py --benchmark-enable -s
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cen_themes.db import open_project
from cen_themes.services import codebook, coding, history, sources, themes
from cen_themes.services.as_of import matrix_as_of

from .generate import write_corpus
from .runner import cli as _cli

SOURCES, EVENTS, CODES = 200, 100_000, 100


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[datetime]]:
    folder = tmp_path_factory.mktemp("as_of")
    files = write_corpus(folder / "sources", files=SOURCES, words=1_000, seed=11)
    db = folder / "trail.db"
    project = open_project(db)
    sources.import_files(project, files, coder="gen")
    lengths = [len(f.read_text(encoding="utf-8")) for f in files]
    rng = random.Random(4)
    for t in range(10):
        themes.add_theme(project, f"Theme {t}", coder="gen")
    moments: list[datetime] = []
    started = time.perf_counter()
    made = len(history.log(project))
    names = [f"Code {c}" for c in range(CODES)]  # codes are made by their first coding
    used: set[str] = set()
    while made < EVENTS:
        if made % 1_000 == 0 and used:
            old = rng.choice(sorted(used))
            new = f"Renamed {made}"
            codebook.rename_code(project, old, new, coder="gen")
            used.discard(old)
            names[names.index(old)] = new
            used.add(new)
        elif made % 997 == 0 and used:
            code = rng.choice(sorted(used))
            themes.assign_codes(project, f"Theme {rng.randrange(10)}", [code], coder="gen")
        else:
            n = rng.randrange(SOURCES)
            start = rng.randrange(lengths[n] - 60)
            code = rng.choice(names)
            coding.apply_code(
                project, files[n].stem, start, start + rng.randint(10, 60), code, coder="gen"
            )
            used.add(code)
        made += 1
        if made in (EVENTS // 50, EVENTS // 2, EVENTS - EVENTS // 50):
            time.sleep(0.001)
            moments.append(datetime.now(UTC))
            time.sleep(0.001)
    print(f"\n{made} events made in {time.perf_counter() - started:.0f} s")
    project.close()
    return db, moments


@pytest.mark.parametrize("which", [0, 1, 2], ids=["near-start", "half-way", "near-end"])
def test_matrix_as_of_in_process(benchmark, trail, which: int) -> None:
    db, moments = trail
    project = open_project(db)
    data = benchmark.pedantic(matrix_as_of, args=(project, moments[which]), rounds=3)
    assert data.rows and data.sources
    project.close()


def test_export_matrix_as_of_command(benchmark, trail, tmp_path: Path) -> None:
    db, moments = trail
    out = tmp_path / "then.csv"
    args = ("--db", str(db), "export", "matrix", "--out", str(out))
    benchmark.pedantic(_cli, args=(*args, "--as-of", moments[0].isoformat()), rounds=3)
    assert out.read_text(encoding="utf-8").count("\n") == 11  # the header and 10 themes
