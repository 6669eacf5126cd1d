"""Plain text (.txt) and Markdown (.md, kept verbatim: markup is part of the text)."""

from __future__ import annotations

from cen_themes.importers.base import Document
from cen_themes.importers.encoding import decode_text, normalise_newlines
from cen_themes.importers.turns import detect_turns

__all__ = ["parse_markdown", "parse_plain"]


def parse_plain(data: bytes, speaker_pattern: str | None = None, fmt: str = "txt") -> Document:
    """Decode a text file's bytes (see :func:`~.encoding.decode_text`) and find its turns.

    ``fmt`` is the :attr:`Document.format` to record: ``"txt"`` or ``"md"``.
    """
    text = normalise_newlines(decode_text(data))
    turns, skips = detect_turns(text, speaker_pattern)
    return Document(text=text, turns=turns, skips=skips, format=fmt)


def parse_markdown(data: bytes, speaker_pattern: str | None = None) -> Document:
    """:func:`parse_plain` for a Markdown file: the markup is kept as it is."""
    return parse_plain(data, speaker_pattern, fmt="md")
