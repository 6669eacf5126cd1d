"""Shared fixtures: a migrated project in a temporary folder (and one with imported, coded
transcripts), the CLI, the corpora."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from cen_themes.db import Project, open_project
from cen_themes.services import coding, sources

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


class Coding(NamedTuple):
    """One coding for ``coded_project``: ``where`` is the words to code (their first
    occurrence in the stored text) or a (start, end) pair of offsets."""

    source: str
    where: str | tuple[int, int]
    code: str
    coder: str | None = None  # None: the coder who imported
    memo: str | None = None


CodedProject = Callable[..., Project]


@pytest.fixture
def coded_project(request: pytest.FixtureRequest, tmp_path: Path) -> CodedProject:
    """A project with imported, coded transcripts, made through the services:

        coded_project(texts, codings=(), *, name="int01", coder="tester",
                      attributes=None, into=None) -> Project

    ``texts`` is one transcript (a source called ``name``) or {source: text, or a file to
    import as it is}; each is imported in that order by ``coder``, with
    ``attributes[source]`` when given. Then each of ``codings`` (``Coding`` or a plain
    tuple of its fields) is applied in order. The project is the test's ``project``
    unless ``into`` names another (a PostgreSQL one, say), where every coder is the
    login."""

    def make(
        texts: str | Mapping[str, str | Path],
        codings: Iterable[tuple] = (),
        *,
        name: str = "int01",
        coder: str = "tester",
        attributes: Mapping[str, dict[str, str]] | None = None,
        into: Project | None = None,
    ) -> Project:
        project = into if into is not None else request.getfixturevalue("project")
        login = project.login  # a server project records every change as its login
        coder = login or coder
        for source, text in ({name: texts} if isinstance(texts, str) else texts).items():
            if isinstance(text, Path):
                path = text
            else:
                path = tmp_path / f"{source}.txt"
                path.write_bytes(text.encode("utf-8"))
            given = (attributes or {}).get(source)
            report = sources.import_files(
                project, [path], coder=coder, name=source, attributes=given
            )
            assert not report.failed, report.failed
        stored: dict[str, str] = {}
        for row in codings:
            one = Coding(*row)
            if isinstance(one.where, str):
                if one.source not in stored:
                    stored[one.source] = sources.get_source(project, one.source).text
                start = stored[one.source].index(one.where)
                end = start + len(one.where)
            else:
                start, end = one.where
            coding.apply_code(
                project,
                one.source,
                start,
                end,
                one.code,
                coder=login or one.coder or coder,
                memo=one.memo,
            )
        return project

    return make


def refi_sample(name: str) -> Path:
    """A REFI-QDA export under ../shared/interop/samples, or skip the test with the reason."""
    path = SHARED / "interop" / "samples" / name
    if not path.exists():
        pytest.skip(f"{path} not present: this real-export test needs ../shared/interop")
    return path


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
