"""The database keeps names unique among siblings: concurrent creators of one new code
path end with one code, a race's loser reuses the winner's rows, and twins that exist
already are merged by the upgrade (recorded in the trail)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from cen_themes.bookkeeping.trees import Tree
from cen_themes.db import make_engine, open_project, to_url
from cen_themes.errors import InputError
from cen_themes.migrate import alembic_config
from cen_themes.services import analysis, codebook, coding, history, themes

from ..conftest import CodedProject, pg_only, who

TEXT = "Q: How was it?\nA: The wait was long. Then they listened. It helped.\n"


def _code_paths(project) -> list[str]:
    return [c.path for c in codebook.list_codes(project)]


@pytest.mark.parametrize(
    ("first", "second"), [("Stigma", "Stigma"), ("Stigma", "stigma"), ("Straße", "STRASSE")]
)
def test_the_database_refuses_sibling_twins_at_the_top_level_and_below(
    project, db_path: Path, first: str, second: str
) -> None:
    codebook.create_code(project, "Parent", coder=who(project, "ann"))
    insert = (
        "INSERT INTO codes (name, name_key, parent_id, description, color, position, "
        "created_at) VALUES (?, ?, ?, '', '', 0, 0)"
    )
    with sqlite3.connect(db_path) as conn:
        for parent in (None, 1):
            conn.execute(insert, (first, first.casefold(), parent))
            with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
                conn.execute(insert, (second, second.casefold(), parent))
        for table in ("codes", "themes"):
            index = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = ?", (f"uq_{table}_sibling_name",)
            ).fetchone()
            assert index is not None and "coalesce(parent_id, 0)" in index[0]


def test_a_name_that_matches_two_rows_is_ambiguous_never_a_silent_pick(
    project, db_path: Path
) -> None:
    """Twins can only exist where the index was taken away; even then nothing guesses."""
    codebook.create_code(project, "Concurrent", coder=who(project, "ann"))
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP INDEX uq_codes_sibling_name")
        conn.execute(
            "INSERT INTO codes (name, name_key, description, color, position, created_at) "
            "VALUES ('Concurrent', 'concurrent', '', '', 1, 0)"
        )
    with pytest.raises(InputError, match="ambiguous"):
        codebook.describe_code(project, "Concurrent", "which?", coder=who(project, "ann"))
    with pytest.raises(InputError, match="ambiguous"):
        codebook.create_code(project, "Concurrent > C0", coder=who(project, "ann"))


@pg_only
def test_a_racing_creator_reuses_the_winners_node(
    pg_project, coded_project: CodedProject, monkeypatch
) -> None:
    """What the loser of a race sees: its tree was read before the winner committed, so
    its insert meets the unique index; it reads the winner's node and carries on. (On
    SQLite a writer holds the lock from its first read: no race can happen there.)"""
    project = coded_project(TEXT, coder="ann", into=pg_project)
    original = Tree._create
    raced: list[str] = []

    def with_a_rival(self, wanted):
        if not raced and self.what == "code":
            raced.append("once")  # another program makes the same top-level code first
            codebook.create_code(open_project(project.url), wanted[0][1], coder=project.login)
        return original(self, wanted)

    monkeypatch.setattr(Tree, "_create", with_a_rival)
    result = coding.apply_code(project, "int01", 18, 36, "Concurrent > C0", coder=project.login)
    assert result.created_codes == ["Concurrent > C0"]  # the parent was the rival's
    assert _code_paths(project) == ["Concurrent", "Concurrent > C0"]
    history.undo(project, coder=project.login)  # takes back only what this change made
    assert _code_paths(project) == ["Concurrent"]


def _apply_at_once(db: str, count: int) -> list[subprocess.CompletedProcess]:
    """``count`` processes, started together, each coding one span with a new path."""
    env = {**os.environ, "CEN_THEMES_CODER": "ann"}
    command = [sys.executable, "-m", "cen_themes", "--db", db, "code", "apply", "int01"]
    processes = [
        subprocess.Popen(
            [*command, "18", "36", f"Concurrent > C{i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(count)
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(), *p.communicate()) for p in processes]


def _one_code_with_every_coding(project, count: int) -> None:
    """Siblings made at once share a position, so their order is the commits' order."""
    children = [f"Concurrent > C{i}" for i in range(count)]
    paths = _code_paths(project)
    assert paths[0] == "Concurrent" and sorted(paths[1:]) == children
    (excerpt,) = analysis.find_excerpts(project)
    assert sorted(excerpt.codes) == children
    assert excerpt.coders == [project.login or "ann"]  # on a server: the login


def test_concurrent_creators_of_one_path_end_with_one_code_on_sqlite(
    coded_project: CodedProject,
) -> None:
    project = coded_project(TEXT, coder="ann")
    for done in _apply_at_once(str(project.path), 4):
        assert done.returncode == 0, done.stderr
    _one_code_with_every_coding(project, 4)


@pg_only
def test_concurrent_creators_of_one_path_end_with_one_code_on_postgres(
    pg_project, coded_project: CodedProject
) -> None:
    coded_project(TEXT, coder="ann", into=pg_project)
    for done in _apply_at_once(pg_project.url, 4):
        assert done.returncode == 0, done.stderr
    _one_code_with_every_coding(pg_project, 4)


