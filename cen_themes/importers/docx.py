"""Word documents (.docx): body paragraphs and tables in document order, one per line."""

from __future__ import annotations

import io
from collections.abc import Iterator

import docx
from docx.document import Document as WordDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from cen_themes.errors import CenThemesError, ImportFormatError
from cen_themes.importers.base import Document
from cen_themes.importers.encoding import normalise_newlines
from cen_themes.importers.turns import detect_turns

__all__ = ["parse_docx"]

DAMAGED_MESSAGE = "damaged or not a Word document"

SPEAKER_CELL_MAX = 40
"""A table row whose first cell is at most this long reads as ``First: second``."""

# Header cells of a transcript table ("Speaker | Text"): such a row is not a turn.
_HEADER_CELLS = frozenset({"name", "person", "role", "speaker", "who"})

# Runs of a paragraph, in order: also those inside hyperlinks, tracked insertions, smart
# tags, fields and content controls (python-docx's Paragraph.text skips the last four),
# but not those of text boxes anchored in it, nor the fallback copy of a drawing.
_RUNS = etree.XPath(
    ".//w:r[not(ancestor::w:txbxContent) and not(ancestor::mc:Fallback)]",
    namespaces={
        "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    },
)


def parse_docx(data: bytes, speaker_pattern: str | None = None) -> Document:
    """Read a .docx file's bytes into a :class:`Document`.

    Each body paragraph is one line. A table row whose first cell is short (a speaker)
    and whose second cell holds text is written ``First: second`` (an empty first cell
    gives just the second); other rows join their cells with `` | ``. Headers,
    footers, comments and text boxes are left out.
    """
    try:
        lines = list(_body_lines(docx.Document(io.BytesIO(data))))
    except CenThemesError:
        raise
    except Exception as exc:  # zip, XML or package errors: the file is not usable
        raise ImportFormatError(DAMAGED_MESSAGE) from exc
    text = normalise_newlines("\n".join(lines))
    turns, skips = detect_turns(text, speaker_pattern)
    return Document(text=text, turns=turns, skips=skips, format="docx")


def _body_lines(document: WordDocument) -> Iterator[str]:
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield _paragraph_text(block)
        elif isinstance(block, Table):
            yield from _table_lines(block)


def _paragraph_text(paragraph: Paragraph) -> str:
    return "".join(run.text for run in _RUNS(paragraph._p))


def _table_lines(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells = []
        for cell in row.cells:  # a merged cell is repeated: keep it once
            if not cells or cell._tc is not cells[-1]._tc:
                cells.append(cell)
        texts = ["\n".join(_paragraph_text(p) for p in cell.paragraphs) for cell in cells]
        yield _row_text(texts)


def _row_text(texts: list[str]) -> str:
    """``Speaker: words`` for a two-cell transcript row, else the cells joined."""
    if len(texts) == 2:
        first = texts[0].strip().rstrip(":").strip()
        second = texts[1].strip()
        if not first and second:  # the speaker of the row above goes on
            return second
        if (
            first
            and second
            and len(first) <= SPEAKER_CELL_MAX
            and "\n" not in first
            and first.lower() not in _HEADER_CELLS
        ):
            return f"{first}: {second}"
    return " | ".join(texts)
