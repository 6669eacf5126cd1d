"""Importing about 1,000,000 words (200 transcripts of 5,000 words) through the real
command line: target at most 10 s wall and 500 MB peak memory on a 2-core machine.

Run: pytest tests/benchmarks/test_bench_import.py --benchmark-enable
"""

from __future__ import annotations

import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

from .generate import write_corpus


def test_import_one_million_words(benchmark, tmp_path: Path) -> None:
    files = write_corpus(tmp_path / "corpus")
    total_words = sum(len(p.read_text().split()) for p in files)
    runs = iter(range(1000))

    def setup():
        db = tmp_path / f"bench-{next(runs)}.db"
        return (
            [sys.executable, "-m", "cen_themes", "--db", str(db), "import", *map(str, files)],
        ), {}

    def run(argv):
        completed = subprocess.run(argv, capture_output=True, text=True)
        assert completed.returncode == 0, completed.stderr[-2000:]
        return Path(argv[4])

    db = benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    conn = sqlite3.connect(db)
    sources, words = conn.execute("SELECT count(*), sum(words) FROM sources").fetchone()
    segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
    conn.close()
    benchmark.extra_info.update(
        words=total_words, sources=sources, segments=segments, peak_rss_mb=round(peak_mb, 1)
    )
    print(
        f"\nimported {sources} sources, {words:,} words, {segments:,} segments; "
        f"peak RSS {peak_mb:.0f} MB"
    )
    assert sources == 200 and words == total_words
    assert peak_mb <= 500
    assert benchmark.stats.stats.min <= 10.0
