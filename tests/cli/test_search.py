"""`cen-themes search`: keyword in context, JSON as DESIGN.md gives it, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import Cli, CodedProject, dump_database

TEXT = "Q: How was it? 🙂\nA: The waiting list was long.\nI worried. WAITING again.\n"
OTHER = "A: Nobody worries about waiting here.\n"


@pytest.fixture
def two(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project({"int01": TEXT, "int02": OTHER})
    return cli


def test_json_shape_and_offsets(two: Cli) -> None:
    result = two("search", "Waiting", "--json", "--context", "6")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    first = TEXT.index("waiting")
    assert hits[0] == {
        "source": "int01",
        "start": first,
        "end": first + 7,
        "match": "waiting",
        "left": TEXT[first - 6 : first],
        "right": " list ",
    }
    assert [(h["source"], h["match"]) for h in hits] == [
        ("int01", "waiting"),
        ("int01", "WAITING"),
        ("int02", "waiting"),
    ]
    for hit in hits:
        text = TEXT if hit["source"] == "int01" else OTHER
        assert text[hit["start"] : hit["end"]] == hit["match"]


def test_json_with_no_hits_is_an_empty_list(two: Cli) -> None:
    result = two("search", "nothing like this", "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_lemma_and_regex_flags(two: Cli) -> None:
    lemma = json.loads(two("search", "worry", "--lemma", "--json").stdout)
    assert [(h["source"], h["match"]) for h in lemma] == [
        ("int01", "worried"),
        ("int02", "worries"),
    ]
    regex = json.loads(two("search", r"wait\w*\s+(list|here)", "--regex", "--json").stdout)
    assert [h["match"] for h in regex] == ["waiting list", "waiting here"]


def test_source_filter(two: Cli) -> None:
    hits = json.loads(two("search", "waiting", "--source", "int02", "--json").stdout)
    assert [h["source"] for h in hits] == ["int02"]


def test_keyword_in_context_table(two: Cli) -> None:
    result = two("search", "waiting", "--context", "10")
    assert result.exit_code == 0
    header, *lines = result.stdout.splitlines()
    start = TEXT.index("WAITING")
    assert header.split() == ["source", "offsets", "before", "match", "after"]
    assert len(lines) == 3
    # The match column lines up, with the text before it right-aligned and on one line.
    columns = {
        line.index(word)
        for line, word in zip(lines, ["waiting", "WAITING", "waiting"], strict=True)
    }
    assert len(columns) == 1
    assert "\n" not in "".join(lines)
    assert lines[1].split() == ["int01", f"{start}-{start + 7}", "worried.", "WAITING", "again."]
    assert result.stderr == "3 matches in 2 sources\n"


def test_no_matches_is_a_note_not_an_error(two: Cli) -> None:
    result = two("search", "zebra")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "no matches\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "wait(", "--regex"], "error: invalid regular expression 'wait(': missing )"),
        (["search", ""], "error: the search query is empty"),
        (["search", "x", "--regex", "--lemma"], "error: search by lemma or by regular expression"),
        (["search", "x", "--source", "int03"], "error: no source named 'int03'"),
    ],
)
def test_errors_are_one_line_and_change_nothing(
    two: Cli, db: Path | str, args: list[str], message: str
) -> None:
    before = dump_database(db)
    result = two(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert dump_database(db) == before


def test_search_changes_nothing(two: Cli, db: Path | str) -> None:
    before = dump_database(db)
    assert two("search", "worry", "--lemma").exit_code == 0
    assert two("search", "waiting", "--json").exit_code == 0
    assert dump_database(db) == before


def test_a_runaway_regex_is_one_line_not_a_hang(
    two: Cli, db: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cen_themes.services import search

    monkeypatch.setattr(search, "REGEX_SECONDS", 0.3)
    (tmp_path / "long.txt").write_text("word and a wait " * 400 + "!\n", encoding="utf-8")
    assert two("import", tmp_path / "long.txt").exit_code == 0
    before = dump_database(db)
    result = two("search", r"(.*a){12}$", "--regex", "--source", "long")
    assert result.exit_code == 1
    assert result.stderr.startswith(r"error: regular expression '(.*a){12}$' took over 0.3 s")
    assert result.stderr.count("\n") == 1
    assert dump_database(db) == before


SPELLINGS = (
    "P1: They stigmatised me. The staff stigmatized her.\n"
    "P2: Stigmatising talk, and stigmatizes too; a stigma.\n"
    "P3: Her behaviour, their behaviors and my behaviours. Behavioural plans.\n"
)


@pytest.fixture
def spellings(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project({"spell": SPELLINGS})
    return cli


@pytest.mark.parametrize("query", ["stigmatise", "stigmatized", "Stigmatizing"])
def test_lemma_meets_every_form_in_both_spellings(spellings: Cli, query: str) -> None:
    hits = json.loads(spellings("search", query, "--lemma", "--json").stdout)
    assert [h["match"] for h in hits] == [
        "stigmatised",
        "stigmatized",
        "Stigmatising",
        "stigmatizes",
    ]


@pytest.mark.parametrize("query", ["behavior", "behaviours"])
def test_lemma_meets_british_and_american_nouns(spellings: Cli, query: str) -> None:
    hits = json.loads(spellings("search", query, "--lemma", "--json").stdout)
    # "Behavioural" is another word (an adjective), not a form of "behaviour".
    assert [h["match"] for h in hits] == ["behaviour", "behaviors", "behaviours"]


def test_word_keeps_whole_words_only(spellings: Cli) -> None:
    inside = json.loads(spellings("search", "stigma", "--json").stdout)
    assert len(inside) == 5  # four inside longer words, and "stigma" itself
    whole = json.loads(spellings("search", "stigma", "--word", "--json").stdout)
    start = SPELLINGS.index("stigma.")
    assert [(h["start"], h["end"]) for h in whole] == [(start, start + 6)]
    # A regex is held to word boundaries too; a query ending in a space needs none after.
    regex = json.loads(
        spellings("search", "(?i)behaviou?rs?", "--regex", "--word", "--json").stdout
    )
    assert [h["match"] for h in regex] == ["behaviour", "behaviors", "behaviours"]
    assert len(json.loads(spellings("search", "my ", "--word", "--json").stdout)) == 1
