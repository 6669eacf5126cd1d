"""Other people's changes to an open project, noticed as they are committed, so that a
workbench shows a team's codings without anyone pressing a key.

A :class:`Watcher` keeps a connection of its own to the project and says when a change
that this :class:`~cen_themes.db.Project` did not make itself has been committed:

- SQLite: ``PRAGMA data_version`` on the watcher's connection changes whenever another
  connection commits; the watcher then reads the ids of the audit events committed
  since it last looked (ids grow in commit order there: writers take turns).
- PostgreSQL: the watcher ``LISTEN``\\s on :data:`~cen_themes.bookkeeping.trail.CHANNEL`,
  on which every change sends its event's id, delivered by the server on commit.

Every change writes exactly one audit event, so an event id names a change. The
project's own changes are known by the events it inserts (an ORM hook on the project's
engine), counted once their transaction commits; they are not reported, since the
screen that made them has shown them already.

:func:`follow` runs a watcher in a thread of its own and calls back on each change, a
burst of changes coming as one call. Nothing here imports a user interface.
"""

from __future__ import annotations

import contextlib
import select
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func
from sqlalchemy import select as sql_select

from cen_themes.bookkeeping.trail import CHANNEL
from cen_themes.errors import CenThemesError, ProjectError
from cen_themes.models import Event

if TYPE_CHECKING:
    from cen_themes.db import Project

# How often an SQLite project's data version is read: a change shows within this, plus
# the time the screen takes to read it again.
POLL_SECONDS = 0.5
# The least time between two calls of follow()'s callback: changes committed meanwhile
# (a script coding hundreds of passages) come as one.
GAP_SECONDS = 0.3
# How long follow() waits before it tries a lost connection again.
RETRY_SECONDS = 5.0
# How long connecting to a server may take before the watcher gives up (and retries).
CONNECT_TIMEOUT_SECONDS = 10
_STOP_JOIN_SECONDS = 2.0
# What the server lists the watcher's connection as (pg_stat_activity.application_name).
APPLICATION_NAME = "cen-themes live"

Token = tuple[int, int]  # (how many events, the highest event id)


