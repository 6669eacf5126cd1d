"""`backup FILE.db` and `init --from FILE.db`: a project copied whole between engines,
every row and the audit trail with it, and back again unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cen_themes.db import Project, open_project
from cen_themes.errors import InputError
from cen_themes.services import coding, history, memos, themes
from cen_themes.services.transfer import backup, load_from

from ..conftest import Cli, CodedProject, dump_database, pg_only, who

# The tests without pg_project back up an SQLite project and compare the files; a
# server project's backup and load are the pg_project tests'.
pytestmark = pytest.mark.sqlite_only(reason="an SQLite project's file, backed up and compared")

TEXT = "Q: How was the wait?\nA: Long — très long 😀. Then the team listened.\n"


def make(coded_project: CodedProject) -> Project:
    project = coded_project(
        {"su01": TEXT, "su02": "Q: And now?\nA: Better. We plan together.\n"},
        [
            ("su01", "très long", "Waiting > Too long", "ann", "memo ✓"),
            ("su01", "the team listened", "Relationships", "bob"),
            ("su02", "We plan together", "Care planning", "ann"),
        ],
        attributes={"su01": {"group": "service user"}},
    )
    themes.add_theme(project, "Access", coder=who(project, "ann"), description="in the door")
    themes.assign_codes(project, "Access", ["Waiting"], coder=who(project, "ann"))
    memos.add_memo(project, "theme", "Access", "a finding", coder=who(project, "bob"))
    coding.apply_code(project, "su02", 12, 18, "Mistake", coder=who(project, "ann"))
    history.undo(project, coder=who(project, "ann"))  # the trail holds an undone change too
    return project


def rows(path: Path) -> list[tuple]:
    return sorted(dump_database(path), key=repr)


def test_a_backup_is_the_same_project(coded_project: CodedProject, tmp_path: Path) -> None:
    project = make(coded_project)
    message = backup(project, tmp_path / "copy.db")
    assert message.startswith(f"wrote {tmp_path / 'copy.db'} (2 sources, 4 codes, 3 codings")
    assert rows(tmp_path / "copy.db") == rows(tmp_path / "project.db")
    copy = open_project(tmp_path / "copy.db")  # a project file like any other
    coding.apply_code(copy, "su02", 12, 18, "More", coder=who(copy, "ann"))
    copy.close()


def test_a_backup_is_consistent_while_another_program_writes(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = make(coded_project)
    other = sqlite3.connect(tmp_path / "project.db")
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE codes SET description = 'half-way' WHERE id = 1")
    before = rows(tmp_path / "project.db")  # another connection: not the write under way
    backup(project, tmp_path / "copy.db")
    other.rollback()
    other.close()
    assert rows(tmp_path / "copy.db") == before


def test_bad_backup_targets_get_one_line(coded_project: CodedProject, tmp_path: Path) -> None:
    project = make(coded_project)
    for target, message in (
        (tmp_path / "copy.txt", "ends in .db"),
        (tmp_path / "nowhere" / "copy.db", "does not exist"),
        (tmp_path / "project.db", "this project's own file"),
    ):
        with pytest.raises(InputError, match=message):
            backup(project, target)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_init_from_wants_a_server_and_a_project_file(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = make(coded_project)
    with pytest.raises(InputError, match="PostgreSQL"):
        load_from(project, tmp_path / "project.db")


@pg_only
def test_a_project_goes_to_the_server_and_back_unchanged(
    coded_project: CodedProject, pg_project: Project, tmp_path: Path
) -> None:
    solo = make(coded_project)
    solo.close()
    message = load_from(pg_project, tmp_path / "project.db")
    assert "2 sources, 4 codes, 3 codings" in message
    backup(pg_project, tmp_path / "back.db")
    assert rows(tmp_path / "back.db") == rows(tmp_path / "project.db")
    # the server project carries on: new ids after the copied ones, and undo works
    result = coding.apply_code(pg_project, "su02", 12, 18, "Later", coder=pg_project.login)
    assert result.added and result.created_codes == ["Later"]
    history.undo(pg_project, coder=pg_project.login)
    backup(pg_project, tmp_path / "again.db")
    events = [r for r in rows(tmp_path / "again.db") if r[0] == "events"]
    assert len(events) == len([r for r in rows(tmp_path / "project.db") if r[0] == "events"]) + 2


@pg_only
def test_init_from_refuses_a_server_database_with_a_project_in_it(
    coded_project: CodedProject, pg_project: Project, tmp_path: Path
) -> None:
    make(coded_project).close()
    load_from(pg_project, tmp_path / "project.db")
    backup(pg_project, tmp_path / "before.db")
    with pytest.raises(InputError, match="already holds a project"):
        load_from(pg_project, tmp_path / "project.db")
    backup(pg_project, tmp_path / "after.db")
    assert rows(tmp_path / "after.db") == rows(tmp_path / "before.db")


@pg_only
def test_init_from_refuses_what_is_not_a_project_file(pg_project: Project, tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("not a database", encoding="utf-8")
    with pytest.raises(InputError, match="not an SQLite database"):
        load_from(pg_project, tmp_path / "notes.db")
    with pytest.raises(InputError, match="no such project file"):
        load_from(pg_project, tmp_path / "missing.db")


def test_backup_and_init_from_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "su01.txt").write_text(TEXT, encoding="utf-8")
    assert cli("import", tmp_path / "su01.txt").exit_code == 0
    result = cli("backup", tmp_path / "copy.db")
    assert result.exit_code == 0 and result.stdout.startswith("wrote ")
    result = cli("backup", tmp_path / "copy.zip")
    assert result.exit_code == 1 and "ends in .db" in result.stderr
    assert result.stderr.count("\n") == 1
    result = cli("init", "--from", tmp_path / "copy.db")
    assert result.exit_code == 1 and "give --db its URL" in result.stderr
