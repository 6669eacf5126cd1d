"""`cen-themes saturation`: new codes per source in the order sources were first coded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cen_themes.db import Project
from cen_themes.services import themes

from ..conftest import Cli, CodedProject, dump_database, who

TEXTS = {
    "int01": "P1: I waited. Nobody called. Then the crisis team came.\n",
    "int02": "P2: The label stuck. I waited for years.\n",
    "int03": "P3: I waited again.\n",
    "int04": "P4: Not coded at all.\n",
}


@pytest.fixture
def coded(cli: Cli, coded_project: CodedProject) -> Project:
    """int02 is coded first (A, B), then int01 (B, C, and C's child D), then int03 (A);
    int04 never."""
    project = coded_project(
        TEXTS,
        [
            ("int02", "The label stuck.", "A"),
            ("int02", "I waited for years.", "B"),
            ("int01", "I waited.", "B"),
            ("int01", "Nobody called.", "C"),
            ("int01", "Then the crisis team came.", "C > D"),
            ("int03", "I waited again.", "A"),
        ],
    )
    coder = who(project, "tester")
    themes.add_theme(project, "T1", coder=coder)
    themes.add_theme(project, "T2", coder=coder)
    themes.add_theme(project, "T2 sub", parent="T2", coder=coder)
    themes.assign_codes(project, "T1", ["A", "C"], coder=coder)
    themes.assign_codes(project, "T2 sub", ["B"], coder=coder)
    return project


def test_new_codes_per_source_in_the_order_first_coded(cli: Cli, coded: Project) -> None:
    result = cli("saturation", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"source": "int02", "order": 1, "new_codes": 2, "total_codes": 2},  # A, B
        {"source": "int01", "order": 2, "new_codes": 2, "total_codes": 4},  # C, C > D
        {"source": "int03", "order": 3, "new_codes": 0, "total_codes": 4},  # A again
    ]


def test_by_theme_counts_each_themes_codes_over_every_coded_source(
    cli: Cli, coded: Project
) -> None:
    points = json.loads(cli("saturation", "--by", "theme", "--json").stdout)
    table = [(p["theme"], p["source"], p["new_codes"], p["total_codes"]) for p in points]
    assert table == [
        # T1 brings A and C (C's child D is a code of its own, not assigned).
        ("T1", "int02", 1, 1),
        ("T1", "int01", 1, 2),
        ("T1", "int03", 0, 2),
        # T2 brings its subtheme's B.
        ("T2", "int02", 1, 1),
        ("T2", "int01", 0, 1),
        ("T2", "int03", 0, 1),
        ("T2 > T2 sub", "int02", 1, 1),
        ("T2 > T2 sub", "int01", 0, 1),
        ("T2 > T2 sub", "int03", 0, 1),
    ]


def test_text_table_with_a_bar_of_new_codes(cli: Cli, coded: Project) -> None:
    result = cli("saturation")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["#", "source", "new", "total"]
    assert lines[1].split() == ["1", "int02", "2", "2", "██"]
    assert lines[3].split() == ["3", "int03", "0", "4"]


def test_plot_writes_a_png_chart(cli: Cli, coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "saturation.png"
    result = cli("saturation", "--by", "theme", "--plot", out)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out} (3 sources)\n"
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_nothing_coded(cli: Cli, coded_project: CodedProject, tmp_path: Path) -> None:
    coded_project({"int01": TEXTS["int01"]})
    assert cli("saturation", "--json").stdout.strip() == "[]"
    assert cli("saturation").stderr == "nothing is coded yet\n"
    result = cli("saturation", "--plot", tmp_path / "s.png")
    assert result.exit_code == 1
    assert result.stderr == "error: nothing is coded yet: there is no saturation to plot\n"
    assert not (tmp_path / "s.png").exists()


def test_a_wrong_plot_file_is_one_line_and_changes_nothing(
    cli: Cli, coded: Project, db: Path | str, tmp_path: Path
) -> None:
    before = dump_database(db)
    result = cli("saturation", "--plot", tmp_path / "chart.svg")
    assert result.exit_code == 1
    assert "cannot export a saturation chart as '.svg'; use .png" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    missing = cli("saturation", "--plot", tmp_path / "nowhere" / "chart.png")
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    assert dump_database(db) == before
