"""Crash safety: a `cen-themes` process killed part-way through a long operation.

Each test starts the real command in a process of its own on a copy of a prepared
project and sends it SIGKILL (no cleanup runs, as after a power cut or the OOM killer):
either the moment its work reaches the disk (the -wal growing, the project file being
rewritten beside its -journal, an export's temporary file being written), or a random
while after its write transaction begins (SQLite's write lock seen held, by F_GETLK) or
its export starts writing, within as long as that took an uninterrupted run of the same
command, or after half that run's time. Then:

- the project is as it was before or as the command leaves it, never in between: every
  row of every table is compared (a source import is one change per file, so after it
  the project holds exactly the first files, each whole);
- `cen-themes check` passes;
- the same command run again finishes the work, to the very project that an
  uninterrupted run on a copy makes (times aside);
- an export's target is the earlier file or the complete new one; what the killed
  export leaves is a hidden temporary file, never the target, and the next export
  removes it.

With CEN_THEMES_TEST_PG_URL set, the import, the coding import and the merge are killed
on PostgreSQL too, a random while after their transaction first writes, in a database of
these tests' own on that server (the variable's database name + ``_kill``, made when
missing), never in the database the variable names.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cen_themes.db import open_project
from cen_themes.services import coding_import, memos, sources, themes
from cen_themes.services.coding_import import _LARGE_FILE_BYTES

from ..benchmarks.generate import codebook_paths, write_codings_csv, write_corpus
from ..conftest import PG_URL, Cli

fcntl = pytest.importorskip("fcntl", reason="needs POSIX locks to see SQLite's")

pytestmark = [
    pytest.mark.slow,  # left out of the quick run (pytest --all runs it)
    pytest.mark.skipif(
        not sys.platform.startswith("linux"),
        reason="needs Linux: SIGKILL, and F_GETLK with Linux's struct flock to see SQLite's locks",
    ),
]

FILES, WORDS = 40, 1500  # the corpus a source import is killed in
CODES = codebook_paths(10, 4)  # 50 codes: 10 categories of 4
BASE_CODINGS = 20_000  # in the prepared project: its last change, the one undone
MORE_CODINGS = 60_000  # a coding import through the write-ahead log
LARGE_CODINGS = 22_000  # with long codes and memos: a file above _LARGE_FILE_BYTES
MERGED = ["Category 00", "Category 00 > Code 00.0", "Category 00 > Code 00.1"]
INTO = "Category 09"
TEMPORARY = ".cen-themes-"  # how the atomic writers begin their temporary files' names
EARLIER = b"an earlier export, to be kept whole or replaced whole\n"
RNG = random.Random()  # a new seed each run: every moment must pass; messages say when


# -- the prepared data ---------------------------------------------------------------------


@dataclass
class Prepared:
    folder: Path
    corpus: list[Path]
    empty: Path  # a new project
    base: Path  # sources, codes, themes, memos, then BASE_CODINGS codings
    more: Path  # MORE_CODINGS codings of the same codes
    large: Path  # LARGE_CODINGS codings of long-named codes, with memos
    runs: dict[str, Run] = field(default_factory=dict)
    fingerprints: dict[Path, Fingerprint] = field(default_factory=dict)

    def fingerprint(self, db: Path) -> Fingerprint:
        if db not in self.fingerprints:
            self.fingerprints[db] = fingerprint(db)
        return self.fingerprints[db]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    folder = tmp_path_factory.mktemp("kill")
    corpus = write_corpus(folder / "corpus", files=FILES, words=WORDS)
    empty, base = folder / "empty" / "project.db", folder / "base" / "project.db"
    empty.parent.mkdir()
    base.parent.mkdir()
    open_project(empty).close()
    shutil.copyfile(empty, base)
    project = open_project(base)
    try:
        report = sources.import_files(project, corpus, coder="tester")
        assert not report.failed, report.failed
        spans = [
            (o.source, len(sources.get_source(project, o.source).text)) for o in report.outcomes
        ]
        # The codes first (a coding each), themes over them, memos, then the bulk.
        (folder / "codes.csv").write_text(
            "source,start,end,code\n"
            + "".join(f"{spans[0][0]},{i},{i + 5},{code}\n" for i, code in enumerate(CODES)),
            encoding="utf-8",
        )
        coding_import.import_codings(project, folder / "codes.csv", coder="tester")
        for c in range(10):
            themes.add_theme(project, f"Theme {c}", coder="tester")
            category = f"Category {c:02d}"
            assigned = [category, *(f"{category} > Code {c:02d}.{k}" for k in range(4))]
            themes.assign_codes(project, f"Theme {c}", assigned, coder="tester")
        for code in MERGED:
            memos.add_memo(project, "code", code, f"a memo on {code}", coder="tester")
        write_codings_csv(folder / "base.csv", spans, BASE_CODINGS, CODES, seed=2)
        coding_import.import_codings(project, folder / "base.csv", coder="tester")
    finally:
        project.close()
    for leftover in ("-wal", "-shm", "-journal"):
        assert not Path(f"{base}{leftover}").exists(), f"{base}{leftover} left after closing"
    more, large = folder / "more.csv", folder / "large.csv"
    write_codings_csv(more, spans, MORE_CODINGS, CODES, seed=3)
    write_large_csv(large, spans, LARGE_CODINGS, seed=4)
    assert large.stat().st_size > _LARGE_FILE_BYTES, "the large file must take the large path"
    assert more.stat().st_size < _LARGE_FILE_BYTES, "this one must go through the log"
    return Prepared(folder, corpus, empty, base, more, large)


LONG = (  # no commas: the rows are written as they are, unquoted
    "what people said about waiting for care and about being believed or not when they"
    " asked for help and about being discharged before they felt ready (a label in full)"
)


MEMO = (
    "the same worry as in the first interviews: that help comes only in a crisis and then"
    " goes. She says it twice; the second time more quietly. Compare with P07 and P12 who"
    " describe the same pattern from the staff side; the team should discuss whether this"
    " belongs under access or under relationships before the next round of coding. Also"
    " note the long pause before the answer; the transcript does not show it"
)


def write_large_csv(path: Path, spans: list[tuple[str, int]], rows: int, seed: int) -> None:
    """Codings of long-named codes, each excerpt with a memo (the same for a span that
    comes twice): a large file of few rows."""
    rng = random.Random(seed)
    codes = [
        f"Category {c:02d}: {LONG} > Code {c:02d}.{k}: {LONG}" for c in range(10) for k in range(5)
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("source,start,end,code,coder,memo\n")
        for _ in range(rows):
            name, length = spans[rng.randrange(len(spans))]
            start = rng.randrange(length - 10)
            end = min(length, start + rng.randint(10, 300))
            memo = f"read again at {start}-{end}: {MEMO}"
            fh.write(f"{name},{start},{end},{rng.choice(codes)},{rng.choice('ab')},{memo}\n")


# -- fingerprints of a project file ----------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """Per table: (rows, digest of every row without its times, digest of the times)."""

    tables: dict[str, tuple[int, str, str]]

    @property
    def exact(self) -> dict[str, tuple[int, str, str]]:
        return self.tables

    @property
    def timeless(self) -> dict[str, tuple[int, str]]:
        return {t: (n, d) for t, (n, d, _times) in self.tables.items()}

    def counts(self) -> dict[str, int]:
        return {t: n for t, (n, _d, _times) in self.tables.items()}


def fingerprint(db: Path, where: dict[str, str] | None = None) -> Fingerprint:
    """Every row of every table of a project file, in key order, as digests; ``where``
    keeps only some rows of some tables (SQL conditions by table). The ``*_at`` columns
    have a digest of their own: another run of the same work writes other times. The
    file is opened as any reader opens it: a journal or log that a killed process left
    is rolled back or replayed first."""
    conn = sqlite3.connect(db)
    try:
        names = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        ).fetchall()
        tables = {}
        for (table,) in names:
            columns = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            keys = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]
            order = ", ".join(f'"{k}"' for k in keys or [c[1] for c in columns])
            condition = f" WHERE {where[table]}" if where and table in where else ""
            digests = []
            for times in (False, True):
                chosen = [
                    f'"{c[1]}"'
                    for c in columns
                    if c[1].endswith("_at") == times or (times and c[1] == "payload")
                ]
                rows = conn.execute(
                    f'SELECT {", ".join(chosen) or "NULL"} FROM "{table}"{condition}'
                    f" ORDER BY {order}"
                ).fetchall()
                if not times and '"payload"' in chosen:  # an undo record's times
                    rows = [tuple(_timeless(v) for v in row) for row in rows]
                digests.append(hashlib.blake2b(repr(rows).encode()).hexdigest())
            tables[table] = (len(rows), *digests)
        return Fingerprint(tables)
    finally:
        conn.close()


_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def _timeless(value: object) -> object:
    return _TIME.sub("<time>", value) if isinstance(value, str) else value


def differences(found: Fingerprint, **expected: Fingerprint) -> str:
    """Which tables differ from each expectation (times aside), with their row counts."""
    lines = []
    for name, other in expected.items():
        changed = sorted(
            t for t in found.tables.keys() | other.tables.keys()
            if found.timeless.get(t) != other.timeless.get(t)
        )  # fmt: skip
        shown = ", ".join(
            f"{t} ({found.counts().get(t)} rows, {other.counts().get(t)} {name})" for t in changed
        )
        lines.append(f"differs from {name} in {shown}")
    return "; ".join(lines)


# -- running and killing ---------------------------------------------------------------------

# (seconds since its start, its process id) -> why to kill the command now, or None
Ready = Callable[[float, int], str | None]


def command(db: str | Path, *args: str | Path) -> list[str]:
    return [sys.executable, "-m", "cen_themes", "--db", str(db), *map(str, args)]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CEN_THEMES_DB"}
    env["CEN_THEMES_CODER"] = "tester"
    return env


def shown(args: list) -> str:
    words = [Path(a).name if isinstance(a, Path) else str(a) for a in args]
    return " ".join(words[:5]) + (" ..." if len(words) > 5 else "")


@dataclass
class Watch:
    """What a command shows from outside while it works."""

    busy: Callable[[], bool]  # in its write transaction, or writing its export
    written: Callable[[], int] = lambda: 0  # bytes in its -wal or -journal, or its export


@dataclass
class Run:
    """An uninterrupted run on a copy: how long it took, when it was busy (from the
    first moment seen busy to the last), how many bytes it had written at most, and
    what it made (a project file, or an export's bytes)."""

    seconds: float
    began: float
    ended: float
    peak: int
    made: Path | bytes
    fingerprint: Fingerprint | None = None

    def random_share(self) -> float:
        """A random stretch of its busy time."""
        return RNG.uniform(0, self.ended - self.began)


def run_whole(db: str | Path, args: list, watch: Watch, made: Path | bytes) -> Run:
    """Run the command to its end, watching it."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command(db, *args), stdout=output, stderr=subprocess.STDOUT, env=environment()
        )
        started = time.perf_counter()
        busy: list[float] = []
        peak = 0
        try:
            while process.poll() is None:
                elapsed = time.perf_counter() - started
                if watch.busy():
                    busy.append(elapsed)
                peak = max(peak, watch.written())
                assert elapsed < 120, f"{shown(args)} still running after 120 s"
                time.sleep(0.001)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
        seconds = time.perf_counter() - started
        output.seek(0)
        said = output.read().decode(errors="replace")
    assert process.returncode == 0, f"{shown(args)}: {said}"
    assert busy, f"{shown(args)} was never seen at work: the kills could not find it"
    return Run(seconds, busy[0], busy[-1], peak, made)


class Finished(Exception):
    """The command ended before it could be killed."""


class Killed(str):
    """What was killed when, and which of its processes outlived it."""

    left: list[str]


class LeftBehind(AssertionError):
    """A killed command left a process of its own running."""


def kill_when(db: str | Path, args: list, ready: Ready, folder: Path, limit: float = 60) -> Killed:
    """Run `cen-themes --db DB ARGS...` and SIGKILL it as soon as ``ready`` says why;
    say what was seen, and when. Raises :class:`Finished` if it ended first. Its child
    processes must end soon after it: any still running after a few seconds are killed
    and named in ``left``."""
    output = folder / "killed.out"
    with output.open("wb") as out:
        process = subprocess.Popen(
            command(db, *args), stdout=out, stderr=subprocess.STDOUT, env=environment()
        )
    started = time.perf_counter()
    why, elapsed, children = None, 0.0, []
    try:
        while process.poll() is None:
            elapsed = time.perf_counter() - started
            why = ready(elapsed, process.pid)
            if why is not None:
                children = descendants(process.pid)
                process.send_signal(signal.SIGKILL)
                break
            if elapsed > limit:
                pytest.fail(f"{shown(args)}: nothing to kill it for after {limit} s")
            time.sleep(0.001)
    finally:
        if process.poll() is None and why is None:
            process.kill()
        process.wait()
    if process.returncode != -signal.SIGKILL:
        said = output.read_text(errors="replace").strip()
        raise Finished(f"it ended with exit code {process.returncode} before the kill: {said}")
    killed = Killed(f"killed `{shown(args)}` {why} ({elapsed:.3f} s after its start)")
    killed.left = outliving(children)
    return killed


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in map(int, children.read_text().split()):
                found += [child, *descendants(child)]
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has ended; its new parent reaps it


def outliving(pids: list[int], grace: float = 3.0) -> list[str]:
    """Those of ``pids`` still running after ``grace`` seconds, killed now (they are
    this test's: children of the command it killed)."""
    deadline = time.perf_counter() + grace
    while any(map(running, pids)) and time.perf_counter() < deadline:
        time.sleep(0.01)
    left = []
    for pid in filter(running, pids):
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/wchan").read_text()
            left.append(f"process {pid} (waiting in {status or 'user space'})")
            os.kill(pid, signal.SIGKILL)
    return left


def nothing_left(killed: Killed) -> None:
    if killed.left:
        raise LeftBehind(f"{killed}: it left {', '.join(killed.left)} running")


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


FLOCK = "hhqqi4x"  # Linux's struct flock: type, whence, start, length, pid
WAL_WRITE_LOCK = 120  # the byte of the -shm file that a write transaction locks
RESERVED_LOCK = 0x40000001  # the byte of the file itself, with a rollback journal


def locked(path: Path, offset: int) -> bool:
    """Whether another process holds a lock on a byte of a file (F_GETLK takes none)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        query = struct.pack(FLOCK, fcntl.F_WRLCK, os.SEEK_SET, offset, 1, 0)
        answer = fcntl.fcntl(descriptor, fcntl.F_GETLK, query)
        return struct.unpack(FLOCK, answer)[0] != fcntl.F_UNLCK
    finally:
        os.close(descriptor)


def project_watch(db: Path) -> Watch:
    """A command on a project file is in a write transaction while it holds SQLite's
    write lock; what it writes goes to the -wal, or with a rollback journal to the
    -journal and the file."""
    shm, wal, journal = Path(f"{db}-shm"), Path(f"{db}-wal"), Path(f"{db}-journal")
    return Watch(
        busy=lambda: locked(shm, WAL_WRITE_LOCK) or locked(db, RESERVED_LOCK),
        written=lambda: max(file_size(wal), file_size(journal)),
    )


def export_watch(folder: Path) -> Watch:
    """An export is writing while its temporary file is there."""
    return Watch(
        busy=lambda: bool(temporary_files(folder)),
        written=lambda: sum(file_size(p) for p in temporary_files(folder)),
    )


def temporary_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(TEMPORARY))


def log_growing(db: Path, past: float) -> Ready:
    """When the write-ahead log holds more than ``past`` bytes: pages of the change are
    going to disk, its commit not among them yet (or only just)."""
    wal = Path(f"{db}-wal")

    def ready(_elapsed: float, _pid: int) -> str | None:
        size = file_size(wal)
        return f"with {size:,} bytes in the -wal" if size > past else None

    return ready


def file_rewritten(db: Path) -> Ready:
    """When the project file itself is being rewritten while a rollback journal holds
    what it was: only the journal can put the file back."""
    journal, before = Path(f"{db}-journal"), file_size(db)

    def ready(_elapsed: float, _pid: int) -> str | None:
        if file_size(journal) > 0 and file_size(db) != before:
            return f"with the file rewritten beside a {file_size(journal):,}-byte -journal"
        return None

    return ready


def temporary_growing(folder: Path) -> Ready:
    """When an export's temporary file is being written."""
    written = export_watch(folder).written

    def ready(_elapsed: float, _pid: int) -> str | None:
        size = written()
        return f"while it wrote its temporary file ({size:,} bytes so far)" if size else None

    return ready


def busy_then(busy: Callable[[], bool], wait: float, what: str) -> Ready:
    """``wait`` seconds after the command is first seen ``busy``."""
    first: list[float] = []

    def ready(elapsed: float, _pid: int) -> str | None:
        if not first and busy():
            first.append(elapsed)
        if first and elapsed >= first[0] + wait:
            return f"{elapsed - first[0]:.3f} s after {what}"
        return None

    return ready


def after(seconds: float) -> Ready:
    return lambda elapsed, _pid: f"after {seconds:.3f} s" if elapsed >= seconds else None


# When to kill, given the project file the command runs on (or an export's folder) and
# an uninterrupted run; ``sooner`` (0 < sooner <= 1) shortens a delay, for a retry.
Moment = Callable[[Path, Run, float], Ready]

MOMENTS: dict[str, Moment] = {
    "log-growing": lambda db, run, _sooner: log_growing(db, run.peak / 3),
    "file-rewritten": lambda db, _run, _sooner: file_rewritten(db),
    "in-transaction": lambda db, run, sooner: busy_then(
        project_watch(db).busy, run.random_share() * sooner, "its write transaction began"
    ),
    "half-way": lambda _db, run, sooner: after(run.seconds * 0.5 * sooner),
    "while-reading": lambda _db, _run, _sooner: (
        lambda _elapsed, pid: (
            "while a child process of it read half the file" if descendants(pid) else None
        )
    ),
    "temporary-growing": lambda folder, _run, _sooner: temporary_growing(folder),
    "while-writing": lambda folder, run, sooner: busy_then(
        export_watch(folder).busy, run.random_share() * sooner, "its temporary file appeared"
    ),
}


def kill_part_way(start: Path, db: Path, args: list, moment: str, run: Run, watch: Path) -> Killed:
    """Copy ``start`` to ``db`` and kill the command there at ``moment`` (``watch``: the
    file or folder it looks at). A command that ends before a delayed kill, being quicker
    than the measured run, is tried again sooner on a fresh copy."""
    for attempt in range(4):
        shutil.copyfile(start, db)
        for leftover in ("-wal", "-shm", "-journal"):
            Path(f"{db}{leftover}").unlink(missing_ok=True)
        try:
            return kill_when(db, args, MOMENTS[moment](watch, run, 0.5**attempt), db.parent)
        except Finished as exc:
            finished = exc
    pytest.fail(f"`{shown(args)}` was never killed part-way ({moment}): {finished}")


def ok(db: str | Path, *args: str | Path) -> str:
    result = Cli(db)(*args)  # type: ignore[arg-type]
    assert result.exit_code == 0, f"{shown(list(args))}: {result.stderr}"
    return result.stdout


def check_passes(db: str | Path, killed: str) -> None:
    result = Cli(db)("check")  # type: ignore[arg-type]
    assert result.exit_code == 0, f"{killed}; then check found: {result.stderr}"


# -- one change on a project file ------------------------------------------------------------


def uninterrupted(prepared: Prepared, name: str, start: Path, args: list) -> Run:
    """The command run whole on a copy of ``start`` (once per module)."""
    if name not in prepared.runs:
        folder = prepared.folder / f"uninterrupted-{name}"
        folder.mkdir()
        db = folder / "project.db"
        shutil.copyfile(start, db)
        run = run_whole(db, args, project_watch(db), db)
        run.fingerprint = fingerprint(db)
        prepared.runs[name] = run
    return prepared.runs[name]


def all_or_nothing(
    prepared: Prepared, tmp_path: Path, name: str, start: Path, args: list, moment: str
) -> None:
    """Kill a command that makes one change: the project must be as before or as after,
    and the command run again must finish it as an uninterrupted run does."""
    done = uninterrupted(prepared, name, start, args)
    assert done.fingerprint is not None
    before = prepared.fingerprint(start)
    db = tmp_path / "project.db"
    killed = kill_part_way(start, db, args, moment, done, db)
    check_passes(db, killed)
    found = fingerprint(db)
    print(killed, "->", "as before" if found.exact == before.exact else "done")
    if found.exact == before.exact:
        ok(db, *args)
        again = fingerprint(db)
        assert again.timeless == done.fingerprint.timeless, (
            f"{killed}; run again: {differences(again, uninterrupted=done.fingerprint)}"
        )
    else:
        assert found.timeless == done.fingerprint.timeless, (
            f"{killed}: half done: {differences(found, before=before, after=done.fingerprint)}"
        )
    nothing_left(killed)


@pytest.mark.parametrize("moment", ["log-growing", "in-transaction"])
def test_killed_source_import_keeps_whole_files_and_resumes(
    prepared: Prepared, tmp_path: Path, moment: str
) -> None:
    args = ["import", *prepared.corpus]
    done = uninterrupted(prepared, "import", prepared.empty, args)
    assert isinstance(done.made, Path)
    db = tmp_path / "project.db"
    killed = kill_part_way(prepared.empty, db, args, moment, done, db)
    check_passes(db, killed)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        imported = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    print(killed, "->", imported, "of", len(prepared.corpus), "files imported")
    events = prepared.fingerprint(prepared.empty).counts()["events"]
    # Each file is a change of its own, in the order given: the first ones, whole.
    first = fingerprint(
        done.made,
        where={
            "sources": f"id <= {imported}",
            "segments": f"source_id <= {imported}",
            "attributes": f"source_id <= {imported}",
            "events": f"id <= {events + imported}",
        },
    )
    found = fingerprint(db)
    assert found.timeless == first.timeless, (
        f"{killed}: {imported} sources, but not the first {imported} whole: "
        f"{differences(found, first_files=first)}"
    )
    ok(db, *args)
    again = fingerprint(db)
    assert done.fingerprint is not None
    assert again.timeless == done.fingerprint.timeless, (
        f"{killed}; imported again: {differences(again, uninterrupted=done.fingerprint)}"
    )
    nothing_left(killed)


@pytest.mark.parametrize("moment", ["log-growing", "in-transaction", "half-way"])
def test_killed_coding_import_is_all_or_nothing(
    prepared: Prepared, tmp_path: Path, moment: str
) -> None:
    args = ["code", "import", prepared.more]
    all_or_nothing(prepared, tmp_path, "code-import", prepared.base, args, moment)


@pytest.mark.parametrize("moment", ["file-rewritten", "while-reading"])
def test_killed_large_coding_import_rolls_back_its_journal(
    prepared: Prepared, tmp_path: Path, moment: str
) -> None:
    args = ["code", "import", prepared.large]
    all_or_nothing(prepared, tmp_path, "large-import", prepared.base, args, moment)


@pytest.mark.parametrize("moment", ["log-growing", "in-transaction"])
def test_killed_merge_is_all_or_nothing(prepared: Prepared, tmp_path: Path, moment: str) -> None:
    args = ["code", "merge", *MERGED, "--into", INTO]
    all_or_nothing(prepared, tmp_path, "merge", prepared.base, args, moment)


@pytest.mark.parametrize("moment", ["log-growing", "in-transaction"])
def test_killed_undo_of_a_big_import_is_all_or_nothing(
    prepared: Prepared, tmp_path: Path, moment: str
) -> None:
    all_or_nothing(prepared, tmp_path, "undo", prepared.base, ["undo"], moment)


# -- exports ---------------------------------------------------------------------------------

EXPORTS = {
    "matrix": (["export", "matrix", "--rows", "codes", "--cells", "quotes", "--out"], "m.csv"),
    "quotes": (["export", "quotes", "--out"], "quotes.md"),
    "qdpx": (["export", "qdpx"], "project.qdpx"),
}


def uninterrupted_export(prepared: Prepared, kind: str) -> Run:
    name = f"export-{kind}"
    if name not in prepared.runs:
        out = prepared.folder / name / "out"
        out.mkdir(parents=True)
        db = out.parent / "project.db"  # the project's name goes into a .qdpx
        shutil.copyfile(prepared.base, db)
        args, file = EXPORTS[kind]
        run = run_whole(db, [*args, out / file], export_watch(out), b"")
        run.made = (out / file).read_bytes()
        prepared.runs[name] = run
    return prepared.runs[name]


@pytest.mark.parametrize(
    ("kind", "moment"),
    [
        ("matrix", "temporary-growing"),
        ("quotes", "temporary-growing"),
        ("qdpx", "temporary-growing"),
        ("qdpx", "while-writing"),
    ],
)
def test_killed_export_leaves_no_half_file(
    prepared: Prepared, tmp_path: Path, kind: str, moment: str
) -> None:
    done = uninterrupted_export(prepared, kind)
    args, name = EXPORTS[kind]
    out = tmp_path / "out"
    out.mkdir()
    target = out / name
    target.write_bytes(EARLIER)
    db = tmp_path / "project.db"
    killed = kill_part_way(prepared.base, db, [*args, target], moment, done, out)
    data = target.read_bytes() if target.exists() else None
    print(killed, "->", "the earlier file" if data == EARLIER else "the new file")
    assert data in (EARLIER, done.made), (
        f"{killed}: {name} holds {'nothing' if data is None else f'{len(data):,} bytes'}, "
        f"neither the earlier file nor the whole export"
    )
    strays = [p.name for p in out.iterdir() if p != target and not p.name.startswith(TEMPORARY)]
    assert not strays, f"{killed}: left {strays} beside {name}"
    check_passes(db, killed)
    assert fingerprint(db).exact == prepared.fingerprint(prepared.base).exact, (
        f"{killed}: an export changed the project"
    )
    ok(db, *args, target)
    assert target.read_bytes() == done.made, f"{killed}; exported again: another file"
    left = [p.name for p in temporary_files(out)]
    assert not left, f"{killed}; exported again, but {left} is still there"
    nothing_left(killed)


def test_an_export_leaves_a_running_exports_temporary_file_alone(tmp_path: Path) -> None:
    """The next export removes only what no process holds: not a file being written."""
    from cen_themes.exporters.files import atomic_stream

    with atomic_stream(tmp_path / "slow.csv") as slow:
        slow.write(b"half")
        slow.flush()
        (writing,) = temporary_files(tmp_path)
        with atomic_stream(tmp_path / "quick.csv") as quick:
            quick.write(b"quick")
        assert writing.exists(), "another export removed a temporary file still being written"
    assert (tmp_path / "slow.csv").read_bytes() == b"half"
    assert (tmp_path / "quick.csv").read_bytes() == b"quick"
    assert temporary_files(tmp_path) == []


# -- PostgreSQL ------------------------------------------------------------------------------

PG_CODINGS = 10_000  # PostgreSQL writes slower: a smaller coding import
VICTIM = "cen_kill_victim"  # the killed command's application_name, to watch its backend


@pytest.fixture
def pg_url() -> str:
    """A database of these tests' own on the test server (made when missing)."""
    if not PG_URL:
        pytest.skip("CEN_THEMES_TEST_PG_URL not set: no PostgreSQL server to kill commands on")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    shared = make_url(PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # test processes: one each
    own = f"{shared.database}_kill_{worker}"[:63]
    admin = create_engine(shared.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            known = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own}
            ).first()
            if known is None:
                conn.execute(text(f'CREATE DATABASE "{own}"'))
    except SQLAlchemyError as exc:
        pytest.skip(f"cannot make a database {own} beside {shared.database}: {exc}")
    finally:
        admin.dispose()
    url = shared.set(database=own).update_query_dict({"application_name": VICTIM})
    return url.render_as_string(hide_password=False)


@contextlib.contextmanager
def pg_session(url: str) -> Iterator:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    quiet = make_url(url).update_query_dict({"application_name": "cen_kill_watcher"})
    engine = create_engine(quiet, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def pg_load(url: str, start: Path | None) -> None:
    """An empty schema, then a new project or ``start`` loaded into it."""
    from sqlalchemy import text

    with pg_session(url) as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    if start is None:
        ok(url, "init")
    else:
        ok(url, "init", "--from", start)


def pg_victim_wrote(conn) -> bool:
    """Whether the command's transaction has written a row (it has a transaction id)."""
    from sqlalchemy import text

    return bool(
        conn.execute(
            text(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = :app AND backend_xid IS NOT NULL"
            ),
            {"app": VICTIM},
        ).first()
    )


def pg_wait_for_the_victims_backend(conn, limit: float = 60) -> None:
    """The server rolls back a killed client's transaction when its backend notices."""
    from sqlalchemy import text

    started = time.perf_counter()
    while conn.execute(
        text(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = :app"
        ),
        {"app": VICTIM},
    ).first():
        assert time.perf_counter() - started < limit, "the killed command's backend lingers"
        time.sleep(0.01)


def semantic(url: str) -> dict[str, Counter]:
    """Every row of the project by what it means, not by its ids (a sequence moves on
    when a transaction rolls back): sources by name, codes and themes by path, excerpts
    by span. Times are left out."""
    from sqlalchemy import text

    with pg_session(url) as conn:

        def q(sql: str) -> list[tuple]:
            return [tuple(row) for row in conn.execute(text(sql))]

        code = _paths(q("SELECT id, parent_id, name FROM codes"))
        theme = _paths(q("SELECT id, parent_id, name FROM themes"))
        source = dict(q("SELECT id, name FROM sources"))
        coder = dict(q("SELECT id, name FROM coders"))
        span = {i: (source[s], a, b) for i, s, a, b in q(EXCERPT_SPANS)}
        summary = dict(q("SELECT id, summary FROM events"))
        target: dict[str, dict] = {"source": source, "code": code, "theme": theme}
        # Per table: a query, and how a row of it reads without ids.
        meaning: dict[str, tuple[str, Callable[..., tuple]]] = {
            "sources": (SOURCE_ROWS, lambda *row: row),
            "attributes": (
                'SELECT source_id, "key", value FROM attributes',
                lambda s, *r: (source[s], *r),
            ),
            "segments": (
                'SELECT source_id, start, "end", speaker, turn FROM segments',
                lambda s, *r: (source[s], *r),
            ),
            "coders": ("SELECT name FROM coders", lambda *row: row),
            "codes": (
                "SELECT id, description, color, position FROM codes",
                lambda i, *r: (code[i], *r),
            ),
            "themes": (
                "SELECT id, description, position FROM themes",
                lambda i, *r: (theme[i], *r),
            ),
            "theme_codes": (
                "SELECT theme_id, code_id FROM theme_codes",
                lambda t, c: (theme[t], code[c]),
            ),
            "theme_rollup": (
                "SELECT theme_id, code_id FROM theme_rollup",
                lambda t, c: (theme[t], code[c]),
            ),
            "excerpts": (
                "SELECT id, memo, memo_author FROM excerpts",
                lambda i, *r: (*span[i], *r),
            ),
            "codings": (
                "SELECT excerpt_id, code_id, coder_id FROM codings",
                lambda e, c, k: (*span[e], code[c], coder[k]),
            ),
            "excerpt_themes": (
                "SELECT theme_id, excerpt_id, refs FROM excerpt_themes",
                lambda t, e, n: (theme[t], *span[e], n),
            ),
            "memos": (
                "SELECT target_type, target_id, text, author FROM memos",
                lambda k, i, *r: (k, target.get(k, {}).get(i, i), *r),
            ),
            "events": (
                "SELECT kind, summary, coder, undone_by FROM events",
                lambda k, s, c, u: (k, s, c, summary.get(u)),
            ),
        }
        return {
            table: Counter(read(*row) for row in q(sql)) for table, (sql, read) in meaning.items()
        }


EXCERPT_SPANS = 'SELECT id, source_id, start, "end" FROM excerpts'
SOURCE_ROWS = "SELECT name, kind, content_hash, words, original_filename, format FROM sources"


def _paths(rows: list[tuple]) -> dict[int, str]:
    parent = {i: p for i, p, _n in rows}
    name = {i: n for i, _p, n in rows}

    def path(node: int) -> str:
        above = parent[node]
        return name[node] if above is None else f"{path(above)} > {name[node]}"

    return {i: path(i) for i in name}


def semantic_differences(found: dict[str, Counter], **expected: dict[str, Counter]) -> str:
    return "; ".join(
        f"differs from {name} in "
        + ", ".join(
            f"{t} ({sum(found[t].values())} rows, {sum(other[t].values())} {name})"
            for t in sorted(found)
            if found[t] != other[t]
        )
        for name, other in expected.items()
    )


PG_OPERATIONS = {
    "import": (False, lambda p: ["import", *p.corpus]),
    "code-import": (True, lambda p: ["code", "import", p.folder / "pg.csv"]),
    "merge": (True, lambda p: ["code", "merge", *MERGED, "--into", INTO]),
}


@pytest.mark.postgres
@pytest.mark.parametrize("operation", PG_OPERATIONS)
def test_killed_on_postgresql(
    prepared: Prepared, pg_url: str, tmp_path: Path, operation: str
) -> None:
    from_base, arguments = PG_OPERATIONS[operation]
    start = prepared.base if from_base else None
    args = arguments(prepared)
    pg_csv = prepared.folder / "pg.csv"
    if not pg_csv.exists():
        with contextlib.closing(sqlite3.connect(prepared.base)) as conn:
            spans = conn.execute("SELECT name, length(text) FROM sources").fetchall()
        write_codings_csv(pg_csv, spans, PG_CODINGS, CODES, seed=5)
    with pg_session(pg_url) as watcher:
        pg_load(pg_url, start)
        before = semantic(pg_url)
        wrote = Watch(busy=lambda: pg_victim_wrote(watcher))
        run = run_whole(pg_url, args, wrote, b"")
        done = semantic(pg_url)
        pg_wait_for_the_victims_backend(watcher)
        for attempt in range(3):
            pg_load(pg_url, start)
            wait = run.random_share() * 0.5**attempt
            ready = busy_then(wrote.busy, wait, "its transaction first wrote")
            try:
                killed = kill_when(pg_url, args, ready, tmp_path)
                break
            except Finished as exc:
                finished = exc
        else:
            pytest.fail(f"`{shown(args)}` was never killed part-way on PostgreSQL: {finished}")
        pg_wait_for_the_victims_backend(watcher)
    check_passes(pg_url, killed)
    found = semantic(pg_url)
    print(killed, "->", "as before" if found == before else "not as before")
    if operation == "import":  # the first files, each whole
        names = [p.stem for p in prepared.corpus][: sum(found["sources"].values())]
        first_files = {
            table: Counter(
                {
                    row: n
                    for row, n in rows.items()
                    if table not in ("sources", "attributes", "segments", "events")
                    or (row[0] in names if table != "events" else _imported(row, names))
                }
            )
            for table, rows in done.items()
        }
        assert found == first_files, (
            f"{killed}: {semantic_differences(found, first_files=first_files)}"
        )
    elif found != before:
        assert found == done, (
            f"{killed}: half done: {semantic_differences(found, before=before, after=done)}"
        )
    if operation == "import" or found == before:
        ok(pg_url, *args)
        again = semantic(pg_url)
        assert again == done, (
            f"{killed}; run again: {semantic_differences(again, uninterrupted=done)}"
        )
    nothing_left(killed)


def _imported(event: tuple, names: list[str]) -> bool:
    """Whether an event is not a source import, or the import of one of ``names``."""
    kind, summary = event[0], event[1]
    return kind != "source.import" or any(summary.startswith(f"imported {n} from ") for n in names)
