"""Search the sources: keyword in context, by literal words, a regex, or lemmas.

Plain search is a case-insensitive literal match (Unicode case folding, so "STRASSE"
finds "Straße"); ``regex`` takes a Python regular expression as written (add ``(?i)``
to ignore case); ``lemma`` matches the words whose dictionary form is the query's
("worry" finds "worried" and "worries"), a several-word query matching consecutive
words. Every offset is a code point into the stored text, end exclusive.

The lemma search tokenizes with the project's spaCy pipeline (:mod:`cen_themes.nlp`)
and looks up each word's lowercase form in spaCy's English lookup table, so nothing
here imports spaCy until a lemma search runs.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from cen_themes import nlp
from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.models import Source
from cen_themes.results import SearchHit
from cen_themes.services.sources import find_source

DEFAULT_CONTEXT = 40


def search(
    project: Project,
    query: str,
    *,
    lemma: bool = False,
    regex: bool = False,
    word: bool = False,
    context: int = DEFAULT_CONTEXT,
    source: str | None = None,
) -> list[SearchHit]:
    """Every match of ``query`` in the sources (or in ``source``), in import order and
    then by offset, with ``context`` characters of text either side. ``word`` keeps the
    matches that begin and end at word boundaries ("stigma" then misses
    "stigmatising"); lemma matches are whole words already."""
    if not query.strip():
        raise InputError("the search query is empty")
    if lemma and regex:
        raise InputError("search by lemma or by regular expression, not both")
    if context < 0:
        raise InputError(f"the context cannot be negative ({context})")
    if regex:
        finder = _regex_finder(query)
    elif lemma:
        finder = _LemmaFinder(query)
    else:
        finder = _literal_finder(query)
    with project.read() as session:
        if source is not None:
            found = find_source(session, source)
            texts = [(found.name, found.text)]
        else:
            texts = list(session.execute(select(Source.name, Source.text).order_by(Source.id)))
    if word and not lemma:
        finder = _whole_words(finder)
    hits: list[SearchHit] = []
    for name, text in texts:
        for start, end in finder(text):
            hits.append(
                SearchHit(
                    source=name,
                    start=start,
                    end=end,
                    match=text[start:end],
                    left=text[max(start - context, 0) : start],
                    right=text[end : end + context],
                )
            )
    return hits


def one_line(text: str) -> str:
    """Text for a one-line display: every run of whitespace (line breaks too) as a space."""
    return _WHITESPACE.sub(" ", text)


_WHITESPACE = re.compile(r"\s+")


def _whole_words(finder):
    """The finder's matches that do not begin or end inside a word."""

    def find(text: str) -> Iterator[tuple[int, int]]:
        for start, end in finder(text):
            if _boundary(text, start) and _boundary(text, end):
                yield start, end

    return find


def _boundary(text: str, at: int) -> bool:
    """Whether ``at`` is not between two word characters (letters, digits, "_")."""
    return not (0 < at < len(text) and _wordy(text[at - 1]) and _wordy(text[at]))


def _wordy(char: str) -> bool:
    return char.isalnum() or char == "_"


# -- literal ----------------------------------------------------------------------


def _literal_finder(query: str):
    needle = query.casefold()

    def find(text: str) -> Iterator[tuple[int, int]]:
        folded, origin = _fold(text)
        position = folded.find(needle)
        while position >= 0:
            end = position + len(needle)
            if origin is None:
                yield position, end
                position = folded.find(needle, end)
                continue
            # A match must begin and end on whole characters of the stored text: "s"
            # does not match half of "ß" (folded "ss"), but "ss" matches all of it.
            if _starts_char(origin, position) and _starts_char(origin, end):
                yield origin[position], origin[end - 1] + 1
                position = folded.find(needle, end)
            else:
                position = folded.find(needle, position + 1)

    return find


def _fold(text: str) -> tuple[str, list[int] | None]:
    """The case-folded text, and where each of its characters comes from in ``text``
    (``None`` when folding kept every character one character long)."""
    folded = text.casefold()
    if len(folded) == len(text):  # no character folds to several: offsets are the same
        return folded, None
    origin: list[int] = []
    parts: list[str] = []
    for index, char in enumerate(text):
        piece = char.casefold()
        parts.append(piece)
        origin.extend([index] * len(piece))
    return "".join(parts), origin


def _starts_char(origin: list[int], position: int) -> bool:
    return position in (0, len(origin)) or origin[position] != origin[position - 1]


# -- regex ------------------------------------------------------------------------


REGEX_SECONDS = 5.0
"""How long one regex search may run over all sources. A pattern with nested repeats
such as ``(\\w+\\s?)+$`` can take longer than the age of the universe on one
transcript; the ``regex`` module stops it and the user is told."""


