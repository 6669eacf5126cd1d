"""`cen-themes autocode`: the hits of a search, or a speaker's turns, coded as one change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import Cli, CodedProject, dump_database

TEXT = (
    "Interviewer: How did the diagnosis feel?\n"
    "P01: I felt stigmatised. Then my GP stigmatized me too. It was hard.\n"
    "Interviewer: And later?\n"
    "P01: Better. Nobody stigmatises me now.\n"
)
OTHER = "Interviewer: Why?\nP02: The stigmatising label stayed. I hated it.\n"


@pytest.fixture
def two(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project({"int01": TEXT, "int02": OTHER})
    return cli


def spans(cli: Cli, code: str) -> list[tuple[str, str]]:
    rows = json.loads(cli("excerpts", "--code", code, "--json").stdout)
    return [(row["source"], row["text"]) for row in rows]


def test_hits_by_sentence(two: Cli) -> None:
    result = two("autocode", "stigmatise", "--lemma", "--scope", "sentence", "--code", "Stigma")
    assert result.exit_code == 0, result.stderr
    # Four hits, in four sentences of two sources.
    assert result.stderr == (
        "auto-coded 4 sentences in 2 sources with Stigma: the hits of 'stigmatise' by lemma\n"
    )
    assert spans(two, "Stigma") == [
        ("int01", "I felt stigmatised."),
        ("int01", "Then my GP stigmatized me too."),
        ("int01", "Nobody stigmatises me now."),
        ("int02", "The stigmatising label stayed."),
    ]


def test_hits_by_turn_and_two_hits_in_one_turn_make_one_excerpt(two: Cli) -> None:
    result = two("autocode", "stigmati", "--scope", "turn", "--code", "Stigma")
    assert result.exit_code == 0, result.stderr
    assert spans(two, "Stigma") == [
        # The speaker label is not part of the turn.
        ("int01", "I felt stigmatised. Then my GP stigmatized me too. It was hard."),
        ("int01", "Better. Nobody stigmatises me now."),
        ("int02", "The stigmatising label stayed. I hated it."),
    ]
    assert "auto-coded 3 turns in 2 sources" in result.stderr


def test_hits_themselves_by_default_and_whole_words(two: Cli) -> None:
    assert two("autocode", "hard", "--word", "--code", "Hard").exit_code == 0
    assert spans(two, "Hard") == [("int01", "hard")]
    assert two("autocode", "stigma", "--word", "--code", "Hard").stderr.startswith(
        "no matches for 'stigma'"
    )


def test_a_speakers_turns_and_sentences(two: Cli) -> None:
    result = two("autocode", "--speaker", "interviewer", "--code", "Asked")
    assert result.exit_code == 0, result.stderr
    assert spans(two, "Asked") == [
        ("int01", "How did the diagnosis feel?"),
        ("int01", "And later?"),
        ("int02", "Why?"),
    ]
    assert two("autocode", "--speaker", "P01", "--scope", "sentence", "--code", "P1").exit_code == 0
    assert [text for _source, text in spans(two, "P1")] == [
        "I felt stigmatised.",
        "Then my GP stigmatized me too.",
        "It was hard.",
        "Better.",
        "Nobody stigmatises me now.",
    ]


def test_one_undo_takes_it_all_back_and_a_rerun_doubles_nothing(two: Cli, db: Path | str) -> None:
    def content() -> list[tuple]:  # the trail keeps the undone changes
        return [row for row in dump_database(db) if row[0] != "events"]

    before = content()
    assert two("autocode", "stigmati", "--scope", "sentence", "--code", "S").exit_code == 0
    again = two("autocode", "stigmati", "--scope", "sentence", "--code", "S")
    assert "auto-coded 0 sentences" in again.stderr
    assert "(4 already coded)" in again.stderr
    assert len(spans(two, "S")) == 4
    assert two("undo").exit_code == 0  # the rerun changed nothing: it is not in the trail
    assert content() == before


def test_hits_in_speaker_labels_are_skipped_not_coded(two: Cli) -> None:
    # "P01" occurs only in the speaker labels: there is no sentence around it.
    result = two("autocode", "P01", "--scope", "sentence", "--code", "X")
    assert result.exit_code == 1
    assert "none of the hits of 'P01' is inside a sentence" in result.stderr
    mixed = two("autocode", "later", "--scope", "sentence", "--code", "X")  # one hit
    assert mixed.exit_code == 0
    # A label and a sentence both hit: the label's hit is counted as skipped.
    both = two("autocode", "(?i)interviewer|later", "--regex", "--scope", "turn", "--code", "Y")
    assert both.exit_code == 0, both.stderr
    assert "(3 hits outside any turn skipped)" in both.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["autocode", "--code", "X"], "error: auto-code the hits of a search or the turns"),
        (["autocode", "x", "--speaker", "P01", "--code", "X"], "error: auto-code the hits"),
        (["autocode", "--speaker", "P01", "--scope", "hit", "--code", "X"], "error: a speaker's"),
        (["autocode", "--speaker", "Nobody", "--code", "X"], "error: no speaker named 'Nobody'"),
        (["autocode", "--speaker", "P01", "--lemma", "--code", "X"], "error: --lemma, --regex"),
        (["autocode", "x", "--source", "int09", "--code", "X"], "error: no source named 'int09'"),
        (["autocode", "a(", "--regex", "--code", "X"], "error: invalid regular expression"),
        (["autocode", "felt", "--code", "A > > B"], "error:"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    two: Cli, db: Path | str, args: list[str], message: str
) -> None:
    before = dump_database(db)
    result = two(*args)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1
    assert dump_database(db) == before


def test_source_limits_the_hits(two: Cli) -> None:
    result = two("autocode", "stigmati", "--source", "int02", "--code", "S", "--scope", "turn")
    assert result.exit_code == 0, result.stderr
    assert spans(two, "S") == [("int02", "The stigmatising label stayed. I hated it.")]
