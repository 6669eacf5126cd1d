"""GRADE-CERQual on a generated review of 250 study sources and 50 themes (10 themes of
4 subthemes), 60,000 codings, every theme assessed: the Summary of Qualitative
Findings and the evidence profile in process (each format), and `export soqf` as a
whole command.

Run: pytest tests/benchmarks/test_bench_cerqual.py --benchmark-enable -s
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cen_themes.db import open_project
from cen_themes.services import cerqual, codebook, sources, themes

from .generate import codebook_paths, write_codings_csv, write_corpus
from .runner import cli as _cli
from .runner import peak_mb as _peak_child_mb

SOURCES, WORDS, CODINGS = 250, 2_000, 60_000
CATEGORIES = 20  # x (1 + 9 codes): 200 codes
THEMES = 50


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cerqual")
    files = write_corpus(folder / "sources", files=SOURCES, words=WORDS, seed=13)
    db = folder / "review.db"
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
    project.close()
    lengths = sorted((f.stem, len(f.read_text(encoding="utf-8"))) for f in files)
    csv_file = folder / "codings.csv"
    write_codings_csv(csv_file, lengths, CODINGS, [p for p in paths if " > " in p])
    _cli("--db", str(db), "code", "import", str(csv_file))
    project = open_project(db)
    levels = ("no", "minor", "moderate", "serious")
    for n, finding in enumerate(cerqual.assessments(project)):
        cerqual.set_assessment(
            project,
            finding.theme,
            coder="gen",
            finding=f"Finding {n}: " + "participants described long waits and little say. " * 3,
            levels={c: levels[(n + i) % 4] for i, c in enumerate(("limitations", "coherence"))},
            explanations={"limitations": "several studies did not report their sampling " * 2},
            confidence=("high", "moderate", "low", "very-low")[n % 4],
            confidence_explanation="concerns about coherence and adequacy " * 3,
        )
    project.close()
    print(f"\nreview: {SOURCES} sources, {THEMES} themes, {CODINGS:,} codings, all assessed")
    return db


@pytest.mark.parametrize("suffix", [".md", ".docx", ".xlsx"])
def test_soqf_in_process(benchmark, review: Path, tmp_path: Path, suffix: str) -> None:
    project = open_project(review)
    out = tmp_path / f"soqf{suffix}"
    message = benchmark.pedantic(cerqual.export_soqf, args=(project, out), rounds=5)
    project.close()
    assert message == f"wrote {out} ({THEMES} findings)"
    print(f"\nexport soqf {suffix}: {benchmark.stats.stats.median * 1000:.0f} ms (median)")
    assert benchmark.stats.stats.median <= 1


@pytest.mark.parametrize("suffix", [".md", ".docx", ".xlsx"])
def test_evidence_profile_in_process(benchmark, review: Path, tmp_path: Path, suffix: str) -> None:
    project = open_project(review)
    out = tmp_path / f"profile{suffix}"
    message = benchmark.pedantic(cerqual.export_evidence_profile, args=(project, out), rounds=5)
    project.close()
    assert message == f"wrote {out} ({THEMES} findings)"
    print(f"\nexport evidence-profile {suffix}: {benchmark.stats.stats.median * 1000:.0f} ms")
    assert benchmark.stats.stats.median <= 1.5


def test_contributing_studies_of_every_theme(benchmark, review: Path) -> None:
    project = open_project(review)
    found = benchmark.pedantic(cerqual.assessments, args=(project,), rounds=5)
    project.close()
    assert len(found) == THEMES and all(f.assessed for f in found)
    assert max(len(f.sources) for f in found) == SOURCES  # a top-level theme: every study
    print(f"\nassessments with studies: {benchmark.stats.stats.median * 1000:.0f} ms")
    assert benchmark.stats.stats.median <= 0.5


def test_export_soqf_command(benchmark, review: Path, tmp_path: Path) -> None:
    out = tmp_path / "soqf.docx"
    benchmark.pedantic(
        _cli, args=("--db", str(review), "export", "soqf", "--out", str(out)), rounds=3
    )
    assert out.stat().st_size > 0
    peak = _peak_child_mb("export")
    benchmark.extra_info.update(peak_rss_mb=round(peak))
    print(f"\nexport soqf (command): {benchmark.stats.stats.median:.2f} s, peak RSS {peak:.0f} MB")
    assert benchmark.stats.stats.median <= 3
