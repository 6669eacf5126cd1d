"""Which texts read alike: TF-IDF vectors of lemmas and their cosine similarity (the
engine behind :mod:`cen_themes.services.suggest`; numpy and spaCy load with it).

The terms are lemmas: the project's spaCy tokenizer (:mod:`cen_themes.nlp`) splits the
text, each word's lowercase form is keyed by its lemma in one spelling
(:func:`cen_themes.services.search.lemma_key`: "stigmatised" and "stigmatizing" are one
term), and spaCy's English stop words, numbers and punctuation are dropped. A term's
weight in a segment is ``(1 + log tf) * idf``, the inverse document frequency counted
over every segment of the project (``log((1 + n) / (1 + df)) + 1``); vectors have unit
length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from cen_themes import nlp
from cen_themes.models import Coding, Excerpt, Segment, Source
from cen_themes.services.search import lemma_key

# Offsets of one source occupy [source_id * _SPAN, source_id * _SPAN + len(text)).
_SPAN = np.int64(1) << np.int64(36)


@dataclass(frozen=True, slots=True)
class Segments:
    """Every segment of the project (source order, then by start) and its text."""

    ids: np.ndarray
    source_ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    texts: list[str]
    names: dict[int, str]  # source id -> name
    sources: dict[int, str]  # source id -> text


class Index:
    """The TF-IDF vectors of some texts, rows in their order: of the project's
    :class:`Segments` (each source is tokenized whole, much faster than sentence by
    sentence, and a word counts in the segment it starts in) or of any texts.

    ``rows``/``terms``/``weights`` hold the nonzero entries (row-major); each row has
    unit length. :meth:`vectors` turns other texts (excerpts) into vectors over the
    same terms and document frequencies. ``key`` names a word's term (a lowercase
    word in, its lemma key out)."""

    def __init__(
        self, texts: Sequence[str] | Segments, *, key: Callable[[str], str] = lemma_key
    ) -> None:
        self._terms = _Terms(key)
        if isinstance(texts, Segments):
            rows, terms = self._terms.segment_tokens(texts)
            self.size = len(texts.ids)
        else:
            rows, terms = self._terms.tokens(texts)
            self.size = len(texts)
        self.rows, self.terms, counts = _counted(rows, terms, self._terms.count)
        df = np.bincount(self.terms, minlength=self._terms.count)
        self.idf = np.log((1 + self.size) / (1 + df)) + 1.0
        self.weights = _normalised(self.rows, self.terms, counts, self.idf, self.size)

    def vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, terms, weights) of other texts: terms the segments lack are left
        out (they meet no segment, so only scale every score alike)."""
        rows, terms = self._terms.tokens(texts, grow=False)
        rows, terms, counts = _counted(rows, terms, self._terms.count)
        return rows, terms, _normalised(rows, terms, counts, self.idf, len(texts))

    def profile(self, texts: Sequence[str]) -> np.ndarray:
        """The mean of the texts' vectors, as a dense vector over the terms."""
        _rows, terms, weights = self.vectors(texts)
        centroid = np.zeros(self._terms.count)
        np.add.at(centroid, terms, weights / max(len(texts), 1))
        return centroid

    def distinct(self, profile: np.ndarray) -> np.ndarray:
        """``profile`` less the average segment, negative weights cut to 0 (Rocchio's
        feedback with every segment as the background): what sets it apart from the
        rest of the project, not what every segment says. A profile that has nothing
        apart stays as it is."""
        average = np.bincount(self.terms, weights=self.weights, minlength=len(profile))
        apart = np.maximum(profile - average / max(self.size, 1), 0.0)
        return apart if apart.any() else profile

    def scores(self, profile: np.ndarray) -> np.ndarray:
        """Each segment's cosine similarity to ``profile``."""
        length = float(np.linalg.norm(profile))
        if length == 0.0:
            return np.zeros(self.size)
        dots = np.bincount(
            self.rows, weights=self.weights * profile[self.terms], minlength=self.size
        )
        return dots / length


