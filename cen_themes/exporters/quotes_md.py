"""The quotes report as Markdown: a heading per theme, quotes as blockquotes."""

from __future__ import annotations

from cen_themes.exporters.quotes import (
    NO_EXCERPTS,
    Report,
    codes_line,
    counts_line,
    source_line,
)
from cen_themes.exporters.text import md_text
from cen_themes.results import ExcerptView, ThemeReport


def render_markdown(report: Report) -> bytes:
    """``# title``, then each theme at ``##``, its subthemes one level deeper."""
    blocks = [f"# {md_text(report.title)}"]
    for theme in report.reports:
        blocks += _theme(theme, level=2)
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def _theme(report: ThemeReport, level: int) -> list[str]:
    theme = report.theme
    blocks = [f"{'#' * min(level, 6)} {md_text(theme.name)}"]
    if theme.description:
        blocks.append(md_text(theme.description))
    blocks += [f"*Memo:* {md_text(memo)}" for memo in theme.memos]
    blocks += [md_text(codes_line(theme)), md_text(counts_line(theme))]
    if not report.excerpts:
        blocks.append(f"*{NO_EXCERPTS}*")
    for excerpt in report.excerpts:
        blocks += _excerpt(excerpt, report.source_attributes)
    for subtheme in report.subthemes:
        blocks += _theme(subtheme, level + 1)
    return blocks


def _excerpt(excerpt: ExcerptView, attributes: dict[str, dict[str, str]]) -> list[str]:
    quote = md_text(f"“{excerpt.text}”")
    lines = [*quote.split("\n"), "", f"— {md_text(source_line(excerpt, attributes))}"]
    blocks = ["\n".join(f"> {line}".rstrip() for line in lines)]
    if excerpt.memo:
        blocks.append(f"*Memo:* {md_text(excerpt.memo)}")
    return blocks
