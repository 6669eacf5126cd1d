"""Auto-coding at scale (issue 13): 10,000 search hits coded as one change in under 3 s,
by hit and by sentence, in process and as the whole `autocode` command; and the lemma
search that finds them.

The project: 200 generated transcripts of 3,000 words; the
query, three whole words the generator uses, hits each transcript about 75 times.

Run: pytest tests/benchmarks/test_bench_autocode.py --benchmark-enable -s
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cen_themes.db import open_project
from cen_themes.services import history, search, sources
from cen_themes.services.autocode import autocode

from .generate import write_corpus
from .runner import cli as _cli

SOURCES, WORDS = 200, 3_000
QUERY = "crisis|therapy|stigma"  # three words of the generator's 130: over 10,000 hits


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("autocode")
    files = write_corpus(folder / "sources", files=SOURCES, words=WORDS, seed=13)
    db = folder / "base.db"
    project = open_project(db)
    sources.import_files(project, files, coder="gen")
    hits = search.search(project, QUERY, regex=True, word=True, context=0)
    project.close()
    print(f"\n{len(hits)} hits in {len({h.source for h in hits})} sources")
    assert len(hits) >= 10_000
    return db


def _fresh(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / f"round{len(list(tmp_path.iterdir()))}.db"
    shutil.copy(base, copy)
    return copy


@pytest.mark.parametrize("scope", ["hit", "sentence"])
def test_autocode_in_process(benchmark, base: Path, tmp_path: Path, scope: str) -> None:
    def setup():
        return (open_project(_fresh(base, tmp_path)),), {}

    def run(project):
        result = autocode(
            project, "Auto", coder="bench", query=QUERY, regex=True, word=True, scope=scope
        )
        assert result.hits >= 10_000 and result.added > 0
        assert len(history.log(project)) == SOURCES + 1  # the imports, and one change
        project.close()

    benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)


def test_autocode_command(benchmark, base: Path, tmp_path: Path) -> None:
    def setup():
        return (_fresh(base, tmp_path),), {}

    def run(db: Path):
        args = ("--db", str(db), "autocode", QUERY, "--regex", "--word", "--code", "Auto")
        result = _cli(*args)
        assert "auto-coded" in result.stderr, result.stderr

    benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)


def test_lemma_search(benchmark, base: Path) -> None:
    project = open_project(base)
    search.search(project, "worry", lemma=True)  # spaCy and the tables loaded once
    hits = benchmark.pedantic(
        search.search, args=(project, "worry"), kwargs={"lemma": True}, rounds=3
    )
    assert hits
    project.close()
