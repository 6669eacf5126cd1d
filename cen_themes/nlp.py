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

from cen_themes.bulk import beside
from cen_themes.importers.base import Document

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# A line at least this long that ends mid-sentence was wrapped (PDF text, e-mail
# transcripts): the sentence goes on past the line break.
WRAPPED_LINE_CHARS = 60
# spaCy refuses texts over nlp.max_length (1,000,000 characters); long runs of lines
# without a break are cut at line breaks into pieces of at most this size.
MAX_PIECE_CHARS = 200_000
_SENTENCE_END = frozenset(".!?:;\"'”’)]…")
# Formats whose lines are paragraphs or caption turns, never wrapped sentences.
_UNWRAPPED_FORMATS = frozenset({"docx", "odt", "vtt", "srt"})

_lock = threading.Lock()
_pipeline: Language | None = None


@dataclass(frozen=True, slots=True)
class SegmentSpan:
    """One sentence within one speaker turn."""

    start: int
    end: int
    speaker: str | None
    turn: int


def _opening_punctuation_starts_sentences(doc: Doc) -> Doc:
    """The sentencizer keeps punctuation after a full stop in the sentence it ends, so
    'really. [laughs] Then' would end the first sentence with '['. Opening brackets and
    quotes belong to the sentence they open."""
    moves = []
    for sent in doc.sents:
        last = sent.end - 1
        first = last
        while first > sent.start and doc[first].is_left_punct:
            first -= 1
        if first < last and sent.end < len(doc) and doc[first].text in _SENTENCE_END:
            moves.append((first + 1, sent.end))
    for new_start, old_start in moves:
        doc[new_start].is_sent_start = True
        doc[old_start].is_sent_start = False
    return doc


# Abbreviations spaCy's English tokenizer splits from their full stop, which the
# sentencizer then takes for a sentence end ("approx. 64 minutes"). Only those that
# never end a sentence in speech: not "no." ("No. I didn't.").
ABBREVIATIONS = ("approx.", "ca.", "cf.", "incl.", "esp.", "mins.", "hrs.", "wks.", "yrs.")


def _lowercase_continues_sentences(doc: Doc) -> Doc:
    """A full stop or an ellipsis followed by a word in lower case does not end the
    sentence ("we waited... and waited", "every 2 wks. or so"): transcribers start
    sentences with a capital."""
    for sent in list(doc.sents)[1:]:
        first = doc[sent.start]
        before = doc[sent.start - 1].text
        if first.text[:1].islower() and before in {".", "...", "…"}:
            first.is_sent_start = False
    return doc


def pipeline() -> Language:
    """The shared pipeline, built on first use (thread-safe)."""
    global _pipeline
    with _lock:
        if _pipeline is None:
            import spacy
            from spacy.language import Language
            from spacy.symbols import ORTH

            if "cen_opening_punct" not in Language.factories:
                Language.component("cen_opening_punct", func=_opening_punctuation_starts_sentences)
            if "cen_lowercase_continues" not in Language.factories:
                Language.component("cen_lowercase_continues", func=_lowercase_continues_sentences)
            nlp = spacy.blank("en")
            for abbreviation in ABBREVIATIONS:
                for form in (abbreviation, abbreviation.capitalize()):
                    nlp.tokenizer.add_special_case(form, [{ORTH: form}])
            nlp.add_pipe("sentencizer")
            nlp.add_pipe("cen_opening_punct", after="sentencizer")
            nlp.add_pipe("cen_lowercase_continues", after="cen_opening_punct")
            _pipeline = nlp
        return _pipeline


def _pieces(document: Document) -> Iterator[tuple[int, int, str | None, int]]:
    """Turn spans cut around skipped lines, then at line breaks that end a sentence."""
    skips = sorted(document.skips)
    wraps = document.format not in _UNWRAPPED_FORMATS
    k = 0
    for number, turn in enumerate(document.turns):
        cursor = turn.start
        while k < len(skips) and skips[k][1] <= turn.start:
            k += 1
        j = k
        while j < len(skips) and skips[j][0] < turn.end:
            skip_start, skip_end = skips[j]
            if skip_start > cursor:
                for start, end in _paragraphs(document.text, cursor, skip_start, wraps):
                    yield start, end, turn.speaker, number
            cursor = max(cursor, skip_end)
            j += 1
        if cursor < turn.end:
            for start, end in _paragraphs(document.text, cursor, turn.end, wraps):
                yield start, end, turn.speaker, number


_BREAK = re.compile(r"\n")


