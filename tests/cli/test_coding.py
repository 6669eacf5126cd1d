"""Coding from the command line, and a whole analysis of the sample transcripts end to end."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from ..conftest import SAMPLES, Cli, CodedProject, dump_database, who

TEXT = "Q: How was it?\nA: The waiting list was long. I felt dismissed.\n"


def at(phrase: str) -> list[str]:
    start = TEXT.index(phrase)
    return ["int01", str(start), str(start + len(phrase))]


@pytest.fixture
def one(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project(TEXT)
    return cli


def test_code_apply_output(one: Cli) -> None:
    result = one("code", "apply", *at("waiting list"), "Access > Waiting", "--memo", "m")
    assert result.exit_code == 0
    assert (
        result.stdout
        == f"coded int01 {'-'.join(at('waiting list')[1:])} with Access > Waiting: “waiting list”\n"
    )
    assert result.stderr == "created code Access\ncreated code Access > Waiting\n"
    again = one("code", "apply", *at("waiting list"), "Waiting")
    assert again.stdout.startswith("already coded int01") and again.stderr == ""
    (excerpt,) = json.loads(one("excerpts", "--json").stdout)
    assert (excerpt["codes"], excerpt["coders"], excerpt["memo"]) == (
        ["Access > Waiting"],
        ["tester"],
        "m",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["int01", "0", str(len(TEXT) + 1), "X"],
            f"error: int01: end {len(TEXT) + 1} is past the end of the text "
            f"({len(TEXT)} characters)",
        ),
        (["int01", "5", "5", "X"], "error: int01: start 5 must be before end 5"),
        (["int01", "9", "4", "X"], "error: int01: start 9 must be before end 4"),
        (["--", "int01", "-1", "4", "X"], "error: int01: offsets cannot be negative (-1, 4)"),
        (["int01", "-1", "4", "X"], "error: "),  # click reads -1 as an option
        (["int02", "0", "4", "X"], "error: no source named 'int02' (did you mean 'int01'?)"),
        (["int01", "a", "4", "X"], "error: Invalid value for 'START': 'a' is not a valid integer"),
        (["int01", "0", "4", "A >  > B"], "error: "),
        (
            ["int01", "0", "4", "Waiting"],
            "error: code name 'Waiting' is ambiguous: give one of "
            "'Access > Waiting', 'Stigma > Waiting'",
        ),
        (["int01", "0", "4"], "error: Missing argument 'CODE'"),
    ],
)
def test_code_apply_errors_are_one_line_and_write_nothing(
    one: Cli, db: Path | str, args: list[str], message: str
) -> None:
    assert one("code", "apply", *at("waiting list"), "Access > Waiting").exit_code == 0
    assert one("code", "apply", *at("dismissed"), "Stigma > Waiting").exit_code == 0
    before = dump_database(db)
    result = one("code", "apply", *args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert dump_database(db) == before


def test_code_remove_and_memo(one: Cli, db: Path | str) -> None:
    assert one("code", "apply", *at("waiting list"), "Waiting").exit_code == 0
    assert (
        one("code", "apply", *at("waiting list"), "Delay", "--coder", who(one, "bob")).exit_code
        == 0
    )
    before = dump_database(db)
    several = one("code", "remove", *at("waiting list"))
    assert several.exit_code == 1
    assert several.stderr.strip() == (
        f"error: int01 {'-'.join(at('waiting list')[1:])} has several codes ('Waiting', 'Delay'): "
        "name the one to remove"
    )
    assert dump_database(db) == before
    memo = one("code", "memo", *at("waiting list"), "fourteen months")
    assert memo.stdout.strip() == f"memo on int01 {'-'.join(at('waiting list')[1:])}"
    removed = one("code", "remove", *at("waiting list"), "Delay")
    assert removed.stdout.strip().startswith("removed Delay from int01")
    (excerpt,) = json.loads(one("excerpts", "--json").stdout)
    assert (excerpt["codes"], excerpt["memo"]) == (["Waiting"], "fourteen months")
    assert one("code", "remove", *at("waiting list")).exit_code == 0
    assert json.loads(one("excerpts", "--json").stdout) == []
    gone = one("code", "memo", *at("waiting list"), "again")
    assert (gone.exit_code, gone.stderr.strip()) == (
        1,
        f"error: int01: no excerpt at {'-'.join(at('waiting list')[1:])}",
    )


def test_codebook_commands_report_errors_in_one_line(one: Cli, db: Path | str) -> None:
    assert one("code", "apply", *at("waiting list"), "Access > Waiting").exit_code == 0
    before = dump_database(db)
    for args in [
        ("code", "move", "Waiting"),
        ("code", "move", "Waiting", "--to", "Access", "--top"),
        ("code", "move", "Access", "--to", "Waiting"),
        ("code", "delete", "Access"),
        ("code", "color", "Access", "bluish"),
        ("code", "rename", "Nowhere", "X"),
        ("code", "merge", "Access", "--into", "Waiting"),
        ("code", "merge", "--into", "Waiting"),
    ]:
        result = one(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert dump_database(db) == before


# ---------------------------------------------------------------- end to end on the samples

PLAN = [  # (phrase, code, how many sources to code it in)
    ("waiting list", "Access > Waiting lists", 4),
    ("crisis team", "Access > Crisis care", 3),
    ("discharged", "Access > Discharge", 2),
    ("label", "Diagnosis > Label", 3),
    ("diagnosis", "Diagnosis > Getting the diagnosis", 3),
    ("care coordinator", "Care coordinators", 3),
    ("trust", "Trust", 2),
]
THEMES = [
    ("theme", "add", "Barriers to care"),
    ("theme", "add", "Relationships with staff", "--parent", "Barriers to care"),
    ("theme", "add", "Diagnosis as identity"),
    ("theme", "assign", "Barriers to care", "Waiting lists", "Crisis care", "Discharge"),
    ("theme", "assign", "Relationships with staff", "Care coordinators", "Trust"),
    ("theme", "assign", "Diagnosis as identity", "Label", "Getting the diagnosis"),
]


def _ok(cli: Cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 0, f"{args}: {result.stderr}"
    return result.stdout


def _sentences(cli: Cli, names: list[str], phrase: str, wanted: int) -> list[tuple[str, int, int]]:
    """The first segment containing the phrase in each source, for ``wanted`` sources."""
    found = []
    for name in names:
        detail = json.loads(_ok(cli, "show", name, "--json"))
        for segment in detail["segments"]:
            if phrase in detail["text"][segment["start"] : segment["end"]].lower():
                found.append((name, segment["start"], segment["end"]))
                break
        if len(found) == wanted:
            return found
    raise AssertionError(f"'{phrase}' is in fewer than {wanted} sources")


def test_sample_study_end_to_end(cli: Cli, db: Path | str, tmp_path: Path) -> None:
    files = sorted(
        p for p in SAMPLES.iterdir() if p.suffix in {".txt", ".md", ".docx", ".vtt", ".srt"}
    )
    _ok(cli, "import", *files)
    _ok(cli, "attrs", "import", SAMPLES / "attributes.csv")
    names = [s["name"] for s in json.loads(_ok(cli, "sources", "--json"))]
    texts = {n: json.loads(_ok(cli, "show", n, "--json"))["text"] for n in names}
    applied = 0
    for phrase, code, wanted in PLAN:
        for source, start, end in _sentences(cli, names, phrase, wanted):
            assert phrase in texts[source][start:end].lower()
            _ok(cli, "code", "apply", source, str(start), str(end), code)
            applied += 1
    assert applied == 20
    source, start, end = _sentences(cli, names, "diagnosis", 1)[0]  # two codes of one theme
    _ok(cli, "code", "apply", source, str(start), str(end), "Label")
    for args in THEMES:
        _ok(cli, *args)
    before_merge = dump_database(db)
    _ok(cli, "code", "merge", "Care coordinators", "Trust", "--into", "Relationships")
    after_merge = dump_database(db)
    assert _ok(cli, "undo").startswith("undid #")
    assert sorted(r for r in dump_database(db) if r[0] != "events") == sorted(
        r for r in before_merge if r[0] != "events"
    )
    _ok(cli, "code", "merge", "Care coordinators", "Trust", "--into", "Relationships")
    assert len(dump_database(db)) == len(after_merge) + 2  # the undo and the new merge

    themes = json.loads(_ok(cli, "theme", "list", "--json"))
    assert [t["path"] for t in themes] == [
        "Barriers to care",
        "Barriers to care > Relationships with staff",
        "Diagnosis as identity",
    ]
    assert themes[1]["codes"] == ["Relationships"]
    every = json.loads(_ok(cli, "excerpts", "--json"))
    brought = {t["path"]: set(t["codes"]) for t in themes}
    brought["Barriers to care"] |= brought["Barriers to care > Relationships with staff"]
    out = tmp_path / "x.csv"
    _ok(cli, "export", "matrix", "--out", out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        matrix = list(csv.reader(handle))
    assert matrix[0] == ["theme", *names, "n_sources", "n_excerpts"]
    rows = {row[0]: row[1:] for row in matrix[1:]}
    assert list(rows) == [t["path"] for t in themes]
    for theme in themes:
        mine = [e for e in every if set(e["codes"]) & brought[theme["path"]]]
        per_source = Counter(e["source"] for e in mine)
        expected = [per_source[n] for n in names] + [len(per_source), len(mine)]
        assert [int(cell) for cell in rows[theme["path"]]] == expected, theme["path"]
        assert (theme["excerpts"], theme["sources"]) == (len(mine), len(per_source))
        listed = json.loads(_ok(cli, "excerpts", "--theme", theme["path"], "--json"))
        assert listed == mine
        for excerpt in listed:
            assert excerpt["text"] == texts[excerpt["source"]][excerpt["start"] : excerpt["end"]]
    assert themes[0]["excerpts"] > themes[1]["excerpts"] > 0
    double = [e for e in every if len(set(e["codes"]) & brought["Diagnosis as identity"]) == 2]
    assert double and themes[2]["excerpts"] == len(
        {
            (e["source"], e["start"])
            for e in every
            if set(e["codes"]) & brought["Diagnosis as identity"]
        }
    )
    codes = {c["path"]: c for c in json.loads(_ok(cli, "code", "list", "--json"))}
    assert "Trust" not in codes and "Care coordinators" not in codes
    assert codes["Relationships"]["excerpts"] == len(
        [e for e in every if "Relationships" in e["codes"]]
    )
