"""Search: literal (case-folded), regex and lemma matches, with code-point offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.results import SearchHit
from cen_themes.services import analysis, coding, history, themes
from cen_themes.services.search import search
from tests.conftest import CodedProject, dump_database, who

# Emoji (one code point, two UTF-16 units; four UTF-8 bytes) and accented letters,
# one of them decomposed (e + combining acute: two code points), before the hits.
FIRST = (
    "Interviewer: Ça va? 🙂🙂 Café́ first.\n"
    "P01: I worried about the Waiting list. Worries kept me awake.\n"
    "P01: The waiting was the worst; I was worried about money.\n"
)
SECOND = "P02: Straße or STRASSE, the WAITING never ends. I worry.\n"


@pytest.fixture
def corpus(coded_project: CodedProject) -> Project:
    # Imported second-named first: hits follow import order, not names.
    return coded_project({"b_first": FIRST, "a_second": SECOND})


def spans(hits: list[SearchHit]) -> list[tuple[str, int, int, str]]:
    return [(h.source, h.start, h.end, h.match) for h in hits]


def at(text: str, words: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return start, start + len(words)


def test_literal_is_case_insensitive_in_import_order(corpus: Project) -> None:
    hits = search(corpus, "waiting")
    assert spans(hits) == [
        ("b_first", *at(FIRST, "Waiting"), "Waiting"),
        ("b_first", *at(FIRST, "waiting"), "waiting"),
        ("a_second", *at(SECOND, "WAITING"), "WAITING"),
    ]
    assert search(corpus, "WAITING LIST")[0].match == "Waiting list"


def test_offsets_are_code_points_after_emoji_and_accents(corpus: Project) -> None:
    (hit,) = search(corpus, "first.")
    start, end = at(FIRST, "first.")
    assert (hit.start, hit.end) == (start, end)
    assert FIRST[hit.start : hit.end] == "first."
    # In UTF-16 the two emoji would have pushed the offset on by two.
    assert len(FIRST[:start].encode("utf-16-le")) // 2 == start + 2
    (cafe,) = search(corpus, "CAFÉ")
    assert (cafe.start, cafe.match) == (FIRST.index("Café"), "Café")


def test_context_is_verbatim_text_either_side(corpus: Project) -> None:
    hits = search(corpus, "worst", context=10)
    (hit,) = hits
    assert hit.left == FIRST[hit.start - 10 : hit.start] == "g was the "
    assert hit.right == FIRST[hit.end : hit.end + 10] == "; I was wo"
    (edge,) = search(corpus, "interviewer", context=40)
    assert (edge.start, edge.left) == (0, "")
    assert search(corpus, "worst", context=0)[0].left == ""


def test_case_folding_maps_offsets_to_the_stored_text(corpus: Project) -> None:
    hits = search(corpus, "strasse")
    assert spans(hits) == [
        ("a_second", *at(SECOND, "Straße"), "Straße"),
        ("a_second", *at(SECOND, "STRASSE"), "STRASSE"),
    ]
    # The words after a folded ß keep their own offsets.
    (after,) = search(corpus, "or strasse")
    assert after.match == "or STRASSE"
    (never,) = search(corpus, "never")
    assert (never.start, never.end) == at(SECOND, "never")


def test_regex(corpus: Project) -> None:
    hits = search(corpus, r"worr(y|ied|ies)\b", regex=True)
    assert [h.match for h in hits] == ["worried", "worried", "worry"]  # as written: case counts
    folded = search(corpus, r"(?i)worr(y|ied|ies)\b", regex=True)
    assert [h.match for h in folded] == ["worried", "Worries", "worried", "worry"]
    assert [(h.start, h.end) for h in folded][:2] == [
        at(FIRST, "worried"),
        at(FIRST, "Worries"),
    ]


def test_regex_empty_matches_are_not_hits(corpus: Project) -> None:
    assert [h.match for h in search(corpus, "x*", regex=True)] == []


def test_invalid_regex_is_one_clear_line(corpus: Project) -> None:
    with pytest.raises(InputError) as caught:
        search(corpus, "worr(y", regex=True)
    message = str(caught.value)
    assert "\n" not in message
    assert "'worr(y'" in message
    assert "missing )" in message


def test_lemma_finds_inflected_forms(corpus: Project) -> None:
    hits = search(corpus, "worry", lemma=True)
    assert spans(hits) == [
        ("b_first", *at(FIRST, "worried"), "worried"),
        ("b_first", *at(FIRST, "Worries"), "Worries"),
        ("b_first", *at(FIRST, "worried", 1), "worried"),
        ("a_second", *at(SECOND, "worry"), "worry"),
    ]
    # The query is lemmatized too, and a plain search does not find the other forms.
    assert [h.match for h in search(corpus, "worries", lemma=True)] == [h.match for h in hits]
    assert [h.match for h in search(corpus, "worry")] == ["worry"]


def test_lemma_multi_word_matches_consecutive_words(corpus: Project) -> None:
    hits = search(corpus, "be worried about", lemma=True)
    assert spans(hits) == [("b_first", *at(FIRST, "was worried about"), "was worried about")]
    assert search(corpus, "worry money", lemma=True) == []  # "about" comes between


def test_lemma_whole_words_only(corpus: Project) -> None:
    assert search(corpus, "wait", lemma=True) != []
    assert [h.match for h in search(corpus, "wait", lemma=True)] == [
        "Waiting",
        "waiting",
        "WAITING",
    ]
    assert search(corpus, "orr", lemma=True) == []


@pytest.mark.parametrize("query", ["", "   ", "\n"])
@pytest.mark.parametrize("mode", [{}, {"regex": True}, {"lemma": True}])
def test_empty_query_is_an_input_error(corpus: Project, query: str, mode: dict) -> None:
    with pytest.raises(InputError, match="empty"):
        search(corpus, query, **mode)


def test_source_filter(corpus: Project) -> None:
    assert [h.source for h in search(corpus, "waiting", source="a_second")] == ["a_second"]
    with pytest.raises(NotFoundError, match="no source named 'nope'"):
        search(corpus, "waiting", source="nope")


def test_no_sources_no_hits(project: Project) -> None:
    assert search(project, "anything") == []
    assert search(project, "anything", lemma=True) == []


# -- coding the hits: several spans, one change ---------------------------------


def coded(project: Project) -> list[tuple[str, int, int, list[str], list[str]]]:
    return [(e.source, e.start, e.end, e.codes, e.coders) for e in analysis.find_excerpts(project)]


def test_code_all_hits_is_one_event_and_one_undo(corpus: Project, db: Path | str) -> None:
    hits = search(corpus, "worry", lemma=True)
    before = dump_database(db)
    n_events = len(history.log(corpus))
    result = coding.apply_code_spans(
        corpus, [(h.source, h.start, h.end) for h in hits], "Worry", coder=who(corpus, "ana")
    )
    assert (result.added, result.already, result.created_codes) == (4, 0, ["Worry"])
    assert result.summary == "coded 4 spans in 2 sources with Worry"
    assert sorted(coded(corpus)) == sorted(
        (h.source, h.start, h.end, ["Worry"], [who(corpus, "ana")]) for h in hits
    )
    log = history.log(corpus)
    assert len(log) == n_events + 1
    assert (log[-1].kind, log[-1].summary) == ("coding.apply", result.summary)
    history.undo(corpus, coder=who(corpus, "ana"))
    assert coded(corpus) == []
    assert [row for row in dump_database(db) if row[0] != "events"] == [
        row for row in before if row[0] != "events"
    ]


def test_code_spans_adds_to_existing_excerpts_and_skips_codings_there(corpus: Project) -> None:
    first, second = search(corpus, "waiting")[:2]
    coding.apply_code(
        corpus, first.source, first.start, first.end, "Access", coder=who(corpus, "ana")
    )
    coding.apply_code(
        corpus, second.source, second.start, second.end, "Waits", coder=who(corpus, "ana")
    )
    spans = [(h.source, h.start, h.end) for h in (first, second)]
    result = coding.apply_code_spans(corpus, [*spans, spans[1]], "Access", coder=who(corpus, "ana"))
    assert (result.added, result.already) == (1, 1)
    assert "(1 already coded)" in result.summary
    assert sorted(coded(corpus)) == sorted(
        [
            (first.source, first.start, first.end, ["Access"], [who(corpus, "ana")]),
            (second.source, second.start, second.end, ["Access", "Waits"], [who(corpus, "ana")]),
        ]
    )
    again = coding.apply_code_spans(corpus, spans, "Access", coder=who(corpus, "ana"))
    assert (again.added, again.already) == (0, 2)
    history.undo(corpus, coder=who(corpus, "ana"))  # the last real change: the first batch
    assert sorted(coded(corpus)) == sorted(
        [
            (first.source, first.start, first.end, ["Access"], [who(corpus, "ana")]),
            (second.source, second.start, second.end, ["Waits"], [who(corpus, "ana")]),
        ]
    )


def test_code_spans_keeps_theme_counts(corpus: Project) -> None:
    themes.add_theme(corpus, "Distress", coder=who(corpus, "ana"))
    coding.apply_code(corpus, "b_first", 0, 5, "Worry", coder=who(corpus, "ana"))
    themes.assign_codes(corpus, "Distress", ["Worry"], coder=who(corpus, "ana"))
    hits = search(corpus, "worry", lemma=True)
    coding.apply_code_spans(
        corpus, [(h.source, h.start, h.end) for h in hits], "Worry", coder=who(corpus, "b")
    )
    (theme,) = themes.list_themes(corpus)
    assert (theme.excerpts, theme.sources) == (5, 2)
    history.undo(corpus, coder=who(corpus, "ana"))
    (theme,) = themes.list_themes(corpus)
    assert (theme.excerpts, theme.sources) == (1, 1)


@pytest.mark.parametrize(
    ("spans", "error", "message"),
    [
        ([], InputError, "no spans to code"),
        ([("b_first", 0, 5), ("nope", 0, 5)], NotFoundError, "no source named 'nope'"),
        ([("b_first", 0, 5), ("a_second", 5, 5)], InputError, "start 5 must be before end 5"),
        ([("a_second", 0, 10_000)], InputError, "past the end of the text"),
    ],
)
def test_code_spans_checks_every_span_first(
    corpus: Project, db: Path | str, spans: list, error: type, message: str
) -> None:
    before = dump_database(db)
    with pytest.raises(error, match=message):
        coding.apply_code_spans(corpus, spans, "Worry", coder=who(corpus, "ana"))
    assert dump_database(db) == before


def test_a_regex_that_backtracks_forever_is_stopped(
    corpus: Project, coded_project: CodedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nested repeats take polynomial or exponential time on a long line; the search
    stops at its time limit with one line instead of hanging."""
    from cen_themes.services import search as search_module

    coded_project({"long": "word and a wait " * 400 + "!\n"})
    monkeypatch.setattr(search_module, "REGEX_SECONDS", 0.2)
    with pytest.raises(InputError, match=r"took over 0.2 s .*simplify it"):
        search(corpus, r"(.*a){12}$", regex=True)
    assert search(corpus, r"worr\w+", regex=True)  # an ordinary pattern still works
