"""`export cooccurrence`: the code-by-code (or theme-by-theme) matrix in every format,
and one-line refusals that leave nothing behind."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cen_themes.services import themes
from cen_themes.services.cooccurrence import cooccurrence

from ..conftest import Cli, CodedProject, dump_database, who

TEXTS = {
    "a": "P01: I waited for weeks. The nurse was kind.\nP02: They cared for me.\n",
    "b": "P03: Nobody listened. I felt judged.\n",
}
CODINGS = [
    ("a", "I waited", "Access > Waiting"),
    ("a", "for weeks.", "Care"),  # the same segment
    ("a", "The nurse", "Care"),
    ("a", "The nurse", "Kind"),  # one excerpt, two codes
    ("a", "nurse was kind", "Access > Waiting"),  # overlaps "The nurse"
    ("b", "Nobody listened.", "Access > Waiting"),
    ("b", "I felt judged.", "Care"),
]


@pytest.fixture
def coded(cli: Cli, coded_project: CodedProject) -> Cli:
    project = coded_project(TEXTS, CODINGS)
    login = who(project, "tester")
    themes.add_theme(project, "Barriers", coder=login)
    themes.add_theme(project, "Support", coder=login)
    themes.add_theme(project, "Staff", parent="Support", coder=login)
    themes.assign_codes(project, "Barriers", ["Access > Waiting"], coder=login)
    themes.assign_codes(project, "Support", ["Care"], coder=login)
    themes.assign_codes(project, "Support > Staff", ["Kind"], coder=login)
    return cli


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_of_codes_is_the_symmetric_matrix(coded: Cli, tmp_path: Path) -> None:
    out = tmp_path / "co.csv"
    result = coded("export", "cooccurrence", "--out", out)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"wrote {out} (co-occurrence of 4 codes)\n"
    assert read_csv(out) == [
        ["code", "Access", "Access > Waiting", "Care", "Kind"],
        ["Access", "0", "0", "0", "0"],
        ["Access > Waiting", "0", "3", "2", "1"],
        ["Care", "0", "2", "3", "1"],
        ["Kind", "0", "1", "1", "1"],
    ]


def test_csv_of_themes_rolls_up(coded: Cli, tmp_path: Path) -> None:
    out = tmp_path / "themes.csv"
    result = coded("export", "cooccurrence", "--out", out, "--rows", "themes")
    assert result.stdout == f"wrote {out} (co-occurrence of 3 themes)\n"
    assert read_csv(out) == [
        ["theme", "Barriers", "Support", "Support > Staff"],
        ["Barriers", "3", "2", "1"],
        ["Support", "2", "3", "1"],
        ["Support > Staff", "1", "1", "1"],
    ]


def test_xlsx_md_and_html(coded: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    for suffix in (".xlsx", ".md", ".html"):
        result = coded("export", "cooccurrence", "--out", tmp_path / f"co{suffix}")
        assert result.exit_code == 0, result.stderr
    sheet = load_workbook(tmp_path / "co.xlsx").active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["code", "Access", "Access > Waiting", "Care", "Kind"]
    assert values[2] == ["Access > Waiting", 0, 3, 2, 1]  # numbers as numbers
    assert sheet.freeze_panes == "B2"
    (scale,) = sheet.conditional_formatting
    shaded = str(scale.sqref).split()
    assert "C3" not in " ".join(shaded)  # the diagonal does not set the colour scale
    markdown = (tmp_path / "co.md").read_text(encoding="utf-8").splitlines()
    assert markdown[0] == "| code | Access | Access > Waiting | Care | Kind |"
    assert markdown[1] == "| --- | ---: | ---: | ---: | ---: |"
    assert markdown[4] == "| Care | 0 | 2 | 3 | 1 |"
    html = (tmp_path / "co.html").read_text(encoding="utf-8")
    assert "Code-by-code co-occurrence: pairs of excerpts (diagonal: excerpts)" in html
    assert '<th scope="row">Access &gt; Waiting</th>' in html
    assert '<td class="total">3</td>' in html  # the diagonal, apart from the heatmap


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("co.txt", "cannot export a co-occurrence matrix as '.txt'; use .csv, .xlsx, .md or .html"),
        ("co", "cannot export a co-occurrence matrix as a file without extension"),
        ("missing/co.csv", "the folder"),
        ("folder.csv", "is a folder, not a file"),
    ],
)
def test_refusals_are_one_line_and_change_nothing(
    coded: Cli, tmp_path: Path, where: str, message: str
) -> None:
    folder = tmp_path / "out"
    (folder / "folder.csv").mkdir(parents=True)
    before = dump_database(coded)
    result = coded("export", "cooccurrence", "--out", folder / where)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {folder / where}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert dump_database(coded) == before
    assert [p.name for p in folder.iterdir()] == ["folder.csv"]  # nothing written


def test_bad_rows_is_a_usage_error(coded: Cli, tmp_path: Path) -> None:
    result = coded("export", "cooccurrence", "--out", tmp_path / "co.csv", "--rows", "sources")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Invalid value for '--rows': 'sources' is not one of")
    assert not (tmp_path / "co.csv").exists()


def test_the_file_is_what_the_service_counts(coded: Cli, tmp_path: Path) -> None:
    from cen_themes.db import open_project

    out = tmp_path / "co.csv"
    coded("export", "cooccurrence", "--out", out)
    project = open_project(coded.db)
    try:
        data = cooccurrence(project)
    finally:
        project.close()
    rows = read_csv(out)
    assert [r[0] for r in rows[1:]] == data.paths == rows[0][1:]
    assert [[int(n) for n in r[1:]] for r in rows[1:]] == data.counts


def test_help_says_what_a_cell_counts(cli: Cli) -> None:
    result = cli("export", "cooccurrence", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split()).replace("co- ", "co-")  # wrapped at a hyphen
    for words in (
        "overlap (share a character) or share a segment",
        "distinct pairs of co-occurring excerpts",
        "The diagonal counts the excerpts of X",
        "--rows [codes|themes]",
    ):
        assert words in text
