"""write_matrix(): CSV, xlsx, Markdown and HTML files, written atomically."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cen_themes.errors import InputError
from cen_themes.exporters import Table, layout, write_matrix
from cen_themes.results import Matrix, MatrixRow, SourceColumn

from .test_study import (
    DISMISSED,
    E2,
    E4,
    LONG_TERM_THEME,
    SCRIPT,
    STIGMA,
    study_matrix,
)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def export(tmp_path: Path, name: str, **options: object) -> Path:
    path = tmp_path / name
    write_matrix(layout(study_matrix(), **options), path)  # type: ignore[arg-type]
    return path


# CSV


def test_csv_is_the_matrix_grid_in_plain_utf8(tmp_path: Path) -> None:
    path = export(tmp_path, "matrix.csv")
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    assert read_csv(path) == [
        ["theme", "su01", "staff01", "su02", "n_sources", "n_excerpts"],
        [STIGMA, "2", "1", "1", "3", "4"],
        [DISMISSED, "1", "0", "1", "2", "2"],
        [LONG_TERM_THEME, "0", "1", "1", "2", "2"],
    ]


def test_csv_grouped_has_the_subtotals(tmp_path: Path) -> None:
    assert read_csv(export(tmp_path, "matrix.csv", group_by="group")) == [
        [
            "theme",
            "su01",
            "su02",
            "group=service user total",
            "staff01",
            "group=Staff total",
            "n_sources",
            "n_excerpts",
        ],
        [STIGMA, "2", "1", "3", "1", "1", "3", "4"],
        [DISMISSED, "1", "1", "2", "0", "0", "2", "2"],
        [LONG_TERM_THEME, "0", "1", "1", "1", "1", "2", "2"],
    ]


def test_csv_presence(tmp_path: Path) -> None:
    rows = read_csv(export(tmp_path, "matrix.csv", cells="presence"))
    assert rows[1:] == [
        [STIGMA, "1", "1", "1", "3", "4"],
        [DISMISSED, "1", "0", "1", "2", "2"],
        [LONG_TERM_THEME, "0", "1", "1", "2", "2"],
    ]


def test_csv_transposed_and_grouped(tmp_path: Path) -> None:
    assert read_csv(export(tmp_path, "matrix.csv", group_by="group", transpose=True)) == [
        ["source", STIGMA, DISMISSED, LONG_TERM_THEME, "n_themes", "n_excerpts"],
        ["su01", "2", "1", "0", "2", "2"],
        ["su02", "1", "1", "1", "3", "2"],
        ["group=service user total", "3", "2", "1", "3", "4"],
        ["staff01", "1", "0", "1", "2", "2"],
        ["group=Staff total", "1", "0", "1", "2", "2"],
    ]


def test_csv_quotes_keep_newlines_pipes_and_quotes(tmp_path: Path) -> None:
    rows = read_csv(export(tmp_path, "matrix.csv", cells="quotes"))
    assert rows[2] == [
        DISMISSED,
        "“At A&E they told me I was wasting their time | again.” (su01 120–173)",
        "",
        "“I sat there for six hours.\nNobody asked how I was.” (su02 40–90)",
        "2",
        "2",
    ]
    assert rows[1][2] == f"“Someone typed {SCRIPT} into the feedback form.” (staff01 300–363)"


# xlsx


def test_xlsx_has_a_bold_frozen_header_numbers_and_widths(tmp_path: Path) -> None:
    path = export(tmp_path, "matrix.xlsx", group_by="group")
    sheet = openpyxl.load_workbook(path)["Matrix"]
    assert sheet.freeze_panes == "B2"
    assert [cell.value for cell in sheet[1]][:4] == [
        "theme",
        "su01",
        "su02",
        "group=service user total",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert [cell.value for cell in sheet[2]] == [STIGMA, 2, 1, 3, 1, 1, 3, 4]
    assert isinstance(sheet["B2"].value, int)
    assert sheet["B2"].data_type == "n"
    label_width = sheet.column_dimensions["A"].width
    assert len(DISMISSED) <= label_width <= 60
    assert sheet.column_dimensions["B"].width < label_width
    rules = sheet.conditional_formatting
    assert any(rule.type == "colorScale" for entry in rules for rule in entry.rules)


def test_xlsx_quotes_wrap_and_text_is_never_a_formula(tmp_path: Path) -> None:
    matrix = study_matrix()
    source = SourceColumn('=HYPERLINK("http://x")', {})
    formula = Matrix("codes", [source], [MatrixRow("=1+1", 0, [0], 0, 0)], [0])
    path = tmp_path / "formula.xlsx"
    write_matrix(layout(formula), path)
    sheet = openpyxl.load_workbook(path)["Matrix"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")
    assert sheet["B1"].data_type == "s"

    path = tmp_path / "quotes.xlsx"
    write_matrix(layout(matrix, cells="quotes"), path)
    sheet = openpyxl.load_workbook(path)["Matrix"]
    assert sheet["B3"].value.startswith("“At A&E")
    assert sheet["B3"].alignment.wrap_text
    assert sheet["F2"].value == 4
    assert sheet.column_dimensions["A"].width <= 60


# Markdown


def test_markdown_is_a_pipe_table_with_numbers_right_aligned(tmp_path: Path) -> None:
    lines = export(tmp_path, "matrix.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "| theme | su01 | staff01 | su02 | n_sources | n_excerpts |"
    assert lines[1] == "| --- | ---: | ---: | ---: | ---: | ---: |"
    assert lines[2] == f"| {STIGMA} | 2 | 1 | 1 | 3 | 4 |"
    assert len(lines) == 5


def test_markdown_quotes_escape_pipes_newlines_and_html(tmp_path: Path) -> None:
    text = export(tmp_path, "matrix.md", cells="quotes").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == 5  # the newline inside a quote did not break the table
    assert "wasting their time \\| again." in lines[3]
    assert "six hours.<br>Nobody asked" in lines[3]
    assert "(su01 0–63)<br><br>“At A&E" in lines[2]
    assert SCRIPT not in text
    assert "\\<script>alert(1)\\</script>" in text
    assert lines[1] == "| --- | --- | --- | --- | ---: | ---: |"
    for line in lines:  # every row has as many unescaped pipes as the header
        assert line.replace("\\|", "").count("|") == 7


# HTML


class Cells(HTMLParser):
    """The <td>/<th> cells of a page: their attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, dict[str, str | None], str]] = []
        self.tags: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in {"td", "th"}:
            self._open, self._text = (tag, dict(attrs)), []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._open is not None:
            self.cells.append((*self._open, "".join(self._text)))
            self._open = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def parse(path: Path) -> tuple[Cells, str]:
    page = path.read_text(encoding="utf-8")
    parser = Cells()
    parser.feed(page)
    return parser, page


