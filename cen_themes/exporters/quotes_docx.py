"""The quotes report as a Word document: heading levels by theme depth, quotes in
the "Quote" style with a source line under each."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as WordDocument
from docx.shared import Pt, RGBColor

from cen_themes.exporters.quotes import (
    NO_EXCERPTS,
    Report,
    codes_line,
    counts_line,
    source_line,
)
from cen_themes.results import ExcerptView, ThemeReport

MAX_HEADING = 9  # Word's deepest built-in heading
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GREY = RGBColor(0x59, 0x59, 0x59)


def render_docx(report: Report) -> bytes:
    """The title, then each theme at Heading 1, its subthemes one level deeper."""
    document = Document()
    document.add_heading(_clean(report.title), level=0)
    for theme in report.reports:
        _theme(document, theme, level=1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _theme(document: WordDocument, report: ThemeReport, level: int) -> None:
    theme = report.theme
    document.add_heading(_clean(theme.name), level=min(level, MAX_HEADING))
    if theme.description:
        document.add_paragraph(_clean(theme.description))
    for text in theme.memos:
        _memo(document, text)
    document.add_paragraph(_clean(codes_line(theme)))
    document.add_paragraph(counts_line(theme))
    if not report.excerpts:
        document.add_paragraph().add_run(NO_EXCERPTS).italic = True
    for excerpt in report.excerpts:
        _excerpt(document, excerpt, report.source_attributes)
    for subtheme in report.subthemes:
        _theme(document, subtheme, level + 1)


def _excerpt(
    document: WordDocument, excerpt: ExcerptView, attributes: dict[str, dict[str, str]]
) -> None:
    document.add_paragraph(_clean(f"“{excerpt.text}”"), style="Quote")
    line = document.add_paragraph().add_run(_clean(f"— {source_line(excerpt, attributes)}"))
    line.font.size = Pt(9)
    line.font.color.rgb = _GREY
    if excerpt.memo:
        _memo(document, excerpt.memo)


def _memo(document: WordDocument, text: str) -> None:
    memo = document.add_paragraph()
    memo.add_run("Memo: ").bold = True
    memo.add_run(_clean(text))


def _clean(text: str) -> str:
    """``text`` without the control characters XML cannot hold."""
    return _NOT_XML.sub("", text)
