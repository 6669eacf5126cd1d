"""The quotes report as a Word document: heading levels by theme depth, quotes in
the "Quote" style with a source line under each."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt, RGBColor

from cen_themes.exporters.docx_body import BodyWriter, RunFormat
from cen_themes.exporters.quotes import (
    NO_EXCERPTS,
    Report,
    codes_line,
    counts_line,
    source_line,
)
from cen_themes.results import ExcerptView, ThemeReport

MAX_HEADING = 9  # Word's deepest built-in heading
_SOURCE = RunFormat(size=Pt(9), color=RGBColor(0x59, 0x59, 0x59))
_ITALIC = RunFormat(italic=True)
_BOLD = RunFormat(bold=True)


def render_docx(report: Report) -> bytes:
    """The title, then each theme at Heading 1, its subthemes one level deeper."""
    document = Document()
    body = BodyWriter(document)
    body.heading(report.title, level=0)
    for theme in report.reports:
        _theme(body, theme, level=1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _theme(body: BodyWriter, report: ThemeReport, level: int) -> None:
    theme = report.theme
    body.heading(theme.name, level=min(level, MAX_HEADING))
    if theme.description:
        body.paragraph(theme.description)
    for text in theme.memos:
        _memo(body, text)
    body.paragraph(codes_line(theme))
    body.paragraph(counts_line(theme))
    if not report.excerpts:
        body.paragraph(NO_EXCERPTS, run=_ITALIC)
    for excerpt in report.excerpts:
        _excerpt(body, excerpt, report.source_attributes)
    for subtheme in report.subthemes:
        _theme(body, subtheme, level + 1)


def _excerpt(body: BodyWriter, excerpt: ExcerptView, attributes: dict[str, dict[str, str]]) -> None:
    body.paragraph(f"“{excerpt.text}”", style="Quote")
    body.paragraph(f"— {source_line(excerpt, attributes)}", run=_SOURCE)
    if excerpt.memo:
        _memo(body, excerpt.memo)


def _memo(body: BodyWriter, text: str) -> None:
    memo = body.paragraph("Memo: ", run=_BOLD)
    body.run(memo, text)
