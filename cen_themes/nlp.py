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
    import numpy as np
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
# The tokens after which a word in lower case goes on with the sentence.
_FULL_STOPS = frozenset({".", "...", "…"})


def _lowercase_continues_sentences(doc: Doc) -> Doc:
    """A full stop or an ellipsis followed by a word in lower case does not end the
    sentence ("we waited... and waited", "every 2 wks. or so"): transcribers start
    sentences with a capital."""
    for sent in list(doc.sents)[1:]:
        first = doc[sent.start]
        before = doc[sent.start - 1].text
        if first.text[:1].islower() and before in _FULL_STOPS:
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
    """Each text's sentences, trimmed, as offsets into that text: the sentences of
    ``pipeline()(text)``, found from the tokens alone.

    The sentencizer and the two components above walk the tokens of one Doc at a time
    in Python, making a Token object for each; here the same rules run on arrays of
    token attributes, ``batch_size`` texts at a time (:func:`_sentence_starts`), and
    only the tokenizer runs per text.
    """
    if not texts:
        return []
    nlp = pipeline()
    marks = _Marks.of(nlp)
    size = max(batch_size, 1)
    found: list[list[tuple[int, int]]] = []
    for first in range(0, len(texts), size):
        found.extend(_batch_sentences(nlp, marks, texts[first : first + size]))
    return found


@dataclass(frozen=True)
class _Marks:
    """The token texts the sentence rules look for, as the hashes spaCy stores."""

    stops: np.ndarray  # the sentencizer's sentence-ending punctuation
    full_stops: np.ndarray  # what _lowercase_continues_sentences looks for before a word

    @classmethod
    def of(cls, nlp: Language) -> _Marks:
        import numpy as np

        def hashes(texts: Iterable[str]) -> np.ndarray:
            return np.array(sorted({nlp.vocab.strings.add(t) for t in texts}), dtype=np.uint64)

        punct_chars = nlp.get_pipe("sentencizer").punct_chars
        return cls(hashes(punct_chars), hashes(_FULL_STOPS))


def _batch_sentences(nlp: Language, marks: _Marks, texts: list[str]) -> list[list[tuple[int, int]]]:
    """:func:`_sentences` of a few texts at once: their tokens in one table, the
    sentence starts found for all of them together, then each sentence trimmed."""
    import numpy as np
    from spacy.attrs import IDX, IS_LEFT_PUNCT, IS_PUNCT, LENGTH, ORTH

    tables = [
        nlp.make_doc(text).to_array([ORTH, IDX, LENGTH, IS_PUNCT, IS_LEFT_PUNCT]) for text in texts
    ]
    counts = np.fromiter(map(len, tables), dtype=np.int64, count=len(tables))
    if not counts.sum():
        return [[] for _ in texts]
    table = np.concatenate(tables)
    orth, table = table[:, 0], table[:, 1:].astype(np.int64)
    text_lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_starts = np.cumsum(text_lengths) - text_lengths
    joined = "".join(texts)
    tokens = _Tokens(
        orth=orth,
        char=table[:, 0] + np.repeat(text_starts, counts),
        length=table[:, 1],
        punct=table[:, 2].astype(bool),
        left=table[:, 3].astype(bool),
        doc_start=np.repeat(np.cumsum(counts) - counts, counts),
        doc_end=np.repeat(np.cumsum(counts), counts),
    )
    starts = _sentence_starts(tokens, marks, joined)
    ends = np.minimum(np.append(starts[1:], len(orth)), tokens.doc_end[starts]) - 1
    doc_of = np.repeat(np.arange(len(texts)), counts)[starts]
    found: list[list[tuple[int, int]]] = [[] for _ in texts]
    first_chars = tokens.char[starts].tolist()
    last_chars = (tokens.char[ends] + tokens.length[ends]).tolist()
    bases = text_starts[doc_of].tolist()
    for doc, first, last, base in zip(doc_of.tolist(), first_chars, last_chars, bases, strict=True):
        match = _TRIM.search(joined, first, last)
        if match is not None:
            found[doc].append((match.start() - base, match.end() - base))
    return found


@dataclass(frozen=True)
class _Tokens:
    """Attributes of the tokens of several texts, one row each, texts one after
    another; ``char`` is an offset into the texts joined in that order."""

    orth: np.ndarray
    char: np.ndarray
    length: np.ndarray
    punct: np.ndarray
    left: np.ndarray
    doc_start: np.ndarray  # the row of the first token of this token's text
    doc_end: np.ndarray  # the row after the last token of this token's text


def _sentence_starts(tokens: _Tokens, marks: _Marks, joined: str) -> np.ndarray:
    """The rows that start a sentence, as the sentencizer then
    :func:`_opening_punctuation_starts_sentences` then
    :func:`_lowercase_continues_sentences` would mark them in each text's Doc."""
    import numpy as np

    rows = np.arange(len(tokens.orth))
    starts = rows == tokens.doc_start
    # The sentencizer: a token that is neither punctuation nor sentence-ending starts a
    # sentence when a sentence-ending token came after the previous such token (or
    # after the start of its text).
    stop = np.isin(tokens.orth, marks.stops)
    words = np.flatnonzero(~tokens.punct & ~stop)
    stops_before = np.concatenate(([0], np.cumsum(stop)))
    after = np.maximum(np.concatenate(([0], words[:-1] + 1)), tokens.doc_start[words])
    starts[words[stops_before[words] > stops_before[after]]] = True
    # Opening punctuation that ends a sentence after a sentence end moves to the next.
    ends = np.flatnonzero(starts & (rows != tokens.doc_start))
    ends = ends[tokens.left[ends - 1]]
    if len(ends):
        not_left = np.maximum.accumulate(np.where(tokens.left, -1, rows))
        previous = np.flatnonzero(starts)
        opened = previous[np.searchsorted(previous, ends) - 1]
        firsts = np.maximum(not_left[ends - 1], opened)
        moved = firsts < ends - 1
        for first, old in zip(firsts[moved].tolist(), ends[moved].tolist(), strict=True):
            char = int(tokens.char[first])
            if joined[char : char + int(tokens.length[first])] in _SENTENCE_END:
                starts[first + 1] = True
                starts[old] = False
    # A word in lower case after a full stop or an ellipsis does not start a sentence.
    later = np.flatnonzero(starts & (rows != tokens.doc_start))
    later = later[np.isin(tokens.orth[later - 1], marks.full_stops)]
    lower = [joined[char].islower() for char in tokens.char[later].tolist()]
    starts[later[np.array(lower, dtype=bool)]] = False
    return np.flatnonzero(starts)
