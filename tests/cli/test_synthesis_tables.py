"""`export characteristics` and `export evidence-map`: a synthesis's study tables."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ..conftest import Cli, CodedProject, dump_database

# Four fictional studies; Berg lists two designs, Chen has no year.
STUDIES = {
    "Adams 2019": ("UK", "2019", "interviews", "12"),
    "Berg 2021": ("Sweden", "2021", "interviews; focus groups", "30"),
    "Chen": ("UK", "", "focus groups", "8"),
    "Diaz 2009": ("Spain", "2009", "interviews", "007"),
}


@pytest.fixture
def studies(cli: Cli, coded_project: CodedProject) -> Cli:
    attributes = {}
    texts = {}
    for name, (country, year, design, n) in STUDIES.items():
        texts[name] = f"Findings of {name}: participants valued continuity.\n"
        given = {"country": country, "design": design, "participants": n}
        if year:
            given["year"] = year
        attributes[name] = given
    coded_project(texts, attributes=attributes)
    return cli


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_characteristics_csv_in_the_order_asked(studies: Cli, tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    result = studies("export", "characteristics", "--out", out, "--attrs", "year, country")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {out} (4 sources x 2 attributes)\n"
    assert read_csv(out) == [
        ["source", "year", "country"],
        ["Adams 2019", "2019", "UK"],
        ["Berg 2021", "2021", "Sweden"],
        ["Chen", "", "UK"],
        ["Diaz 2009", "2009", "Spain"],
    ]


def test_characteristics_default_columns_are_every_attribute_as_first_given(
    studies: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "table.md"
    assert studies("export", "characteristics", "--out", out).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Characteristics of included studies"
    header = lines[2].strip("| ").split(" | ")
    assert header[0] == "source"
    assert sorted(header[1:]) == ["country", "design", "participants", "year"]
    assert "| Berg 2021 |" in lines[5]


def test_characteristics_workbook_keeps_numbers_as_numbers(studies: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "table.xlsx"
    args = ("--attrs", "year,participants,design")
    assert studies("export", "characteristics", "--out", out, *args).exit_code == 0
    sheet = load_workbook(out).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["source", "year", "participants", "design"]
    assert rows[1] == ["Adams 2019", 2019, 12, "interviews"]
    assert rows[3][1] is None  # Chen gives no year
    assert rows[4][2] == "007"  # a leading zero is a code, not a number
    assert sheet.auto_filter.ref == "A1:D5"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold


def test_characteristics_word_table_is_landscape_with_a_repeated_header(
    studies: Cli, tmp_path: Path
) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT

    out = tmp_path / "table.docx"
    assert studies("export", "characteristics", "--out", out, "--attrs", "country").exit_code == 0
    document = Document(str(out))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    (table,) = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["source", "country"],
        ["Adams 2019", "UK"],
        ["Berg 2021", "Sweden"],
        ["Chen", "UK"],
        ["Diaz 2009", "Spain"],
    ]
    assert "w:tblHeader" in table.rows[0]._tr.xml


def test_evidence_map_counts_each_listed_value_with_totals(studies: Cli, tmp_path: Path) -> None:
    out = tmp_path / "map.csv"
    result = studies(
        "export", "evidence-map", "--rows", "design", "--cols", "country", "--out", out
    )
    assert result.exit_code == 0, result.stderr
    # Berg is an interview and a focus-group study: it counts in both rows, but once in
    # the Sweden total and once in all.
    assert read_csv(out) == [
        ["design", "Spain", "Sweden", "UK", "Total"],
        ["focus groups", "0", "1", "1", "2"],
        ["interviews", "1", "1", "1", "3"],
        ["Total", "1", "1", "2", "4"],
    ]
    assert result.stdout == f"wrote {out} (2 rows x 3 columns, 4 sources)\n"


def test_evidence_map_orders_years_as_numbers_and_shows_the_missing(
    studies: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "map.csv"
    args = ("--rows", "year", "--cols", "country", "--out", out)
    assert studies("export", "evidence-map", *args).exit_code == 0
    assert [row[0] for row in read_csv(out)] == [
        "year",
        "2009",
        "2019",
        "2021",
        "(not given)",
        "Total",
    ]


EM = ["evidence-map", "--rows", "design"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["characteristics", "--out", "t.html"], "cannot export study characteristics as '.html'"),
        (
            ["characteristics", "--out", "t.csv", "--attrs", "contry"],
            "no source has an attribute 'contry' (did you mean 'country'?)",
        ),
        (["characteristics", "--out", "t.csv", "--attrs", " , "], "--attrs names no attribute"),
        (
            [*EM, "--cols", "Year", "--out", "m.csv"],
            "no source has an attribute 'Year' (did you mean 'year'?)",
        ),
        ([*EM, "--cols", "year", "--out", "m.pdf"], "cannot export an evidence map as '.pdf'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    studies: Cli, db: Path | str, tmp_path: Path, args: list[str], message: str, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = dump_database(db)
    result = studies("export", *args)
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert dump_database(db) == before
    assert not [p for p in tmp_path.iterdir() if p.suffix in {".csv", ".html", ".pdf"}]


def test_attribute_keys_in_the_order_first_given(studies: Cli, project) -> None:
    from cen_themes.services.synthesis import attribute_keys

    # Adams was given country, design, participants, year (in that order), first.
    assert attribute_keys(project) == ["country", "design", "participants", "year"]
