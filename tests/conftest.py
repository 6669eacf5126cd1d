"""Shared fixtures: a migrated project in a temporary folder, the CLI, the corpora."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from cen_themes.db import Project, open_project

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("CEN_THEMES_TEST_PG_URL")
pg_only = pytest.mark.skipif(
    not PG_URL, reason="CEN_THEMES_TEST_PG_URL not set: no PostgreSQL server for this run"
)
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
SAMPLES = REPO / "sample_transcripts"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CEN_THEMES_DB", raising=False)
    monkeypatch.setenv("CEN_THEMES_CODER", "tester")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def project(db_path: Path) -> Iterator[Project]:
    opened = open_project(db_path)
    yield opened
    opened.close()


@pytest.fixture
def pg_project() -> Iterator[Project]:
    """A new project in the test server's database (emptied first)."""
    from sqlalchemy import text

    from cen_themes.db import make_engine

    assert PG_URL is not None, "mark the test with pg_only"
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    opened = open_project(PG_URL)
    yield opened
    opened.close()


def corpus(*parts: str) -> Path:
    """A path under ../shared/corpora, or skip the test with the reason."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present: this real-corpus test needs ../shared/corpora")
    return path


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


class Cli:
    """Runs `cen-themes --db <project> ...` in process, through the real entry point."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str | os.PathLike, input: str | None = None) -> CliResult:
        from cen_themes.cli import main

        argv = ["--db", str(self.db), *map(str, args)]
        with self.runner.isolation(input=input) as (out, err, _mixed):
            try:
                main(argv)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
        return CliResult(code, stdout, stderr)


@pytest.fixture
def cli(db_path: Path) -> Cli:
    return Cli(db_path)


def dump_database(path: Path) -> list[tuple]:
    """Every row of every table (for 'the project is unchanged' assertions)."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        rows: list[tuple] = []
        for table in tables:
            rows.extend((table, *row) for row in conn.execute(f'SELECT * FROM "{table}"'))
        return rows
    finally:
        conn.close()


async def settle(pilot: Pilot) -> None:
    """Let the workbench's workers finish and what they read show on screen (a worker
    cancelled by a newer one of its group has nothing to show)."""
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    await pilot.pause()