@pg_only
def test_racing_writers_that_all_read_before_any_commits_share_rows_on_postgres(
    pg_project, coded_project: CodedProject, monkeypatch
) -> None:
    """The race forced: four writers each read the codebook (no 'Concurrent' yet), then
    all insert it at once. One wins; the others wait on the unique index, then find and
    use its code, excerpt and coder."""
    coded_project(TEXT, coder="ann", into=pg_project)
    writers = 4
    barrier = threading.Barrier(writers, timeout=30)
    original = Tree._create

    def together(self, wanted):
        if self.what == "code" and wanted[0][0] is None:
            barrier.wait()
        return original(self, wanted)

    monkeypatch.setattr(Tree, "_create", together)
    failures: list[BaseException] = []

    def write(i: int) -> None:
        project = open_project(pg_project.url)
        try:
            coding.apply_code(project, "int01", 18, 36, f"Concurrent > C{i}", coder=project.login)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            project.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    _one_code_with_every_coding(pg_project, writers)
    themes.add_theme(pg_project, "Care", coder=pg_project.login)
    themes.assign_codes(
        pg_project, "Care", ["Concurrent > C0", "Concurrent > C3"], coder=pg_project.login
    )
    assert [r.counts for r in analysis.matrix(pg_project, "themes").rows] == [[1]]


def _project_at(db_path: Path, revision: str) -> None:
    engine = make_engine(to_url(db_path))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    engine.dispose()


def test_the_upgrade_merges_twins_that_exist_and_records_it(tmp_path: Path) -> None:
    """A project from before the constraint, with twins a race made: three top-level
    'Concurrent' codes (two with a 'C0' child), two top-level 'care' themes."""
    db = tmp_path / "old.db"
    _project_at(db, "0005")
    with sqlite3.connect(db) as conn:
        conn.executescript(
            f"""
            INSERT INTO sources (id, name, kind, text, content_hash, words, original_filename,
                                 format, imported_at)
                VALUES (1, 'int01', 'interview', '{TEXT}', 'h', 12, 'int01.txt', 'txt', 0);
            INSERT INTO coders (id, name) VALUES (1, 'ann'), (2, 'bob');
            INSERT INTO codes (id, name, parent_id, description, color, position, created_at)
                VALUES (1, 'Concurrent', NULL, 'first', '', 0, 0),
                       (2, 'Concurrent', NULL, '', '', 1, 0),
                       (3, 'concurrent', NULL, 'third', '', 2, 0),
                       (4, 'C0', 1, '', '', 0, 0),
                       (5, 'c0', 2, '', '', 0, 0),
                       (6, 'Other', NULL, '', '', 3, 0);
            INSERT INTO excerpts (id, source_id, start, "end", memo, created_at)
                VALUES (1, 1, 18, 36, '', 0), (2, 1, 37, 56, '', 0);
            INSERT INTO codings (id, excerpt_id, source_id, code_id, coder_id, created_at)
                VALUES (1, 1, 1, 1, 1, 0), (2, 1, 1, 2, 1, 0), (3, 1, 1, 3, 2, 0),
                       (4, 2, 1, 4, 1, 0), (5, 2, 1, 5, 1, 0), (6, 2, 1, 6, 1, 0);
            INSERT INTO themes (id, name, parent_id, description, position, created_at)
                VALUES (1, 'Care', NULL, '', 0, 0), (2, 'care', NULL, 'dup', 1, 0);
            INSERT INTO theme_codes (theme_id, code_id) VALUES (1, 6), (2, 3), (2, 6);
            INSERT INTO memos (target_type, target_id, text, author, created_at)
                VALUES ('code', 2, 'note on the second', 'ann', 0),
                       ('theme', 2, 'theme note', 'ann', 0);
            """
        )
    project = open_project(db)
    try:
        assert project.backup_path is not None
        assert _code_paths(project) == ["Concurrent", "Concurrent > C0", "Other"]
        listed = {c.path: c for c in codebook.list_codes(project)}
        assert listed["Concurrent"].description == "first\nconcurrent: third"
        assert listed["Concurrent"].memos == ["note on the second"]
        assert (listed["Concurrent"].excerpts, listed["Concurrent > C0"].excerpts) == (1, 1)
        (first, second) = analysis.find_excerpts(project)
        assert first.codes == ["Concurrent"] and first.coders == ["ann", "bob"]
        assert second.codes == ["Concurrent > C0", "Other"]
        (care,) = themes.list_themes(project)
        assert (care.path, care.description) == ("Care", "care: dup")
        assert care.codes == ["Concurrent", "Other"]
        assert [r.counts for r in analysis.matrix(project, "themes").rows] == [[2]]
        merges = [e for e in history.log(project) if e.kind.endswith(".merge")]
        assert [e.coder for e in merges] == ["cen-themes upgrade"] * 3
        assert "#2, #3" in merges[0].summary
        with pytest.raises(InputError, match="cannot be undone"):
            history.undo(project, coder=who(project, "ann"))
        with project.read() as session:
            memo_targets = session.execute(text("SELECT target_id FROM memos")).all()
        assert sorted(memo_targets) == [(1,), (1,)]
    finally:
        project.close()
