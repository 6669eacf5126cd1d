"""The quotes report as one self-contained HTML page: nested sections, escaped."""

from __future__ import annotations

from html import escape

from cen_themes.exporters.quotes import (
    NO_EXCERPTS,
    Report,
    codes_line,
    counts_line,
    source_line,
)
from cen_themes.exporters.text import html_page, html_text
from cen_themes.results import ExcerptView, ThemeReport

_CSS = """\
body { font-family: Georgia, "Times New Roman", serif; max-width: 48rem; margin: 2rem auto;
  padding: 0 1rem; line-height: 1.5; color: #222; }
section.theme section.theme { margin-left: 1.2rem; }
p.description { font-style: italic; }
p.codes, p.counts { margin: 0.2rem 0; color: #444; font-family: system-ui, sans-serif;
  font-size: 0.9rem; }
figure.excerpt { margin: 1rem 0 1rem 1.5rem; }
figure.excerpt blockquote { margin: 0; padding-left: 1rem; border-left: 3px solid #9ab; }
figure.excerpt figcaption { color: #555; font-family: system-ui, sans-serif;
  font-size: 0.85rem; margin-top: 0.2rem; }
p.memo { font-size: 0.9rem; margin: 0.3rem 0 0; }
p.none { font-style: italic; color: #666; }
"""


def render_html(report: Report) -> bytes:
    """``<h1>`` title, then a ``<section>`` per theme, its subthemes nested in it."""
    body = f"<h1>{escape(report.title)}</h1>\n"
    body += "".join(_theme(theme, level=2) for theme in report.reports)
    return html_page(report.title, _CSS, body).encode("utf-8")


def _theme(report: ThemeReport, level: int) -> str:
    theme = report.theme
    heading = min(level, 6)
    parts = [
        '<section class="theme">\n',
        f"<h{heading}>{escape(theme.name)}</h{heading}>\n",
    ]
    if theme.description:
        parts.append(f'<p class="description">{html_text(theme.description)}</p>\n')
    parts += [_memo(text) for text in theme.memos]
    parts.append(f'<p class="codes">{escape(codes_line(theme))}</p>\n')
    parts.append(f'<p class="counts">{escape(counts_line(theme))}</p>\n')
    if not report.excerpts:
        parts.append(f'<p class="none">{escape(NO_EXCERPTS)}</p>\n')
    parts += [_excerpt(excerpt, report.source_attributes) for excerpt in report.excerpts]
    parts += [_theme(subtheme, level + 1) for subtheme in report.subthemes]
    parts.append("</section>\n")
    return "".join(parts)


def _excerpt(excerpt: ExcerptView, attributes: dict[str, dict[str, str]]) -> str:
    memo = _memo(excerpt.memo) if excerpt.memo else ""
    return (
        '<figure class="excerpt">\n'
        f"<blockquote><p>{html_text(f'“{excerpt.text}”')}</p></blockquote>\n"
        f"<figcaption>{escape(source_line(excerpt, attributes))}</figcaption>\n"
        f"{memo}</figure>\n"
    )


def _memo(text: str) -> str:
    return f'<p class="memo"><strong>Memo:</strong> {html_text(text)}</p>\n'
