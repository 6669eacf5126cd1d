"""Shared fixtures: a migrated project (and one with imported, coded transcripts), the
CLI, the corpora; and the run's PostgreSQL server.

Both engines, one fixture: a test that asks for ``project``, ``coded_project`` or
``cli`` (all built on ``backend`` and ``db``) runs twice, ``[sqlite]`` on a file in
its temporary folder and ``[postgresql]`` on a database of its own on the run's server
(:mod:`tests.pgserver`: ``CEN_THEMES_TEST_PG_URL``, else a throwaway cluster when
PostgreSQL's server programs are installed, else the PostgreSQL half skips with the
reason). It runs on SQLite alone when it is about the SQLite file or an SQLite
project's behaviour:

- it asks for ``db_path`` (the file itself: its bytes, journal, locks, what
  ``sqlite3`` reads in it), or for ``pg_project`` (then ``project`` is the SQLite side
  of an SQLite-and-PostgreSQL test);
- its name says so (``test_..._on_sqlite``);
- it is marked ``@pytest.mark.sqlite_only(reason)`` (``several_coders`` and
  ``coder_by_name`` below are the common reasons); ``pytest -m sqlite_only
  --collect-only`` lists them. A parametrized case marked so skips on PostgreSQL.

``-m "not postgres"`` runs the SQLite half alone, ``-m postgres`` the other.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from cen_themes.db import Project, open_project
from cen_themes.services import coding, sources
from tests import pgserver

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# The real transcripts and coded data nobody on the team wrote: CEN_THEMES_CORPORA names
# their folder, else ../shared/corpora beside the project; tests that need them skip.
CORPORA_VARIABLE = "CEN_THEMES_CORPORA"
CORPORA = Path(os.environ.get(CORPORA_VARIABLE) or SHARED / "corpora")
SAMPLES = REPO / "sample_transcripts"
BACKENDS = ("sqlite", "postgresql")
TESTER = "tester"  # who the tests' changes are by: CEN_THEMES_CODER, the PostgreSQL login
# Tests that need a PostgreSQL server (the pg_project or pg_admin_url fixtures) carry
# this; they skip, with the reason, when the run has none.
pg_only = pytest.mark.postgres
# Why a test that works through the services or the CLI runs on SQLite alone:
several_coders = pytest.mark.sqlite_only(
    reason="several coders' work: on PostgreSQL each coder is a login of their own "
    "(tests/project/test_team.py works as several)"
)
coder_by_name = pytest.mark.sqlite_only(
    reason="the coder is a name the caller gives: on PostgreSQL it is always the login"
)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: two workers per processor. Most of a workbench test's time is
    spent waiting for the screen (its timers, its workers, the next frame), not
    computing, so a second worker per processor runs in those waits.
    PYTEST_XDIST_AUTO_NUM_WORKERS, when set, still decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own reading of it
    return 2 * len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): runs on SQLite alone, not on both engines (say why)",
    )


def _pg_possible() -> str | None:
    """Why this run can have no PostgreSQL server, or None when it can."""
    if os.environ.get(pgserver.URL_VARIABLE) or pgserver.find_bindir() is not None:
        return None
    return pgserver.server()[1]


def __getattr__(name: str) -> Any:
    """``PG_URL``: the URL of the run's server (``CEN_THEMES_TEST_PG_URL``, or of the
    throwaway cluster, started on first use), or None when there is none. Prefer the
    ``pg_admin_url`` fixture: importing this starts the server during collection."""
    if name == "PG_URL":
        found = pgserver.shared()[0]
        return found.admin_url if found is not None else None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pytest_report_header(config: pytest.Config) -> str:
    if whole_default_run(config):
        return (
            "the quick run: SQLite, without the slow tests "
            "(pytest --all runs the PostgreSQL half and the slow tests too)"
        )
    if os.environ.get(pgserver.URL_VARIABLE):
        return f"PostgreSQL: the server of {pgserver.URL_VARIABLE}"
    bindir = pgserver.find_bindir()
    if bindir is not None:
        return f"PostgreSQL: a throwaway cluster from {bindir}, started when first needed"
    return f"PostgreSQL: none, its tests skip ({_pg_possible()})"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test built on ``backend`` on both engines, unless it is SQLite-only
    (see the module's docstring)."""
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    if "sqlite" in metafunc.function.__name__:  # test_..._on_sqlite
        return
    if {"db_path", "pg_project"} & set(metafunc.fixturenames):
        return
    metafunc.parametrize(
        "backend",
        [pytest.param(b, marks=[pytest.mark.postgres] if b != "sqlite" else []) for b in BACKENDS],
        indirect=True,
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--all",
        action="store_true",
        help="run everything: the PostgreSQL half and the slow tests too (what CI runs)",
    )


