"""Segments: sentences within speaker turns, with offsets into the stored text."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cen_themes import nlp
from cen_themes.bulk import beside
from cen_themes.importers import read_document
from cen_themes.importers.base import Document, Turn
from cen_themes.importers.refi import read_refi
from cen_themes.importers.turns import detect_turns

from ..conftest import SAMPLES, SHARED, corpus


def _segments(text: str, fmt: str = "txt") -> list[tuple[str | None, str]]:
    turns, skips = detect_turns(text)
    document = Document(text=text, turns=turns, skips=skips, format=fmt)
    return [(s.speaker, text[s.start : s.end]) for s in nlp.segment(document)]


def test_sentences_within_turns_without_labels() -> None:
    text = "Interviewer: Hello there. How are you?\nP01: Fine! Thanks.\n"
    assert _segments(text) == [
        ("Interviewer", "Hello there."),
        ("Interviewer", "How are you?"),
        ("P01", "Fine!"),
        ("P01", "Thanks."),
    ]


def test_opening_bracket_starts_the_next_sentence() -> None:
    text = "A: It was this morning, really. [laughter] Then it got worse.\nB: Oh. (pause) Right.\n"
    assert _segments(text) == [
        ("A", "It was this morning, really."),
        ("A", "[laughter] Then it got worse."),
        ("B", "Oh."),
        ("B", "(pause) Right."),
    ]


def test_wrapped_lines_continue_but_short_lines_and_blank_lines_break() -> None:
    wrapped = "a" * 30 + " service was slow to answer and then they said that we would\n"
    text = (
        "Q: Tell me.\n"
        f"A: {wrapped}have to wait for months.\n"
        "It was hard\n"
        "and lonely\n\n"
        "New paragraph without a stop\n"
    )
    got = [t for _s, t in _segments(text)]
    assert got == [
        "Tell me.",
        f"{wrapped}have to wait for months.",
        "It was hard",
        "and lonely",
        "New paragraph without a stop",
    ]


def test_paragraph_formats_never_join_lines() -> None:
    long_title = "Staff interview 02 - care coordinator, community mental health team"
    text = f"{long_title}\nSecond paragraph here.\n"
    document = Document(text=text, turns=[Turn(0, len(text) - 1, None)], format="docx")
    assert [text[s.start : s.end] for s in nlp.segment(document)] == [
        long_title,
        "Second paragraph here.",
    ]
    as_txt = Document(text=text, turns=[Turn(0, len(text) - 1, None)], format="txt")
    assert len(nlp.segment(as_txt)) == 1


def test_page_headers_are_in_no_segment() -> None:
    wrapped = "we tend to use them in our initial data explorations, which is why we use\n"
    text = f"Dan: \n Question?\nParticipant: \n {wrapped}2/5\nICE plots. Yes.\n"
    segments = _segments(text)
    assert ("Participant", wrapped.rstrip()) in segments
    assert ("Participant", "ICE plots.") in segments
    assert all("2/5" not in t for _s, t in segments)


def test_text_longer_than_spacy_allows_is_cut_into_pieces() -> None:
    sentence = "Word " + "word " * 18 + "end. "
    text = sentence * 30_000  # 3 MB on one line: more than spaCy's max_length
    document = Document(text=text, turns=[Turn(0, len(text) - 1, None)])
    segments = nlp.segment(document)
    assert 29_990 <= len(segments) <= 30_020
    assert segments[-1].end == len(text) - 1


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Recorded in 2023, approx. 64 minutes, transcribed verbatim.",
            ["Recorded in 2023, approx. 64 minutes, transcribed verbatim."],
        ),
        ("It took ca. two years. Cf. the notes.", ["It took ca. two years.", "Cf. the notes."]),
        ("We waited... and waited. Then home.", ["We waited... and waited.", "Then home."]),
        ("I was like. to pick one.", ["I was like. to pick one."]),
        ("No. I didn't. No. 5 was fine.", ["No.", "I didn't.", "No.", "5 was fine."]),
        ("Why? because. Really!", ["Why?", "because.", "Really!"]),
    ],
)
def test_abbreviations_and_lower_case_do_not_start_sentences(text, sentences) -> None:
    document = Document(text=text, turns=[Turn(0, len(text), None)])
    assert [text[s.start : s.end] for s in nlp.segment(document)] == sentences


def test_turn_numbers_group_segments_by_turn() -> None:
    text = "Q: One. Two.\nA: Three.\nQ: Four.\n"
    turns, skips = detect_turns(text)
    got = nlp.segment(Document(text, turns, skips))
    assert [(s.turn, s.speaker) for s in got] == [(0, "Q"), (0, "Q"), (1, "A"), (2, "Q")]


_line = st.one_of(
    st.text(alphabet="abc .?!\n[]()“”", min_size=0, max_size=60),
    st.sampled_from(["Q: ", "A: ", "2/5", "Page 3", "\n", "P01:", "[Ann] "]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_line, max_size=25))
def test_segments_are_ordered_trimmed_and_inside_turns(lines: list[str]) -> None:
    text = "\n".join(lines)
    turns, skips = detect_turns(text)
    for fmt in ("txt", "docx"):
        segments = nlp.segment(Document(text, turns, skips, format=fmt))
        previous_end = 0
        for segment in segments:
            piece = text[segment.start : segment.end]
            assert piece and piece == piece.strip()
            assert segment.start >= previous_end
            previous_end = segment.end
            turn = turns[segment.turn]
            assert turn.start <= segment.start and segment.end <= turn.end
            assert segment.speaker == turn.speaker
            for skip_start, skip_end in skips:
                assert segment.end <= skip_start or segment.start >= skip_end


# -- the same segments as running every piece through the whole pipeline -----------------


def _every_piece_through_spacy(documents: list[Document]) -> list[list[nlp.SegmentSpan]]:
    """Segments as the pipeline makes them, one piece at a time in this process: what
    :func:`nlp.segment_many` must give, however it shares out or skips the work."""
    results: list[list[nlp.SegmentSpan]] = []
    for document in documents:
        out = []
        for start, end, speaker, number in nlp._pieces(document):
            text = document.text[start:end]
            if not text.strip():
                continue
            doc = nlp.pipeline()(text)
            for sent in doc.sents:
                match = nlp._TRIM.search(text, sent.start_char, sent.end_char)
                if match is not None:
                    out.append(
                        nlp.SegmentSpan(start + match.start(), start + match.end(), speaker, number)
                    )
        results.append(out)
    return results


def _documents(texts: list[str], fmt: str = "txt") -> list[Document]:
    documents = []
    for text in texts:
        turns, skips = detect_turns(text)
        documents.append(Document(text, turns, skips, format=fmt))
    return documents


def _sample_transcripts() -> list[Document]:
    return [
        read_document(path)
        for path in sorted(SAMPLES.iterdir())
        if path.is_file() and path.suffix != ".csv"
    ]


@pytest.mark.parametrize("where", ["here", "beside"])
def test_sample_transcripts_segment_as_through_the_whole_pipeline(monkeypatch, where) -> None:
    documents = _sample_transcripts()
    assert {d.format for d in documents} >= {"txt", "docx", "vtt", "srt"}
    if where == "here":
        monkeypatch.setattr(beside, "can_fork", lambda: False)
    else:
        monkeypatch.setattr(nlp, "SPLIT_CHARS", 0)
    assert nlp.segment_many(documents) == _every_piece_through_spacy(documents)


@pytest.mark.skipif(
    not beside.can_fork(), reason="forks only on Linux, from a process with one thread"
)
def test_enough_text_is_shared_with_a_child(monkeypatch) -> None:
    shared = []

    class Spy(beside.Beside):
        def __init__(self, function, *args):
            shared.append(len(args[0]))
            super().__init__(function, *args)

    monkeypatch.setattr(beside, "Beside", Spy)
    documents = _sample_transcripts()
    monkeypatch.setattr(nlp, "SPLIT_CHARS", sum(len(d.text) for d in documents) // 2)
    assert nlp.segment_many(documents) == _every_piece_through_spacy(documents)
    assert len(shared) == 1 and shared[0] > 0


def test_real_transcripts_segment_as_through_the_whole_pipeline() -> None:
    folders = [corpus("pdpilot", "transcripts_txt"), corpus("fwp_life_histories", "text")]
    documents = [read_document(path) for folder in folders for path in sorted(folder.iterdir())]
    assert nlp.segment_many(documents) == _every_piece_through_spacy(documents)


def test_short_free_text_answers_segment_as_through_the_whole_pipeline() -> None:
    """Survey answers: many short pieces, some without any sentence-ending mark."""
    path = corpus("llmcode_games_as_art", "bopp_test.utf8.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    answers = [row[column] for row in rows for column in ("experience", "why_art")]
    documents = _documents(answers)
    assert nlp.segment_many(documents) == _every_piece_through_spacy(documents)


def test_the_nvivo_sample_segments_as_through_the_whole_pipeline() -> None:
    """Two long documents of short lines (comment exports), most of them the same in
    both and most without a full stop."""
    path = SHARED / "interop" / "samples" / "nvivo12win_oltas0517.qdpx"
    if not path.exists():
        pytest.skip(f"{path} not present: this real-export test needs ../shared/interop")
    documents = _documents([source.text for source in read_refi(path).sources])
    assert nlp.segment_many(documents) == _every_piece_through_spacy(documents)


_word = st.one_of(
    st.text(alphabet="abAB .,!?;:…\"'“”‘’()[]-\t\u00a0\u3000。？", min_size=1, max_size=12),
    st.sampled_from(["Dr.", "etc.", "approx.", "No.", "U.S.", "e.g.", "...", "?!", "!!!", "\n"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_word, max_size=12).map("".join), min_size=1, max_size=6))
def test_skipping_spacy_never_changes_a_segment(texts: list[str]) -> None:
    for fmt in ("txt", "docx"):
        documents = _documents(texts, fmt)
        assert nlp.segment_many(documents) == _every_piece_through_spacy(documents)
