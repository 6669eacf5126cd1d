"""Co-occurrence on a generated project of 200 sources, about 100,000 segments and
100,000 codings (200 codes, 50 themes): the code-by-code and theme-by-theme matrices in
process, one cell's pairs of excerpts, and `export cooccurrence` as a whole command.

Run: pytest tests/benchmarks/test_bench_cooccurrence.py --benchmark-enable -s
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from cen_themes.db import open_project
from cen_themes.models import Coding, Segment
from cen_themes.services import codebook, sources, themes
from cen_themes.services.cooccurrence import cooccurrence, cooccurrence_pairs

from .generate import codebook_paths, write_codings_csv, write_corpus
from .runner import cli as _cli
from .runner import peak_mb as _peak_child_mb

SOURCES, WORDS, CODINGS = 200, 7_700, 100_000
CATEGORIES = 20  # x (1 + 9 codes): 200 codes


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cooccurrence")
    files = write_corpus(folder / "sources", files=SOURCES, words=WORDS, seed=9)
    db = folder / "coded.db"
    project = open_project(db)
    sources.import_files(project, files, coder="gen")
    paths = codebook_paths(CATEGORIES)
    for path in paths:
        codebook.create_code(project, path, coder="gen")
    for t in range(10):  # 10 themes, each with 4 subthemes of 2 categories: 50 themes
        themes.add_theme(project, f"Theme {t}", coder="gen")
        for s in range(4):
            themes.add_theme(project, f"Sub {t}.{s}", parent=f"Theme {t}", coder="gen")
            category = (t * 4 + s) % CATEGORIES
            themes.assign_codes(
                project,
                f"Theme {t} > Sub {t}.{s}",
                [p for p in paths if p.startswith(f"Category {category:02d} > ")],
                coder="gen",
            )
    with project.read() as session:
        segments = session.scalar(select(func.count()).select_from(Segment))
    project.close()
    lengths = sorted((f.stem, len(f.read_text(encoding="utf-8"))) for f in files)
    csv_file = folder / "codings.csv"
    write_codings_csv(csv_file, lengths, CODINGS, [p for p in paths if " > " in p])
    _cli("--db", str(db), "code", "import", str(csv_file))
    print(f"\nproject: {SOURCES} sources, {segments:,} segments, {CODINGS:,} codings")
    return db


def test_code_by_code_in_process(benchmark, coded: Path) -> None:
    project = open_project(coded)
    data = benchmark.pedantic(cooccurrence, args=(project, "codes"), rounds=3, iterations=1)
    with project.read() as session:
        codings = session.scalar(select(func.count()).select_from(Coding))
    project.close()
    assert codings == CODINGS
    assert len(data.paths) == CATEGORIES * 10
    assert sum(data.counts[i][i] for i in range(len(data.paths))) > 0.9 * CODINGS
    off = sum(n for i, row in enumerate(data.counts) for j, n in enumerate(row) if i < j)
    benchmark.extra_info.update(pairs=off)
    print(f"\nco-occurrence of codes: {benchmark.stats.stats.min:.2f} s, {off:,} code pairs")
    assert benchmark.stats.stats.median <= 5


def test_theme_by_theme_in_process(benchmark, coded: Path) -> None:
    project = open_project(coded)
    data = benchmark.pedantic(cooccurrence, args=(project, "themes"), rounds=3, iterations=1)
    project.close()
    assert len(data.paths) == 50
    print(f"\nco-occurrence of themes: {benchmark.stats.stats.min:.2f} s")
    assert benchmark.stats.stats.median <= 5


def test_one_cells_pairs(benchmark, coded: Path) -> None:
    project = open_project(coded)
    data = cooccurrence(project, "codes")
    x, y = data.paths.index("Category 00 > Code 00.0"), data.paths.index("Category 01 > Code 01.0")
    pairs = benchmark.pedantic(
        cooccurrence_pairs, args=(project, "codes", data.paths[x], data.paths[y]), rounds=3
    )
    project.close()
    assert len(pairs) == data.counts[x][y] > 0
    print(f"\none cell's {len(pairs)} pairs: {benchmark.stats.stats.min * 1000:.0f} ms")
    assert benchmark.stats.stats.median <= 1


def test_export_cooccurrence_command(benchmark, coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "cooccurrence.csv"
    benchmark.pedantic(
        _cli, args=("--db", str(coded), "export", "cooccurrence", "--out", str(out)), rounds=2
    )
    assert out.read_text(encoding="utf-8").count("\n") == CATEGORIES * 10 + 1
    peak = _peak_child_mb("export")
    benchmark.extra_info.update(peak_rss_mb=round(peak))
    print(f"\nexport cooccurrence: {benchmark.stats.stats.min:.2f} s, peak RSS {peak:.0f} MB")
    assert benchmark.stats.stats.median <= 8
    assert peak < 500
