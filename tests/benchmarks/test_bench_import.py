"""Importing about 1,000,000 words (200 transcripts of 5,000 words) through the real
command line: target at most 10 s wall and 500 MB peak memory on a 2-core machine.

Run: pytest tests/benchmarks/test_bench_import.py --benchmark-enable -s
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .generate import write_corpus
from .runner import cli, peak_mb


def test_import_one_million_words(benchmark, tmp_path: Path) -> None:
    files = write_corpus(tmp_path / "corpus")
    total_words = sum(len(p.read_text().split()) for p in files)
    runs = iter(range(1000))

    def setup():
        return (tmp_path / f"bench-{next(runs)}.db",), {}

    def run(db: Path) -> Path:
        cli("--db", str(db), "import", *map(str, files))
        return db

    db = benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    peak = peak_mb("import")
    conn = sqlite3.connect(db)
    sources, words = conn.execute("SELECT count(*), sum(words) FROM sources").fetchone()
    segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
    conn.close()
    benchmark.extra_info.update(
        words=total_words, sources=sources, segments=segments, peak_rss_mb=round(peak, 1)
    )
    print(
        f"\nimported {sources} sources, {words:,} words, {segments:,} segments; "
        f"peak RSS {peak:.0f} MB"
    )
    assert sources == 200 and words == total_words
    assert peak <= 500
    assert benchmark.stats.stats.min <= 10.0
