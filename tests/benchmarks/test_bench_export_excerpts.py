"""`export excerpts`, one row per coding, on the day's project size: 100 generated
transcripts of 5,000 words with 20,000 codings and four attributes per source.

Targets: 20,000 codings in under 0.5 s as CSV and under 2 s as .xlsx. Each is timed
in process (the service, as the workbench calls it) and as the whole command.

Run: pytest tests/benchmarks/test_bench_export_excerpts.py --benchmark-enable -s
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cen_themes.db import open_project
from cen_themes.services import attributes, exports

from .generate import coded_corpus
from .runner import cli, peak_mb

SOURCES, CODINGS = 100, 20_000


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("day")
    db = coded_corpus(folder, SOURCES, 5000, CODINGS, seed=11)
    table = folder / "attributes.csv"
    lines = ["source,group,age,region,setting"]
    lines += [
        f"{f.stem},{'staff' if i % 3 else 'service user'},{20 + i % 50},Region {i % 7},"
        f"{'specialist' if i % 2 else 'generic'}"
        for i, f in enumerate(sorted((folder / "sources").iterdir()))
    ]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = open_project(db)
    attributes.import_attributes(project, table, coder="gen")
    project.close()
    return db


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_excerpts(benchmark, day: Path, tmp_path: Path, suffix: str) -> None:
    project = open_project(day)
    out = tmp_path / f"codings{suffix}"
    said = benchmark.pedantic(lambda: exports.export_excerpts(project, out), rounds=5, iterations=1)
    project.close()
    written = int(said.split()[1])
    assert written >= CODINGS * 0.99, said  # the generator's rare repeats are one coding
    started = time.perf_counter()
    cli("--db", str(day), "export", "excerpts", "--out", str(out))
    command = time.perf_counter() - started
    peak = peak_mb("export")
    benchmark.extra_info.update(
        codings=written, command_s=round(command, 3), peak_rss_mb=round(peak, 1)
    )
    print(
        f"\nexport excerpts {suffix}: {benchmark.stats['median']:.3f} s in process, "
        f"{command:.3f} s as a command, peak RSS {peak:.0f} MB"
    )
