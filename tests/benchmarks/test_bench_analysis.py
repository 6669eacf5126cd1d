"""The analytic core on a generated project of 1,000 sources, 500 codes, 50 themes and
1,000,000 codings (issue 3's targets):

- bulk `code import`: at least 200,000 codings per second;
- the full theme-by-source matrix in at most 300 ms in process, and `export matrix` to
  CSV in at most 1.5 s as a whole command;
- one coding, a merge of two 10,000-excerpt codes, and an undo of that merge in at
  most 100 ms / 1 s / 1 s;
- peak memory at most 500 MB;
- `export qdpx` of the whole project (issue 11) in under 30 s, memory under 500 MB;
- `check` of the whole project (issue 12) in at most 10 s, memory under 500 MB.

Run: pytest tests/benchmarks/test_bench_analysis.py --benchmark-enable -s
"""

from __future__ import annotations

import random
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from cen_themes.db import open_project
from cen_themes.services import analysis, codebook, coding, history, sources, themes

from .generate import codebook_paths, write_codings_csv, write_corpus
from .runner import cli as _cli
from .runner import peak_mb as _peak_child_mb
from .runner import total_peak_mb

SOURCES, CODINGS, MERGE_EXCERPTS = 1_000, 1_000_000, 10_000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Sources imported, codebook and themes made, and the CSV of 1M codings written."""
    folder = tmp_path_factory.mktemp("big")
    files = write_corpus(folder / "sources", files=SOURCES, words=1000, seed=5)
    db = folder / "base.db"
    project = open_project(db)
    sources.import_files(project, files, coder="gen")
    paths = codebook_paths()  # 50 categories x (1 + 9 codes) = 500 codes
    for path in paths:
        codebook.create_code(project, path, coder="gen")
    for t in range(10):  # 10 themes, each with 4 subthemes: 50 themes
        themes.add_theme(project, f"Theme {t}", coder="gen")
        for s in range(4):
            themes.add_theme(project, f"Sub {t}.{s}", parent=f"Theme {t}", coder="gen")
            category = t * 5 + s
            themes.assign_codes(
                project,
                f"Theme {t} > Sub {t}.{s}",
                [p for p in paths if p.startswith(f"Category {category:02d}")],
                coder="gen",
            )
        themes.assign_codes(project, f"Theme {t}", [f"Category {t * 5 + 4:02d}"], coder="gen")
    lengths = {f.stem: len(f.read_text(encoding="utf-8")) for f in files}
    spans = sorted(lengths.items())
    csv_file = folder / "codings.csv"
    write_codings_csv(csv_file, spans, CODINGS - 2 * MERGE_EXCERPTS, paths)
    with csv_file.open("a", encoding="utf-8") as fh:  # two codes of 10,000 excerpts each
        rng = random.Random(3)
        for code in ("Merge > Left", "Merge > Right"):
            for _ in range(MERGE_EXCERPTS):
                name, length = spans[rng.randrange(len(spans))]
                start = rng.randrange(length - 400)
                fh.write(f"{name},{start},{start + rng.randint(5, 400)},{code},gen\n")
    project.close()
    return {"folder": folder, "base": db, "csv": csv_file}


@pytest.fixture(scope="module")
def coded(corpus: dict) -> Path:
    """The full project: the base with the 1M codings imported."""
    db = corpus["folder"] / "coded.db"
    shutil.copy(corpus["base"], db)
    _cli("--db", str(db), "code", "import", str(corpus["csv"]))
    return db


def _copy(db: Path, name: str) -> Path:
    target = db.with_name(name)
    shutil.copy(db, target)
    return target


def test_bulk_code_import(benchmark, corpus: dict) -> None:
    runs = iter(range(100))

    def setup():
        return (_copy(corpus["base"], f"import-{next(runs)}.db"),), {}

    def run(db: Path) -> None:
        _cli("--db", str(db), "code", "import", str(corpus["csv"]))

    benchmark.pedantic(run, setup=setup, rounds=2, iterations=1)
    # Memory of the command and its parse child together, in a run of its own.
    _cli("--db", str(setup()[0][0]), "code", "import", str(corpus["csv"]), sample_pss=True)
    rate = CODINGS / benchmark.stats.stats.min
    peak, together = _peak_child_mb("code"), total_peak_mb("code")
    benchmark.extra_info.update(
        codings_per_second=round(rate), peak_rss_mb=round(peak), peak_pss_all_mb=round(together)
    )
    mean = benchmark.stats.stats.mean
    print(
        f"\ncode import: {rate:,.0f} codings/s (best of 2, mean {mean:.2f} s), "
        f"peak RSS {peak:.0f} MB, with the parse child {together:.0f} MB (PSS)"
    )
    assert peak <= 500 and together <= 500
    assert rate >= 200_000


def test_theme_matrix_in_process(benchmark, coded: Path) -> None:
    project = open_project(coded)
    matrix = benchmark(analysis.matrix, project, "themes")
    assert len(matrix.rows) == 50 and len(matrix.sources) == SOURCES
    assert sum(r.n_excerpts for r in matrix.rows) > 500_000
    project.close()
    assert benchmark.stats.stats.median <= 0.300


def test_export_matrix_csv_command(benchmark, coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "matrix.csv"
    benchmark.pedantic(
        _cli, args=("--db", str(coded), "export", "matrix", "--out", str(out)), rounds=3
    )
    assert out.read_text(encoding="utf-8").count("\n") == 51
    assert benchmark.stats.stats.median <= 1.5
    assert _peak_child_mb("export") <= 500


def test_export_qdpx_command(benchmark, coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "project.qdpx"
    benchmark.pedantic(_cli, args=("--db", str(coded), "export", "qdpx", str(out)), rounds=2)
    with zipfile.ZipFile(out) as archive:
        assert len(archive.namelist()) == SOURCES + 1
        with archive.open("project.qde") as qde:
            codings = sum(
                chunk.count(b"<Coding ") for chunk in iter(lambda: qde.read(1 << 24), b"")
            )
    assert codings == CODINGS
    peak = _peak_child_mb("export")
    benchmark.extra_info.update(peak_rss_mb=round(peak), megabytes=round(out.stat().st_size / 1e6))
    print(
        f"\nexport qdpx: {benchmark.stats.stats.min:.1f} s (best of 2), peak RSS {peak:.0f} MB, "
        f"{out.stat().st_size / 1e6:.0f} MB file"
    )
    assert benchmark.stats.stats.median < 30
    assert peak < 500


def test_check_command(benchmark, coded: Path) -> None:
    result = benchmark.pedantic(_cli, args=("--db", str(coded), "check"), rounds=2)
    assert result.stdout == "ok: no problems found (12 checks)\n"
    peak = _peak_child_mb("check")
    benchmark.extra_info.update(peak_rss_mb=round(peak))
    print(f"\ncheck: {benchmark.stats.stats.min:.1f} s (best of 2), peak RSS {peak:.0f} MB")
    assert benchmark.stats.stats.median <= 10
    assert peak < 500


def test_one_coding(benchmark, coded: Path) -> None:
    project = open_project(_copy(coded, "one-coding.db"))
    offsets = iter(range(0, 100_000, 7))

    def run() -> None:
        start = next(offsets) % 4000
        coding.apply_code(
            project, "generated_0001", start, start + 25, "Category 03 > Code 03.1", coder="ann"
        )

    benchmark.pedantic(run, rounds=20, iterations=1)
    project.close()
    assert benchmark.stats.stats.median <= 0.100


def test_merge_and_undo_of_two_10000_excerpt_codes(benchmark, coded: Path) -> None:
    runs = iter(range(100))
    merge_times: list[float] = []
    undo_times: list[float] = []

    def setup():
        project = open_project(_copy(coded, f"merge-{next(runs)}.db"))
        themes.assign_codes(project, "Theme 0", ["Merge > Left", "Merge > Right"], coder="gen")
        return (project,), {}

    def run(project) -> None:
        started = time.perf_counter()
        codebook.merge_codes(project, ["Merge > Left"], "Merge > Right", coder="ann")
        merge_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        history.undo(project, coder="ann")
        undo_times.append(time.perf_counter() - started)
        project.close()

    benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    merge, undo = min(merge_times), min(undo_times)
    benchmark.extra_info.update(merge_s=round(merge, 3), undo_s=round(undo, 3))
    print(f"\nmerge of two 10,000-excerpt codes: {merge:.3f} s, its undo: {undo:.3f} s")
    assert merge <= 1.0 and undo <= 1.0
