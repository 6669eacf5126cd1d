"""A synthesis's tables on a review of 250 studies and 50 themes (issue 14): the
characteristics, evidence-map and saturation exports each under 1 s.

The project: 250 generated study texts of 600 words (kind study) with country, year,
design (a fifth list two designs), participants and setting; 500 codes under 50
themes; 20,000 codings. Each export is timed in process and as the whole command.

Run: pytest tests/benchmarks/test_bench_synthesis.py --benchmark-enable -s
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cen_themes.db import open_project
from cen_themes.services import attributes, codebook, sources, synthesis, themes
from cen_themes.services.coding_import import import_codings

from .generate import codebook_paths, write_codings_csv, write_corpus
from .runner import cli as _cli

STUDIES, CODINGS = 250, 20_000
COUNTRIES = ["UK", "Ireland", "Australia", "Canada", "Netherlands", "Norway", "USA", "Sweden"]
DESIGNS = ["semi-structured interviews", "focus groups", "ethnography", "mixed methods"]


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review")
    files = write_corpus(folder / "studies", files=STUDIES, words=600, seed=21)
    db = folder / "review.db"
    project = open_project(db)
    sources.import_files(project, files, coder="gen", kind="study")
    rng = random.Random(8)
    sheet = folder / "attributes.csv"
    lines = ["source,country,year,design,participants,setting"]
    for f in files:
        design = rng.choice(DESIGNS)
        if rng.random() < 0.2:
            design += "; " + rng.choice([d for d in DESIGNS if d != design])
        lines.append(
            f"{f.stem},{rng.choice(COUNTRIES)},{rng.randint(2000, 2024)},{design},"
            f"{rng.randint(5, 60)},{rng.choice(['community', 'inpatient', 'mixed'])}"
        )
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    attributes.import_attributes(project, sheet, coder="gen")
    paths = codebook_paths()
    for path in paths:
        codebook.create_code(project, path, coder="gen")
    for t in range(10):
        themes.add_theme(project, f"Finding {t}", coder="gen")
        for s in range(4):
            themes.add_theme(project, f"Sub {t}.{s}", parent=f"Finding {t}", coder="gen")
            themes.assign_codes(
                project,
                f"Finding {t} > Sub {t}.{s}",
                [p for p in paths if p.startswith(f"Category {t * 5 + s:02d}")],
                coder="gen",
            )
    lengths = [(f.stem, len(f.read_text(encoding="utf-8"))) for f in files]
    csv_file = folder / "codings.csv"
    write_codings_csv(csv_file, lengths, CODINGS, paths, seed=3)
    import_codings(project, csv_file, coder="gen")
    project.close()
    return db


def test_characteristics_xlsx_in_process(benchmark, review: Path, tmp_path: Path) -> None:
    project = open_project(review)
    out = tmp_path / "characteristics.xlsx"
    benchmark.pedantic(synthesis.export_characteristics, args=(project, out), rounds=3)
    assert out.stat().st_size > 5_000
    project.close()


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_export_characteristics_command(benchmark, review: Path, tmp_path: Path, suffix) -> None:
    out = tmp_path / f"characteristics{suffix}"
    args = ("--db", str(review), "export", "characteristics", "--out", str(out))
    benchmark.pedantic(_cli, args=args, rounds=3)
    assert out.stat().st_size > 5_000


def test_export_evidence_map_command(benchmark, review: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.xlsx"
    args = ("--db", str(review), "export", "evidence-map", "--rows", "design")
    benchmark.pedantic(_cli, args=(*args, "--cols", "country", "--out", str(out)), rounds=3)
    assert out.exists()


def test_saturation_by_theme_in_process(benchmark, review: Path) -> None:
    project = open_project(review)
    points = benchmark.pedantic(synthesis.saturation, args=(project, "theme"), rounds=3)
    assert len(points) == 50 * STUDIES
    project.close()


def test_saturation_command(benchmark, review: Path) -> None:
    args = ("--db", str(review), "saturation", "--by", "theme", "--json")
    result = benchmark.pedantic(_cli, args=args, rounds=3)
    assert result.stdout.count('"theme"') == 50 * STUDIES


def test_saturation_plot_command(benchmark, review: Path, tmp_path: Path) -> None:
    out = tmp_path / "saturation.png"
    args = ("--db", str(review), "saturation", "--plot", str(out))
    benchmark.pedantic(_cli, args=args, rounds=3)
    assert out.read_bytes().startswith(b"\x89PNG")