class Watcher:
    """Says when someone else has committed a change to ``project``.

    :meth:`wait` blocks until then (or until ``timeout`` or :meth:`wake`). The watcher
    connects on the first :meth:`wait`, in the thread that waits, and only that thread
    may use it, :meth:`wake` apart; :meth:`close` it in that thread too. Making one reads
    the project's events once (a point to compare with when it connects), so that a
    change committed between opening a screen and connecting is not missed.
    """

    def __init__(self, project: Project, *, poll: float = POLL_SECONDS) -> None:
        self.project = project
        self.poll = poll
        self._pool = project.engine.pool
        self._key = object()  # this watcher's pending ids in a connection's info
        self._own: set[int] = set()  # committed events this project wrote itself
        self._lock = threading.Lock()
        self._waker, self._woken = socket.socketpair()
        self._woken.setblocking(False)
        self._connection: Any = None  # sqlite3.Connection or psycopg.Connection
        self._version: int | None = None  # SQLite's data_version, last read
        self._top = 0  # SQLite: the highest event id looked at
        self._since: Token | None = _token(project)  # None: anything may have happened
        event.listen(Event, "after_insert", self._inserted)
        event.listen(project.engine, "commit", self._committed)
        event.listen(project.engine, "rollback", self._rolled_back)

    # -- the project's own changes (called in whichever thread writes) -------------
    def _inserted(self, _mapper: Any, connection: Any, target: Event) -> None:
        if connection.engine.pool is self._pool:
            connection.info.setdefault(self._key, []).append(target.id)

    def _committed(self, connection: Any) -> None:
        ids = connection.info.pop(self._key, None)
        if ids:
            with self._lock:
                self._own.update(ids)

    def _rolled_back(self, connection: Any) -> None:
        connection.info.pop(self._key, None)

    def _others(self, ids: list[int]) -> bool:
        """Whether any of these committed events is someone else's; forgets the own."""
        with self._lock:
            others = [i for i in ids if i not in self._own]
            self._own.difference_update(ids)
        return bool(others)

    # -- waiting -------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> bool:
        """Block until someone else commits a change (``True``), or for ``timeout``
        seconds (``None``: no limit), or until :meth:`wake` (``False``). A change
        committed since the last call counts at once. A lost connection raises
        :class:`ProjectError`; the next call connects again, and the first after that
        returns ``True``, since changes may have been missed meanwhile."""
        if self._connection is None and self._connect():
            return True
        try:
            if self.project.is_sqlite:
                return self._wait_sqlite(timeout)
            return self._wait_server(timeout)
        except CenThemesError:
            raise
        except Exception as exc:  # the connection is gone: start again next time
            self._disconnect()
            raise ProjectError(
                f"{self.project.display_name}: lost touch with the project for live "
                f"updates ({_one_line(exc)})",
                title="Live updates paused",
            ) from exc

    def wake(self) -> None:
        """Make a :meth:`wait` in progress (or the next) return ``False`` at once; from
        any thread."""
        with contextlib.suppress(OSError):
            self._waker.send(b"\0")

    def close(self) -> None:
        """Disconnect and stop following the project's own writes."""
        self._disconnect()
        event.remove(Event, "after_insert", self._inserted)
        event.remove(self.project.engine, "commit", self._committed)
        event.remove(self.project.engine, "rollback", self._rolled_back)
        self._waker.close()
        self._woken.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- connecting ------------------------------------------------------------------
    def _connect(self) -> bool:
        """Connect; whether anything was committed since the watcher was made (or since
        the connection was lost)."""
        try:
            if self.project.is_sqlite:
                self._connection = self._connect_sqlite()
            else:
                self._connection = self._connect_server()
            now = self._read_token()
        except Exception as exc:
            self._disconnect()
            raise ProjectError(
                f"{self.project.display_name}: cannot follow the project's changes live "
                f"({_one_line(exc)})",
                title="Live updates paused",
            ) from exc
        since, self._since = self._since, now
        if since is None:
            return True
        if now == since:
            return False
        # Events above the highest id seen then; PostgreSQL may also have committed
        # some lower ids later (ids come from a sequence before commit): the count.
        new = self._ids_above(since[1])
        return self._others(new) or now[0] - since[0] > len(new)

    def _connect_sqlite(self) -> sqlite3.Connection:
        path = self.project.path
        if path is None:  # pragma: no cover - open_project refuses in-memory projects
            raise ProjectError("an in-memory project cannot be followed")
        # mode=rw: never create an empty database where the project file has gone.
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            isolation_level=None,
            timeout=1.0,
            check_same_thread=False,
        )
        connection.execute("PRAGMA query_only = ON")
        self._version = connection.execute("PRAGMA data_version").fetchone()[0]
        return connection

    def _connect_server(self) -> Any:
        import psycopg

        engine = self.project.engine
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        kwargs.pop("context", None)  # SQLAlchemy's type adapters: nothing to adapt here
        kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        kwargs.setdefault("application_name", APPLICATION_NAME)  # in pg_stat_activity
        connection = psycopg.connect(*args, **kwargs, autocommit=True)
        connection.execute(f"LISTEN {CHANNEL}")
        return connection

    def _read_token(self) -> Token:
        row = self._connection.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM events"
        ).fetchone()
        self._top = max(self._top, row[1])
        return int(row[0]), int(row[1])

    def _ids_above(self, top: int) -> list[int]:
        mark = "?" if self.project.is_sqlite else "%s"  # the drivers' parameter styles
        rows = self._connection.execute(
            f"SELECT id FROM events WHERE id > {mark} ORDER BY id", (top,)
        ).fetchall()
        return [int(r[0]) for r in rows]

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._since = None
            with contextlib.suppress(Exception):
                connection.close()

    # -- the two ways of waiting -------------------------------------------------------
    def _wait_sqlite(self, timeout: float | None) -> bool:
        deadline = None if timeout is None else _now() + timeout
        while True:
            version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                self._version = version
                new = self._ids_above(self._top)
                if new:
                    self._top = new[-1]
                    if self._others(new):
                        return True
            left = self.poll if deadline is None else min(self.poll, deadline - _now())
            if left <= 0 or self._sleep(left, None):
                return False

    def _wait_server(self, timeout: float | None) -> bool:
        deadline = None if timeout is None else _now() + timeout
        connection = self._connection
        while True:
            ids = _received(connection)
            if ids and self._others(ids):
                return True
            left = None if deadline is None else deadline - _now()
            if left is not None and left <= 0:
                return False
            if self._sleep(left, connection.fileno()):
                return False

    def _sleep(self, seconds: float | None, fileno: int | None) -> bool:
        """Wait ``seconds`` (``None``: no limit), or until the server sends something on
        ``fileno``; whether :meth:`wake` ended it."""
        watched = [self._woken] if fileno is None else [self._woken, fileno]
        ready, _, _ = select.select(watched, [], [], seconds)
        if self._woken in ready:
            with contextlib.suppress(OSError):
                while self._woken.recv(64):
                    pass
            return True
        return False


