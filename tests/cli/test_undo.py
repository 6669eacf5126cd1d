"""The audit trail (`log`) and `undo`: every change is logged and reverts exactly."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ..conftest import Cli, CodedProject, coder_by_name, dump_database, who

TEXTS = {
    "int01": "Q: How was it?\nA: The waiting list was long. I felt dismissed. Nobody listened.\n",
    "int02": "Q: And then?\nA: The label stuck. Staff were kind.\n",
}


def at(source: str, phrase: str) -> tuple[str, str, str]:
    start = TEXTS[source].index(phrase)
    return source, str(start), str(start + len(phrase))


def state(db: Path | str) -> Counter:
    """Every row of every table but the audit trail (row order does not matter)."""
    return Counter(row for row in dump_database(db) if row[0] != "events")


def log(cli: Cli) -> list[dict]:
    result = cli("log", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ok(cli: Cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 0, f"{args}: {result.stderr}"
    return result.stdout


@pytest.fixture
def coded(cli: Cli, coded_project: CodedProject, tmp_path: Path) -> Cli:
    coded_project(
        TEXTS,
        [
            ("int01", "waiting list", "Access > Waiting"),
            ("int01", "I felt dismissed.", "Dismissed", None, "m"),
            ("int01", "I felt dismissed.", "Unheard", "bob"),
            ("int01", "Nobody listened.", "Unheard", "bob"),
            ("int02", "The label stuck.", "Label"),
        ],
    )
    ok(cli, "code", "describe", "Label", "a label")
    ok(cli, "theme", "add", "Barriers")
    ok(cli, "theme", "add", "Sub", "--parent", "Barriers")
    ok(cli, "theme", "assign", "Barriers", "Waiting", "Dismissed")
    ok(cli, "theme", "assign", "Sub", "Unheard")
    (tmp_path / "flat.csv").write_text(
        "source,start,end,code,coder,memo\n"
        f"{','.join(at('int02', 'Staff were kind.'))},Kindness,cat,nice\n"
        f"{','.join(at('int01', 'Nobody listened.'))},Dismissed,,\n",
        encoding="utf-8",
    )
    (tmp_path / "nested.csv").write_text(
        f"{','.join(at('int02', 'Staff were kind.'))},Staff > Kindness\n", encoding="utf-8"
    )
    (tmp_path / "int03.txt").write_text("Q: Third?\nA: Yes, a third one.\n", encoding="utf-8")
    return cli


CHANGES = [
    ("coding.apply", ("code", "apply", *at("int02", "Staff were kind."), "Kindness")),
    ("coding.apply", ("code", "apply", *at("int01", "I felt dismissed."), "Label", "--memo", "x")),
    ("coding.remove", ("code", "remove", *at("int01", "Nobody listened."))),
    ("coding.remove", ("code", "remove", *at("int01", "I felt dismissed."), "Unheard")),
    ("excerpt.memo", ("code", "memo", *at("int01", "waiting list"), "a note")),
    ("coding.import", ("code", "import", "{tmp}/flat.csv")),
    ("code.create", ("code", "add", "Fresh", "--description", "d", "--color", "red")),
    ("code.create", ("code", "add", "Access > Referral")),
    ("code.name", ("code", "rename", "Dismissed", "Brushed off")),
    ("code.description", ("code", "describe", "Dismissed", "felt unimportant")),
    ("code.color", ("code", "color", "Dismissed", "#abc")),
    ("code.move", ("code", "move", "Waiting", "--top")),
    ("code.move", ("code", "move", "Label", "--to", "Access")),
    ("code.delete", ("code", "delete", "Access", "--force")),
    ("code.delete", ("code", "delete", "Unheard", "--force")),
    ("code.merge", ("code", "merge", "Dismissed", "Unheard", "--into", "Waiting")),
    ("code.merge", ("code", "merge", "Label", "--into", "Stuck")),
    ("theme.add", ("theme", "add", "Identity", "--description", "who I am")),
    ("theme.add", ("theme", "add", "Voices", "--parent", "Sub")),
    ("theme.assign", ("theme", "assign", "Sub", "Label", "Dismissed")),
    ("theme.unassign", ("theme", "unassign", "Barriers", "Dismissed")),
    ("theme.rename", ("theme", "rename", "Sub", "Not heard")),
    ("theme.describe", ("theme", "describe", "Sub", "about voice")),
    ("theme.move", ("theme", "move", "Sub", "--top")),
    ("theme.delete", ("theme", "delete", "Barriers", "--force")),
    ("source.import", ("import", "{tmp}/int03.txt", "--attr", "group=staff")),
    ("attributes.set", ("attrs", "set", "int01", "group=service user", "region=Wales")),
]

# Changes that create a parent and its child in one go.
NESTED = [
    ("coding.apply", ("code", "apply", *at("int02", "Staff were kind."), "Staff > Kindness")),
    ("code.create", ("code", "add", "Voice > Unheard > Ignored")),
    ("coding.import", ("code", "import", "{tmp}/nested.csv")),
    ("code.merge", ("code", "merge", "Label", "--into", "Identity > Labels")),
    ("theme.add", ("theme", "add", "Identity > Labels")),
]


IDS = [f"{k}-{i}" for i, (k, _a) in enumerate(CHANGES)] + [f"nested-{k}" for k, _a in NESTED]


@pytest.mark.parametrize(("kind", "args"), CHANGES + NESTED, ids=IDS)
def test_each_change_is_logged_and_undone_exactly(
    coded: Cli, db: Path | str, tmp_path: Path, kind: str, args: tuple[str, ...]
) -> None:
    before, earlier = state(db), log(coded)
    ok(coded, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert state(db) != before
    trail = log(coded)
    assert trail[:-1] == earlier
    event = trail[-1]
    assert (event["kind"], event["coder"], event["undone"]) == (kind, "tester", False)
    assert event["id"] > earlier[-1]["id"] and event["summary"]
    when = datetime.fromisoformat(event["time"])
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=5)
    undone = coded("undo", "--coder", who(coded, "ulla"))
    assert undone.exit_code == 0, undone.stderr
    assert undone.stdout.strip() == f"undid #{event['id']}: {event['summary']}"
    assert state(db) == before
    after = log(coded)
    assert after[: len(earlier)] == earlier
    assert after[len(earlier)] == {**event, "undone": True}
    (logged,) = after[len(earlier) + 1 :]
    assert (logged["kind"], logged["coder"], logged["undone"]) == (
        "undo",
        who(coded, "ulla"),
        False,
    )
    assert logged["summary"] == f"undid #{event['id']}: {event['summary']}"


@coder_by_name
def test_coder_option_is_who_the_log_names(coded: Cli) -> None:
    ok(coded, "code", "apply", *at("int02", "Staff were kind."), "Kindness", "--coder", "Zoë")
    assert log(coded)[-1]["coder"] == "Zoë"
    assert "Zoë" in coded("log").stdout


def test_repeated_undo_walks_back_to_the_empty_project(cli: Cli, db: Path | str, tmp_path) -> None:
    assert cli("init").exit_code == 0
    snapshots = [state(db)]
    (tmp_path / "int01.txt").write_text(TEXTS["int01"], encoding="utf-8")
    steps = [
        ("import", tmp_path / "int01.txt"),
        ("code", "apply", *at("int01", "waiting list"), "Waiting"),
        ("code", "apply", *at("int01", "waiting list"), "Delay", "--coder", who(cli, "bob")),
        ("code", "apply", *at("int01", "I felt dismissed."), "Dismissed"),
        ("theme", "add", "Barriers"),
        ("theme", "assign", "Barriers", "Waiting", "Dismissed"),
        ("code", "merge", "Delay", "--into", "Waiting"),
        ("code", "remove", *at("int01", "I felt dismissed.")),
        ("attrs", "set", "int01", "group=staff"),
    ]
    for step in steps:
        ok(cli, *step)
        snapshots.append(state(db))
    for expected in reversed(snapshots[:-1]):
        ok(cli, "undo")
        assert state(db) == expected
    trail = log(cli)
    assert [e["undone"] for e in trail[: len(steps)]] == [True] * len(steps)
    assert [e["kind"] for e in trail[len(steps) :]] == ["undo"] * len(steps)
    nothing = cli("undo")
    assert nothing.exit_code == 1
    by = f" by {cli.login}" if cli.login else ""  # on a server: your own changes
    assert nothing.stderr.strip() == f"error: nothing to undo{by}"
    assert len(log(cli)) == 2 * len(steps)


def test_undo_then_new_change_then_undo(coded: Cli, db: Path | str) -> None:
    start = state(db)
    ok(coded, "code", "rename", "Label", "Labelled")
    ok(coded, "undo")
    ok(coded, "code", "add", "Fresh")
    ok(coded, "undo")
    assert state(db) == start
    ok(coded, "undo")  # now the fixture's last change, skipping the undone ones
    assert log(coded)[-1]["summary"].endswith(": assigned Unheard to theme Barriers > Sub")


def test_nothing_to_undo_on_a_new_project(cli: Cli, db: Path | str) -> None:
    assert cli("init").exit_code == 0
    before = dump_database(db)
    result = cli("undo")
    by = f" by {cli.login}" if cli.login else ""  # on a server: your own changes
    assert (result.exit_code, result.stderr.strip()) == (1, f"error: nothing to undo{by}")
    assert dump_database(db) == before
    assert cli("log").stderr.strip() == "no changes yet"


def test_undo_of_a_merge_of_a_much_used_code(cli: Cli, db: Path | str, tmp_path: Path) -> None:
    """Codings of one code are scattered among other codes' ids in any real project."""
    (tmp_path / "long.txt").write_text("word " * 1300, encoding="utf-8")
    ok(cli, "import", tmp_path / "long.txt")
    rows = [
        f"long,{5 * i},{5 * i + 4},{code},{coder}"
        for i in range(1200)
        for code, coder in (("Often", "ann"), ("Often", "bob"), ("Other", "ann"))
    ]  # Often's codings: 1,200 runs of two ids
    (tmp_path / "many.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    ok(cli, "code", "import", tmp_path / "many.csv")
    ok(cli, "theme", "add", "Common")
    ok(cli, "theme", "assign", "Common", "Often")
    before = state(db)
    ok(cli, "code", "merge", "Often", "--into", "Merged")
    codes = {c["path"]: c["excerpts"] for c in json.loads(ok(cli, "code", "list", "--json"))}
    assert codes == {"Other": 1200, "Merged": 1200}
    try:
        undone = cli("undo")
    except Exception as exc:  # a crash with a traceback, not a one-line error
        pytest.fail(f"undo crashed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    assert undone.exit_code == 0, undone.stderr
    assert state(db) == before


def test_log_limit_keeps_the_last_changes_and_any_larger_limit_is_all(coded: Cli) -> None:
    everything = log(coded)
    last_two = json.loads(ok(coded, "log", "--json", "--limit", "2"))
    assert last_two == everything[-2:]
    huge = json.loads(ok(coded, "log", "--json", "--limit", str(10**20)))
    assert huge == everything
