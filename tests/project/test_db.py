"""Opening a project: create, upgrade with a backup, refuse what is not ours."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from cen_themes.db import Project, make_engine, open_project, to_url
from cen_themes.errors import ProjectError
from cen_themes.migrate import alembic_config, head_revision
from cen_themes.models import Base, Code, to_microseconds

from ..conftest import dump_database


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _make_at_revision(path: Path, revision: str) -> None:
    engine = make_engine(to_url(path))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    engine.dispose()


def test_new_project_is_created_at_head_with_pragmas(db_path: Path) -> None:
    project = open_project(db_path)
    assert project.created
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == head_revision()
    project.close()
    again = open_project(db_path)
    assert not again.created and again.notices == [] and again.backup_path is None
    again.close()


def test_models_and_migrations_agree(project) -> None:
    with project.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_migrations_form_one_line_from_the_first_revision() -> None:
    revisions = _revisions()
    assert revisions[0] == "0001"
    assert revisions[-1] == head_revision()
    assert len(revisions) >= 2


def test_first_revision_database_is_backed_up_and_upgraded(db_path: Path) -> None:
    first = _revisions()[0]
    _make_at_revision(db_path, first)
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO sources (name, kind, text, content_hash, words, original_filename, "
        "format, imported_at) VALUES ('old', 'interview', 'Old text.', 'h1', 2, 'old.txt', "
        "'txt', '2025-01-01 00:00:00')"
    )
    conn.execute(
        'INSERT INTO segments (source_id, start, "end", speaker, turn) VALUES (1, 0, 9, NULL, 0)'
    )
    conn.commit()
    conn.close()
    before = dump_database(db_path)

    project = open_project(db_path)

    assert project.backup_path is not None and project.backup_path.exists()
    assert project.backup_path.name.startswith("project.db.bak-")
    assert any("backed up" in n and str(project.backup_path) in n for n in project.notices)
    assert dump_database(project.backup_path) == before
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
            head_revision()
        )
        assert conn.exec_driver_sql("SELECT name, text FROM sources").all() == [
            ("old", "Old text.")
        ]
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
    project.close()


def test_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    open_project(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    conn.commit()
    conn.close()
    before = dump_database(db_path)
    with pytest.raises(ProjectError, match="newer version of cen-themes"):
        open_project(db_path)
    assert dump_database(db_path) == before
    assert not list(db_path.parent.glob("*.bak-*"))


def test_foreign_sqlite_database_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="not a cen-themes project"):
        open_project(db_path)
    assert dump_database(db_path) == []  # untouched: no alembic_version table added


def test_non_database_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n")
    with pytest.raises(ProjectError, match="not an SQLite database"):
        open_project(path)
    assert path.read_text() == "these are my notes, not a database\n"


def test_directory_and_missing_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="is a directory"):
        open_project(tmp_path)
    with pytest.raises(ProjectError, match="does not exist"):
        open_project(tmp_path / "nowhere" / "p.db")


def test_bad_url_is_one_clear_error() -> None:
    with pytest.raises(ProjectError):
        open_project("nosuchdialect://user@host/db")


def test_write_rolls_back_on_error(project) -> None:
    from cen_themes.models import Coder

    with pytest.raises(RuntimeError), project.write() as session:
        session.add(Coder(name="ann"))
        session.flush()
        raise RuntimeError("boom")
    with project.read() as session:
        assert session.query(Coder).count() == 0


def test_upgrade_from_0002_fills_the_derived_tables(db_path: Path) -> None:
    """A project coded and themed at revision 0002 gets codings.source_id, the theme
    rollup and the theme excerpts filled in by 0003, so counts match at once."""
    _make_at_revision(db_path, "0002")
    conn = sqlite3.connect(db_path)
    conn.executescript(
        """
        INSERT INTO sources (id, name, kind, text, content_hash, words, original_filename,
            format, imported_at) VALUES
            (1, 'a', 'interview', 'one two three four', 'h1', 4, 'a.txt', 'txt', '2025-01-01'),
            (2, 'b', 'interview', 'six seven eight nine', 'h2', 4, 'b.txt', 'txt', '2025-01-01');
        INSERT INTO coders (id, name) VALUES (1, 'ann'), (2, 'bob');
        INSERT INTO codes (id, name, parent_id, description, color, position, created_at) VALUES
            (1, 'Access', NULL, '', '', 0, '2025-01-01'),
            (2, 'Waiting', 1, '', '', 0, '2025-01-01'),
            (3, 'Care', NULL, '', '', 1, '2025-01-01');
        INSERT INTO excerpts (id, source_id, start, "end", memo, created_at) VALUES
            (1, 1, 0, 3, '', '2025-01-01'), (2, 1, 4, 7, '', '2025-01-01'),
            (3, 2, 0, 3, '', '2025-01-01');
        INSERT INTO codings (id, excerpt_id, code_id, coder_id, created_at) VALUES
            (1, 1, 2, 1, '2025-01-01'), (2, 1, 2, 2, '2025-01-01'), (3, 1, 3, 1, '2025-01-01'),
            (4, 2, 3, 1, '2025-01-01'), (5, 3, 2, 2, '2025-01-01');
        INSERT INTO themes (id, name, parent_id, description, position, created_at) VALUES
            (1, 'Long-term', NULL, '', 0, '2025-01-01'),
            (2, 'Cycles', 1, '', 0, '2025-01-01');
        INSERT INTO theme_codes (theme_id, code_id) VALUES (2, 2), (1, 3);
        """
    )
    conn.commit()
    conn.close()
    project = open_project(db_path)
    assert project.backup_path is not None
    from cen_themes.services import analysis

    themes = {r.path: r.counts for r in analysis.matrix(project, "themes").rows}
    assert themes == {"Long-term": [2, 1], "Long-term > Cycles": [1, 1]}
    codes = {r.path: r.counts for r in analysis.matrix(project, "codes").rows}
    assert codes == {"Access": [0, 0], "Access > Waiting": [1, 1], "Care": [2, 0]}
    with project.engine.connect() as conn:
        refs = conn.exec_driver_sql(
            "SELECT theme_id, excerpt_id, refs FROM excerpt_themes ORDER BY 1, 2"
        ).all()
        assert refs == [(1, 1, 3), (1, 2, 1), (1, 3, 1), (2, 1, 2), (2, 3, 1)]
        assert conn.exec_driver_sql(
            "SELECT source_id FROM codings ORDER BY id"
        ).scalars().all() == [1, 1, 1, 1, 2]
        # 0004 made the table again, keyed (theme, source, excerpt) without a rowid.
        table = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'excerpt_themes'"
        ).scalar_one()
        assert "WITHOUT ROWID" in table
        assert "PRIMARY KEY (theme_id, source_id, excerpt_id)" in table
    project.close()


@pytest.mark.sqlite_only(reason="SQLite's table definitions (sqlite_master)")
def test_a_new_project_keys_excerpt_themes_without_a_rowid(project: Project) -> None:
    with project.engine.connect() as conn:
        table = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'excerpt_themes'"
        ).scalar_one()
        indexes = (
            conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'excerpt_themes'"
                " AND sql IS NOT NULL"
            )
            .scalars()
            .all()
        )
    assert "WITHOUT ROWID" in table
    assert indexes == ["ix_excerpt_themes_excerpt_id"]


def test_migrations_run_with_foreign_keys_off_and_writers_with_them_on(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch migration drops and rebuilds tables: with foreign keys on, dropping a
    parent table would delete its children. They are off while migrating, on after."""
    _make_at_revision(db_path, "0002")
    seen: list[int] = []
    upgrade = command.upgrade

    def watching(config, revision):
        connection = config.attributes["connection"]
        seen.append(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())
        return upgrade(config, revision)

    monkeypatch.setattr(command, "upgrade", watching)
    project = open_project(db_path)
    assert seen == [0]
    with project.write() as session:
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with project.bulk_write() as session:
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    with project.read() as session:
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    project.close()


