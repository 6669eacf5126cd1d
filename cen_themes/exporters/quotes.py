"""The quotes report: one section per theme, subthemes nested, with its excerpts.

The format is chosen by the file's extension; the lines every format shares are built
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cen_themes.exporters.files import check_target, render, write_atomically
from cen_themes.exporters.layout import excerpt_reference
from cen_themes.exporters.text import plural
from cen_themes.results import ExcerptView, ThemeInfo, ThemeReport

DEFAULT_TITLE = "Themes and illustrative quotes"
NO_EXCERPTS = "No excerpts are coded for this theme yet."

# extension -> (module of this package, renderer ``(Report) -> bytes``), loaded on use
_RENDERERS: dict[str, tuple[str, str]] = {
    ".md": ("quotes_md", "render_markdown"),
    ".docx": ("quotes_docx", "render_docx"),
    ".html": ("quotes_html", "render_html"),
}

QUOTES_FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The extensions :func:`write_quotes` writes."""


@dataclass(frozen=True, slots=True)
class Report:
    """What a renderer gets: the title and the top-level themes' reports."""

    title: str
    reports: list[ThemeReport]


def write_quotes(reports: list[ThemeReport], path: Path, title: str = DEFAULT_TITLE) -> None:
    """Write the quotes report of the themes ``reports`` (each with its subthemes) to
    ``path`` (.md, .docx or .html), replacing any file there only once the new one is
    complete."""
    path = Path(path)
    suffix = check_target(path, QUOTES_FORMATS, "a quotes report")
    write_atomically(path, render(_RENDERERS[suffix], Report(title, reports)))


def codes_line(theme: ThemeInfo) -> str:
    """``Codes: A; B > C`` (the theme's own codes)."""
    return f"Codes: {'; '.join(theme.codes) if theme.codes else 'none'}"


def counts_line(theme: ThemeInfo) -> str:
    """``12 excerpts from 3 sources`` (with the subthemes')."""
    return f"{plural(theme.excerpts, 'excerpt')} from {plural(theme.sources, 'source')}"


def source_line(excerpt: ExcerptView, attributes: dict[str, dict[str, str]]) -> str:
    """``su01 120–245 · group=service user; setting=specialist · codes: A; B``."""
    parts = [excerpt_reference(excerpt)]
    own = attributes.get(excerpt.source, {})
    if own:
        parts.append("; ".join(f"{key}={value}" for key, value in own.items()))
    if excerpt.codes:
        parts.append(f"codes: {'; '.join(excerpt.codes)}")
    return " · ".join(parts)