def _paragraphs(text: str, start: int, end: int, wraps: bool) -> Iterator[tuple[int, int]]:
    """Cut text[start:end] at each line break that ends a sentence or paragraph.

    A break always ends a paragraph, except in formats with wrapped lines (plain text,
    PDF) where a long line that stops mid-sentence goes on in the next line, unless a
    blank line follows.
    """
    piece_start = start
    for match in _BREAK.finditer(text, start, end):
        cut = match.start()
        if wraps and cut - piece_start < MAX_PIECE_CHARS:
            line = text[max(text.rfind("\n", start, cut) + 1, start) : cut].rstrip()
            following = text.find("\n", cut + 1, end)
            blank_follows = not text[cut + 1 : end if following < 0 else following].strip()
            if (
                not blank_follows
                and len(line) >= WRAPPED_LINE_CHARS
                and line[-1] not in _SENTENCE_END
            ):
                continue
        yield from _bounded(text, piece_start, cut)
        piece_start = cut + 1
    yield from _bounded(text, piece_start, end)


def _bounded(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Pieces of at most MAX_PIECE_CHARS, cut after a space where possible."""
    while end - start > MAX_PIECE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_PIECE_CHARS) + 1
        if cut <= start + 1:
            cut = start + MAX_PIECE_CHARS
        yield start, cut
        start = cut
    if end > start:
        yield start, end


_TRIM = re.compile(r"\S(?:.*\S)?", re.DOTALL)


def segment(document: Document) -> list[SegmentSpan]:
    """Sentences within speaker turns, with offsets into ``document.text``."""
    return segment_many([document])[0]


def segment_many(documents: Iterable[Document], batch_size: int = 256) -> list[list[SegmentSpan]]:
    """Segment several documents in one pass through spaCy (faster than one by one).

    The segments are those of running every piece of every turn through the pipeline,
    with less work: a piece without any of the sentencizer's punctuation is one
    sentence (:func:`_sentence_end_chars`), so it is only trimmed; a piece met again
    (a repeated line, "Mm-hmm.") is parsed once; and the parsing is shared with a
    forked child when there is enough of it for the second core to pay
    (:mod:`cen_themes.bulk.beside`).
    """
    documents = list(documents)
    results: list[list[SegmentSpan]] = [[] for _ in documents]
    pieces: list[tuple[int, int, str | None, int, str]] = []
    for index, document in enumerate(documents):
        for start, end, speaker, number in _pieces(document):
            text = document.text[start:end]
            if text.strip():
                pieces.append((index, start, speaker, number, text))
    if not pieces:
        return results
    stops = _sentence_end_chars(pipeline())
    to_parse = list(dict.fromkeys(t for *_where, t in pieces if not stops.isdisjoint(t)))
    parsed = dict(zip(to_parse, _sentences_on_both_cores(to_parse, batch_size), strict=True))
    for index, start, speaker, number, text in pieces:
        sentences = parsed.get(text)
        if sentences is None:
            match = _TRIM.search(text)
            sentences = [match.span()] if match else []
        results[index].extend(
            SegmentSpan(start + first, start + last, speaker, number) for first, last in sentences
        )
    return results


def _sentence_end_chars(nlp: Language) -> frozenset[str]:
    """Every character of the sentencizer's sentence-ending punctuation.

    The sentencizer starts a sentence only after a token that is one of these; the
    components after it only move or remove the starts it made. A text with none of
    these characters is therefore one sentence, whatever its tokens.
    """
    return frozenset("".join(nlp.get_pipe("sentencizer").punct_chars))


# Less text than this is segmented here alone: forking a child would cost more.
SPLIT_CHARS = 100_000


def _sentences_on_both_cores(texts: list[str], batch_size: int) -> list[list[tuple[int, int]]]:
    """:func:`_sentences` of the texts: the first half of the text here, the second in
    a forked child at the same time (or here, after the first, where forking is not
    safe or fails)."""
    total = sum(map(len, texts))
    half, seen = 0, 0
    while seen < total // 2:
        seen += len(texts[half])
        half += 1
    if total < SPLIT_CHARS or half == len(texts):
        return _sentences(texts, batch_size)
    with beside.Beside(_sentences, texts[half:], batch_size) as later:
        return _sentences(texts[:half], batch_size) + later.result()


def _sentences(texts: list[str], batch_size: int) -> list[list[tuple[int, int]]]:
    """Each text's sentences, trimmed, as offsets into that text."""
    found: list[list[tuple[int, int]]] = []
    for doc in pipeline().pipe(texts, batch_size=batch_size):
        text = doc.text
        spans = []
        for sent in doc.sents:
            match = _TRIM.search(text, sent.start_char, sent.end_char)
            if match is not None:
                spans.append(match.span())
        found.append(spans)
    return found
