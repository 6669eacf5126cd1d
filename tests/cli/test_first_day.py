"""A newcomer's first commands: a mistyped project is not created, plain `cen-themes`
opens the workbench or shows the help, PostgreSQL's own URL forms work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cen_themes.db import to_url
from tests.conftest import Cli, CodedProject


@pytest.mark.parametrize(
    "args",
    [
        ("sources",),
        ("log",),
        ("undo",),
        ("show", "su01"),
        ("check",),
        ("tui",),
        ("export", "matrix", "--out", "m.csv"),
    ],
)
def test_a_command_on_a_missing_project_says_so_and_creates_nothing(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    mistyped = tmp_path / "stduy.db"
    result = Cli(mistyped)(*args)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no project at {mistyped} (`cen-themes init` creates one; --db or "
        "CEN_THEMES_DB names another)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_init_and_import_make_the_project(tmp_path: Path) -> None:
    assert Cli(tmp_path / "a.db")("init").exit_code == 0
    text = tmp_path / "su01.txt"
    text.write_text("Q: How was it?\nA: Long.\n", encoding="utf-8")
    assert Cli(tmp_path / "b.db")("import", text).exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["a.db", "b.db"]


def test_plain_cen_themes_without_a_project_prints_the_help(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = Cli(tmp_path / "none.db")()
    assert result.exit_code == 0
    assert "Usage: cen-themes" in result.stdout and "Commands:" in result.stdout
    assert "no project at" in result.stderr  # it was named, so say it is not there
    assert not (tmp_path / "none.db").exists()


def test_plain_cen_themes_with_a_project_opens_the_workbench(
    coded_project: CodedProject, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = coded_project("Q: How was it?\nA: Long.\n")
    opened = []
    import cen_themes.tui

    monkeypatch.setattr(cen_themes.tui, "run_tui", lambda p, coder: opened.append((p.url, coder)))
    result = cli()
    assert result.exit_code == 0, result.stderr
    assert opened == [(project.url, "tester")]


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "POSTGRESQL"])
def test_postgresqls_own_url_forms_mean_its_psycopg_driver(scheme: str) -> None:
    assert to_url(f"{scheme}://ann:pw@db.example.org:5433/study") == (
        "postgresql+psycopg://ann:pw@db.example.org:5433/study"
    )
    assert to_url("postgresql+psycopg://x@y/z") == "postgresql+psycopg://x@y/z"


def test_an_unusable_url_says_which_forms_work(tmp_path: Path) -> None:
    result = Cli("mysql://ann@db/study")("sources")  # type: ignore[arg-type]
    assert result.exit_code == 1
    assert "postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_description_with_line_breaks_keeps_the_code_list_one_row_a_code(
    coded_project: CodedProject, cli: Cli
) -> None:
    coded_project("Q: How was it?\nA: Long.\n", [("int01", "Long", "A"), ("int01", "How", "B")])
    assert cli("code", "describe", "A", "desc A").exit_code == 0
    assert cli("code", "describe", "B", "desc B").exit_code == 0
    assert cli("code", "merge", "A", "--into", "B").exit_code == 0
    listed = cli("code", "list").stdout.splitlines()
    assert len(listed) == 2 and listed[1].split()[0] == "B"
    assert listed[1].endswith("desc B / A: desc A")


def test_the_help_of_code_import_ends_in_whole_words(cli: Cli) -> None:
    text = " ".join(cli("code", "import", "--help").stdout.split())
    assert "rows without a coder column (default: $CEN_THEMES_CODER" in text


def test_db_after_the_command_is_the_programs_option(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = coded_project("Q: How was it?\nA: Long.\n")
    where = str(project.path) if project.path is not None else project.url
    from cen_themes.cli.app import db_first

    assert db_first(["sources", "--db", where]) == ["--db", where, "sources"]
    assert db_first(["show", f"--db={where}", "int01"]) == [f"--db={where}", "show", "int01"]
    assert db_first(["memo", "add", "--project", "--", "--db", "x"])[-2:] == ["--db", "x"]
    done = subprocess.run(
        [sys.executable, "-m", "cen_themes", "sources", "--db", where],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "int01" in done.stdout, done.stderr


def test_a_folder_imports_the_transcripts_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    (folder / "later").mkdir(parents=True)
    (folder / "p02.md").write_text("I: Hello?\nP: Hi.\n", encoding="utf-8")
    (folder / "p01.txt").write_text("I: How was it?\nP: Long.\n", encoding="utf-8")
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "later" / "p03.txt").write_text("I: And?\nP: No.\n", encoding="utf-8")
    cli = Cli(tmp_path / "study.db")
    result = cli("import", folder)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"{folder}: importing its 2 transcripts; left out: later/, notes.csv"
    )
    assert [line.split()[0] for line in cli("sources").stdout.splitlines()[1:]] == [
        "p01",
        "p02",
    ]


def test_a_folder_without_transcripts_is_one_line_and_makes_no_project(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "codings.csv").write_text("a,b\n", encoding="utf-8")
    result = Cli(tmp_path / "study.db")("import", folder)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {folder}: a folder with no transcripts in it (")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "study.db").exists()


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (("agreement", "--coders", "a"), "agreement"),
        (("export", "matrix", "--out"), "export matrix"),
        (("code", "apply", "su01", "x", "3", "Y"), "code apply"),
    ],
)
def test_a_usage_error_points_to_the_commands_own_help(
    tmp_path: Path, args: tuple[str, ...], command: str
) -> None:
    result = Cli(tmp_path / "study.db")(*args)
    assert result.exit_code == 1
    assert result.stderr.endswith(f" (see: cen-themes {command} --help)\n")
