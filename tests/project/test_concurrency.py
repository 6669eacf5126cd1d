"""Several processes writing one project at once: coders creating the same new codes
and coding the same spans, a lead merging codes and editing themes, a bulk import.
Nothing is lost or doubled, no deadlock or serialization failure reaches anyone, and
every change is in the audit trail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cen_themes.db import Project
from cen_themes.models import Code, Coding, Event
from cen_themes.services import analysis, check, codebook
from tests.conftest import REPO, CodedProject, pg_only
from tests.project.concurrent_worker import SHARED_SPANS

WORDS = "the wait was long and then they listened to me at last "
TEXT = (WORDS * 250)[:12_000]
N = 30  # services per coder; the spans of int01 they all code are the first N


def _run_all(db: str, roles: list[str]) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.project.concurrent_worker", db, role, str(count)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role, count in (r.split(":") for r in roles)
    ]
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0 and "done" in out, err[-3000:]


def _mixed(project: Project, coders: int) -> None:
    db = str(project.path) if project.is_sqlite else project.url
    codebook.create_code(project, "merged", coder=project.login or "tester")
    before = _events(project)
    roles = [f"coder{k}:{N}" for k in range(coders)] + ["merger:15", "themer:10", "bulk:500"]
    _run_all(db, roles)
    with project.read() as session:
        per_code = dict(
            session.execute(
                select(Code.name, func.count(Coding.id))
                .join(Coding, Coding.code_id == Code.id)
                .group_by(Code.name)
            ).all()
        )
        names = session.scalars(select(Code.name)).all()
        twins = session.execute(
            select(func.count())
            .select_from(Coding)
            .group_by(Coding.excerpt_id, Coding.code_id, Coding.coder_id)
            .having(func.count() > 1)
        ).all()
    assert not twins
    # one code per shared name, however many made it at once
    assert sorted(n for n in names if n.startswith("shared")) == [f"shared{i}" for i in range(10)]
    # every coder's shared spans, once per coder (one login on a server: once)
    people = 1 if project.login else coders
    spans = {(i % len(SHARED_SPANS), i % 10) for i in range(N)}
    assert sum(per_code[f"shared{i}"] for i in range(10)) == len(spans) * people
    for k in range(coders):
        assert per_code[f"own{k}"] == N
    assert per_code["merged"] == 15 and not any(
        n.startswith("m") and n[1:].isdigit() for n in names
    )
    assert per_code["bulk"] == 500
    themes = [r.path for r in analysis.matrix(project, "themes").rows]
    assert sorted(themes) == sorted(f"Theme {i}" for i in range(10))
    # every change is in the trail: each coding that was new (a span the same login
    # coded already is no change), the merger's 2 and the themer's 3 a round, the import
    expected = coders * N + len(spans) * people + 15 * 2 + 10 * 3 + 1
    assert _events(project) - before == expected
    report = check.check_project(project)
    assert report.ok, report.problems


def _events(project: Project) -> int:
    with project.read() as session:
        return session.scalar(select(func.count()).select_from(Event))


def test_mixed_writers_at_once_on_sqlite(coded_project: CodedProject) -> None:
    project = coded_project({name: f"{name}: {TEXT}" for name in ("int01", "int02", "int03")})
    _mixed(project, coders=2)


@pg_only
def test_mixed_writers_at_once_on_postgres(
    coded_project: CodedProject, pg_project: Project
) -> None:
    project = coded_project(
        {name: f"{name}: {TEXT}" for name in ("int01", "int02", "int03")}, into=pg_project
    )
    _mixed(project, coders=4)


@pytest.fixture(autouse=True)
def _worker_importable() -> None:
    assert (Path(REPO) / "tests" / "project" / "concurrent_worker.py").is_file()
