"""`export excerpts --out FILE`: one row per coding as CSV (UTF-8 with a BOM) or an
Excel workbook (header with filters, frozen), narrowed like `excerpts`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ..conftest import Cli, CodedProject, dump_database, several_coders, who

TEXTS = {
    "int02": "Q: First?\nA: The waiting list was long. I felt dismissed — “ignored”. 😀 Fine.\n",
    "int01": "Q: And then?\nA: =SUM(A1) the label stuck.\nStaff were kind, \x0bmostly.\n",
}
CODINGS = [
    ("int02", "The waiting list was long.", "Access > Waiting", "ann"),
    ("int02", "I felt dismissed — “ignored”.", "Unheard", "bob"),
    ("int02", "I felt dismissed — “ignored”.", "Dismissed", "ann"),
    ("int01", "=SUM(A1) the label stuck.", "Label", "bob"),
    ("int01", "Staff were kind, \x0bmostly.", "Kindness", "ann"),
]
ATTRIBUTES = {
    "int02": {"group": "staff", "age": "34", "code": "x1"},
    "int01": {"group": "service user", "region": "London"},
}
HEADER = [
    "source", "start", "end", "text", "code", "coder", "memo", "time",
    "age", "attribute_code", "group", "region",
]  # fmt: skip


@pytest.fixture
def coded(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project(TEXTS, CODINGS, attributes=ATTRIBUTES)
    text = TEXTS["int01"]
    start = text.index("=SUM")
    assert cli("code", "memo", "int01", str(start), str(start + 25), "a “memo”").exit_code == 0
    for args in (("theme", "add", "Voice"), ("theme", "assign", "Voice", "Unheard", "Dismissed")):
        assert cli(*args).exit_code == 0
    return cli


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def span(source: str, phrase: str) -> tuple[str, str, str]:
    start = TEXTS[source].index(phrase)
    return source, str(start), str(start + len(phrase))


def test_one_row_per_coding_with_text_coder_memo_time_and_attributes(
    coded: Cli, tmp_path: Path
) -> None:
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    out = tmp_path / "codings.csv"
    result = coded("export", "excerpts", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote 5 codings to {out}\n"
    header, *rows = read_csv(out)
    assert header == HEADER
    ann, bob = who(coded, "ann"), who(coded, "bob")
    # import order (int02 first), then position, code (tree order), coder
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        (*span("int02", "The waiting list was long."), "The waiting list was long.",
         "Access > Waiting", ann, ""),
        (*span("int02", "I felt dismissed — “ignored”."), "I felt dismissed — “ignored”.",
         "Unheard", bob, ""),  # the code made first comes first, as in the codebook
        (*span("int02", "I felt dismissed — “ignored”."), "I felt dismissed — “ignored”.",
         "Dismissed", ann, ""),
        (*span("int01", "=SUM(A1) the label stuck."), "=SUM(A1) the label stuck.",
         "Label", bob, "a “memo”"),
        (*span("int01", "Staff were kind, \x0bmostly."), "Staff were kind, \x0bmostly.",
         "Kindness", ann, ""),
    ]  # fmt: skip
    for row in rows:
        made = datetime.fromisoformat(row[7]).replace(tzinfo=UTC)
        assert before <= made <= datetime.now(UTC)
    assert [r[8:] for r in rows[:1] + rows[3:4]] == [
        ["34", "x1", "staff", ""],
        ["", "", "service user", "London"],
    ]


@pytest.mark.parametrize(
    ("filters", "codes"),
    [
        (("--code", "Dismissed"), ["Dismissed"]),
        (("--code", "Access"), []),  # the parent's own codings, not its children's
        (("--theme", "Voice"), ["Unheard", "Dismissed"]),
        (("--source", "int01"), ["Label", "Kindness"]),
        pytest.param(("--coder", "bob"), ["Unheard", "Label"], marks=several_coders),
        pytest.param(("--theme", "Voice", "--coder", "bob"), ["Unheard"], marks=several_coders),
    ],
)
def test_filters_narrow_the_codings(
    coded: Cli, tmp_path: Path, filters: tuple[str, ...], codes: list[str]
) -> None:
    filters = tuple(who(coded, f) if f in ("ann", "bob") else f for f in filters)
    out = tmp_path / "some.csv"
    result = coded("export", "excerpts", "--out", out, *filters)
    assert result.exit_code == 0, result.stderr
    _header, *rows = read_csv(out)
    assert [r[4] for r in rows] == codes


def test_the_workbook_has_a_frozen_filtered_header_text_as_text_and_real_times(
    coded: Cli, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "codings.xlsx"
    assert coded("export", "excerpts", "--out", out).exit_code == 0
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L6"
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.font.b for c in sheet[1])
    label = sheet[5]
    assert label[3].value == "=SUM(A1) the label stuck."
    assert label[3].data_type == "s"  # text, not a formula
    assert sheet[6][3].value == "Staff were kind, mostly."  # a character Excel refuses
    assert isinstance(label[1].value, int) and isinstance(label[7].value, datetime)
    assert sheet[2][8].value == 34  # an attribute written as a number is one
    assert sheet[2][9].value == "x1"
    assert label[6].value == "a “memo”"
    # the same codings as the CSV, cell for cell
    assert coded("export", "excerpts", "--out", tmp_path / "codings.csv").exit_code == 0
    _header, *rows = read_csv(tmp_path / "codings.csv")

    def shown(value: object) -> str:
        if isinstance(value, datetime):
            return value.isoformat(sep=" ", timespec="seconds")
        return "" if value is None else str(value)

    workbook_rows = [[shown(c.value) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert workbook_rows == [[v.replace("\x0b", "") for v in row] for row in rows]


def test_bad_requests_leave_no_file_and_the_project_as_it_was(coded: Cli, tmp_path: Path) -> None:
    before, files = dump_database(coded), sorted(tmp_path.iterdir())
    for args, message in [
        (("--out", tmp_path / "x.txt"), "cannot export the codings as '.txt'; use .csv or .xlsx"),
        (("--out", tmp_path / "x.csv", "--code", "Nope"), "no code named 'Nope'"),
        (("--out", tmp_path / "x.csv", "--coder", "nobody"), "no coder named 'nobody'"),
        (("--out", tmp_path / "x.csv", "--source", "int9"), "no source named 'int9'"),
        (("--out", tmp_path / "no" / "x.csv"), "no"),
    ]:
        result = coded("export", "excerpts", *args)
        assert result.exit_code == 1
        assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert sorted(tmp_path.iterdir()) == files
    assert dump_database(coded) == before


def test_an_empty_selection_writes_the_header(coded: Cli, tmp_path: Path) -> None:
    out = tmp_path / "none.csv"
    result = coded("export", "excerpts", "--out", out, "--code", "Access")
    assert result.stdout == f"wrote 0 codings to {out}\n"
    assert read_csv(out) == [HEADER[:8]]


def test_a_time_in_the_workbook_reads_back_to_the_second() -> None:
    """A date-time cell is a day count; read back, it is the coding's time exactly."""
    import random

    from openpyxl.utils.datetime import from_excel

    from cen_themes.exporters.codings import _serial

    rng = random.Random(5)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    for _ in range(5_000):
        moment = start + timedelta(seconds=rng.randrange(40 * 365 * 86400))
        assert from_excel(float(_serial(moment))) == moment.replace(tzinfo=None)
