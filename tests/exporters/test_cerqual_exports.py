"""The GRADE-CERQual tables as files: the Summary of Qualitative Findings and the
evidence profile, from findings made here (no project needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cen_themes.errors import InputError
from cen_themes.exporters.cerqual import evidence_profile, summary_of_findings, write_table
from cen_themes.exporters.tables import Grid, Part, Value, write_grid
from cen_themes.results.synthesis import CERQUAL_COMPONENTS, CerqualComponent, CerqualFinding


def finding(
    theme: str,
    text: str = "",
    levels: dict[str, tuple[str, str]] | None = None,
    confidence: str | None = None,
    why: str = "",
    sources: tuple[str, ...] = (),
) -> CerqualFinding:
    given = levels or {}
    return CerqualFinding(
        id=1,
        theme=theme,
        depth=theme.count(" > "),
        assessed=True,
        finding=text,
        components={c: CerqualComponent(*given.get(c, (None, ""))) for c in CERQUAL_COMPONENTS},
        confidence=confidence,
        explanation=why,
        sources=list(sources),
    )


FINDINGS = [
    finding(
        "Access",
        "Waits | delays kept people\nfrom care.",
        {"limitations": ("minor", "sampling unclear"), "coherence": ("no", "")},
        "very-low",
        "=SUM(A1) looks like a formula",
        ("Zed 2020", "Adams 2019"),
    ),
    finding("Care > Kindness", levels={"relevance": ("serious", "other\x07 settings")}),
]


def test_summary_of_findings_as_markdown(tmp_path: Path) -> None:
    out = tmp_path / "soqf.md"
    write_table(summary_of_findings(FINDINGS), out)
    assert out.read_text(encoding="utf-8").splitlines() == [
        "# Summary of Qualitative Findings",
        "",
        "| # | Summarised review finding | GRADE-CERQual assessment of confidence "
        "| Explanation of GRADE-CERQual assessment | References |",
        "| ---: | --- | --- | --- | --- |",
        "| 1 | **Access**<br>Waits \\| delays kept people<br>from care. | Very low confidence "
        "| =SUM(A1) looks like a formula | Zed 2020; Adams 2019 |",
        "| 2 | **Care > Kindness** | Not assessed |  |  |",
    ]


def test_evidence_profile_as_a_word_table_on_landscape_pages(tmp_path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    out = tmp_path / "profile.docx"
    write_table(evidence_profile(FINDINGS), out)
    document = Document(str(out))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    assert document.paragraphs[0].text == "GRADE-CERQual evidence profile"
    (table,) = document.tables
    assert len(table.rows) == 3 and len(table.columns) == 9
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    limitations = table.rows[1].cells[3]
    assert [p.text for p in limitations.paragraphs] == ["Minor concerns", "sampling unclear"]
    assert [r.bold for p in limitations.paragraphs for r in p.runs] == [True, False]
    assert table.rows[1].cells[1].paragraphs[1].text == "Waits | delays kept people"
    assert table.rows[2].cells[6].text == "Serious concerns\nother settings"  # no control
    assert table.rows[2].cells[3].text == "Not assessed"


def test_summary_of_findings_as_a_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "soqf.xlsx"
    write_table(summary_of_findings(FINDINGS), out)
    sheet = load_workbook(out).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        [
            "#",
            "Summarised review finding",
            "GRADE-CERQual assessment of confidence",
            "Explanation of GRADE-CERQual assessment",
            "References",
        ],
        [
            1,
            "Access\nWaits | delays kept people\nfrom care.",
            "Very low confidence",
            "=SUM(A1) looks like a formula",  # text, never a formula
            "Zed 2020; Adams 2019",
        ],
        [2, "Care > Kindness", "Not assessed", None, None],
    ]
    assert sheet["D2"].data_type == "s"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["B2"].alignment.wrap_text
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:E3")


def test_a_wrong_extension_is_refused_and_nothing_written(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"soqf\.csv: cannot export .* use \.md, \.docx or \.xlsx"):
        write_table(summary_of_findings(FINDINGS), tmp_path / "soqf.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "soqf.docx"
    out.write_bytes(b"before")
    broken = summary_of_findings(FINDINGS)
    broken.rows[0].append([])  # a row wider than the header: the Word writer fails
    with pytest.raises(ValueError):
        write_table(broken, out)
    assert out.read_bytes() == b"before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["soqf.docx"]


def test_a_word_table_keeps_its_styles_type_sizes_and_notes_in_order(tmp_path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    header = ["#", "Finding & <why>", *(f"Column {n}" for n in range(5))]
    rows: list[list[Value]] = [
        [1, [Part("Access\x07 😀", bold=True), Part("tab\there & <b>")], *["x"] * 5],
        [2, "", *["y"] * 5],
    ]
    out = tmp_path / "table.docx"
    grid = Grid("Studies & <more>", header, rows, notes=["First note", "Second & <note>"])
    write_grid(grid, out, "a table")
    document = Document(str(out))
    assert [(p.style.name, p.text) for p in document.paragraphs] == [
        ("Heading 1", "Studies & <more>"),
        ("Normal", "First note"),
        ("Normal", "Second & <note>"),
    ]
    assert all(r.font.size == Pt(9) for p in document.paragraphs[1:] for r in p.runs)
    body = document.element.body
    assert [child.tag for child in body] == [
        qn(t) for t in ("w:p", "w:tbl", "w:p", "w:p", "w:sectPr")
    ]
    (table,) = document.tables
    assert table.style.name == "Table Grid"
    first = table.rows[1].cells[1].paragraphs
    assert [(r.text, r.bold, r.font.size) for p in first for r in p.runs] == [
        ("Access 😀", True, Pt(9)),  # more than six columns: the smaller type
        ("tab\there & <b>", False, Pt(9)),
    ]
    assert all(r.bold for cell in table.rows[0].cells for r in cell.paragraphs[0].runs)
    number = table.rows[2].cells[0].paragraphs[0]
    assert (number.text, number.alignment) == ("2", WD_ALIGN_PARAGRAPH.RIGHT)
    assert table.rows[2].cells[1].paragraphs[0].alignment is None