def test_schema_revision_is_the_newest_migration() -> None:
    from cen_themes.migrate import SCHEMA_REVISION

    assert head_revision() == SCHEMA_REVISION


def test_opening_an_up_to_date_project_does_not_load_alembic(db_path: Path) -> None:
    open_project(db_path).close()
    code = (
        "import sys; from cen_themes.db import open_project; "
        f"open_project({str(db_path)!r}).close(); print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def _file_journal_mode(db_path: Path) -> str:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_a_large_bulk_write_uses_a_rollback_journal_then_returns_to_wal(project, db_path) -> None:
    with project.bulk_write(large=True) as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        connection.exec_driver_sql("INSERT INTO coders (name) VALUES ('bulk')")
    assert _file_journal_mode(db_path) == "wal"
    with project.read() as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        names = connection.exec_driver_sql("SELECT name FROM coders").scalars().all()
    assert names == ["bulk"]


def test_a_failed_large_bulk_write_leaves_the_project_as_it_was(project, db_path) -> None:
    before = dump_database(db_path)
    with pytest.raises(RuntimeError), project.bulk_write(large=True) as session:
        session.connection().exec_driver_sql("INSERT INTO coders (name) VALUES ('bulk')")
        raise RuntimeError("the import found a bad row")
    assert dump_database(db_path) == before
    assert _file_journal_mode(db_path) == "wal"


def test_a_large_bulk_write_keeps_wal_while_another_program_has_the_project_open(
    project, db_path
) -> None:
    other = sqlite3.connect(db_path)
    try:
        other.execute("SELECT count(*) FROM coders").fetchall()
        with project.bulk_write(large=True) as session:
            connection = session.connection()
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            connection.exec_driver_sql("INSERT INTO coders (name) VALUES ('bulk')")
            # In WAL the other program goes on reading the project as it was.
            assert other.execute("SELECT count(*) FROM coders").fetchone() == (0,)
        assert other.execute("SELECT count(*) FROM coders").fetchone() == (1,)
    finally:
        other.close()
    assert _file_journal_mode(db_path) == "wal"


def test_a_project_opened_during_a_large_bulk_write_reads_it_as_it_was(project, db_path) -> None:
    """The newcomer cannot switch the file to WAL while the import holds it in rollback
    mode: it follows the file's mode and reads the last committed state."""
    with project.bulk_write(large=True) as session:
        session.connection().exec_driver_sql("INSERT INTO coders (name) VALUES ('bulk')")
        newcomer = open_project(db_path)
        try:
            with newcomer.read() as reading:
                count = reading.connection().exec_driver_sql("SELECT count(*) FROM coders")
                assert count.scalar() == 0
        finally:
            newcomer.close()
    assert _file_journal_mode(db_path) == "wal"


def _schema(path: Path) -> dict:
    """Every table's columns, keys, indexes and checks, as SQLite reports them."""
    engine = make_engine(to_url(path))
    try:
        seen = inspect(engine)
        return {
            name: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in seen.get_columns(name)],
                seen.get_pk_constraint(name),
                sorted(map(str, seen.get_foreign_keys(name))),
                sorted(map(str, seen.get_indexes(name))),
                sorted(map(str, seen.get_unique_constraints(name))),
                sorted(map(str, seen.get_check_constraints(name))),
            )
            for name in seen.get_table_names()
        }
    finally:
        engine.dispose()


