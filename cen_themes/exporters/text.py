"""Text helpers shared by the Markdown and HTML writers."""

from __future__ import annotations

import re
from html import escape

_MD_INLINE = re.compile(r"([\\`*\[\]<|~])")
_MD_UNDERSCORES = re.compile(r"_+")
_MD_LINE_MARKER = re.compile(r"^([ \t]*)([#>+\-=])", re.MULTILINE)
_MD_LINE_NUMBER = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)


# What XML 1.0 cannot hold (controls other than tab and line breaks, the two
# non-characters) and what UTF-8 cannot encode (a lone surrogate).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str, replacement: str = "") -> str:
    """``text`` with every character an XML file cannot hold replaced (dropped)."""
    return _NOT_XML.sub(replacement, text)


def md_text(text: str) -> str:
    """``text`` with Markdown's inline syntax and raw HTML escaped by backslashes, and
    line starts that would open a heading, quote or list escaped too."""
    text = _md_inline(text)
    text = _MD_LINE_MARKER.sub(r"\1\\\2", text)
    return _MD_LINE_NUMBER.sub(r"\1\\\2", text)


def md_cell(text: str) -> str:
    """``text`` for one cell of a pipe table: escaped, newlines as ``<br>``."""
    return _md_inline(text).replace("\r\n", "\n").replace("\n", "<br>")


def _md_inline(text: str) -> str:
    """Backslash-escape what could start inline syntax or raw HTML. Underscores inside
    a word (``n_sources``) cannot, so they stay as they are."""
    escaped = _MD_INLINE.sub(r"\\\1", text)

    def underscores(match: re.Match[str]) -> str:
        before = escaped[match.start() - 1 : match.start()]
        after = escaped[match.end() : match.end() + 1]
        if before.isalnum() and after.isalnum():
            return match.group()
        return match.group().replace("_", "\\_")

    return _MD_UNDERSCORES.sub(underscores, escaped)


def html_text(text: str) -> str:
    """``text`` escaped for HTML, newlines as ``<br>``."""
    return escape(text).replace("\n", "<br>\n")


def html_page(title: str, css: str, body: str) -> str:
    """A complete, self-contained HTML document (inline CSS, no scripts)."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{css}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def plural(count: int, word: str) -> str:
    """``1 excerpt``, ``2 excerpts``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