class _Terms:
    """Words to term numbers: lemma keys, without stop words, numbers or punctuation."""

    def __init__(self, key: Callable[[str], str]) -> None:
        self._key = key
        self.number: dict[str, int] = {}  # lemma key -> term
        self._by_hash: dict[int, int] = {}  # spaCy's hash of a lowercase word -> term or -1
        self.count = 0

    def tokens(self, texts: Sequence[str], *, grow: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The (text number, term) of every kept word of the texts."""
        from spacy.attrs import LOWER

        tokenizer = nlp.pipeline().tokenizer
        lowers: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for i, doc in enumerate(tokenizer.pipe(texts, batch_size=1000)):
            if len(doc):
                found = doc.to_array(LOWER)
                lowers.append(found)
                lengths[i] = len(found)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        return self._kept(rows, lowers, grow)

    def segment_tokens(self, segments: Segments) -> tuple[np.ndarray, np.ndarray]:
        """The (segment number, term) of every kept word of the segments."""
        from spacy.attrs import IDX, LOWER

        count = len(segments.ids)
        if not count:
            return _nothing()
        # each source's segments are one run of rows, in start order
        cuts = np.flatnonzero(np.diff(segments.source_ids)) + 1
        firsts = np.concatenate(([0], cuts))
        lasts = np.concatenate((cuts, [count]))
        texts = [segments.sources[int(s)] for s in segments.source_ids[firsts]]
        tokenizer = nlp.pipeline().tokenizer
        rows: list[np.ndarray] = []
        lowers: list[np.ndarray] = []
        for doc, first, last in zip(
            tokenizer.pipe(texts, batch_size=50), firsts.tolist(), lasts.tolist(), strict=True
        ):
            if not len(doc):
                continue
            found = doc.to_array([IDX, LOWER])
            at = found[:, 0].astype(np.int64)
            row = np.searchsorted(segments.starts[first:last], at, side="right") - 1
            inside = (row >= 0) & (at < segments.ends[first:last][np.maximum(row, 0)])
            rows.append(row[inside] + first)
            lowers.append(found[inside, 1])
        if not rows:
            return _nothing()
        return self._kept(np.concatenate(rows), lowers, grow=True)

    def _kept(
        self, rows: np.ndarray, lowers: list[np.ndarray], grow: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """The rows and terms of the words that are terms (``lowers``: spaCy's hashes of
        the lowercase words, one array per text, in the order of ``rows``)."""
        if not lowers:
            return _nothing()
        hashes, inverse = np.unique(np.concatenate(lowers), return_inverse=True)
        strings = nlp.pipeline().tokenizer.vocab.strings
        of_hash = np.array(
            [self._term(int(h), strings, grow) for h in hashes.tolist()], dtype=np.int64
        )
        terms = of_hash[inverse.ravel()] if len(hashes) else np.zeros(0, dtype=np.int64)
        kept = terms >= 0
        return rows[kept], terms[kept]

    def _term(self, key: int, strings, grow: bool) -> int:
        term = self._by_hash.get(key)
        if term is not None:
            return term
        word = strings[key]
        lemma = self._key(word) if _wordlike(word) else ""
        if not lemma or word in _stop_words() or lemma in _stop_words():
            term = -1
        elif lemma in self.number:
            term = self.number[lemma]
        elif grow:
            term = self.number[lemma] = self.count
            self.count += 1
        else:
            return -1  # not remembered: the index may grow later
        self._by_hash[key] = term
        return term


def _nothing() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


def _wordlike(word: str) -> bool:
    """A word with at least two letters ("I", "5", "--", "p01" count as no words)."""
    return sum(ch.isalpha() for ch in word) >= 2 and not any(ch.isdigit() for ch in word)


_STOP: frozenset[str] | None = None


def _stop_words() -> frozenset[str]:
    global _STOP
    if _STOP is None:
        from spacy.lang.en.stop_words import STOP_WORDS

        _STOP = frozenset(w.lower().replace("’", "'") for w in STOP_WORDS) | frozenset(
            w.lower() for w in STOP_WORDS
        )
    return _STOP


def _counted(
    rows: np.ndarray, terms: np.ndarray, vocabulary: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct (row, term) once, row-major, with how often it occurs."""
    if not len(rows):
        return rows, terms, np.zeros(0)
    keys, counts = np.unique(rows * max(vocabulary, 1) + terms, return_counts=True)
    return keys // max(vocabulary, 1), keys % max(vocabulary, 1), counts.astype(float)


def _normalised(
    rows: np.ndarray, terms: np.ndarray, counts: np.ndarray, idf: np.ndarray, size: int
) -> np.ndarray:
    weights = (1.0 + np.log(counts)) * idf[terms]
    lengths = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=size))
    return weights / np.where(lengths > 0, lengths, 1.0)[rows]


