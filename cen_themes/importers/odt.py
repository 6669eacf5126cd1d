"""OpenDocument text (.odt): headings and paragraphs in document order, one per line."""

from __future__ import annotations

import io
from collections.abc import Iterator

from odf.element import Element, Node
from odf.namespaces import OFFICENS, TEXTNS
from odf.opendocument import load

from cen_themes.errors import CenThemesError, ImportFormatError
from cen_themes.importers.base import Document
from cen_themes.importers.encoding import normalise_newlines
from cen_themes.importers.turns import detect_turns

__all__ = ["parse_odt"]

DAMAGED_MESSAGE = "damaged or not an OpenDocument text document"

_BLOCKS = frozenset({(TEXTNS, "p"), (TEXTNS, "h")})
# Content that is not part of the running text: comments, footnotes and endnotes, and
# the deleted text that tracked changes keep.
_LEFT_OUT = frozenset({(OFFICENS, "annotation"), (TEXTNS, "note"), (TEXTNS, "tracked-changes")})


def parse_odt(data: bytes, speaker_pattern: str | None = None) -> Document:
    """Read an .odt file's bytes into a :class:`Document`.

    Every ``text:h`` and ``text:p`` is one line, in document order, including those
    inside lists, tables, sections and frames.
    """
    try:
        body = load(io.BytesIO(data)).text
        lines = list(_block_texts(body))
    except CenThemesError:
        raise
    except Exception as exc:  # zip, XML or missing-part errors: the file is not usable
        raise ImportFormatError(DAMAGED_MESSAGE) from exc
    text = normalise_newlines("\n".join(lines))
    turns, skips = detect_turns(text, speaker_pattern)
    return Document(text=text, turns=turns, skips=skips, format="odt")


def _block_texts(root: Element) -> Iterator[str]:
    """The text of each heading and paragraph under ``root``, in document order."""
    stack = list(reversed(root.childNodes))
    while stack:
        node = stack.pop()
        if node.nodeType != Node.ELEMENT_NODE or node.qname in _LEFT_OUT:
            continue
        if node.qname in _BLOCKS:
            yield _inline_text(node)
        else:
            stack.extend(reversed(node.childNodes))


def _inline_text(block: Element) -> str:
    """A paragraph's text, as ``odf.teletype.extractText`` reads it (``text:s``,
    ``text:tab``, ``text:line-break`` unwrapped), without comments and notes."""
    parts: list[str] = []
    stack: list[Node] = list(reversed(block.childNodes))
    while stack:
        node = stack.pop()
        if node.nodeType == Node.TEXT_NODE:
            parts.append(node.data)
            continue
        if node.nodeType != Node.ELEMENT_NODE or node.qname in _LEFT_OUT:
            continue
        if node.qname == (TEXTNS, "line-break"):
            parts.append("\n")
        elif node.qname == (TEXTNS, "tab"):
            parts.append("\t")
        elif node.qname == (TEXTNS, "s"):
            parts.append(" " * int(node.getAttribute("c") or 1))
        else:
            stack.extend(reversed(node.childNodes))
    return "".join(parts)