def _regex_finder(pattern: str):
    import regex

    try:
        compiled = regex.compile(pattern)
    except regex.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise InputError(f"invalid regular expression '{pattern}': {exc.msg}{where}") from None
    deadline = time.monotonic() + REGEX_SECONDS

    def find(text: str) -> Iterator[tuple[int, int]]:
        try:
            for match in compiled.finditer(text, timeout=max(deadline - time.monotonic(), 0.01)):
                if match.end() > match.start():  # an empty match marks no words to show
                    yield match.start(), match.end()
        except TimeoutError:
            raise InputError(
                f"regular expression '{pattern}' took over {REGEX_SECONDS:g} s "
                "(nested repeats such as (a+)+ can take forever); simplify it"
            ) from None

    return find


# -- lemma ------------------------------------------------------------------------

_lock = threading.Lock()
_lemmas: _LemmaTable | None = None

# Entries of spaCy's norm table that are not spellings of one word but other words
# ("cos" -> "because", "thx" -> "thanks"): they share few letters with their norm.
_SPELLING_LIKENESS = 0.7


@dataclass(frozen=True, slots=True)
class _LemmaTable:
    lemma_of: dict[str, str]  # lowercase word -> lemma (words not listed are their own)
    spelling_of: dict[str, str]  # lowercase word -> its American spelling, where it differs
    forms_of: dict[str, frozenset[str]]  # key -> the listed words that have it

    def key(self, word: str) -> str:
        """What two words share when one is a form of the other: the lemma, in one
        spelling ("stigmatised" and "stigmatizing" -> "stigmatize", "behaviours" and
        "behavior" -> "behavior"). The spelling is normalised before the lemma is looked
        up (the table may list only one spelling's forms) and after (a lemma may be
        listed in the other spelling)."""
        lower = word.lower()
        spelled = self.spelling_of.get(lower, lower)
        lemma = self.lemma_of.get(spelled, self.lemma_of.get(lower, spelled))
        return self.spelling_of.get(lemma, lemma)

    def forms(self, key: str) -> frozenset[str]:
        """Every lowercase word whose key is ``key``."""
        return self.forms_of.get(key, frozenset()) | {key}


def _lemma_table() -> _LemmaTable:
    """spaCy's English lemma lookup table and its British-to-American spelling table
    (``lexeme_norm`` in spacy-lookups-data), loaded on first use (thread-safe)."""
    global _lemmas
    with _lock:
        if _lemmas is None:
            from spacy.util import load_language_data, registry

            try:
                tables = registry.lookups.get("en")
                lemma_of: dict[str, str] = load_language_data(tables["lemma_lookup"])
                norms: dict[str, str] = load_language_data(tables["lexeme_norm"])
            except Exception as exc:  # spacy-lookups-data missing or unreadable
                raise InputError(
                    f"lemma search needs spacy-lookups-data (the English lemma table): {exc}"
                ) from None
            spelling_of = {
                word: norm.strip()
                for word, norm in norms.items()
                if word == word.lower()
                and norm.strip().isalpha()
                and _alike(word, norm.strip()) >= _SPELLING_LIKENESS
            }
            table = _LemmaTable(lemma_of, spelling_of, {})
            forms: dict[str, set[str]] = {}
            for word in {*lemma_of, *lemma_of.values(), *spelling_of, *spelling_of.values()}:
                forms.setdefault(table.key(word), set()).add(word)
            _lemmas = _LemmaTable(
                lemma_of, spelling_of, {k: frozenset(v) for k, v in forms.items()}
            )
        return _lemmas


def _alike(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio()


def lemma_key(word: str) -> str:
    """The word's lemma in American spelling: what a lemma search compares."""
    return _lemma_table().key(word)


class _LemmaFinder:
    """Runs of consecutive words (spaces and line breaks between them skipped) whose
    lemmas, spelling normalised, are the query's."""

    def __init__(self, query: str) -> None:
        self.tokenizer = nlp.pipeline().tokenizer
        table = _lemma_table()
        words = [t.text for t in self.tokenizer(query) if not t.is_space]
        self.forms = [table.forms(table.key(word)) for word in words]

    def __call__(self, text: str) -> Iterator[tuple[int, int]]:
        lowered = text.lower()
        # Most sources lack some word of the query in any form: skip tokenizing them.
        if not all(any(form in lowered for form in forms) for forms in self.forms):
            return
        tokens = [t for t in self.tokenizer(text) if not t.is_space]
        size = len(self.forms)
        first = self.forms[0]
        i = 0
        while i <= len(tokens) - size:
            run = tokens[i : i + size]
            if tokens[i].lower_ in first and all(
                token.lower_ in forms for token, forms in zip(run, self.forms, strict=True)
            ):
                yield run[0].idx, run[-1].idx + len(run[-1].text)
                i += size  # matches do not overlap, as in the other modes
            else:
                i += 1
