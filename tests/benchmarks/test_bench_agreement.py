"""Inter-coder agreement on a generated project (issue 13's target): 200 sources of
about 100,000 segments, two coders with 50,000 codings each over 50 codes; the whole
`agreement --disagreements --json` in under 5 s.

Run: pytest tests/benchmarks/test_bench_agreement.py --benchmark-enable -s
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cen_themes.db import open_project
from cen_themes.models import Coding, Segment
from cen_themes.services import agreement, sources

from .generate import codebook_paths, write_codings_csv, write_corpus
from .runner import cli as _cli

SOURCES, WORDS, CODINGS_EACH = 200, 7_800, 50_000
CODERS = ("ann", "bob")


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("agreement")
    files = write_corpus(folder / "sources", files=SOURCES, words=WORDS, seed=13)
    db = folder / "agreement.db"
    project = open_project(db)
    sources.import_files(project, files, coder="gen")
    project.close()
    spans = sorted((f.stem, len(f.read_text(encoding="utf-8"))) for f in files)
    codes = codebook_paths(categories=5, per_category=9)  # 50 codes
    for seed, coder in enumerate(CODERS):
        csv_file = folder / f"{coder}.csv"
        write_codings_csv(csv_file, spans, CODINGS_EACH, codes, coders=(coder,), seed=seed)
        _cli("--db", str(db), "code", "import", str(csv_file))
    return db


def test_agreement_in_process(benchmark, coded: Path) -> None:
    project = open_project(coded)
    with project.read() as session:
        segments = session.scalar(select(func.count()).select_from(Segment))
        codings = session.scalar(select(func.count()).select_from(Coding))
    assert segments >= 95_000 and codings >= 0.99 * 2 * CODINGS_EACH
    report = benchmark.pedantic(
        agreement.agreement, args=(project, CODERS), kwargs={"disagreements": True}, rounds=3
    )
    assert report.units == segments  # every source was coded by both
    assert len(report.codes) == 50 and report.disagreements
    print(
        f"\nagreement in process: {benchmark.stats.stats.min:.2f} s (best of 3) over "
        f"{segments} segments, {codings} codings, {len(report.disagreements)} disagreements"
    )
    project.close()
    assert benchmark.stats.stats.median < 5


def test_agreement_command(benchmark, coded: Path) -> None:
    args = ("--db", str(coded), "agreement", "--coders", *CODERS, "--disagreements", "--json")
    result = benchmark.pedantic(_cli, args=args, rounds=2)
    document = json.loads(result.stdout)
    assert document["units"] >= 95_000 and len(document["codes"]) == 50
    print(f"\nagreement --disagreements --json: {benchmark.stats.stats.min:.2f} s (best of 2)")
    assert benchmark.stats.stats.median < 5
