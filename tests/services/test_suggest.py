"""Suggestions: uncoded segments like a code's excerpts, best first; rejecting hides one
for that code, as a change that undo takes back; accepting codes it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cen_themes.db import Project, make_engine, open_project
from cen_themes.errors import InputError, NotFoundError, RefusedError
from cen_themes.migrate import alembic_config
from cen_themes.models import Event, SuggestionRejection
from cen_themes.services import check, codebook, coding, history, suggest, transfer
from cen_themes.services.similarity import Index
from tests.conftest import CodedProject, dump_database, pg_only, who

FIRST = (
    "Interviewer: How long did you wait?\n"
    "P01: The waiting list was two years long. I waited and waited for therapy.\n"
    "P01: My cat is called Tom. We went to the beach in summer.\n"
)
SECOND = (
    "P02: Nobody told me how long the waiting list would be. The weather was lovely.\n"
    "P02: I felt stigmatized by the staff. The list of therapists was long.\n"
)
CODED = "The waiting list was two years long."


@pytest.fixture
def waiting(coded_project: CodedProject) -> Project:
    return coded_project({"int01": FIRST, "int02": SECOND}, [("int01", CODED, "Waiting")])


def texts(found: list) -> list[str]:
    return [s.text for s in found]


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def test_uncoded_segments_sharing_lemmas_come_best_first_with_their_offsets(
    waiting: Project,
) -> None:
    found = suggest.suggest(waiting, "Waiting")
    assert texts(found) == [
        "Nobody told me how long the waiting list would be.",
        "How long did you wait?",  # the interviewer's: "wait" and "long" in three words
        "The list of therapists was long.",
        "I waited and waited for therapy.",  # "waited" is a form of "wait"
    ]
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert all(0 < s.score <= 1 for s in found)
    first = found[0]
    assert (first.source, first.start, first.end) == (
        "int02",
        *span(SECOND, "Nobody told me how long the waiting list would be."),
    )
    # the coded segment, and segments that share no word with it, are not suggested
    assert CODED not in texts(found) and "My cat is called Tom." not in texts(found)
    assert texts(suggest.suggest(waiting, "Waiting", limit=2)) == texts(found)[:2]


def test_each_suggestion_can_come_with_the_text_around_it(waiting: Project) -> None:
    plain = suggest.suggest(waiting, "Waiting")
    around = suggest.suggest(waiting, "Waiting", context=12)
    assert [(s.source, s.start, s.end, s.score) for s in around] == [
        (s.source, s.start, s.end, s.score) for s in plain
    ]
    assert plain[0].before == plain[0].after == ""
    for one in around:
        text = FIRST if one.source == "int01" else SECOND
        assert one.before == text[max(one.start - 12, 0) : one.start]
        assert one.after == text[one.end : one.end + 12]
    assert around[0].before == "P02: "  # the start of the text


def test_british_and_american_spellings_and_inflections_are_one_term() -> None:
    index = Index(["They stigmatised me.", "It was stigmatizing.", "The beach."])
    scores = index.scores(index.profile(["stigmatise"]))
    assert scores.tolist() == pytest.approx([1.0, 1.0, 0.0])


def test_what_every_segment_says_does_not_make_a_segment_like_the_code() -> None:
    index = Index(["Waiting lists again.", "The staff list.", "The beach list.", "A list."])
    profile = index.profile(["the waiting list"])
    assert index.scores(profile)[1] > 0  # "list" alone
    assert index.scores(index.distinct(profile)).tolist()[1:] == [0.0, 0.0, 0.0]
    assert index.scores(index.distinct(profile))[0] > 0.8


def test_stop_words_numbers_and_punctuation_are_no_terms() -> None:
    index = Index(["It was the 2 of us, and I was there!", "Waiting."])
    assert index.scores(index.profile(["it was there 2 us"])).tolist() == [0.0, 0.0]


def test_a_segment_any_excerpt_of_the_code_overlaps_is_not_suggested(
    coded_project: CodedProject,
) -> None:
    project = coded_project(
        {"int01": FIRST, "int02": SECOND},
        [
            ("int01", CODED, "Waiting"),
            ("int02", "long the waiting", "Waiting", "ann"),  # inside a segment
            ("int02", "The list of therapists", "Therapy"),  # another code
        ],
    )
    found = texts(suggest.suggest(project, "Waiting"))
    assert "Nobody told me how long the waiting list would be." not in found
    assert "The list of therapists was long." in found


def test_rejecting_hides_a_segment_for_that_code_only_and_undo_brings_it_back(
    coded_project: CodedProject,
) -> None:
    project = coded_project(
        {"int01": FIRST, "int02": SECOND},
        [("int01", CODED, "Waiting"), ("int02", "The weather was lovely.", "Weather")],
    )
    first = suggest.suggest(project, "Waiting")[0]
    assert "Nobody told me" in first.text
    done = suggest.reject(
        project, "Waiting", first.source, first.start, first.end, coder=who(project, "tester")
    )
    assert done == f"rejected int02 {first.start}-{first.end} as a suggestion for Waiting"
    assert first not in suggest.suggest(project, "Waiting")
    (entry,) = history.log(project, limit=1)
    assert (entry.kind, entry.summary) == ("suggestion.reject", done)
    # another code still sees it
    coding.apply_code(project, "int01", *span(FIRST, CODED), "Lists", coder=who(project, "tester"))
    assert first.text in texts(suggest.suggest(project, "Lists"))
    history.undo(project, coder=who(project, "tester"))  # the Lists coding
    history.undo(project, coder=who(project, "tester"))  # the rejection
    assert suggest.suggest(project, "Waiting")[0] == first


def test_rejecting_again_writes_nothing_and_a_span_that_is_no_segment_is_an_error(
    waiting: Project,
) -> None:
    first = suggest.suggest(waiting, "Waiting")[0]
    coder = who(waiting, "tester")
    suggest.reject(waiting, "Waiting", first.source, first.start, first.end, coder=coder)
    before = dump_database(waiting)
    again = suggest.reject(waiting, "Waiting", first.source, first.start, first.end, coder=coder)
    assert again == f"int02 {first.start}-{first.end} was rejected for Waiting already"
    with pytest.raises(NotFoundError, match=r"^int02: no segment at 5-9$"):
        suggest.reject(waiting, "Waiting", "int02", 5, 9, coder=coder)
    with pytest.raises(NotFoundError, match="no code named 'Nope'"):
        suggest.reject(waiting, "Nope", first.source, first.start, first.end, coder=coder)
    assert dump_database(waiting) == before


def test_accepting_codes_the_segment_so_it_is_suggested_no_more(waiting: Project) -> None:
    first = suggest.suggest(waiting, "Waiting")[0]
    result = suggest.accept(
        waiting, "Waiting", first.source, first.start, first.end, coder=who(waiting, "tester")
    )
    assert (result.excerpt.start, result.excerpt.end, result.excerpt.codes) == (
        first.start,
        first.end,
        ["Waiting"],
    )
    assert first.text not in texts(suggest.suggest(waiting, "Waiting"))


def test_a_code_without_excerpts_an_unknown_code_and_a_bad_limit_are_one_line_errors(
    waiting: Project,
) -> None:
    codebook.create_code(waiting, "Empty", coder=who(waiting, "tester"))
    with pytest.raises(InputError, match=r"^code 'Empty' has no excerpts yet: code a few"):
        suggest.suggest(waiting, "Empty")
    with pytest.raises(NotFoundError, match="no code named 'Wating'"):
        suggest.suggest(waiting, "Wating")
    with pytest.raises(InputError, match="at least 1"):
        suggest.suggest(waiting, "Waiting", limit=0)


def _rejected(project: Project) -> list[tuple[int, int]]:
    with project.read() as session:
        return sorted(
            tuple(row)
            for row in session.execute(
                select(SuggestionRejection.code_id, SuggestionRejection.segment_id)
            )
        )


def _reject_first(project: Project, code: str, nth: int = 0) -> str:
    s = suggest.suggest(project, code)[nth]
    suggest.reject(project, code, s.source, s.start, s.end, coder=who(project, "tester"))
    return s.text


def test_deleting_a_code_deletes_its_rejections_and_undo_restores_them(
    waiting: Project,
) -> None:
    _reject_first(waiting, "Waiting")
    kept = _rejected(waiting)
    assert len(kept) == 1
    codebook.delete_code(waiting, "Waiting", coder=who(waiting, "tester"), force=True)
    assert _rejected(waiting) == []
    history.undo(waiting, coder=who(waiting, "tester"))
    assert _rejected(waiting) == kept
    assert check.check_project(waiting).problems == []


def test_merging_codes_keeps_their_rejections_on_the_target_once(
    coded_project: CodedProject,
) -> None:
    project = coded_project(
        {"int01": FIRST, "int02": SECOND},
        [("int01", CODED, "Waiting"), ("int01", CODED, "Delay")],
    )
    one = _reject_first(project, "Waiting", nth=1)
    assert _reject_first(project, "Delay", nth=1) == one  # the same segment
    other = _reject_first(project, "Delay", nth=1)
    assert len(_rejected(project)) == 3
    codebook.merge_codes(project, ["Delay"], "Waiting", coder=who(project, "tester"))
    with project.read() as session:
        rows = session.execute(select(SuggestionRejection.segment_id)).scalars().all()
    assert len(rows) == len(set(rows)) == 2
    shown = texts(suggest.suggest(project, "Waiting"))
    assert one not in shown and other not in shown
    history.undo(project, coder=who(project, "tester"))
    assert len(_rejected(project)) == 3


def test_a_backup_keeps_the_rejections(waiting: Project, tmp_path: Path) -> None:
    _reject_first(waiting, "Waiting")
    transfer.backup(waiting, tmp_path / "copy.db")
    copy = open_project(tmp_path / "copy.db")
    try:
        assert texts(suggest.suggest(copy, "Waiting")) == texts(suggest.suggest(waiting, "Waiting"))
        assert check.check_project(copy).problems == []
    finally:
        copy.close()


# -- a team on PostgreSQL ------------------------------------------------------------------


@pytest.fixture
def team(pg_project: Project, coded_project: CodedProject) -> Iterator[dict[str, str]]:
    from tests.project import test_team

    fixture = test_team.team.__wrapped__(pg_project, coded_project)  # type: ignore[attr-defined]
    urls = next(fixture)
    yield urls
    next(fixture, None)


@pg_only
def test_a_coder_may_reject_and_undo_their_own_rejection_a_reader_may_not(
    team: dict[str, str],
) -> None:
    from tests.project.test_team import TEXT

    segment = span(TEXT, "Then they listened to me.")
    opened = {role: open_project(url) for role, url in team.items()}
    try:
        coder, reader = opened["coder"], opened["reader"]
        with pytest.raises(RefusedError, match=r"suggestion\.reject needs the coder role"):
            suggest.reject(reader, "Access > Waiting", "int01", *segment, coder=str(reader.login))
        suggest.reject(coder, "Access > Waiting", "int01", *segment, coder=str(coder.login))
        with coder.read() as session:
            assert session.scalar(select(func.count()).select_from(SuggestionRejection)) == 1
            assert session.scalar(
                select(Event.coder).where(Event.kind == "suggestion.reject")
            ) == str(coder.login)
        history.undo(coder, coder=str(coder.login))
        with coder.read() as session:
            assert session.scalar(select(func.count()).select_from(SuggestionRejection)) == 0
    finally:
        for project in opened.values():
            project.close()


def _down_to_0008_and_up_again(url: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0008")
            assert "suggestion_rejections" not in conn.dialect.get_table_names(conn)
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    finally:
        engine.dispose()


@pg_only
def test_a_team_made_before_the_upgrade_may_reject_after_it(
    team: dict[str, str], pg_project: Project
) -> None:
    from tests.project.test_team import TEXT

    _down_to_0008_and_up_again(pg_project.url)
    coder = open_project(team["coder"])
    try:
        segment = span(TEXT, "Then they listened to me.")
        suggest.reject(coder, "Access > Waiting", "int01", *segment, coder=str(coder.login))
        history.undo(coder, coder=str(coder.login))
    finally:
        coder.close()


def test_the_table_goes_on_a_downgrade_and_comes_back_on_the_upgrade(waiting: Project) -> None:
    _down_to_0008_and_up_again(waiting.url)
    _reject_first(waiting, "Waiting")
    assert len(_rejected(waiting)) == 1


def test_check_names_a_rejection_of_a_segment_that_is_gone(waiting: Project, db_path: Path) -> None:
    _reject_first(waiting, "Waiting")
    assert check.check_project(waiting).problems == []
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE suggestion_rejections SET segment_id = 999")
    (problem,) = check.check_project(waiting).problems
    assert (problem.kind, problem.detail) == (
        "orphan",
        "suggestion_rejection 1 refers to segment 999, which does not exist",
    )
