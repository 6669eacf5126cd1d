"""`export qdpx FILE` and `export codebook --out FILE.qdc` from the command line: what
they write, what they refuse, and a project taken out and brought back."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import Cli, dump_database, who
from ..services.test_refi_export import assert_valid_codebook, assert_valid_project


def ok(cli: Cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 0, f"{args}: {result.stderr}"
    return result.stdout


def make(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "su01.txt").write_text("Q: Hi?\r\nA: The wait was long 😀.\r\n", encoding="utf-8")
    ok(cli, "import", tmp_path / "su01.txt", "--attr", "group=service user")
    ok(
        cli,
        "code",
        "apply",
        "su01",
        "9",
        "26",
        "Waiting > Long",
        "--memo",
        "so long",
        "--coder",
        who(cli, "bo"),
    )
    ok(cli, "theme", "add", "Access")
    ok(cli, "theme", "assign", "Access", "Waiting")
    ok(cli, "memo", "add", "--theme", "Access", "Finding 1")


def test_export_qdpx_then_import_gives_the_project_back(cli: Cli, tmp_path: Path) -> None:
    make(cli, tmp_path)
    out = tmp_path / "out.qdpx"
    assert ok(cli, "export", "qdpx", out) == f"wrote {out} (1 source, 1 excerpt)\n"
    assert_valid_project(out)
    ok(cli, "export", "qdpx", "--out", tmp_path / "again.qdpx")
    assert (tmp_path / "again.qdpx").read_bytes() == out.read_bytes()
    other = tmp_path / "other.db"
    ok(cli, "--db", other, "import", out)

    def dump(*args: object) -> object:
        return json.loads(ok(cli, *args, "--json"))

    for args in (("excerpts",), ("memo", "list"), ("theme", "list"), ("code", "list")):
        mine, theirs = dump(*args), dump("--db", other, *args)
        if args == ("memo", "list"):  # memo times come back to the second
            for memo in mine + theirs:
                memo["time"] = memo["time"][:19]
        assert theirs == mine, args


def test_export_codebook_as_qdc(cli: Cli, tmp_path: Path) -> None:
    make(cli, tmp_path)
    out = tmp_path / "book.qdc"
    assert ok(cli, "export", "codebook", "--out", out) == f"wrote {out} (2 codes, 1 theme)\n"
    assert_valid_codebook(out)


def test_bad_targets_get_one_line_and_change_nothing(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    ok(cli, "init")
    before = dump_database(db_path)
    for args, message in (
        (("export", "qdpx"), "name the file to write once"),
        (("export", "qdpx", "a.qdpx", "--out", "b.qdpx"), "name the file to write once"),
        (("export", "qdpx", tmp_path / "p.zip"), "use .qdpx"),
        (("export", "qdpx", tmp_path / "no" / "p.qdpx"), "does not exist"),
        (("export", "qdpx", tmp_path), "use .qdpx"),
        (("export", "codebook", "--out", tmp_path / "b.qdc"), "has no codes"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert dump_database(db_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["project.db", *_sidecars(db_path)])


def _sidecars(db_path: Path) -> list[str]:
    return [p.name for p in db_path.parent.iterdir() if p.name.startswith(db_path.name + "-")]