def whole_default_run(config: pytest.Config) -> bool:
    """Whether this is a plain `pytest`: no --all, no -m and no test named, where the
    quick half runs (the SQLite half, without the tests marked slow)."""
    if config.getoption("--all") or config.getoption("markexpr"):
        return False
    return config.args_source != pytest.Config.ArgsSource.ARGS  # no test paths given


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if whole_default_run(config):
        kept, left = [], []
        for item in items:
            later = item.get_closest_marker("postgres") or item.get_closest_marker("slow")
            (left if later else kept).append(item)
        if left:
            config.hook.pytest_deselected(items=left)
            items[:] = kept
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is None:
            continue
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: sqlite_only needs a reason")
        # a parametrized case marked so (its test runs on both engines): not on PostgreSQL
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") is not None:
        why = _pg_possible()
        if why is not None:
            pytest.skip(why)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgserver.Server]:
    """The run's PostgreSQL server (started on first use; a server this run started is
    stopped at its end, also after Ctrl-C or a SIGTERM)."""
    found, why = pgserver.shared()
    if found is None:
        pytest.skip(why)
    yield found
    pgserver.stop_shared()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish() -> None:
    pgserver.stop_shared()  # started for PG_URL, which no fixture stops


@pytest.fixture(scope="session")
def pg_admin_url(pg_server: pgserver.Server) -> str:
    """A ``postgresql+psycopg://`` URL whose login may CREATE DATABASE and CREATE ROLE
    (a superuser on the throwaway cluster); its database is for connecting, not for
    a test's tables (``pg_project`` and ``pg_database`` give a test its own)."""
    return pg_server.admin_url


@pytest.fixture(scope="session")
def pg_login(pg_server: pgserver.Server) -> str:
    """The login of the PostgreSQL half's projects: ``tester``, the coder whom the
    SQLite half's CEN_THEMES_CODER names, so that both halves record the same coder
    (on PostgreSQL every change is recorded as the login). It owns their databases."""
    return pg_server.login(TESTER)


