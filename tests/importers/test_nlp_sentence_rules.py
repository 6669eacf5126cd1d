"""The sentence rules run on token arrays, many texts at once, must find exactly the
sentences of the spaCy pipeline run on each text alone (sentencizer, then the two
components that walk its tokens): any boundary that moves fails here."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cen_themes import nlp
from cen_themes.importers import read_document

from ..benchmarks.generate import transcript
from ..conftest import SAMPLES, corpus
from .test_nlp import _documents, _every_piece_through_spacy


def _through_the_pipeline(texts: list[str]) -> list[list[tuple[int, int]]]:
    """The reference: each text alone through ``nlp.pipeline()``, its ``doc.sents``
    trimmed, as :func:`nlp._sentences` promises."""
    found = []
    for text in texts:
        spans = []
        for sent in nlp.pipeline()(text).sents:
            match = nlp._TRIM.search(text, sent.start_char, sent.end_char)
            if match is not None:
                spans.append(match.span())
        found.append(spans)
    return found


def _assert_same(texts: list[str], batch_sizes=(1, 2, 5, 256)) -> None:
    expected = _through_the_pipeline(texts)
    for batch_size in batch_sizes:
        assert nlp._sentences(texts, batch_size) == expected, batch_size


@pytest.mark.parametrize(
    "texts",
    [
        # A text that ends where the next begins: no rule may reach across.
        ["It ended.", "and then it went on."],
        ["Yes. [", "laughs] Then no."],
        ["Right. “", "Quoted.” and more. (aside) Done."],
        ["...", "and", "…", "so. on"],
        ["Really! [laughs] (pause) “Then” ok.", "No. 5 was fine. no. Yes."],
        # Whitespace tokens, leading and trailing space, line breaks and tabs.
        ["  Hello.  world.   Next one.\t\tand\n\nmore.  ", " . ", ".", "!?", "a . b"],
        # Sentence-ending marks of other scripts, and runs spaCy keeps as one token.
        ["这是。那是？好！", "Wait?! What!!! Ok… fine... Fine.", "U.S. e.g. approx. 5. Dr. Who."],
        # Opening punctuation at the very end of a text, and alone.
        ["Then. (", "[", "“", "\"'", "It was. \"'([ Next"],
    ],
)
def test_awkward_texts_split_as_through_the_pipeline(texts: list[str]) -> None:
    _assert_same(texts)


_token = st.one_of(
    st.text(alphabet="aAzZ .,!?;:…\"'“”‘’()[]{}<>«»-\t\n\u00a0。？！", min_size=1, max_size=6),
    st.sampled_from(
        [". and", ". And", "... so", "… but", "! [laughs]", ". (", ". “", "?!", "no.", "ca.", " "]
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_token, max_size=20).map("".join), min_size=1, max_size=8))
def test_random_texts_split_as_through_the_pipeline(texts: list[str]) -> None:
    _assert_same([t for t in texts if t.strip()] or ["x."])


def _lines(texts: list[str]) -> list[str]:
    return [line for text in texts for line in text.splitlines() if line.strip()]


def test_every_line_of_the_sample_transcripts_splits_as_through_the_pipeline() -> None:
    paths = sorted(p for p in SAMPLES.iterdir() if p.is_file() and p.suffix != ".csv")
    texts = [read_document(path).text for path in paths]
    _assert_same(_lines(texts) + texts, batch_sizes=(3, 256))


def test_every_line_of_the_real_transcripts_splits_as_through_the_pipeline() -> None:
    folders = [corpus("pdpilot", "transcripts_txt"), corpus("fwp_life_histories", "text")]
    texts = [read_document(path).text for folder in folders for path in sorted(folder.iterdir())]
    _assert_same(_lines(texts) + texts, batch_sizes=(7, 256))


def test_every_free_text_answer_splits_as_through_the_pipeline() -> None:
    path = corpus("llmcode_games_as_art", "bopp_test.utf8.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        answers = [row[c] for row in csv.DictReader(fh) for c in ("experience", "why_art")]
    _assert_same([a for a in answers if a.strip()], batch_sizes=(256,))


def test_generated_benchmark_transcripts_segment_as_through_the_pipeline() -> None:
    import random

    rng = random.Random(3)
    documents = _documents([transcript(rng, 3000, f"P{i}") for i in range(4)])
    assert nlp.segment_many(documents) == _every_piece_through_spacy(documents)