class Following:
    """A watcher running in a thread: ``on_change()`` in that thread after each change
    by someone else; ``on_trouble(error)`` once when live updates stop working (then
    every RETRY_SECONDS a new try, and ``on_change()`` once they work again, since
    changes may have been missed)."""

    def __init__(
        self,
        project: Project,
        on_change: Callable[[], None],
        on_trouble: Callable[[CenThemesError], None] | None = None,
        *,
        poll: float = POLL_SECONDS,
        gap: float = GAP_SECONDS,
    ) -> None:
        self.watcher = Watcher(project, poll=poll)
        self.on_change = on_change
        self.on_trouble = on_trouble
        self.gap = gap
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cen-themes live", daemon=True)

    def start(self) -> Following:
        self._thread.start()
        return self

    def _run(self) -> None:
        troubled = False
        try:
            while not self._stopping.is_set():
                try:
                    changed = self.watcher.wait()
                except CenThemesError as error:
                    if not troubled and self.on_trouble is not None:
                        self.on_trouble(error)
                    troubled = True
                    self._stopping.wait(RETRY_SECONDS)
                    continue
                troubled = False
                if changed and not self._stopping.is_set():
                    self.on_change()
                    self._stopping.wait(self.gap)
        finally:
            self.watcher.close()

    def stop(self) -> None:
        """End the thread (it closes its connection) and wait a moment for it."""
        self._stopping.set()
        self.watcher.wake()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(_STOP_JOIN_SECONDS)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


def follow(
    project: Project,
    on_change: Callable[[], None],
    on_trouble: Callable[[CenThemesError], None] | None = None,
    *,
    poll: float = POLL_SECONDS,
    gap: float = GAP_SECONDS,
) -> Following:
    """Call ``on_change()`` (in a thread of its own) whenever someone else commits a
    change to ``project``, until :meth:`Following.stop`."""
    return Following(project, on_change, on_trouble, poll=poll, gap=gap).start()


def _received(connection: Any) -> list[int]:
    """The event ids the server has sent (without waiting), every one of them."""
    ids: list[int] = []
    while True:
        batch = [
            int(n.payload)
            for n in connection.notifies(timeout=0)
            if n.channel == CHANNEL and n.payload.isdigit()
        ]
        if not batch:
            return ids
        ids.extend(batch)


def _token(project: Project) -> Token:
    with project.read() as session:
        count, top = session.execute(
            sql_select(func.count(Event.id), func.coalesce(func.max(Event.id), 0))
        ).one()
    return int(count), int(top)


def _now() -> float:
    return time.monotonic()


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