@pytest.fixture(scope="session")
def _pg_template(pg_server: pgserver.Server, pg_login: str) -> Iterator[str]:
    """A migrated, empty project database that each test's ``project`` is a copy of
    (copying it takes a fifth of the time that migrating a new one does)."""
    url = pg_server.new_database(owner=pg_login)
    open_project(url).close()
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def pg_database(pg_server: pgserver.Server) -> Iterator[str]:
    """The URL of a new, empty database of this test's own, logging in as the admin
    login (dropped after the test)."""
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The engine of this test's ``project``, ``cli`` and ``db``: ``sqlite`` or
    ``postgresql`` (a test is run for each, see the module's docstring)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """The test's project database: the SQLite file (``db_path``; not there until the
    project is opened), or the URL of a PostgreSQL database of its own, logging in as
    ``pg_login``: a migrated project when the test asks for ``project`` and else empty
    (its first command makes it a project, as a new SQLite file)."""
    if backend == "sqlite":
        yield tmp_path / "project.db"
        return
    server: pgserver.Server = request.getfixturevalue("pg_server")
    login = request.getfixturevalue("pg_login")
    if {"project", "coded_project"} & set(request.fixturenames):
        template = request.getfixturevalue("_pg_template")
        url = server.new_database(template=template, owner=login)
    else:
        url = server.new_database(owner=login)
    yield url
    server.drop_database(url)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CEN_THEMES_DB", raising=False)
    monkeypatch.setenv("CEN_THEMES_CODER", TESTER)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The SQLite project file (where ``project`` and ``cli`` are, on SQLite). A test
    that asks for it is about the file, and runs on SQLite alone."""
    return tmp_path / "project.db"


@pytest.fixture
def project(db: Path | str) -> Iterator[Project]:
    """The test's project, opened: a new SQLite file, or a PostgreSQL database of its
    own (see ``db``)."""
    opened = open_project(db)
    yield opened
    opened.close()


@pytest.fixture
def pg_project(pg_database: str) -> Iterator[Project]:
    """A new project in a database of its own on the run's PostgreSQL server, worked on
    as the admin login (which may add a team's logins)."""
    opened = open_project(pg_database)
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


def who(project: Project | Cli, coder: str) -> str:
    """Who a change by ``coder`` is recorded as, in a project or the CLI's: ``coder`` on
    SQLite, the login on PostgreSQL (where a change in another's name is refused)."""
    return project.login or coder


@pytest.fixture
def coded_project(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> CodedProject:
    """A project with imported, coded transcripts, made through the services:

        coded_project(texts, codings=(), *, name="int01", coder="tester",
                      attributes=None, into=None) -> Project

    ``texts`` is one transcript (a source called ``name``) or {source: text, or a file to
    import as it is}; each is imported in that order by ``coder``, with
    ``attributes[source]`` when given. Then each of ``codings`` (``Coding`` or a plain
    tuple of its fields) is applied in order. The project is the test's ``project`` (on
    the test's ``backend``) unless ``into`` names another; on PostgreSQL every coder is
    the login."""

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
    """A path under the corpora folder, or skip the test with the reason."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} not present: this test needs the real corpora "
            f"({CORPORA_VARIABLE} names their folder)"
        )
    return path


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


class Cli:
    """Runs `cen-themes --db <project> ...` in process, through the real entry point."""

    def __init__(self, db: Path | str) -> None:
        self.db = db  # a path or URL
        self.runner = CliRunner()

    @property
    def login(self) -> str | None:
        """The login of a server project (who the CLI's changes are recorded as), or
        None for an SQLite file."""
        from sqlalchemy.engine import make_url

        text = str(self.db)
        return make_url(text).username if "://" in text else None

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
def cli(db: Path | str) -> Cli:
    """The CLI on the test's project (``db``: SQLite or PostgreSQL, see ``backend``)."""
    return Cli(db)


def _url(where: Path | str | Project | Cli) -> str:
    from cen_themes.db import to_url

    if isinstance(where, Cli):
        where = where.db
    if isinstance(where, Project):
        return where.url
    return to_url(where)


def dump_database(where: Path | str | Project | Cli) -> list[tuple]:
    """Every row of every table (for 'the project is unchanged' assertions): of an
    SQLite file, or of the database of a URL, a project or the CLI's project (a
    PostgreSQL table's rows sorted, as it keeps no order)."""
    url = _url(where)
    if url.startswith("sqlite:"):
        return _dump_sqlite(Path(url.removeprefix("sqlite:///")))
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    " ORDER BY tablename"
                )
            ).scalars()
            rows: list[tuple] = []
            for table in list(tables):
                found = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                rows.extend(sorted(((table, *row) for row in found), key=repr))
            return rows
    finally:
        engine.dispose()


def _dump_sqlite(path: Path) -> list[tuple]:
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


def raw_sql(where: Path | str | Project | Cli, statement: str, **params: Any) -> list[tuple]:
    """Run SQL on a project's database past the program (SQLite file or server database
    alike): the rows of a query; a change is committed."""
    from sqlalchemy import create_engine, text

    engine = create_engine(_url(where))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


async def settle(pilot: Pilot) -> None:
    """Let the workbench's workers finish and what they read show on screen (a worker
    cancelled by a newer one of its group has nothing to show)."""
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    await pilot.pause()


async def warmed_up(app: Any, pilot: Pilot) -> None:
    """Until the workbench's warm-up after launch has run (its reads included)."""
    from cen_themes.tui.app import WARM_UP_AFTER_S
    from cen_themes.tui.screens import style_sheets

    sheet = str(style_sheets()[0])
    for _ in range(200):
        if app.stylesheet.has_source(sheet, ""):
            break
        await pilot.pause(WARM_UP_AFTER_S / 10)
    await settle(pilot)