def read_segments(session: Session) -> Segments:
    names: dict[int, str] = {}
    sources: dict[int, str] = {}
    texts: list[str] = []
    columns: list[tuple[int, int, int, int]] = []
    by_source = select(Segment.source_id, Segment.id, Segment.start, Segment.end).order_by(
        Segment.source_id, Segment.start, Segment.id
    )
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for source_id, segment_id, start, end in session.execute(by_source):
        spans.setdefault(source_id, []).append((segment_id, start, end))
    for source_id, name, text in session.execute(
        select(Source.id, Source.name, Source.text).order_by(Source.id)
    ):
        names[source_id] = name
        sources[source_id] = text
        for segment_id, start, end in spans.get(source_id, ()):
            columns.append((segment_id, source_id, start, end))
            texts.append(text[start:end])
    table = np.array(columns, dtype=np.int64).reshape(-1, 4)
    return Segments(table[:, 0], table[:, 1], table[:, 2], table[:, 3], texts, names, sources)


def code_spans(session: Session, code_id: int) -> list[tuple[int, int, int]]:
    """The code's excerpts as (source id, start, end), each once."""
    query = (
        select(Excerpt.source_id, Excerpt.start, Excerpt.end)
        .join(Coding, Coding.excerpt_id == Excerpt.id)
        .where(Coding.code_id == code_id)
        .distinct()
        .order_by(Excerpt.source_id, Excerpt.start, Excerpt.end)
    )
    return [(s, a, b) for s, a, b in session.execute(query)]


def overlapped(segments: Segments, spans: Iterable[tuple[int, int, int]]) -> np.ndarray:
    """Which segments some span (source id, start, end) overlaps."""
    spans = sorted(spans)
    if not spans or not len(segments.ids):
        return np.zeros(len(segments.ids), dtype=bool)
    # the spans' union, as disjoint runs on one line of (source, offset)
    runs: list[list[int]] = []
    for source_id, start, end in spans:
        first, last = source_id * int(_SPAN) + start, source_id * int(_SPAN) + end
        if runs and first <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], last)
        else:
            runs.append([first, last])
    run_starts = np.array([r[0] for r in runs], dtype=np.int64)
    run_ends = np.array([r[1] for r in runs], dtype=np.int64)
    seg_starts = segments.source_ids * _SPAN + segments.starts
    seg_ends = segments.source_ids * _SPAN + segments.ends
    last = np.searchsorted(run_starts, seg_ends, side="left") - 1  # the last run starting before
    return (last >= 0) & (run_ends[np.maximum(last, 0)] > seg_starts)


def best(scores: np.ndarray, candidates: np.ndarray, limit: int) -> list[int]:
    """The positions of the ``limit`` highest scores among the candidates, highest
    first; equal scores in position order."""
    where = np.flatnonzero(candidates)
    if len(where) > limit:
        # everything scoring at least the limit-th best, then a stable sort of those
        cut = np.partition(scores[where], len(where) - limit)[len(where) - limit]
        where = where[scores[where] >= cut]
    order = np.argsort(-scores[where], kind="stable")
    return where[order][:limit].tolist()


def among(values: np.ndarray, wanted: Iterable[int]) -> np.ndarray:
    """Which of ``values`` are in ``wanted``."""
    return np.isin(values, np.fromiter(wanted, dtype=np.int64))