def test_a_project_upgraded_from_the_first_revision_has_a_new_projects_schema(
    tmp_path: Path,
) -> None:
    _make_at_revision(tmp_path / "old.db", _revisions()[0])
    open_project(tmp_path / "old.db").close()
    open_project(tmp_path / "new.db").close()
    assert _schema(tmp_path / "old.db") == _schema(tmp_path / "new.db")


# Times as SQLAlchemy wrote them on SQLite before 0005, and other forms a tool may have.
_OLD_TIMES = {
    "2026-11-25 10:11:12.345678": datetime(2026, 11, 25, 10, 11, 12, 345678, tzinfo=UTC),
    "2026-11-25 10:11:12": datetime(2026, 11, 25, 10, 11, 12, tzinfo=UTC),
    "2026-11-25 10:11:12.5": datetime(2026, 11, 25, 10, 11, 12, 500000, tzinfo=UTC),
    "2026-11-25T10:11:12.25+01:00": datetime(2026, 11, 25, 9, 11, 12, 250000, tzinfo=UTC),
    "2025-01-01": datetime(2025, 1, 1, tzinfo=UTC),
    "1969-12-31 23:59:59.000001": datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
}


def test_0005_turns_text_times_into_exact_microseconds(db_path: Path) -> None:
    _make_at_revision(db_path, "0004")
    conn = sqlite3.connect(db_path)
    for n, text in enumerate(_OLD_TIMES):
        conn.execute(
            "INSERT INTO codes (name, description, color, position, created_at) "
            "VALUES (?, '', '', 0, ?)",
            (f"c{n}", text),
        )
    conn.commit()
    conn.close()
    project = open_project(db_path)
    with project.read() as session:
        read = session.execute(select(Code.name, Code.created_at).order_by(Code.id)).all()
    project.close()
    assert [moment for _name, moment in read] == list(_OLD_TIMES.values())
    with sqlite3.connect(db_path) as conn:
        stored = conn.execute("SELECT created_at FROM codes ORDER BY id").fetchall()
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    assert stored == [(to_microseconds(m),) for m in _OLD_TIMES.values()]
    assert free == 0  # the rebuilt tables' old pages are given back


