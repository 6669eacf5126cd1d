"""`cen-themes suggest`: JSON as DESIGN.md gives it, best first; one-line errors."""

from __future__ import annotations

import json

import pytest

from ..conftest import Cli, CodedProject, dump_database

TEXT = (
    "Q: How was the service?\n"
    "A: The waiting list was two years long. Nobody phoned me back.\n"
    "A: I waited for months. The beach was lovely.\n"
)
OTHER = "Q: And then?\nA: Another long wait on the list, and the waiting room was cold.\n"


@pytest.fixture
def coded(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project(
        {"int01": TEXT, "int02": OTHER}, [("int01", "The waiting list was two years long.", "Wait")]
    )
    return cli


def test_json_shape_offsets_and_order(coded: Cli) -> None:
    result = coded("suggest", "Wait", "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert [set(s) for s in found] == [{"source", "start", "end", "text", "score"}] * len(found)
    assert [(s["source"], s["text"]) for s in found] == [
        ("int02", "Another long wait on the list, and the waiting room was cold."),
        ("int01", "I waited for months."),
    ]
    for s in found:
        text = TEXT if s["source"] == "int01" else OTHER
        assert text[s["start"] : s["end"]] == s["text"]
    assert 1 >= found[0]["score"] > found[1]["score"] > 0
    limited = json.loads(coded("suggest", "Wait", "--limit", "1", "--json").stdout)
    assert limited == found[:1]


def test_plain_output_shows_score_place_and_text(coded: Cli) -> None:
    result = coded("suggest", "Wait", "--limit", "1")
    assert result.exit_code == 0, result.stderr
    start = OTHER.index("Another")
    score = json.loads(coded("suggest", "Wait", "--limit", "1", "--json").stdout)[0]["score"]
    assert result.stdout == (
        f"{score:.3f}  int02 {start}-{len(OTHER) - 1}\n"
        "  “Another long wait on the list, and the waiting room was cold.”\n"
    )


def test_a_code_without_excerpts_or_unknown_and_a_bad_limit_are_one_line(coded: Cli) -> None:
    assert coded("code", "add", "Empty").exit_code == 0
    before = dump_database(coded)
    for args, words in (
        (("suggest", "Empty"), "error: code 'Empty' has no excerpts yet"),
        (("suggest", "Wiat"), "error: no code named 'Wiat'"),
        (("suggest", "Wait", "--limit", "0"), "--limit"),
    ):
        result = coded(*args)
        assert result.exit_code != 0 and result.stdout == "", args
        assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert dump_database(coded) == before


def test_suggest_is_in_the_help(cli: Cli) -> None:
    result = cli("suggest", "--help")
    assert result.exit_code == 0 and "best first" in result.stdout
