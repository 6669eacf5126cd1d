"""Captions (.vtt WebVTT, .srt SubRip): meeting transcripts from Teams, Zoom and others.

Cue numbers, identifiers, timings, NOTE/STYLE/REGION blocks and markup are dropped;
consecutive cues of one speaker become one turn. The stored text has one paragraph per
turn, ``Speaker: words``, separated by a blank line (no label for an unknown speaker).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence

from cen_themes.errors import ImportFormatError
from cen_themes.importers.base import Document, Turn
from cen_themes.importers.encoding import decode_text, normalise_newlines
from cen_themes.importers.turns import match_label

__all__ = ["parse_srt", "parse_vtt"]

NOT_VTT_MESSAGE = "not a WebVTT file (no WEBVTT header)"
NO_VTT_CUES_MESSAGE = "WebVTT file has no captions"
NO_SRT_CUES_MESSAGE = "no subtitle cues found (not a SubRip .srt file?)"

_VTT_HEADER = re.compile(r"WEBVTT(?=[ \t\n]|\Z)")
_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIMING = re.compile(rf"^[ \t]*{_TIME}[ \t]*-->[ \t]*{_TIME}")
_INDEX = re.compile(r"^[ \t]*\d+[ \t]*$")
# <v Name>, <v.loud Name> (WebVTT voice); the name runs to the ">". Lengths are bounded
# so that text full of unclosed "<" costs linear time.
_VOICE = re.compile(r"<v(?:\.[^\s<>]{0,100})?(?:[ \t]+([^<>\n]{0,300}))?>")
# Any other tag (<c.x>, <i>, </v>, <00:00:01.000>, <font ...>) and SSA overrides ({\an8}).
_MARKUP = re.compile(r"<[^<>\n]{0,300}>|\{\\[^{}\n]{0,300}\}")
_SPACES = re.compile(r"\s+")

Piece = tuple[str | None, str]
"""(speaker or None, words) of one cue or part of a cue."""


def parse_vtt(data: bytes, speaker_pattern: str | None = None) -> Document:
    """Read a WebVTT file's bytes into a :class:`Document`.

    Speakers come from voice tags (``<v Name>``, as Teams writes) or from a ``Name:``
    prefix of the cue text (as Zoom writes); ``speaker_pattern`` replaces the default
    forms of that prefix.
    """
    text = normalise_newlines(decode_text(data))
    if not _VTT_HEADER.match(text):
        raise ImportFormatError(NOT_VTT_MESSAGE)
    pieces = list(_pieces(_cue_payloads(text.split("\n")[1:]), speaker_pattern))
    if not pieces:
        raise ImportFormatError(NO_VTT_CUES_MESSAGE)
    return _document(pieces, "vtt")


def parse_srt(data: bytes, speaker_pattern: str | None = None) -> Document:
    """Read a SubRip file's bytes into a :class:`Document`.

    Speakers come from a ``Name:`` prefix of the cue text; ``speaker_pattern`` replaces
    the default forms of that prefix.
    """
    text = normalise_newlines(decode_text(data))
    pieces = list(_pieces(_cue_payloads(text.split("\n")), speaker_pattern))
    if not pieces:
        raise ImportFormatError(NO_SRT_CUES_MESSAGE)
    return _document(pieces, "srt")


def _cue_payloads(lines: Sequence[str]) -> Iterator[str]:
    """The text of each cue: the lines after a timing line, up to a blank line.

    Lines outside cues (headers, NOTE, STYLE and REGION blocks, cue identifiers and
    numbers) are passed over. A cue also ends where the next one starts without the
    blank line SubRip files sometimes leave out.
    """
    index = 0
    count = len(lines)
    while index < count:
        if not _TIMING.match(lines[index]):
            index += 1
            continue
        index += 1
        payload: list[str] = []
        while index < count and lines[index].strip() and not _TIMING.match(lines[index]):
            if _INDEX.match(lines[index]) and index + 1 < count and _TIMING.match(lines[index + 1]):
                break
            payload.append(lines[index])
            index += 1
        yield "\n".join(payload)


def _pieces(payloads: Iterator[str], speaker_pattern: str | None) -> Iterator[Piece]:
    """(speaker, words) for each cue, or each voice of a cue, with text in it."""
    for payload in payloads:
        for speaker, raw in _voices(payload):
            words = _clean(raw)
            if speaker is None:
                label = match_label(words, speaker_pattern)
                if label is not None:
                    speaker, end = label
                    words = words[end:].strip()
            if words:
                yield speaker, words


def _voices(payload: str) -> Iterator[tuple[str | None, str]]:
    """Split a cue at its voice tags: text before the first has no speaker."""
    position = 0
    speaker: str | None = None
    for match in _VOICE.finditer(payload):
        yield speaker, payload[position : match.start()]
        name = _clean(match.group(1) or "")
        speaker = name or None
        position = match.end()
    yield speaker, payload[position:]


def _clean(raw: str) -> str:
    """Cue text without markup, entities resolved, whitespace runs made one space."""
    return _SPACES.sub(" ", html.unescape(_MARKUP.sub("", raw))).strip()


def _document(pieces: Sequence[Piece], fmt: str) -> Document:
    """Join consecutive pieces of one speaker into turns and write the stored text."""
    merged: list[tuple[str | None, list[str]]] = []
    for speaker, words in pieces:
        if merged and merged[-1][0] == speaker:
            merged[-1][1].append(words)
        else:
            merged.append((speaker, [words]))
    parts: list[str] = []
    turns: list[Turn] = []
    position = 0
    for speaker, words_list in merged:
        if parts:
            parts.append("\n\n")
            position += 2
        if speaker is not None:
            label = f"{speaker}: "
            parts.append(label)
            position += len(label)
        words = " ".join(words_list)
        parts.append(words)
        turns.append(Turn(position, position + len(words), speaker))
        position += len(words)
    parts.append("\n")
    return Document(text="".join(parts), turns=turns, skips=[], format=fmt)
