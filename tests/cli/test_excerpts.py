"""`excerpts`: coded spans with their exact text, narrowed by code, theme, source, coder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import Cli, CodedProject, dump_database, several_coders

TEXTS = {
    "int02": "Q: First?\nA: The waiting list was long. I felt dismissed — “ignored”. 😀 Fine.\n",
    "int01": "Q: And then?\nA: The label stuck.\r\nStaff were kind. I felt judged at A&E.\n",
}
STORED = {name: text.replace("\r\n", "\n") for name, text in TEXTS.items()}

# (source, phrase, code, coder)
CODINGS = [
    ("int02", "The waiting list was long.", "Access > Waiting", "ann"),
    ("int02", "waiting list", "Access > Waiting", "bob"),  # nested inside the first
    ("int02", "I felt dismissed — “ignored”.", "Dismissed", "ann"),
    ("int02", "I felt dismissed — “ignored”.", "Unheard", "bob"),
    ("int02", "😀 Fine.", "Unheard", "ann"),
    ("int01", "The label stuck.", "Label", "bob"),
    ("int01", "I felt judged at A&E.", "Dismissed", "bob"),
    ("int01", "Staff were kind.", "Kindness", "cat"),
]


def at(source: str, phrase: str) -> tuple[str, int, int]:
    start = STORED[source].index(phrase)
    return source, start, start + len(phrase)


@pytest.fixture
def coded(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project(TEXTS, CODINGS)  # int02 first: sources list in import order
    memo = cli("code", "memo", *map(str, at("int01", "The label stuck.")), "sticky")
    assert memo.exit_code == 0
    for args in [
        ("theme", "add", "Barriers"),
        ("theme", "add", "Voice", "--parent", "Barriers"),
        ("theme", "assign", "Barriers", "Waiting"),
        ("theme", "assign", "Voice", "Unheard", "Dismissed"),
    ]:
        assert cli(*args).exit_code == 0
    return cli


def excerpts(cli: Cli, *filters: str) -> list[dict]:
    result = cli("excerpts", *filters, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def spans(found: list[dict]) -> list[tuple[str, str]]:
    return [(e["source"], e["text"]) for e in found]


@several_coders
def test_shape_text_and_order(coded: Cli) -> None:
    found = excerpts(coded)
    for excerpt in found:
        assert list(excerpt) == ["source", "start", "end", "text", "codes", "coders", "memo"]
        shown = json.loads(coded("show", excerpt["source"], "--json").stdout)["text"]
        assert excerpt["text"] == shown[excerpt["start"] : excerpt["end"]]
    assert spans(found) == [
        ("int02", "The waiting list was long."),
        ("int02", "waiting list"),
        ("int02", "I felt dismissed — “ignored”."),
        ("int02", "😀 Fine."),
        ("int01", "The label stuck."),
        ("int01", "Staff were kind."),
        ("int01", "I felt judged at A&E."),
    ]  # sources in import order, then by position
    by_text = {e["text"]: e for e in found}
    assert by_text["I felt dismissed — “ignored”."]["codes"] == ["Dismissed", "Unheard"]
    assert by_text["I felt dismissed — “ignored”."]["coders"] == ["ann", "bob"]
    assert by_text["The label stuck."]["memo"] == "sticky"
    assert by_text["waiting list"] == {
        "source": "int02",
        **dict(zip(("start", "end"), at("int02", "waiting list")[1:], strict=True)),
        "text": "waiting list",
        "codes": ["Access > Waiting"],
        "coders": ["bob"],
        "memo": "",
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (("--code", "Waiting"), ["The waiting list was long.", "waiting list"]),
        (("--code", "Access"), []),  # a parent code does not bring its children's excerpts
        (("--code", "Dismissed"), ["I felt dismissed — “ignored”.", "I felt judged at A&E."]),
        (
            ("--theme", "Voice"),
            ["I felt dismissed — “ignored”.", "😀 Fine.", "I felt judged at A&E."],
        ),
        (
            ("--theme", "Barriers"),
            [
                "The waiting list was long.",
                "waiting list",
                "I felt dismissed — “ignored”.",
                "😀 Fine.",
                "I felt judged at A&E.",
            ],
        ),
        (("--source", "int01"), ["The label stuck.", "Staff were kind.", "I felt judged at A&E."]),
        pytest.param(("--coder", "cat"), ["Staff were kind."], marks=several_coders),
        pytest.param(
            ("--coder", "ann"),
            ["The waiting list was long.", "I felt dismissed — “ignored”.", "😀 Fine."],
            marks=several_coders,
        ),
        (("--code", "Dismissed", "--source", "int01"), ["I felt judged at A&E."]),
        pytest.param(
            ("--code", "Waiting", "--coder", "bob"), ["waiting list"], marks=several_coders
        ),
        pytest.param(
            ("--code", "Unheard", "--coder", "bob"),
            ["I felt dismissed — “ignored”."],
            marks=several_coders,
        ),
        pytest.param(
            ("--theme", "Voice", "--coder", "ann"),
            ["I felt dismissed — “ignored”.", "😀 Fine."],
            marks=several_coders,
        ),
        (("--theme", "Barriers", "--source", "int01"), ["I felt judged at A&E."]),
        pytest.param(
            ("--theme", "Voice", "--source", "int02", "--coder", "bob"),
            ["I felt dismissed — “ignored”."],
            marks=several_coders,
        ),
        pytest.param(("--source", "int01", "--coder", "ann"), [], marks=several_coders),
    ],
)
def test_filters_and_their_combinations(coded: Cli, filters, expected: list[str]) -> None:
    assert [e["text"] for e in excerpts(coded, *filters)] == expected


def test_code_and_theme_together_intersect(coded: Cli) -> None:
    """'I felt dismissed' is coded Dismissed (by ann) and Unheard (by bob); Identity rolls
    up Unheard only. The excerpt is coded with Dismissed and Identity brings it, so asking
    for both must find it."""
    assert coded("theme", "add", "Identity").exit_code == 0
    assert coded("theme", "assign", "Identity", "Unheard").exit_code == 0
    by_code = {e["text"] for e in excerpts(coded, "--code", "Dismissed")}
    by_theme = {e["text"] for e in excerpts(coded, "--theme", "Identity")}
    both = {e["text"] for e in excerpts(coded, "--code", "Dismissed", "--theme", "Identity")}
    assert by_code & by_theme == {"I felt dismissed — “ignored”."}
    assert both == by_code & by_theme


@several_coders
def test_coder_filter_shows_only_that_coders_codings(coded: Cli) -> None:
    (excerpt,) = excerpts(coded, "--coder", "bob", "--code", "Unheard")
    assert (excerpt["codes"], excerpt["coders"]) == (["Unheard"], ["bob"])
    everyone = excerpts(coded, "--code", "Unheard")
    assert [e["coders"] for e in everyone] == [["ann", "bob"], ["ann"]]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (("--code", "Nowhere"), "error: no code named 'Nowhere'"),
        (("--theme", "Nowhere"), "error: no theme named 'Nowhere'"),
        (("--source", "int9"), "error: no source named 'int9'"),
        (("--coder", "zed"), "error: no coder named 'zed'"),
    ],
)
def test_unknown_filter_is_one_line_error(coded: Cli, db: Path | str, filters, message) -> None:
    before = dump_database(db)
    result = coded("excerpts", *filters, "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0].startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump_database(db) == before


@several_coders
def test_text_output(coded: Cli) -> None:
    result = coded("excerpts", "--source", "int01", "--code", "Label")
    assert result.exit_code == 0
    start, end = at("int01", "The label stuck.")[1:]
    assert (
        result.stdout
        == f"int01 {start}-{end}  [Label]  (bob)\n  “The label stuck.”\n  memo: sticky\n"
    )
    empty = coded("excerpts", "--source", "int01", "--coder", "ann")
    assert (empty.stdout, empty.stderr.strip()) == ("", "no excerpts match")
