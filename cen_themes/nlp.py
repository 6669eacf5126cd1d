"""The spaCy pipeline that splits speaker turns into sentences (the segments).

No trained pipeline is needed (none can be downloaded here): a blank English pipeline,
spaCy's rule-based sentencizer, and a component that also starts a sentence at a line
break that ends a line (not at a line that was merely wrapped, as in text taken from a
PDF). ``import spacy`` costs most of a second, so nothing here imports it until the
pipeline is first needed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cen_themes.importers.base import Document

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# A line at least this long that ends mid-sentence was wrapped (PDF text, e-mail
# transcripts): the sentence goes on past the line break.
WRAPPED_LINE_CHARS = 60
# spaCy refuses texts over nlp.max_length (1,000,000 characters); long turns without
# speakers are cut at line breaks into pieces of at most this size.
MAX_PIECE_CHARS = 200_000
_SENTENCE_END = frozenset(".!?:;\"'”’)]…")

_lock = threading.Lock()
_pipeline: Language | None = None


@dataclass(frozen=True, slots=True)
class SegmentSpan:
    """One sentence within one speaker turn."""

    start: int
    end: int
    speaker: str | None
    turn: int


def _line_breaks(doc: Doc) -> Doc:
    text = doc.text
    for token in doc[:-1]:
        if not token.is_space or "\n" not in token.text:
            continue
        if token.text.count("\n") == 1:
            line_start = text.rfind("\n", 0, token.idx) + 1
            line = text[line_start : token.idx].rstrip()
            if len(line) >= WRAPPED_LINE_CHARS and line[-1] not in _SENTENCE_END:
                continue
        doc[token.i + 1].is_sent_start = True
    return doc


def pipeline() -> Language:
    """The shared pipeline, built on first use (thread-safe)."""
    global _pipeline
    with _lock:
        if _pipeline is None:
            import spacy
            from spacy.language import Language

            if "cen_line_breaks" not in Language.factories:
                Language.component("cen_line_breaks", func=_line_breaks)
            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
            nlp.add_pipe("cen_line_breaks", after="sentencizer")
            _pipeline = nlp
        return _pipeline


def _pieces(document: Document) -> Iterator[tuple[int, int, str | None, int]]:
    """Turn spans cut around skipped lines and into spaCy-sized pieces."""
    skips = sorted(document.skips)
    k = 0
    for number, turn in enumerate(document.turns):
        cursor = turn.start
        while k < len(skips) and skips[k][1] <= turn.start:
            k += 1
        j = k
        while j < len(skips) and skips[j][0] < turn.end:
            skip_start, skip_end = skips[j]
            if skip_start > cursor:
                yield from _split_long(document.text, cursor, skip_start, turn.speaker, number)
            cursor = max(cursor, skip_end)
            j += 1
        if cursor < turn.end:
            yield from _split_long(document.text, cursor, turn.end, turn.speaker, number)


def _split_long(
    text: str, start: int, end: int, speaker: str | None, number: int
) -> Iterator[tuple[int, int, str | None, int]]:
    while end - start > MAX_PIECE_CHARS:
        cut = text.rfind("\n", start + 1, start + MAX_PIECE_CHARS)
        if cut <= start:
            cut = text.rfind(" ", start + 1, start + MAX_PIECE_CHARS)
        if cut <= start:
            cut = start + MAX_PIECE_CHARS
        yield start, cut, speaker, number
        start = cut
    yield start, end, speaker, number


_TRIM = re.compile(r"\S(?:.*\S)?", re.DOTALL)


def segment(document: Document) -> list[SegmentSpan]:
    """Sentences within speaker turns, with offsets into ``document.text``."""
    return segment_many([document])[0]


def segment_many(documents: Iterable[Document], batch_size: int = 256) -> list[list[SegmentSpan]]:
    """Segment several documents in one pass through spaCy (faster than one by one)."""
    documents = list(documents)
    pieces: list[tuple[int, int, int, str | None, int]] = []
    for index, document in enumerate(documents):
        for start, end, speaker, number in _pieces(document):
            if document.text[start:end].strip():
                pieces.append((index, start, end, speaker, number))
    results: list[list[SegmentSpan]] = [[] for _ in documents]
    if not pieces:
        return results
    nlp = pipeline()
    texts = (documents[i].text[s:e] for i, s, e, _sp, _n in pieces)
    for (index, start, _end, speaker, number), doc in zip(
        pieces, nlp.pipe(texts, batch_size=batch_size), strict=True
    ):
        piece_text = doc.text
        out = results[index]
        for sent in doc.sents:
            match = _TRIM.search(piece_text, sent.start_char, sent.end_char)
            if match is None:
                continue
            out.append(SegmentSpan(start + match.start(), start + match.end(), speaker, number))
    return results
