"""Many coders at once (issue 12): separate processes, each making single codings
through ``coding.apply_code`` (each its own change, as the CLI and workbench make
them), on one project.

- PostgreSQL: 8 coders, each its own login (a team member with the coder role) and
  process, 10,000 codings each. Half of them code the same source (overlapping spans,
  and one call in four the very same spans as the others), the rest a source each;
  all of them create codes shared0..shared29 at once in their first calls. Target:
  p95 latency of a coding at most 50 ms.
- SQLite: 2 writers on one file, both on the shared source, 10,000 codings each.

Each worker (:mod:`tests.benchmarks.load_worker`) times every call; reported are the
throughput (codings per second, all coders together, from the first call to the last),
p50 and p95 latency over all calls, the services' retries (``cen_themes.db.retries``)
and the errors that reached a coder. Then it verifies that the project holds exactly
the planned codings (none lost, none twice: (excerpt, code, coder) unique), one code
per shared name, one event per coding, and that ``cen-themes check`` passes.

Where the coders and the server share fewer processors than there are coders (8 on
one machine of 2 cores, say), a coding's latency is mostly its wait for a processor:
each coder's process spends some 7 ms of its own processor time on a coding.

The PostgreSQL benchmark uses the server of ``CEN_THEMES_LOAD_PG_URL`` (default
postgresql+psycopg://cen:cen@127.0.0.1:5432/cen_load), whose login may create
databases and roles. The database (its name must start with ``cen_load``) is dropped
and made anew, and dropped again at the end with the login and group roles the run
made; it skips when the server cannot be reached. ``CEN_THEMES_LOAD_CODINGS`` and
``CEN_THEMES_LOAD_SQLITE_CODINGS`` set the codings per coder for a quicker run;
``CEN_THEMES_LOAD_OUT`` names a folder to keep each coder's report in (JSON, with the
seconds of every call), which pytest's temporary folders do not keep for long.

Run: pytest tests/benchmarks/test_bench_load.py --benchmark-enable -s
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from cen_themes.db import Project, open_project
from cen_themes.errors import CenThemesError
from cen_themes.models import Code, Coder, Coding, Event, Excerpt, Source
from cen_themes.services import sources, team

from .generate import transcript
from .load_worker import SHARED_CODES, SHARED_SOURCE, SPAN_RANGE, own_source, plan

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get(
    "CEN_THEMES_LOAD_PG_URL", "postgresql+psycopg://cen:cen@127.0.0.1:5432/cen_load"
)
PG_CODERS = 8
PG_CODINGS = int(os.environ.get("CEN_THEMES_LOAD_CODINGS", "10000"))
SQLITE_WRITERS = 2
SQLITE_CODINGS = int(os.environ.get("CEN_THEMES_LOAD_SQLITE_CODINGS", "10000"))
P95_TARGET_S = 0.050
TIMEOUT_S = 3600


@dataclass
class Load:
    """A load run's figures: each worker's report, and the wall time from go to done."""

    engine: str
    logins: str  # "own" (a login per coder), "one" (PostgreSQL fallback) or "none"
    workers: list[dict] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def latencies(self) -> list[float]:
        return sorted(t for w in self.workers for t in w["latencies"])

    @property
    def calls(self) -> int:
        return sum(w["calls"] - w["errors"] for w in self.workers)

    @property
    def errors(self) -> int:
        return sum(w["errors"] for w in self.workers)

    @property
    def retries(self) -> Counter:
        total: Counter = Counter()
        for w in self.workers:
            total.update(w["retries"])
        return total

    @property
    def busy_s(self) -> float:
        """From the first coder's first call to the last coder's last."""
        return max(w["end"] for w in self.workers) - min(w["start"] for w in self.workers)

    @property
    def cpu_per_call(self) -> float:
        """The coders' own processor time per call (the client's; not the server's)."""
        return sum(w["cpu_s"] for w in self.workers) / sum(w["calls"] for w in self.workers)

    @property
    def throughput(self) -> float:
        return self.calls / self.busy_s


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def on_shared_source(k: int, coders: int) -> bool:
    """Half the coders (at least two) code the shared source."""
    return k < max(2, coders // 2)


# -- running the coders -------------------------------------------------------------
def start_workers(dbs: list[str], n: int, folder: Path) -> list[tuple[subprocess.Popen, Path]]:
    """One process per coder, each opened on its project and waiting for the go."""
    started = []
    for k, db in enumerate(dbs):
        out = folder / f"worker{k}.json"
        with (folder / f"worker{k}.err").open("w") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.benchmarks.load_worker", db, str(k), str(n),
                 "1" if on_shared_source(k, len(dbs)) else "0", str(out)],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )  # fmt: skip
        started.append((process, out))
    for k, (process, _out) in enumerate(started):
        line = process.stdout.readline() if process.stdout else ""
        assert line.strip() == "ready", _failure(folder, k, process)
    return started


