"""`cen-themes check [--json]` (DESIGN.md's contract): one ok line and exit code 0 for a
sound project; a line per problem and exit code 1 for a damaged one; the JSON shape
exactly; the project never changed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..conftest import SAMPLES, Cli, dump_database, who


def ok(cli: Cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 0, f"{args}: {result.stderr}"
    return result.stdout


def _coded(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "su01.txt").write_text("Q: Hi?\nA: The wait was long.\n", encoding="utf-8")
    ok(cli, "import", tmp_path / "su01.txt")
    ok(cli, "code", "apply", "su01", "10", "28", "Access > Waiting")
    ok(cli, "theme", "add", "Care")
    ok(cli, "theme", "assign", "Care", "Waiting")


def test_a_sound_project_is_one_ok_line_and_exit_code_0(
    cli: Cli, db: Path | str, tmp_path: Path
) -> None:
    _coded(cli, tmp_path)
    before = dump_database(db)
    result = cli("check")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "ok: no problems found (12 checks)\n",
        "",
    )
    result = cli("check", "--json")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout) == {"ok": True, "problems": []}
    assert dump_database(db) == before


def test_problems_are_listed_one_a_line_with_exit_code_1(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    _coded(cli, tmp_path)
    conn = sqlite3.connect(db_path)
    conn.execute('UPDATE excerpts SET "end" = 99')
    conn.execute("DELETE FROM excerpt_themes")
    conn.commit()
    conn.close()
    before = dump_database(db_path)
    result = cli("check")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "excerpt_offsets: excerpt 1 of su01 (10-99): ends after the text (29 characters)",
        "excerpt_themes: theme 1 'Care' brings excerpt 1 of su01 (10-99) through 1 coding, "
        "but excerpt_themes lacks it",
        "error: 2 problems found by 12 checks",
    ]
    result = cli("check", "--json")
    assert result.exit_code == 1 and result.stderr == ""
    assert json.loads(result.stdout) == {
        "ok": False,
        "problems": [
            {
                "kind": "excerpt_offsets",
                "detail": "excerpt 1 of su01 (10-99): ends after the text (29 characters)",
            },
            {
                "kind": "excerpt_themes",
                "detail": "theme 1 'Care' brings excerpt 1 of su01 (10-99) through 1 coding, "
                "but excerpt_themes lacks it",
            },
        ],
    }
    assert dump_database(db_path) == before


def test_many_problems_of_a_kind_are_summed_up_and_all_counted(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    _coded(cli, tmp_path)
    conn = sqlite3.connect(db_path)
    conn.executemany(
        'INSERT INTO excerpts (source_id, start, "end", memo, created_at) '
        "VALUES (1, ?, ?, '', 0)",
        [(i, i + 1) for i in range(25)],
    )
    conn.commit()
    conn.close()
    result = cli("check")
    lines = result.stderr.splitlines()
    assert result.exit_code == 1 and len(lines) == 22
    assert lines[0] == "excerpt_uncoded: excerpt 2 of su01 (0-1) has no coding"
    assert lines[-2:] == [
        "excerpt_uncoded: ... and 5 more of this kind",
        "error: 25 problems found by 12 checks",
    ]


def test_the_sample_transcripts_project_built_by_the_commands_checks_ok(
    cli: Cli, db: Path | str
) -> None:
    """The README's five minutes, undo and merge included, leave a sound project."""
    ok(cli, "import", *sorted(SAMPLES.glob("su*.*")))
    ok(cli, "import", *sorted(SAMPLES.glob("staff_*")), "--attr", "group=staff")
    ok(cli, "attrs", "import", SAMPLES / "attributes.csv")
    ok(cli, "code", "apply", "su01", "3475", "3583", "Access > Revolving door")
    ok(cli, "code", "apply", "su02", "10526", "10639", "Access > Revolving door", "--memo", "18")
    ok(cli, "code", "apply", "su05", "6959", "7097", "Discharged after a course")
    ok(cli, "code", "apply", "su03", "2954", "3098", "Diagnosis given", "--coder", who(cli, "sam"))
    ok(cli, "code", "import", SAMPLES / "codings.csv")
    ok(cli, "code", "merge", "Discharged after a course", "--into", "Access > Revolving door")
    ok(cli, "code", "rename", "Diagnosis given", "Receiving the diagnosis")
    ok(cli, "theme", "add", "The need for a long-term perspective")
    ok(cli, "theme", "add", "Cycles of crisis", "--parent", "The need for a long-term perspective")
    ok(cli, "theme", "assign", "Cycles of crisis", "Revolving door")
    ok(cli, "theme", "assign", "The need for a long-term perspective", "Stigma")
    ok(cli, "memo", "add", "--theme", "Cycles of crisis", "Seen in every interview")
    ok(cli, "code", "apply", "su04", "0", "20", "Stigma > Labels in letters")
    ok(cli, "undo")
    ok(cli, "undo")  # the memo
    ok(cli, "memo", "add", "--project", "Coded once through")
    before = dump_database(db)
    assert ok(cli, "check") == "ok: no problems found (12 checks)\n"
    assert dump_database(db) == before
    assert json.loads(ok(cli, "check", "--json")) == {"ok": True, "problems": []}
