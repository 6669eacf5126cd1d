"""`memo add` and `memo list` from the command line (DESIGN.md's contract)."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import Cli, dump_database, who


def ok(cli: Cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 0, f"{args}: {result.stderr}"
    return result.stdout


def test_memo_add_on_each_target_and_list_as_json(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "su01.txt").write_text("Q: Hi?\nA: The wait was long.\n", encoding="utf-8")
    ok(cli, "import", tmp_path / "su01.txt")
    ok(
        cli,
        "code",
        "apply",
        "su01",
        "10",
        "28",
        "Waiting",
        "--memo",
        "long",
        "--coder",
        who(cli, "bo"),
    )
    ok(cli, "theme", "add", "Access")
    assert ok(cli, "memo", "add", "--project", "Pilot done") == "memo #1 on the project\n"
    assert ok(cli, "memo", "add", "--source", "su01", "Noisy room") == "memo #2 on source su01\n"
    ok(cli, "memo", "add", "--code", "Waiting", "Key code", "--coder", who(cli, "ann"))
    ok(cli, "memo", "add", "--theme", "Access", "Finding 1")
    listed = json.loads(ok(cli, "memo", "list", "--json"))
    assert [(m["on"], m["target"], m["text"], m["author"]) for m in listed] == [
        ("project", None, "Pilot done", "tester"),
        ("source", "su01", "Noisy room", "tester"),
        ("code", "Waiting", "Key code", who(cli, "ann")),
        ("theme", "Access", "Finding 1", "tester"),
        ("excerpt", "su01 10-28", "long", who(cli, "bo")),
    ]
    assert all(set(m) == {"id", "on", "target", "text", "author", "time"} for m in listed)
    assert listed[0]["time"].endswith("+00:00")
    table = ok(cli, "memo", "list", "--on", "excerpt")
    assert "su01 10-28" in table and "Pilot done" not in table


def test_a_memo_needs_exactly_one_target_and_some_text(cli: Cli, db: Path | str) -> None:
    ok(cli, "init")
    before = dump_database(db)
    for args in (
        ("memo", "add", "text"),
        ("memo", "add", "--project", "--theme", "T", "text"),
        ("memo", "add", "--project", " "),
        ("memo", "add", "--theme", "Nothing", "text"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), args
    assert dump_database(db) == before
    assert cli("memo", "list").stderr == "no memos yet: cen-themes memo add --project TEXT\n"