def go(started: list[tuple[subprocess.Popen, Path]], folder: Path) -> tuple[list[dict], float]:
    """Let every coder start at once; their reports, and the wall time until all are done."""
    began = time.perf_counter()
    for process, _out in started:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    try:
        for k, (process, _out) in enumerate(started):
            process.wait(timeout=TIMEOUT_S)
            assert process.returncode == 0, _failure(folder, k, process)
    finally:  # a coder that failed or hangs: the others are stopped with the test
        for process, _out in started:
            if process.poll() is None:
                process.kill()
    wall = time.perf_counter() - began
    return [json.loads(out.read_text(encoding="utf-8")) for _process, out in started], wall


def _failure(folder: Path, k: int, process: subprocess.Popen) -> str:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    return (
        f"coder {k} failed ({process.returncode}):\n"
        + ((folder / f"worker{k}.err").read_text(encoding="utf-8")[-4000:])
    )


def run_load(benchmark, load: Load, dbs: list[str], n: int, folder: Path) -> None:
    def setup():
        return (start_workers(dbs, n, folder),), {}

    def run(started):
        load.workers, load.wall_s = go(started, folder)

    benchmark.pedantic(run, setup=setup, rounds=1, iterations=1)
    if keep := os.environ.get("CEN_THEMES_LOAD_OUT"):
        target = Path(keep) / f"{load.engine.lower()}-{time.strftime('%Y%m%d-%H%M%S')}"
        target.mkdir(parents=True)
        for w in load.workers:
            (target / f"worker{w['k']}.json").write_text(json.dumps(w), encoding="utf-8")
        print(f"\ncoders' reports kept in {target}")


# -- the project ---------------------------------------------------------------------
def add_sources(project: Project, coders: int, folder: Path) -> None:
    """The shared source and a source of each coder who has none to share."""
    rng = random.Random(5)
    names = [SHARED_SOURCE] + [
        own_source(k) for k in range(coders) if not on_shared_source(k, coders)
    ]
    paths = []
    for name in names:
        path = folder / f"{name}.txt"
        path.write_text(transcript(rng, 5000, name.upper()), encoding="utf-8")
        paths.append(path)
    report = sources.import_files(project, paths, coder=project.login or "owner")
    assert not report.failed, report.failed
    for name in names:
        assert len(sources.get_source(project, name).text) >= SPAN_RANGE


def planned(coders: int, n: int, names: list[str]) -> set[tuple[str, int, int, str, str]]:
    """Every (source, start, end, code, coder) the coders are to make."""
    return {
        (*one, names[k]) for k in range(coders) for one in plan(k, n, on_shared_source(k, coders))
    }


def events(project: Project) -> int:
    with project.read() as session:
        return session.scalar(select(func.count()).select_from(Event))