def test_0005_down_again_gives_back_text_times(db_path: Path) -> None:
    project = open_project(db_path)
    project.close()
    moment = datetime(2026, 11, 25, 10, 11, 12, 345678, tzinfo=UTC)
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO codes (name, name_key, description, color, position, created_at) "
            "VALUES ('c', 'c', '', '', 0, ?)",
            (to_microseconds(moment),),
        )
    engine = make_engine(to_url(db_path))
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0004")
    engine.dispose()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT created_at FROM codes").fetchall() == [
            ("2026-11-25 10:11:12.345678",)
        ]
        excerpts = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'excerpts'")
        table = excerpts.fetchone()[0]
    assert "created_at DATETIME NOT NULL" in table
    assert 'CHECK (start >= 0 AND start < "end")' in table


def test_a_large_bulk_write_cut_short_by_a_crash_is_rolled_back_on_next_open(
    project, db_path
) -> None:
    """The process dies inside the rollback-journal transaction: the next open finds the
    hot journal, rolls the half-written pages back, and the file returns to WAL."""
    project.close()
    before = dump_database(db_path)
    code = (
        "import os, sys; from cen_themes.db import open_project\n"
        f"project = open_project({str(db_path)!r})\n"
        "with project.bulk_write(large=True) as session:\n"
        "    c = session.connection()\n"
        "    c.exec_driver_sql('PRAGMA cache_size = 2')  # spill pages into the file\n"
        "    for n in range(2000):\n"
        "        c.exec_driver_sql(f\"INSERT INTO coders (name) VALUES ('{'x' * 500}{n}')\")\n"
        "    print(c.exec_driver_sql('PRAGMA journal_mode').scalar(), flush=True)\n"
        "    os._exit(9)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 9, result.stderr
    assert result.stdout.strip() == "delete"
    assert db_path.with_name(db_path.name + "-journal").exists()
    assert db_path.stat().st_size > 500_000  # the crash left written pages behind
    reopened = open_project(db_path)
    reopened.close()
    assert dump_database(db_path) == before
    assert _file_journal_mode(db_path) == "wal"
