"""The PostgreSQL database of the live-update tests, and the two sides of a shared project.

Each test empties its database (drops schema public), so these tests get one of their
own beside the shared test database, never the shared one: CEN_THEMES_TEST_LIVE_PG_URL
names it, else it is the database of CEN_THEMES_TEST_PG_URL with ``_live`` and the test
process's name (tests run in several at once) added to its name, made on first use.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from cen_themes.db import Project, open_project

SHARED_URL_VAR = "CEN_THEMES_TEST_PG_URL"
OWN_URL_VAR = "CEN_THEMES_TEST_LIVE_PG_URL"


def server_url() -> str:
    """The live tests' own database on the test server (made when missing), or skip."""
    own = os.environ.get(OWN_URL_VAR)
    if own:
        return own
    shared = os.environ.get(SHARED_URL_VAR)
    if not shared:
        pytest.skip(f"{SHARED_URL_VAR} (or {OWN_URL_VAR}) not set: no PostgreSQL server")
    url = make_url(shared)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # two must not share one
    name = f"{url.database}_live_{worker}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if found.first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except (OperationalError, ProgrammingError) as exc:
        pytest.skip(f"cannot make the live tests' own database {name}: {exc.orig}")
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def empty_server_database(url: str) -> None:
    """Drop everything in the database, or skip when the server cannot be reached."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {make_url(url).render_as_string()}: {exc.orig}")
    finally:
        engine.dispose()


@dataclass
class Sides:
    """One project opened twice: ``ours`` for the workbench or watcher under test,
    ``theirs`` for someone else's changes (another connection pool, as another program
    would have). On a server both work as its login, which the coders must be."""

    ours: Project
    theirs: Project
    where: str  # the path or URL both opened
    our_coder: str
    their_coder: str

    @property
    def engine(self) -> str:
        return "sqlite" if self.ours.is_sqlite else "postgresql"


ENGINES = ("sqlite", "postgresql")


@contextlib.contextmanager
def open_sides(engine: str, tmp_path: Path) -> Iterator[Sides]:
    """A new project on ``engine`` ("sqlite" or "postgresql"), opened by us and by them
    (for a test module's fixture: ``with open_sides(request.param, tmp_path) as s``)."""
    if engine == "sqlite":
        where = str(tmp_path / "shared.db")
        our_coder, their_coder = "ann", "bob"
    else:
        where = server_url()
        empty_server_database(where)
        login = make_url(where).username or ""
        our_coder = their_coder = login
    ours = open_project(where)
    theirs = open_project(where)
    try:
        yield Sides(ours, theirs, where, our_coder, their_coder)
    finally:
        theirs.close()
        ours.close()
