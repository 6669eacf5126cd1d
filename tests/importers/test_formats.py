"""Each file format read into stored text and turns: txt, md, docx, odt, pdf."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from odf import text as odf_text
from odf.office import Annotation
from odf.opendocument import OpenDocumentText

from cen_themes.importers import read_document
from cen_themes.importers.base import Document

from ..filemakers import (
    write_docx,
    write_encrypted_pdf,
    write_odt,
    write_text_pdf,
)


def spoken(document: Document) -> list[tuple[str | None, str]]:
    return [(t.speaker, document.text[t.start : t.end]) for t in document.turns]


class TestPlain:
    def test_txt(self, tmp_path: Path) -> None:
        path = tmp_path / "int.txt"
        path.write_bytes("\ufeffInterviewer: Hi?\r\nP01: Café.\r\n".encode())
        document = read_document(path)
        assert document.format == "txt"
        assert document.text == "Interviewer: Hi?\nP01: Café.\n"
        assert spoken(document) == [("Interviewer", "Hi?"), ("P01", "Café.")]

    def test_extension_is_case_insensitive(self, tmp_path: Path) -> None:
        path = tmp_path / "INT.TXT"
        path.write_text("Just prose.\n")
        assert read_document(path).text == "Just prose.\n"

    def test_cp1252_file(self, tmp_path: Path) -> None:
        path = tmp_path / "legacy.txt"
        path.write_bytes("Q: café — “naïve”?\r\nA: Oui.\r\n".encode("cp1252"))
        document = read_document(path)
        assert document.text == "Q: café — “naïve”?\nA: Oui.\n"
        assert spoken(document) == [("Q", "café — “naïve”?"), ("A", "Oui.")]

    def test_markdown_is_kept_verbatim(self, tmp_path: Path) -> None:
        text = (
            "# Interview 4\n\n*Recorded in May.*\n\n**Anna:** I _was_ fine.\n\n**Ben:** Me too.\n"
        )
        path = tmp_path / "notes.md"
        path.write_text(text, encoding="utf-8")
        document = read_document(path)
        assert document.format == "md"
        assert document.text == text
        assert spoken(document) == [
            (None, "# Interview 4\n\n*Recorded in May.*"),
            ("Anna", "I _was_ fine."),
            ("Ben", "Me too."),
        ]

    def test_speaker_pattern_is_passed_on(self, tmp_path: Path) -> None:
        path = tmp_path / "t.txt"
        path.write_text(">> ANN << Hello.\n>> BO << Hi.\n")
        document = read_document(path, speaker_pattern=r">> (?P<speaker>\w+) << ")
        assert spoken(document) == [("ANN", "Hello."), ("BO", "Hi.")]


class TestDocx:
    def test_paragraphs_one_per_line(self, tmp_path: Path) -> None:
        path = write_docx(
            tmp_path / "int.docx",
            ["Interview 2", "", "Interviewer: How was it?", "P02: Hard. Really hard."],
        )
        document = read_document(path)
        assert document.format == "docx"
        assert document.text == "Interview 2\n\nInterviewer: How was it?\nP02: Hard. Really hard."
        assert spoken(document) == [
            (None, "Interview 2"),
            ("Interviewer", "How was it?"),
            ("P02", "Hard. Really hard."),
        ]

    def test_table_transcript_in_document_order(self, tmp_path: Path) -> None:
        path = write_docx(
            tmp_path / "table.docx",
            ["Staff interview 3"],
            [
                ["Speaker", "Text"],
                ["Interviewer", "How long have you worked here?"],
                ["Nurse:", "Six years."],
                ["", "Maybe seven."],
                ["Interviewer", "And before?"],
                ["A rather long first cell that is surely not a speaker", "x"],
            ],
            ["End of interview."],
        )
        document = read_document(path)
        assert document.text == (
            "Staff interview 3\n"
            "Speaker | Text\n"
            "Interviewer: How long have you worked here?\n"
            "Nurse: Six years.\n"
            "Maybe seven.\n"
            "Interviewer: And before?\n"
            "A rather long first cell that is surely not a speaker | x\n"
            "End of interview."
        )
        assert [speaker for speaker, _ in spoken(document)] == [
            None,
            "Interviewer",
            "Nurse",
            "Interviewer",
        ]
        assert spoken(document)[2] == ("Nurse", "Six years.\nMaybe seven.")

    def test_wide_rows_and_merged_cells(self, tmp_path: Path) -> None:
        document = docx.Document()
        table = document.add_table(rows=2, cols=3)
        for cell, value in zip(table.rows[0].cells, ["00:01", "Ann", "Hello"], strict=True):
            cell.text = value
        merged = table.cell(1, 0).merge(table.cell(1, 2))
        merged.text = "A note across the row"
        document.save(str(tmp_path / "wide.docx"))
        result = read_document(tmp_path / "wide.docx")
        assert result.text == "00:01 | Ann | Hello\nA note across the row"

    def test_tracked_insertions_are_read_and_deletions_are_not(self, tmp_path: Path) -> None:
        document = docx.Document()
        paragraph = document.add_paragraph("Interviewer: We ")
        w = nsdecls("w")
        paragraph._p.append(
            parse_xml(
                f'<w:ins {w} w:id="1" w:author="A"><w:r>'
                '<w:t xml:space="preserve">really </w:t></w:r></w:ins>'
            )
        )
        paragraph._p.append(
            parse_xml(
                f'<w:del {w} w:id="2" w:author="A"><w:r><w:delText>never </w:delText></w:r></w:del>'
            )
        )
        paragraph.add_run("met.")
        document.add_paragraph("P01: Yes.")
        document.save(str(tmp_path / "tracked.docx"))
        result = read_document(tmp_path / "tracked.docx")
        assert result.text == "Interviewer: We really met.\nP01: Yes."

    def test_hyperlinks_tabs_and_breaks(self, tmp_path: Path) -> None:
        document = docx.Document()
        paragraph = document.add_paragraph("Q: See ")
        w = nsdecls("w")
        paragraph._p.append(
            parse_xml(f"<w:hyperlink {w}><w:r><w:t>the site</w:t></w:r></w:hyperlink>")
        )
        run = paragraph.add_run("\tnow")
        run.add_break()
        run.add_text("next line")
        document.add_paragraph("A: Ok.")
        document.save(str(tmp_path / "links.docx"))
        assert read_document(tmp_path / "links.docx").text == (
            "Q: See the site\tnow\nnext line\nA: Ok."
        )


class TestOdt:
    def test_headings_paragraphs_lists_and_tables_in_order(self, tmp_path: Path) -> None:
        path = write_odt(
            tmp_path / "int.odt",
            heading="Interview 7",
            paragraphs=["Interviewer: What helped?", "P07: Two things."],
            list_items=["the crisis line", "my GP"],
            table_cells=["Interviewer: Anything else?", "P07: No."],
        )
        document = read_document(path)
        assert document.format == "odt"
        assert document.text == (
            "Interview 7\nInterviewer: What helped?\nP07: Two things.\nthe crisis line\nmy GP\n"
            "Interviewer: Anything else?\nP07: No."
        )
        assert spoken(document) == [
            (None, "Interview 7"),
            ("Interviewer", "What helped?"),
            ("P07", "Two things.\nthe crisis line\nmy GP"),
            ("Interviewer", "Anything else?"),
            ("P07", "No."),
        ]

    def test_spaces_tabs_breaks_and_no_comments_or_footnotes(self, tmp_path: Path) -> None:
        document = OpenDocumentText()
        paragraph = odf_text.P(text="Q: one")
        paragraph.addElement(odf_text.S(c=3))
        paragraph.addText("two")
        paragraph.addElement(odf_text.Tab())
        paragraph.addText("three")
        paragraph.addElement(odf_text.LineBreak())
        paragraph.addText("four")
        comment = Annotation()
        comment.addElement(odf_text.P(text="a reviewer's comment"))
        paragraph.addElement(comment)
        note = odf_text.Note(id="n1", noteclass="footnote")
        note.addElement(odf_text.NoteCitation(text="1"))
        body = odf_text.NoteBody()
        body.addElement(odf_text.P(text="a footnote"))
        note.addElement(body)
        paragraph.addElement(note)
        paragraph.addText(" five")
        document.text.addElement(paragraph)
        document.text.addElement(odf_text.P(text="A: six"))
        document.save(str(tmp_path / "inline.odt"))
        result = read_document(tmp_path / "inline.odt")
        assert result.text == "Q: one   two\tthree\nfour five\nA: six"


class TestPdf:
    def test_text_pages_and_page_headers(self, tmp_path: Path) -> None:
        path = write_text_pdf(
            tmp_path / "int.pdf",
            [
                ["1/2", "Interviewer: How are you (today)?", "P01: Fine, thanks."],
                ["2/2", "and more from me.", "Interviewer: Good.", "P01: Yes, caf\u00e9."],
            ],
        )
        document = read_document(path)
        assert document.format == "pdf"
        assert "Interviewer: How are you (today)?" in document.text
        assert [document.text[s:e] for s, e in document.skips] == ["1/2", "2/2"]
        turns = spoken(document)
        assert turns[0] == (None, "1/2")
        assert turns[1] == ("Interviewer", "How are you (today)?")
        assert turns[2][0] == "P01"
        assert turns[2][1].startswith("Fine, thanks.") and turns[2][1].endswith("and more from me.")
        assert turns[-1] == ("P01", "Yes, café.")
        for start, end in document.skips:
            assert any(t.start <= start < end <= t.end for t in document.turns)

    def test_encrypted_with_an_empty_user_password_opens(self, tmp_path: Path) -> None:
        path = write_encrypted_pdf(
            tmp_path / "restricted.pdf", [["Q: Hello?", "A: Hi."]], "", "owner"
        )
        assert spoken(read_document(path)) == [("Q", "Hello?"), ("A", "Hi.")]


@pytest.mark.parametrize("extension", [".txt", ".md"])
def test_whitespace_is_kept_exactly(tmp_path: Path, extension: str) -> None:
    text = "  intro \nQ:   spaced   out  \n\n\tnot: a label\nA: tab\u00a0nbsp  \n\n\n"
    path = tmp_path / f"t{extension}"
    path.write_text(text, encoding="utf-8")
    document = read_document(path)
    assert document.text == text
    assert spoken(document) == [
        (None, "intro"),
        ("Q", "spaced   out  \n\n\tnot: a label"),
        ("A", "tab\u00a0nbsp"),
    ]