def test_html_is_a_heatmap_with_excerpts_on_hover(tmp_path: Path) -> None:
    parser, page = parse(export(tmp_path, "matrix.html", group_by="group"))
    assert page.startswith("<!DOCTYPE html>")
    assert "<caption>Themes by source: excerpt counts, sources grouped by group</caption>" in page
    assert "position: sticky" in page
    assert not {"script", "link", "img", "iframe"} & set(parser.tags)
    cells = [(tag, attrs, text) for tag, attrs, text in parser.cells if tag == "td"]
    biggest = cells[0][1]  # Stigma in su01: 2, the largest source cell
    zero = cells[10][1]  # Dismissed at A&E in staff01: 0
    assert cells[0][2] == "2" and cells[10][2] == "0"
    assert "rgba(31, 119, 180, 1.000)" in (biggest["style"] or "")
    assert zero.get("style") != biggest["style"]
    assert "style" not in zero and "title" not in zero
    assert "At A&E they told me" in (biggest["title"] or "")
    assert "(su01 120–173)" in (biggest["title"] or "")
    subtotal = cells[2][1]  # group=service user total for Stigma: 3
    assert "subtotal" in (subtotal["class"] or "")
    assert "230, 126, 34" in (subtotal["style"] or "")  # its own colour and scale
    assert "total" in (cells[5][1]["class"] or "") and "style" not in cells[5][1]


def test_html_escapes_everything(tmp_path: Path) -> None:
    matrix = study_matrix()
    matrix.sources[1] = SourceColumn(SCRIPT, {"group": SCRIPT})
    for cells, transpose in [("count", False), ("quotes", True)]:
        path = tmp_path / f"{cells}.html"
        write_matrix(layout(matrix, cells=cells, group_by="group", transpose=transpose), path)
        parser, page = parse(path)
        assert "<script" not in page.lower()
        assert "script" not in parser.tags
        assert any(SCRIPT in text for _, _, text in parser.cells)  # shown as text
        if cells == "count":  # the hover text holds the excerpt, <script> and all
            titles = [attrs.get("title") or "" for _, attrs, _ in parser.cells]
            assert any(E4.text in title for title in titles)


def test_html_quotes_cells_show_each_quote(tmp_path: Path) -> None:
    parser, page = parse(export(tmp_path, "matrix.html", cells="quotes"))
    assert "Quotes" not in page.split("<caption>")[0]
    assert "Themes by source: quotes" in page
    assert "six hours.<br>\nNobody asked" in page
    assert any(E2.text in text for _, _, text in parser.cells)


