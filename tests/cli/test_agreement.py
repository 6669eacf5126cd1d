"""`agreement`: the JSON document and the table, per code and overall, with and without
the disagreements; a mistyped coder is one line. The project is the hand-worked one of
tests/services/test_agreement.py (its arithmetic is written out there)."""

from __future__ import annotations

import json

import pytest

from ..conftest import Cli, CodedProject, dump_database
from ..services.test_agreement import B, build


@pytest.fixture
def two_coders(cli: Cli, coded_project: CodedProject) -> tuple[Cli, str]:
    """The CLI on the hand-worked project, and the name of its coder A."""
    _project, (a, _b) = build(coded_project)
    return cli, a


def test_json_document(two_coders: tuple[Cli, str]) -> None:
    cli, a = two_coders
    result = cli("agreement", "--coders", a, B, "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    assert list(document) == ["coders", "units", "overall", "codes"]  # no disagreements
    assert document["coders"] == [a, B]
    assert document["units"] == 6
    assert document["overall"] == pytest.approx(
        {"percent_agreement": 1600 / 18, "kappa": 19 / 28, "alpha": 0.6875}
    )
    codes = document["codes"]
    assert [c["code"] for c in codes] == ["Waiting", "Care", "Pause"]
    assert codes[0] == pytest.approx(
        {
            "code": "Waiting",
            "units": 6,
            "percent_agreement": 200 / 3,
            "kappa": 0.25,
            "alpha": 0.3125,
        }
    )
    assert codes[1] == {
        "code": "Care",
        "units": 6,
        "percent_agreement": 100.0,
        "kappa": 1.0,
        "alpha": 1.0,
    }
    # nothing varies for Pause: kappa and alpha are undefined, null
    assert codes[2] == {
        "code": "Pause",
        "units": 6,
        "percent_agreement": 100.0,
        "kappa": None,
        "alpha": None,
    }


def test_json_disagreements_and_one_code(two_coders: tuple[Cli, str]) -> None:
    cli, a = two_coders
    result = cli("agreement", "--coders", a, B, "--disagreements", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["disagreements"] == [
        {"source": "s1", "start": 25, "end": 47, "code": "Waiting", "coder": a},
        {"source": "s1", "start": 48, "end": 60, "code": "Waiting", "coder": B},
    ]
    care = json.loads(cli("agreement", "--coders", a, B, "--code", "Care", "--disagreements",
                          "--json").stdout)  # fmt: skip
    assert [c["code"] for c in care["codes"]] == ["Care"]
    assert care["overall"] == {"percent_agreement": 100.0, "kappa": 1.0, "alpha": 1.0}
    assert care["disagreements"] == []


def test_table(two_coders: tuple[Cli, str]) -> None:
    cli, a = two_coders
    result = cli("agreement", "--coders", a, B, "--disagreements")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == f"{a} and bob: 6 units (segments of the sources both coded), 3 codes"
    table = [line.split() for line in lines[2:7]]
    assert table == [
        ["code", "units", "%", "agreement", "kappa", "alpha"],
        ["Waiting", "6", "66.7", "0.250", "0.312"],
        ["Care", "6", "100.0", "1.000", "1.000"],
        ["Pause", "6", "100.0", "-", "-"],
        ["overall", "(all", "codes)", "6", "88.9", "0.679", "0.688"],
    ]
    assert lines[8] == "2 disagreements:"
    assert [line.split() for line in lines[10:]] == [
        ["s1", "25-47", "Waiting", a],
        ["s1", "48-60", "Waiting", "bob"],
    ]


def test_coders_with_nothing_in_common(cli: Cli, coded_project: CodedProject) -> None:
    build(coded_project, [("s1", 5, 24, "Waiting", "tester"), ("s2", 5, 26, "Waiting", B)])
    a = cli.login or "tester"
    result = cli("agreement", "--coders", a, B, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "coders": [a, B],
        "units": 0,
        "overall": {"percent_agreement": None, "kappa": None, "alpha": None},
        "codes": [],
    }
    text = cli("agreement", "--coders", a, B)
    assert text.exit_code == 0
    assert "have coded no source in common" in text.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--coders", "{a}", "Bob"), "error: no coder named 'Bob' (did you mean 'bob'?)"),
        (("--coders", "bob", "bob"), "error: name two different coders, not 'bob' twice"),
        (("--coders", "{a}", "bob", "--code", "Wait"), "error: no code named 'Wait'"),
    ],
)
def test_mistakes_are_one_line(two_coders: tuple[Cli, str], args, message: str) -> None:
    cli, a = two_coders
    before = dump_database(cli)
    result = cli("agreement", *(arg.format(a=a) for arg in args))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert dump_database(cli) == before


def test_two_coders_are_needed(two_coders: tuple[Cli, str]) -> None:
    cli, a = two_coders
    result = cli("agreement", "--coders", a)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
