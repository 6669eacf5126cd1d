"""A PostgreSQL server for the test run, so that a developer needs no setup.

:func:`server` gives, in this order of preference:

1. the server of ``CEN_THEMES_TEST_PG_URL`` (CI's): its login must be allowed to
   CREATE DATABASE and CREATE ROLE; the URL's database is only connected to;
2. a throwaway cluster of its own, when PostgreSQL's server programs are installed
   (``/usr/lib/postgresql/*/bin``, ``pg_config --bindir``, or ``initdb`` on the PATH;
   ``CEN_THEMES_TEST_PG_BINDIR`` names another folder): ``initdb`` into a temporary
   folder, ``postgres`` on a free port of 127.0.0.1 with its socket in that folder,
   durability off (the data is thrown away), trust authentication and a superuser
   login ``cen``. PostgreSQL refuses to run as root, so under root both run as the
   ``postgres`` system user (else ``nobody``), which is given the folder.
   :meth:`Server.stop` shuts it down and removes the folder; a cluster left behind by
   a killed run (``kill -9``) is removed by the next run;
3. ``None`` with the reason (no URL and no server programs): PostgreSQL tests skip.

Each test gets a database of its own (:meth:`Server.new_database`), dropped after it,
so that no test sees another's rows, even when two runs share a server. Measured on
the throwaway cluster: an empty database takes 0.04 s to make and 0.25 s to migrate
(emptying one shared database's schema instead saves nothing: the migration is the
cost), a copy of a migrated template 0.05 s in all; ``tests/conftest.py`` copies one
for each test that asks for a project.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import glob
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

URL_VARIABLE = "CEN_THEMES_TEST_PG_URL"
PREFIX = "cen-themes-pg-"  # the throwaway clusters' folders
DATABASE_PREFIX = "cen_themes_t"  # the tests' databases: cen_themes_t<pid>_<n>
ADMIN = "cen"
DATABASE = "cen_themes_test"
START_TIMEOUT = 60.0
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
    "logging_collector": "off",
    # CREATE DATABASE copies the (small) template through the log, not by a checkpoint
    "max_wal_size": "1GB",
}


@dataclass
class Server:
    """A PostgreSQL server the tests may use: ``admin`` is a URL (of the
    ``postgresql+psycopg`` dialect) whose login may create databases and roles."""

    admin: URL
    process: subprocess.Popen | None = None  # set when this run started the server
    folder: Path | None = None
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    _logins: set[str] = field(default_factory=set)
    _leftover: list[str] = field(default_factory=list)

    @property
    def admin_url(self) -> str:
        return self.admin.render_as_string(hide_password=False)

    def connect(self, database: str | None = None) -> psycopg.Connection:
        url = self.admin if database is None else self.admin.set(database=database)
        return _connect(url)

    def new_database(self, template: str | None = None, owner: str | None = None) -> str:
        """A new database for one test, its URL: empty, or a copy of the database of
        URL ``template`` (which nothing may be connected to); owned by, and its URL
        logging in as, the admin login or ``owner`` (a login of :meth:`login`)."""
        name = f"{DATABASE_PREFIX}{os.getpid()}_{next(self._numbers)}"
        source = make_url(template).database if template else "template0"
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                    sql.Identifier(name),
                    sql.Identifier(source),
                    sql.Identifier(owner or str(self.admin.username)),
                )
            )
        url = self.admin.set(database=name)
        if owner is not None:
            url = url.set(username=owner, password=owner if self.admin.password else None)
        return url.render_as_string(hide_password=False)

    def login(self, name: str) -> str:
        """Make sure the server has login ``name`` (its password its name), and that the
        admin login may act as its owner (to make, copy and drop its databases)."""
        if name in self._logins:
            return name
        role = sql.Identifier(name)
        with self.connect() as conn, _needs_createrole(self.admin):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            if exists is None:
                with contextlib.suppress(psycopg.errors.DuplicateObject):  # a racing run
                    conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(name)))
            superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not superuser.fetchone()[0]:
                conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(role))
        self._logins.add(name)
        return name

    def drop_database(self, url: str) -> None:
        """Drop a test's database (ending the sessions still on it), and the group roles
        a team made for it (``<database>_reader`` and so on: roles are the server's).
        A login that may not end another login's session (a team member's, say, left
        open by a test) leaves the database to :meth:`close`, when those have gone."""
        name = make_url(url).database
        assert name and name.startswith(DATABASE_PREFIX), name
        if not self._drop(name, patience=0):
            self._leftover.append(name)

    def _drop(self, name: str, patience: float) -> bool:
        deadline = time.monotonic() + patience
        while True:
            try:
                with self.connect() as conn:
                    conn.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )
                    _drop_group_roles(conn, [name])
                return True
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                if time.monotonic() > deadline:
                    return False
                gc.collect()  # engines a test left open close their connections
                time.sleep(0.2)

    def sweep(self) -> None:
        """Drop the databases (and their roles) of runs whose process is gone, when the
        server is on this machine (a killed run cannot drop its own)."""
        host = self.admin.host
        if host not in (None, "", "localhost", "127.0.0.1", "::1") and not str(host).startswith(
            "/"
        ):
            return
        with self.connect() as conn:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    (DATABASE_PREFIX + "%",),
                )
            ]
            stale = []
            for name in names:
                found = re.fullmatch(rf"{DATABASE_PREFIX}(\d+)_\d+", name)
                if found and not _alive(int(found[1])):
                    stale.append(name)
            for name in stale:
                with contextlib.suppress(psycopg.Error):
                    conn.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )
            _drop_group_roles(conn, stale)

    def close(self) -> None:
        """At the end of the run: drop the databases left behind (see
        :meth:`drop_database`), then :meth:`stop`."""
        for name in self._leftover:
            if not self._drop(name, patience=10):
                print(f"\n{__name__}: could not drop database {name} on {self.admin.host}")
        self._leftover.clear()
        self.stop()

    def stop(self) -> None:
        """Shut down and remove the cluster this run started (nothing for CI's)."""
        if self.process is not None:
            _shut_down(self.process)
            self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


@contextlib.contextmanager
def _needs_createrole(admin: URL) -> Iterator[None]:
    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        raise RuntimeError(
            f"{URL_VARIABLE}: the login '{admin.username}' may not make or grant logins "
            f"({exc}); the tests need it to have CREATEROLE: ALTER ROLE {admin.username} "
            "CREATEROLE (and CREATEDB)"
        ) from exc


def _drop_group_roles(conn: psycopg.Connection, databases: list[str]) -> None:
    if not databases:
        return
    wanted = [f"{name}_{kind}"[:63] for name in databases for kind in ("reader", "coder", "lead")]
    found = [
        row[0]
        for row in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (wanted,))
    ]
    for role in found:
        with contextlib.suppress(psycopg.Error):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def _connect(url: URL, timeout: int = 10) -> psycopg.Connection:
    return psycopg.connect(
        host=url.host or None,
        port=url.port or 5432,
        dbname=url.database or "postgres",
        user=url.username or None,
        password=url.password or None,
        connect_timeout=timeout,
        autocommit=True,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_shared: tuple[Server | None, str] | None = None


def shared() -> tuple[Server | None, str]:
    """The run's server (found or started on the first call), and how it was found or
    why there is none. A server this run started is published as
    ``CEN_THEMES_TEST_PG_URL`` (for the tests and programs that read it) and stopped by
    :func:`stop_shared`, by a SIGTERM, or at the latest when the interpreter exits."""
    global _shared
    if _shared is None:
        _shared = server()
        found = _shared[0]
        if found is not None and found.process is not None:
            os.environ[URL_VARIABLE] = found.admin_url
            atexit.register(stop_shared)
            if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                signal.signal(signal.SIGTERM, _interrupt)
    return _shared


def _interrupt(_signum: int, _frame: object) -> None:
    """A SIGTERM (``timeout``, say) ends the run as a Ctrl-C does: through its teardown,
    which stops the server."""
    raise KeyboardInterrupt("SIGTERM")


def stop_shared() -> None:
    """Drop what the run left on its server, and stop the server if the run started it."""
    if _shared is None or _shared[0] is None:
        return
    started = _shared[0].process is not None
    _shared[0].close()
    if started:
        os.environ.pop(URL_VARIABLE, None)
    if signal.getsignal(signal.SIGTERM) is _interrupt:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def server() -> tuple[Server | None, str]:
    """The server for this run, and how it was found (or why there is none)."""
    given = os.environ.get(URL_VARIABLE)
    if given:
        admin = make_url(given)
        if admin.drivername == "postgresql":
            admin = admin.set(drivername="postgresql+psycopg")
        found = Server(admin=admin)
        try:
            found.sweep()
        except psycopg.OperationalError as exc:
            raise RuntimeError(f"{URL_VARIABLE}={given}: cannot connect ({exc})") from exc
        return found, f"the server of {URL_VARIABLE}"
    bindir = find_bindir()
    if bindir is None:
        return None, (
            f"no PostgreSQL server: {URL_VARIABLE} is not set and PostgreSQL's server "
            "programs (initdb, postgres) are not installed (Debian: apt-get install postgresql)"
        )
    started = start_cluster(bindir)
    return started, f"a throwaway cluster from {bindir} in {started.folder}"


@functools.cache
def find_bindir() -> Path | None:
    """The folder of the newest installed ``initdb`` and ``postgres``."""
    candidates: list[Path] = []
    given = os.environ.get("CEN_THEMES_TEST_PG_BINDIR")
    if given:
        candidates.append(Path(given))

    def version(path: str) -> tuple[int, ...]:
        number = Path(path).parent.name
        return tuple(int(p) for p in re.findall(r"\d+", number)) or (0,)

    candidates += [
        Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    ]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if all(os.access(folder / tool, os.X_OK) for tool in ("initdb", "postgres")):
            return folder
    return None


@dataclass
class _User:
    uid: int
    gid: int
    name: str


def _run_as() -> _User | None:
    """The unprivileged user to run the server as when this is root, else None."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return _User(entry.pw_uid, entry.pw_gid, name)
    raise RuntimeError("running as root and there is no 'postgres' or 'nobody' user to run as")


def _base_folder(user: _User | None) -> Path:
    """Where the cluster's folder goes: the temporary folder, if the server's user can
    reach it (root's TMPDIR may be closed to others), else /tmp."""
    base = Path(tempfile.gettempdir())
    if user is None:
        return base
    for folder in (base, *base.parents):
        if folder.stat().st_mode & 0o001 == 0:  # others may not pass through
            return Path("/tmp")
    return base


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sweep_clusters(base: Path) -> None:
    """Remove the clusters of earlier runs that were killed before they could (their
    run's process is gone): stop their server and delete their folder."""
    for folder in base.glob(PREFIX + "*"):
        owner = folder / "owner.pid"
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            postmaster = int((folder / "data" / "postmaster.pid").read_text().split()[0])
            cmdline = Path(f"/proc/{postmaster}/cmdline").read_bytes()
            if b"postgres" in cmdline and str(folder).encode() in cmdline:
                os.kill(postmaster, signal.SIGQUIT)
                for _ in range(50):
                    if not _alive(postmaster):
                        break
                    time.sleep(0.1)
        shutil.rmtree(folder, ignore_errors=True)


def start_cluster(bindir: Path) -> Server:
    """initdb and start a throwaway cluster (see the module's docstring)."""
    user = _run_as()
    base = _base_folder(user)
    sweep_clusters(base)
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base))
    try:
        (folder / "owner.pid").write_text(str(os.getpid()))
        data = folder / "data"
        if user is not None:
            os.chown(folder, user.uid, user.gid)
        as_user: dict = {}
        if user is not None:
            as_user = {"user": user.uid, "group": user.gid, "extra_groups": []}
        env = {
            **os.environ,
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
            **({"HOME": str(folder), "USER": user.name} if user else {}),
        }
        initdb = subprocess.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                ADMIN,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=folder,
            timeout=300,
            **as_user,
        )
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{initdb.stdout}\n{initdb.stderr}")
        for attempt in range(3):
            port = _free_port()
            log = (folder / "postgres.log").open("ab")
            options = [f"-c{key}={value}" for key, value in SETTINGS.items()]
            process = subprocess.Popen(
                [
                    str(bindir / "postgres"),
                    *("-D", str(data), "-p", str(port), "-k", str(folder)),
                    *options,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=folder,
                # its own process group: a Ctrl-C reaches the tests, whose teardown stops it
                start_new_session=True,
                **as_user,
            )
            log.close()
            admin = URL.create(
                "postgresql+psycopg",
                username=ADMIN,
                host="127.0.0.1",
                port=port,
                database="postgres",
            )
            if _wait_ready(process, admin):
                # the database of the URL, as CI's cen_themes_test (some tests empty it)
                with _connect(admin) as conn:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
                return Server(admin=admin.set(database=DATABASE), process=process, folder=folder)
            _shut_down(process)
            if attempt == 2:
                tail = (folder / "postgres.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the test PostgreSQL server did not start:\n{tail}")
        raise AssertionError("unreachable")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _wait_ready(process: subprocess.Popen, admin: URL) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with _connect(admin, timeout=2):
                return True
        except psycopg.OperationalError:
            time.sleep(0.05)
    return False


def _shut_down(process: subprocess.Popen) -> None:
    """Fast shutdown (SIGINT: end the sessions, no waiting for them), then immediate."""
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
            return