# errors and atomic writing


@pytest.mark.parametrize("name", ["matrix.txt", "matrix", "matrix.xls"])
def test_an_unsupported_extension_is_an_input_error_and_writes_nothing(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(InputError, match=r"\.csv, \.xlsx, \.md or \.html") as raised:
        write_matrix(layout(study_matrix()), tmp_path / name)
    assert str(tmp_path / name) in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_the_extension_is_case_insensitive(tmp_path: Path) -> None:
    path = export(tmp_path, "Matrix.CSV")
    assert read_csv(path)[0][0] == "theme"


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "matrix.csv"
    with pytest.raises(InputError, match="does not exist") as raised:
        write_matrix(layout(study_matrix()), path)
    assert str(path) in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_or_a_file_in_the_way_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "matrix.csv").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        write_matrix(layout(study_matrix()), tmp_path / "matrix.csv")
    (tmp_path / "notes").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        write_matrix(layout(study_matrix()), tmp_path / "notes" / "matrix.csv")


def test_an_unwritable_folder_is_an_input_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot write"):
            write_matrix(layout(study_matrix()), tmp_path / "matrix.csv")
    finally:
        tmp_path.chmod(0o700)


def test_a_path_that_cannot_be_created_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    path = tmp_path / "matrix.csv"
    with pytest.raises(InputError, match=r"cannot write the file \(Permission denied\)") as raised:
        write_matrix(layout(study_matrix()), path)
    assert str(path) in str(raised.value)


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "real.csv")
    write_matrix(layout(study_matrix()), link)
    assert link.is_symlink()
    assert read_csv(tmp_path / "real.csv")[0][0] == "theme"


def test_an_export_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "matrix.md"
    path.write_text("old content that is much longer than the new table\n" * 200)
    path.chmod(0o640)
    write_matrix(layout(study_matrix()), path)
    assert path.read_text(encoding="utf-8").startswith("| theme |")
    assert "old content" not in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["matrix.md"]


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "matrix.csv"
    path.write_text("old\n")

    def refuse(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError, match="No space left on device"):
        write_matrix(layout(study_matrix()), path)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["matrix.csv"]


def test_a_new_file_is_readable_by_others_as_umask_allows(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = export(tmp_path, "matrix.html")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644


def test_importing_the_exporters_loads_neither_openpyxl_nor_python_docx() -> None:
    script = (
        "import sys, cen_themes.exporters\nprint('openpyxl' in sys.modules, 'docx' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


# property


@st.composite
def matrices(draw: st.DrawFn) -> Matrix:
    values = st.sampled_from(["a", "B", "b", "c", None])
    groups = draw(st.lists(values, min_size=1, max_size=6).filter(lambda v: any(v)))
    sources = [
        SourceColumn(f"s{i}", {} if group is None else {"g": group})
        for i, group in enumerate(groups)
    ]
    rows = []
    for r in range(draw(st.integers(0, 5))):
        counts = draw(st.lists(st.integers(0, 9), min_size=len(sources), max_size=len(sources)))
        n_excerpts = draw(st.integers(sum(counts), sum(counts) + 3))
        rows.append(MatrixRow(f"t{r}", 0, counts, sum(c > 0 for c in counts), n_excerpts))
    return Matrix("themes", sources, rows, [draw(st.integers(0, 50)) for _ in sources])


@settings(max_examples=60, deadline=None)
@given(matrix=matrices(), cells=st.sampled_from(["count", "presence"]))
def test_csv_subtotals_are_the_sums_of_their_groups(matrix: Matrix, cells: str) -> None:
    table: Table = layout(matrix, cells=cells, group_by="g")  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "matrix.csv"
        write_matrix(table, path)
        header, *lines = read_csv(path)
    assert len(lines) == len(matrix.rows)
    names = [source.name for source in matrix.sources]
    assert sorted(h for h in header if h in names) == sorted(names)  # each source once
    assert header[-1] == "n_excerpts"
    for row, line in zip(matrix.rows, lines, strict=True):
        assert int(line[-1]) == row.n_excerpts
        assert int(line[-2]) == row.n_sources
        group: list[int] = []
        for heading, value in zip(header[1:-2], line[1:-2], strict=True):
            if heading.endswith(" total"):
                assert int(value) == sum(group)
                group = []
            else:
                count = row.counts[names.index(heading)]
                expected = int(count > 0) if cells == "presence" else count
                assert int(value) == expected
                group.append(expected)
        assert group == []  # every source column is followed by its subtotal
