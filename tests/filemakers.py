"""Build small real files of each importable format for the importer tests."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import docx
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from pypdf import PdfReader, PdfWriter


def _pdf_string(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf_bytes(pages: Sequence[Sequence[str]]) -> bytes:
    """A minimal valid PDF: one page per item, each line shown in Helvetica with Tj.

    Lines must be Latin-1 (WinAnsi) text.
    """
    page_count = len(pages)
    font_id = 3 + 2 * page_count
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        (
            "<< /Type /Pages /Kids ["
            + " ".join(f"{3 + 2 * i} 0 R" for i in range(page_count))
            + f"] /Count {page_count} >>"
        ).encode(),
    ]
    for index, lines in enumerate(pages):
        content_id = 4 + 2 * index
        objects.append(
            (
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                f"/Resources << /Font << /F1 {font_id} 0 R >> >> "
                f"/Contents {content_id} 0 R >>"
            ).encode()
        )
        ops = ["BT", "/F1 11 Tf", "14 TL", "50 750 Td"]
        for line in lines:
            ops.append(f"({_pdf_string(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def write_text_pdf(path: Path, pages: Sequence[Sequence[str]]) -> Path:
    path.write_bytes(text_pdf_bytes(pages))
    return path


def write_encrypted_pdf(
    path: Path, pages: Sequence[Sequence[str]], user_password: str, owner_password: str
) -> Path:
    """A text PDF encrypted with AES-256; an empty user password opens it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf_bytes(pages))))
    writer.encrypt(user_password, owner_password, algorithm="AES-256")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_image_only_pdf(path: Path) -> Path:
    """A PDF whose pages have no text at all (what a scanner without OCR produces)."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_blank_page(width=612, height=792)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_docx(
    path: Path,
    paragraphs: Sequence[str] = (),
    table_rows: Sequence[Sequence[str]] = (),
    after_table: Sequence[str] = (),
) -> Path:
    """A .docx with paragraphs, then a table (if rows are given), then more paragraphs."""
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table_rows:
        table = document.add_table(rows=len(table_rows), cols=max(map(len, table_rows)))
        for row, cells in zip(table.rows, table_rows, strict=True):
            for cell, value in zip(row.cells, cells, strict=False):
                cell.text = value
    for paragraph in after_table:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def write_odt(
    path: Path,
    heading: str | None = None,
    paragraphs: Sequence[str] = (),
    list_items: Sequence[str] = (),
    table_cells: Sequence[str] = (),
) -> Path:
    """An .odt with a heading, paragraphs, a bulleted list and a one-row table."""
    document = OpenDocumentText()
    if heading is not None:
        document.text.addElement(odf_text.H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        document.text.addElement(odf_text.P(text=paragraph))
    if list_items:
        items = odf_text.List()
        for item in list_items:
            entry = odf_text.ListItem()
            entry.addElement(odf_text.P(text=item))
            items.addElement(entry)
        document.text.addElement(items)
    if table_cells:
        table = odf_table.Table(name="T1")
        table.addElement(odf_table.TableColumn(numbercolumnsrepeated=len(table_cells)))
        row = odf_table.TableRow()
        for value in table_cells:
            cell = odf_table.TableCell()
            cell.addElement(odf_text.P(text=value))
            row.addElement(cell)
        table.addElement(row)
        document.text.addElement(table)
    document.save(str(path))
    return path


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
    b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
"""A real 1x1 PNG image."""
