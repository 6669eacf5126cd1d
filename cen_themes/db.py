"""Open a project database and hand out its reads and changes.

A path means SQLite (one file per project); a ``postgresql+psycopg://`` URL means a
shared PostgreSQL database. Opening a project brings its schema to this version's
(:mod:`cen_themes.migrate`: created when new, upgraded after a backup when older).
Every change goes through :meth:`Project.change`.

SQLite connections get foreign keys, WAL, a busy timeout and real transactions (the
pysqlite driver's own transaction handling is switched off, so that DDL and DML alike
run inside ``BEGIN ... COMMIT``).
"""

from __future__ import annotations

import contextlib
import functools
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from cen_themes.bookkeeping.change import Change, RowsRefused
from cen_themes.errors import ConflictError, InputError, ProjectError, RefusedError
from cen_themes.migrate import migrate

BUSY_TIMEOUT_MS = 10_000
# A change the server rolled back because another crossed it is run again this many
# times in all, after a short random pause growing each time.
ATTEMPTS = 6
P = ParamSpec("P")
R = TypeVar("R")

# The role a kind of change needs on a team's PostgreSQL project (what the server's
# grants and policies allow; used only to word a refusal). Anything else needs a lead.
CODER_KINDS = ("coding.", "excerpt.", "memo.", "code.create", "suggestion.", "undo")


def to_url(db: str | Path) -> str:
    """A database argument as a SQLAlchemy URL: a path means SQLite, and PostgreSQL's
    own ``postgres://`` and ``postgresql://`` forms mean its psycopg driver."""
    text = str(db)
    if "://" in text:
        scheme, rest = text.split("://", 1)
        if scheme.lower() in ("postgres", "postgresql"):
            return f"postgresql+psycopg://{rest}"
        return text
    try:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    except (RuntimeError, OSError) as exc:  # ~user of no such user; a loop of links
        raise ProjectError(f"{text}: cannot use this path ({exc})") from None


def _display(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite: SQLAlchemy's "begin" hook emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Refused only during a large import's rollback-journal transaction (see
        # Project.bulk_write): this connection then follows the file's mode.
        _journal_mode(dbapi_connection, "WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA threads = 2")
        # 64 MB of page cache: bulk coding inserts into random-order indexes thrash
        # SQLite's 2 MB default.
        cursor.execute("PRAGMA cache_size = -65536")
    finally:
        cursor.close()


def _journal_mode(dbapi_connection: Any, mode: str) -> bool:
    """Switch the project file's journal mode; ``False`` if another connection has it
    open (SQLite refuses at once, without waiting)."""
    try:
        dbapi_connection.execute(f"PRAGMA journal_mode = {mode}")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            return False
        raise
    return True


def _begin_sqlite(conn: Connection) -> None:
    # Writers take the write lock up front, so two writers queue on the busy timeout
    # instead of failing when a read transaction tries to become a write transaction.
    options = conn.get_execution_options()
    if "sqlite_busy_timeout" in options:  # this project's own patience (the workbench's)
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(options['sqlite_busy_timeout'])}")
    # Foreign keys can only be switched between transactions: set them before each.
    checked = "ON" if options.get("sqlite_foreign_keys", True) else "OFF"
    conn.exec_driver_sql(f"PRAGMA foreign_keys = {checked}")
    conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'DEFERRED')}")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass
class Project:
    """An open project: the engine, a session factory, and what opening it did."""

    url: str
    engine: Engine
    notices: list[str] = field(default_factory=list)
    created: bool = False
    backup_path: Path | None = None

    def __post_init__(self) -> None:
        self._make_sessions(self.engine)

    def set_busy_timeout(self, milliseconds: int) -> None:
        """How long a unit of work waits for another program's write lock before it
        fails with "the project is locked". Commands wait BUSY_TIMEOUT_MS (long, so
        scripts queue); the workbench asks for less, so a key never freezes the screen
        for long. Only SQLite waits; PostgreSQL has row locks."""
        if self.is_sqlite:
            self._make_sessions(self.engine.execution_options(sqlite_busy_timeout=milliseconds))

    def _make_sessions(self, engine: Engine) -> None:
        reader_engine = engine
        if not self.is_sqlite:
            # One snapshot for the whole read, as SQLite's read transactions give: under
            # PostgreSQL's default each statement would see what others committed since
            # the one before (a coding whose code the read had not seen). Writes keep
            # the default, so that a change can see and use a racing writer's row.
            reader_engine = engine.execution_options(isolation_level="REPEATABLE READ")
        self._reader = sessionmaker(reader_engine, expire_on_commit=False)
        writer_engine = engine
        if self.is_sqlite:
            writer_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer = sessionmaker(writer_engine, expire_on_commit=False)
        bulk_engine = writer_engine
        if self.is_sqlite:
            bulk_engine = writer_engine.execution_options(sqlite_foreign_keys=False)
        self._bulk_writer = sessionmaker(bulk_engine, expire_on_commit=False)
        self._bulk_engine = bulk_engine

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @functools.cached_property
    def login(self) -> str | None:
        """The database login a server project is worked on as (who every change is
        recorded as there); ``None`` for an SQLite project, which has no logins."""
        if self.is_sqlite:
            return None
        with _database_errors(self), self.engine.connect() as connection:
            return str(connection.execute(text("SELECT current_user")).scalar_one())

    def team_role(self) -> str | None:
        """The login's role on the team: ``owner``, ``lead``, ``coder``, ``reader``, or
        ``None`` (not a member; and always on SQLite)."""
        if self.is_sqlite:
            return None
        with _database_errors(self), self.engine.connect() as connection:
            return connection.execute(text("SELECT cen_team_role()")).scalar_one()

    @property
    def display_name(self) -> str:
        return _display(self.url)

    @property
    def path(self) -> Path | None:
        """The SQLite file, or ``None`` for a server database."""
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        return Path(database) if database else None

    @contextlib.contextmanager
    def change(
        self,
        kind: str,
        coder: str,
        *,
        bulk: bool = False,
        large: bool = False,
    ) -> Iterator[Change]:
        """The one way to change the project: a :class:`Change` in one transaction,
        committed whole or not at all, with its Event, undo record and derived tables.

        ``bulk`` and ``large`` as for :meth:`bulk_write`.

        On PostgreSQL the coder is the login, and the server's grants and row-level
        security decide what the login may do; a refusal becomes a
        :class:`RefusedError` naming the role the change needs."""
        if self.login is not None and coder != self.login:
            raise RefusedError(
                f"{self.display_name}: you are logged in as '{self.login}', and work on a "
                f"PostgreSQL project is recorded under the login, not as '{coder}'"
            )
        writing = self.bulk_write(large=large) if bulk else self.write()
        try:
            with writing as session:
                change = Change(session, kind, coder)
                try:
                    yield change
                    change.finish()
                finally:
                    change.close()
        except RowsRefused as refused:
            raise self._refusal(kind, refused.detail) from None
        except StaleDataError as exc:  # an ORM update that row-level security passed over
            if self.is_sqlite:
                raise
            raise self._refusal(kind, _one_line(exc)) from exc
        except DBAPIError as exc:
            if _sqlstate(exc) == "42501":
                raise self._refusal(kind, _one_line(exc.orig)) from exc
            if "cannot contain NUL" in str(exc.orig):  # PostgreSQL's text has no NUL
                raise InputError(
                    f"a text given for {kind} holds a NUL character, which PostgreSQL "
                    "cannot store; remove it"
                ) from exc
            raise

    def _refusal(self, kind: str, detail: str) -> RefusedError:
        role = self.team_role()
        who = f"'{self.login}' is a {role}" if role else f"'{self.login}' has no role"
        if kind.startswith("team."):
            needed = "needs the project's owner, with the server's CREATEROLE right"
        elif kind == "undo" and role == "coder":
            needed = (
                "of someone else's change needs the lead role (a coder may undo only their own)"
            )
        elif role in ("coder", "lead", "owner") and kind.startswith(CODER_KINDS):
            needed = "of someone else's work needs the lead role (a coder changes only their own)"
        elif kind.startswith(CODER_KINDS):
            needed = "needs the coder role"
        else:
            needed = "needs the lead role"
        return RefusedError(
            f"{self.display_name}: {who} on this project, and {kind} {needed} "
            f"(refused by the server: {detail})"
        )

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed whole or not at all; changes to the project
        go through :meth:`change`, which runs in one of these."""
        with self._writer() as session, _database_errors(self), session.begin():
            yield session

    @contextlib.contextmanager
    def bulk_write(self, *, large: bool = False) -> Iterator[Session]:
        """Like :meth:`write`, for a bulk insert whose every reference the caller has
        looked up itself under the write lock: SQLite skips the per-row foreign key
        lookups (millions of them for a large coding import). PostgreSQL checks as ever.

        ``large``: the transaction will write much more than the SQLite write-ahead log
        is made for (SQLite's own advice: above about 100 MB a rollback journal is
        faster). Pages then go once into the database file instead of into the log and
        again into the file at the checkpoint. The project returns to the write-ahead
        log after. It only switches when no other connection has the project open."""
        if not (large and self.is_sqlite):
            with self._bulk_writer() as session, _database_errors(self), session.begin():
                yield session
            return
        with _database_errors(self), self._bulk_engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            switched = _journal_mode(raw, "DELETE")
            synchronous = raw.execute("PRAGMA synchronous").fetchone()[0]
            raw.execute("PRAGMA synchronous = FULL")
            try:
                with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                    yield session
            finally:
                raw.execute(f"PRAGMA synchronous = {int(synchronous)}")
                if switched:
                    _journal_mode(raw, "WAL")

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """One consistent read of the project."""
        with self._reader() as session, _database_errors(self), session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


@contextlib.contextmanager
def _database_errors(project: Project) -> Iterator[None]:
    """Turn a locked, vanished or corrupt database into one readable error."""
    path = project.path
    if path is not None and not path.is_file():
        # Open connections would go on reading and writing the moved or deleted file,
        # and a new one would create an empty database in its place: refuse both.
        raise ProjectError(
            f"{project.display_name}: the project file is gone (moved or deleted?); "
            "nothing can be read or saved until it is back"
        )
    try:
        yield
    except OperationalError as exc:
        message = _one_line(exc.orig if exc.orig is not None else exc)
        if _sqlstate(exc) in ("40P01", "40001"):
            raise ConflictError(
                f"{project.display_name}: another change crossed this one and the server "
                f"rolled it back ({message}); nothing was saved: try again"
            ) from exc
        if "locked" in message or "busy" in message:
            raise ProjectError(
                f"{project.display_name}: the project is locked by another program; "
                "try again in a moment"
            ) from exc
        if "readonly" in message or "read-only" in message:
            raise ProjectError(f"{project.display_name}: the project file is read-only") from exc
        if "disk" in message and ("full" in message or "I/O" in message):
            raise ProjectError(f"{project.display_name}: cannot write: {message}") from exc
        if "unable to open" in message:
            raise ProjectError(f"{project.display_name}: cannot open the project file") from exc
        if "no such table" in message:
            raise ProjectError(
                f"{project.display_name}: no longer a cen-themes project (was the file "
                f"replaced?): {message}"
            ) from exc
        raise
    except DatabaseError as exc:
        if "malformed" in str(exc) or "not a database" in str(exc):
            raise ProjectError(
                f"{project.display_name}: the project file is damaged ({_one_line(exc.orig)})"
            ) from exc
        raise


def open_project(db: str | Path, *, create: bool = True) -> Project:
    """Open (upgrading as needed) the project at a path or URL; a missing file or an
    empty database becomes a new project only when ``create``."""
    url = to_url(db)
    shown = _display(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ProjectError(f"{db}: not a database path or URL") from exc
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite:
        if not parsed.database or parsed.database == ":memory:":
            raise ProjectError("an in-memory database cannot hold a project; give a file path")
        try:
            _check_sqlite_path(Path(parsed.database), shown)
            missing = not Path(parsed.database).exists()
        except OSError as exc:  # a name too long for the file system, say
            raise ProjectError(f"{shown}: cannot use this path ({exc.strerror or exc})") from None
        if not create and missing:
            raise ProjectError(
                f"no project at {shown} (`cen-themes init` creates one; --db or "
                "CEN_THEMES_DB names another)"
            )
    try:
        engine = make_engine(url)
    except Exception as exc:  # unknown dialect or driver: a user's URL mistake
        raise ProjectError(
            f"{shown}: cannot use this database URL ({exc}); a project is an SQLite file "
            "path or a PostgreSQL URL: postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE"
        ) from exc
    project = Project(url=url, engine=engine)
    try:
        migrate(project, create=create)
    except ProjectError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        raise ProjectError(f"{shown}: cannot open the project ({_one_line(exc.orig)})") from exc
    except DatabaseError as exc:
        engine.dispose()
        # 3F000: no schema this login may use (PostgreSQL 15's public schema is closed
        # to logins that were given no grants on it)
        if _sqlstate(exc) in ("42501", "3F000"):
            raise RefusedError(
                f"{shown}: the server refused to open the project for "
                f"'{parsed.username or 'this login'}' ({_one_line(exc.orig)}): only members "
                "of its team can (its lead adds them: cen-themes team add NAME --role ROLE), "
                "and only its owner can upgrade it"
            ) from exc
        raise ProjectError(
            f"{shown}: not a cen-themes project database ({_one_line(exc.orig)})"
        ) from exc
    return project


def retried(service: Callable[P, R]) -> Callable[P, R]:
    """Run a service again when the server rolled its change back because another
    writer's change crossed it (PostgreSQL's deadlock and serialization failures): the
    change was all or nothing, so running it again is safe. Counts in ``retries``."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return service(*args, **kwargs)
            except ConflictError:
                if attempt == ATTEMPTS:
                    raise
                retries[service.__qualname__] = retries.get(service.__qualname__, 0) + 1
                time.sleep(random.uniform(0.005, 0.02) * 2**attempt)
        raise AssertionError("unreachable")

    return run


# How many times each service was run again in this process (for the load benchmark).
retries: dict[str, int] = {}


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _one_line(error: BaseException | None) -> str:
    return " ".join(str(error).split())


def _check_sqlite_path(path: Path, shown: str) -> None:
    if path.is_dir():
        raise ProjectError(f"{shown}: is a directory, not a project file")
    if not path.exists() and not path.parent.is_dir():
        raise ProjectError(
            f"{shown}: cannot create the project: folder {path.parent} does not exist"
        )
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            magic = fh.read(16)
        if magic != b"SQLite format 3\x00":
            raise ProjectError(f"{shown}: not a cen-themes project (not an SQLite database)")
