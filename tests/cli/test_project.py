"""Which project a command works on, `init`, upgrades and `demo` from the command line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command

from cen_themes.db import make_engine, to_url
from cen_themes.migrate import alembic_config, head_revision

from ..conftest import Cli


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "CEN_THEMES_DB"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cen_themes", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_default_project_is_cen_themes_db_in_the_working_directory(tmp_path: Path) -> None:
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cen-themes.db").exists()
    assert result.stdout.startswith("created project ")


def test_environment_variable_and_db_option(tmp_path: Path) -> None:
    env = {"CEN_THEMES_DB": str(tmp_path / "from-env.db")}
    assert run("init", cwd=tmp_path, env=env).returncode == 0
    assert (tmp_path / "from-env.db").exists()
    assert run("--db", str(tmp_path / "explicit.db"), "init", cwd=tmp_path, env=env).returncode == 0
    assert (tmp_path / "explicit.db").exists()
    assert not (tmp_path / "cen-themes.db").exists()


def test_init_twice_says_up_to_date(cli: Cli) -> None:
    assert cli("init").stdout.startswith("created project")
    again = cli("init")
    assert again.exit_code == 0
    assert f"is up to date (schema {head_revision()})" in again.stdout


@pytest.mark.sqlite_only(reason="the backup an SQLite file's upgrade makes beside it")
def test_upgrade_from_the_command_line_tells_about_the_backup(cli: Cli) -> None:
    engine = make_engine(to_url(cli.db))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    engine.dispose()
    result = cli("init")
    assert result.exit_code == 0
    assert "backed up as" in result.stderr
    backups = list(cli.db.parent.glob("project.db.bak-*"))
    assert len(backups) == 1
    assert sqlite3.connect(backups[0]).execute(
        "SELECT version_num FROM alembic_version"
    ).fetchone() == ("0001",)
    assert f"now at schema {head_revision()}" in result.stdout


def test_version_and_help(tmp_path: Path) -> None:
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and "cen-themes" in version.stdout
    help_text = run("--help", cwd=tmp_path)
    assert help_text.returncode == 0
    for name in ("init", "import", "sources", "show", "attrs", "demo"):
        assert name in help_text.stdout
    assert not (tmp_path / "cen-themes.db").exists()  # --help opens no project


def test_demo_builds_the_sample_project_once(tmp_path: Path) -> None:
    first = run("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "cen-themes-demo.db").exists()
    assert "19 sources" in first.stdout and "19 imported now" in first.stdout
    assert "group=service user" in first.stdout
    lindqvist = next(line for line in first.stdout.splitlines() if "lindqvist2015" in line)
    assert " study " in lindqvist and "design=interviews; focus groups" in lindqvist
    # coded, with themes, so that every screen has something to show
    assert "imported 69 codings from codings.csv" in first.stdout
    assert (
        "themes: Stigma of the diagnosis, The need for a long-term perspective, Therapeutic "
        "relationships, Crisis care, Staff fear of risk and burnout (8 subthemes)"
    ) in first.stdout
    assert "studies: imported 41 codings from codings.csv" in first.stdout
    assert "studies: 3 review findings, 3 CERQual assessments (high, moderate, low)" in first.stdout
    matrix = run("--db", "cen-themes-demo.db", "export", "matrix", "--out", "m.csv", cwd=tmp_path)
    assert matrix.returncode == 0, matrix.stderr
    rows = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()
    counts = {r.split(",")[0]: r.split(",")[-2:] for r in rows[1:]}
    assert len(counts) == 16
    assert counts["Stigma of the diagnosis"] == ["11", "25"]
    assert counts["Therapeutic relationships"] == ["8", "12"]
    assert counts["Review finding 3: Time-limited care feels like abandonment"] == ["7", "12"]
    second = run("demo", cwd=tmp_path)
    assert second.returncode == 0
    assert "0 imported now, 19 already there" in second.stdout
    assert "codings" not in second.stdout and "CERQual" not in second.stdout  # coded once
    assert not (tmp_path / "cen-themes.db").exists()


def test_a_group_without_a_command_shows_its_help(tmp_path: Path) -> None:
    for args in ([], ["code"], ["theme"], ["export"]):
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 0, args
        assert result.stdout.startswith("Usage: cen-themes") and result.stderr == ""
    assert not (tmp_path / "cen-themes.db").exists()


def test_a_db_value_that_looks_like_an_option_is_refused(tmp_path: Path) -> None:
    """`--db --db sources` once made a project file named '--db'."""
    for value in ("--db", "-p.db"):
        result = run("--db", value, "sources", cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "looks like an option" in result.stderr
    assert list(tmp_path.iterdir()) == []
    result = run("--db", "./-p.db", "init", cwd=tmp_path)  # such a name, written as a path
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "-p.db").is_file()