def verify(project: Project, expected: set, events_before: int, names: list[str]) -> list[str]:
    """What is wrong with the project after the run (nothing: an empty list)."""
    problems = []
    with project.read() as session:
        rows = session.execute(
            select(Source.name, Excerpt.start, Excerpt.end, Code.name, Coder.name)
            .select_from(Coding)
            .join(Excerpt, Excerpt.id == Coding.excerpt_id)
            .join(Source, Source.id == Excerpt.source_id)
            .join(Code, Code.id == Coding.code_id)
            .join(Coder, Coder.id == Coding.coder_id)
        ).all()
        twins = session.execute(
            select(Coding.excerpt_id, Coding.code_id, Coding.coder_id)
            .group_by(Coding.excerpt_id, Coding.code_id, Coding.coder_id)
            .having(func.count() > 1)
        ).all()
        shared_codes = Counter(
            session.scalars(select(Code.name).where(Code.name.like("shared%"))).all()
        )
        by_coder = Counter(session.scalars(select(Event.coder).where(Event.kind == "coding.apply")))
    found = Counter(tuple(r) for r in rows)
    per_coder = Counter(r[4] for r in rows)
    wanted = Counter(e[4] for e in expected)
    if per_coder != wanted:
        problems.append(f"codings per coder {dict(per_coder)}, expected {dict(wanted)}")
    if lost := expected - set(found):
        problems.append(f"{len(lost)} planned codings missing, e.g. {sorted(lost)[:3]}")
    if extra := set(found) - expected:
        problems.append(f"{len(extra)} codings nobody planned, e.g. {sorted(extra)[:3]}")
    if doubled := [k for k, c in found.items() if c > 1] or twins:
        problems.append(f"codings made twice: {len(doubled)} spans, {len(twins)} twins")
    if shared_codes != Counter({f"shared{i}": 1 for i in range(SHARED_CODES)}):
        problems.append(f"shared codes in the codebook: {dict(shared_codes)}")
    made = events(project) - events_before
    if made != len(expected):
        problems.append(f"{made} events for {len(expected)} codings")
    if {n: by_coder[n] for n in set(names)} != wanted:
        problems.append(f"coding events per coder {dict(by_coder)}, expected {dict(wanted)}")
    checked = subprocess.run(
        [sys.executable, "-m", "cen_themes", "--db", project.url, "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if checked.returncode != 0:
        problems.append(f"cen-themes check failed:\n{checked.stdout}{checked.stderr}")
    return problems


# -- the report ---------------------------------------------------------------------
LOGINS = {"own": "a login each", "one": "ONE login for all", "none": "no logins"}


def summary(load: Load, problems: list[str]) -> str:
    ms = 1000
    lines = [
        f"\n{load.engine}: {len(load.workers)} coders x {load.workers[0]['calls']:,} codings"
        f" ({LOGINS[load.logins]})",
        f"{'coder':<16}{'source':<9}{'codings':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'/s':>8}{'cpu ms':>8}{'retries':>9}{'errors':>8}",
    ]
    for w in load.workers:
        ordered = sorted(w["latencies"])
        lines.append(
            f"{w['coder']:<16}{w['source']:<9}{w['calls'] - w['errors']:>9,}"
            f"{percentile(ordered, 0.5) * ms:>9.1f}{percentile(ordered, 0.95) * ms:>9.1f}"
            f"{ordered[-1] * ms:>9.1f}{w['calls'] / (w['end'] - w['start']):>8.0f}"
            f"{w['cpu_s'] / w['calls'] * ms:>8.2f}"
            f"{sum(w['retries'].values()):>9}{w['errors']:>8}"
        )
    every = load.latencies
    lines.append(
        f"{'all':<25}{load.calls:>9,}{percentile(every, 0.5) * ms:>9.1f}"
        f"{percentile(every, 0.95) * ms:>9.1f}{every[-1] * ms:>9.1f}{load.throughput:>8.0f}"
        f"{load.cpu_per_call * ms:>8.2f}"
        f"{sum(load.retries.values()):>9}{load.errors:>8}"
    )
    lines.append(
        f"throughput {load.throughput:,.0f} codings/s ({load.calls:,} in {load.busy_s:.1f} s; "
        f"{load.wall_s:.1f} s from go to the last exit); p99 {percentile(every, 0.99) * ms:.1f} ms"
    )
    slow = [t for t in every if t > 1]
    lines.append(
        f"calls over 1 s: {len(slow)}" + (f" (the longest {every[-1]:.1f} s)" if slow else "")
    )
    lines.append(f"retries by service: {dict(load.retries) or 'none'}")
    for w in load.workers:
        for sample in w["error_samples"][:2]:
            lines.append(f"error of {w['coder']}: {sample}")
    lines.append("verified: " + ("all well" if not problems else "; ".join(problems)))
    return "\n".join(lines)


def record(benchmark, load: Load, problems: list[str]) -> None:
    every = load.latencies
    benchmark.extra_info.update(
        engine=load.engine,
        coders=len(load.workers),
        codings_per_coder=load.workers[0]["calls"],
        logins=load.logins,
        codings=load.calls,
        codings_per_s=round(load.throughput, 1),
        busy_s=round(load.busy_s, 2),
        p50_ms=round(percentile(every, 0.5) * 1000, 2),
        p95_ms=round(percentile(every, 0.95) * 1000, 2),
        p99_ms=round(percentile(every, 0.99) * 1000, 2),
        max_ms=round(every[-1] * 1000, 2),
        client_cpu_ms_per_coding=round(load.cpu_per_call * 1000, 2),
        calls_over_1s=sum(t > 1 for t in every),
        retries=sum(load.retries.values()),
        retries_by_service=dict(load.retries),
        errors=load.errors,
        p95_ms_by_coder={
            w["coder"]: round(percentile(sorted(w["latencies"]), 0.95) * 1000, 2)
            for w in load.workers
        },
        verified=not problems,
    )
    print(summary(load, problems))


# -- PostgreSQL ---------------------------------------------------------------------
def _admin(url: URL) -> psycopg.Connection:
    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


def _drop(admin: psycopg.Connection, database: str, roles: list[str]) -> None:
    admin.execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
    )
    for role in roles:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture
def pg_load() -> Iterator[tuple[Project, list[str]]]:
    """A new project database of the load run's own, and the login of each coder."""
    url = make_url(PG_URL)
    database = url.database or ""
    if not database.startswith("cen_load"):
        pytest.fail(f"{PG_URL}: the load benchmark drops its database: name it cen_load...")
    logins = [f"{database}_w{k}" for k in range(PG_CODERS)]
    groups = [f"{database}_{role}" for role in team.ROLES]
    try:
        admin = _admin(url)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {url.render_as_string()}: {exc}")
    with admin:
        _drop(admin, database, logins + groups)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        project = open_project(PG_URL)
        try:
            yield project, logins
        finally:
            project.close()
            _drop(admin, database, logins + groups)


@pytest.mark.postgres
def test_eight_coders_at_once_on_postgresql(
    benchmark, pg_load: tuple[Project, list[str]], tmp_path: Path
) -> None:
    project, logins = pg_load
    add_sources(project, PG_CODERS, tmp_path)
    dbs, logins_used = [], "own"
    try:
        for name in logins:
            _member, password = team.add(project, name, "coder", coder=project.login)
            assert password is not None
            dbs.append(
                make_url(PG_URL)
                .set(username=name, password=password)
                .render_as_string(hide_password=False)
            )
    except CenThemesError as exc:  # the login may not create roles: all code as the owner
        print(f"\nno login per coder ({exc}): every coder works as {project.login}")
        dbs, logins_used = [PG_URL] * PG_CODERS, "one"
    names = logins if logins_used == "own" else [project.login] * PG_CODERS
    expected = planned(PG_CODERS, PG_CODINGS, names)
    before = events(project)
    load = Load("PostgreSQL", logins_used)
    run_load(benchmark, load, dbs, PG_CODINGS, tmp_path)
    problems = verify(project, expected, before, names)
    record(benchmark, load, problems)
    assert not problems and load.errors == 0
    assert percentile(load.latencies, 0.95) <= P95_TARGET_S


# -- SQLite -------------------------------------------------------------------------
def test_two_writers_at_once_on_sqlite(benchmark, tmp_path: Path) -> None:
    db = tmp_path / "load.db"
    project = open_project(db)
    add_sources(project, SQLITE_WRITERS, tmp_path)
    names = [f"coder{k}" for k in range(SQLITE_WRITERS)]
    expected = planned(SQLITE_WRITERS, SQLITE_CODINGS, names)
    before = events(project)
    load = Load("SQLite", "none")
    run_load(benchmark, load, [str(db)] * SQLITE_WRITERS, SQLITE_CODINGS, tmp_path)
    problems = verify(project, expected, before, names)
    record(benchmark, load, problems)
    project.close()
    assert not problems and load.errors == 0
