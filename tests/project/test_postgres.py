"""The same project on PostgreSQL, for teams that code together.

Needs a server: the run's own (tests/pgserver.py), or CEN_THEMES_TEST_PG_URL's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from cen_themes.migrate import head_revision
from cen_themes.models import Base
from cen_themes.services import sources

from ..conftest import CodedProject, pg_only

pytestmark = [pytest.mark.postgres, pg_only]


def test_new_postgres_project_is_at_head_and_matches_the_models(pg_project) -> None:
    assert pg_project.created
    with pg_project.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision()
        )
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_import_and_show_on_postgres(pg_project, tmp_path: Path) -> None:
    path = tmp_path / "int01.txt"
    path.write_text("Interviewer: How was it?\nP01: Slow. Then better.\n", encoding="utf-8")
    report = sources.import_files(
        pg_project, [path], coder=pg_project.login, attributes={"group": "staff"}
    )
    assert [o.status for o in report.outcomes] == ["imported"]
    detail = sources.get_source(pg_project, "int01")
    assert detail.text == path.read_text()
    assert detail.attributes == {"group": "staff"}
    spoken = [detail.text[s.start : s.end] for s in detail.segments]
    assert spoken == ["How was it?", "Slow.", "Then better."]
    again = sources.import_files(pg_project, [path], coder=pg_project.login)
    assert [o.status for o in again.outcomes] == ["skipped"]


def test_coding_themes_merge_undo_and_bulk_import_on_postgres(
    pg_project, coded_project: CodedProject, tmp_path: Path
) -> None:
    from cen_themes.services import analysis, codebook, coding, history, themes
    from cen_themes.services.coding_import import import_codings

    coded_project(
        "Q: How was it?\nA: The wait was long. Then they listened.\n",
        [("int01", (18, 36), "Access > Waiting"), ("int01", (37, 57), "Listening", "bob")],
        coder=pg_project.login,
        into=pg_project,
    )
    themes.add_theme(pg_project, "Care", coder=pg_project.login)
    themes.assign_codes(pg_project, "Care", ["Waiting", "Listening"], coder=pg_project.login)
    csv_file = tmp_path / "codings.csv"
    csv_file.write_text("source,start,end,code\nint01,18,36,Delay\nint01,0,14,Delay\n")
    result = import_codings(pg_project, csv_file, coder=pg_project.login)
    assert result.codings_added == 2 and result.excerpts_added == 1
    coding.apply_code(pg_project, "int01", 0, 5, "Delay", coder=pg_project.login)  # ids continue
    codebook.merge_codes(pg_project, ["Delay"], "Access > Waiting", coder=pg_project.login)
    assert [r.counts for r in analysis.matrix(pg_project, "themes").rows] == [[4]]
    history.undo(pg_project, coder=pg_project.login)
    assert [r.counts for r in analysis.matrix(pg_project, "themes").rows] == [[2]]
    codes = {r.path: r.counts for r in analysis.matrix(pg_project, "codes").rows}
    assert codes == {"Access": [0], "Access > Waiting": [1], "Listening": [1], "Delay": [3]}


def test_times_come_back_in_utc_whatever_the_sessions_time_zone(pg_project) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from cen_themes.models import Code
    from cen_themes.services import codebook

    codebook.create_code(pg_project, "Access", coder=pg_project.login)
    with pg_project.read() as session:
        session.execute(text("SET LOCAL TIME ZONE 'Asia/Kolkata'"))
        moment = session.scalar(select(Code.created_at))
        local = session.scalar(text("SELECT created_at FROM codes"))
    assert local.utcoffset() == timedelta(hours=5, minutes=30)  # the zone took effect
    assert moment.utcoffset() == timedelta(0)
    assert moment == local


def test_a_time_without_a_zone_is_stored_as_utc_whatever_the_sessions_zone(pg_project) -> None:
    """As on SQLite: the undo journal gives back times read from older projects as
    naive ISO strings."""
    from datetime import UTC, datetime

    from sqlalchemy import select, update

    from cen_themes.models import Code
    from cen_themes.services import codebook

    codebook.create_code(pg_project, "Access", coder=pg_project.login)
    with pg_project.write() as session:
        session.execute(text("SET LOCAL TIME ZONE 'Asia/Kolkata'"))
        session.execute(update(Code).values(created_at=datetime(2026, 11, 25, 10, 11, 12)))
    with pg_project.read() as session:
        moment = session.scalar(select(Code.created_at))
    assert moment == datetime(2026, 11, 25, 10, 11, 12, tzinfo=UTC)


def test_a_read_sees_one_snapshot_whatever_others_commit_meanwhile(pg_project) -> None:
    """As an SQLite read does: a code another program adds halfway through a read (and
    codes at once) does not appear in the read's later statements."""
    from sqlalchemy import func, select

    from cen_themes.db import open_project
    from cen_themes.models import Code
    from cen_themes.services import codebook

    codebook.create_code(pg_project, "Access", coder=pg_project.login)
    other = open_project(pg_project.url)
    try:
        with pg_project.read() as session:
            before = session.scalar(select(func.count()).select_from(Code))
            codebook.create_code(other, "Later", coder=other.login)
            after = session.scalar(select(func.count()).select_from(Code))
    finally:
        other.close()
    assert (before, after) == (1, 1)
    assert len(codebook.list_codes(pg_project)) == 2


@pg_only
def test_concurrent_bulk_code_imports_lose_and_double_nothing(
    pg_project, coded_project: CodedProject, tmp_path: Path
) -> None:
    """Six programs importing codings at once, sharing thirty new codes: every one
    succeeds, every coding is there once, and the codebook has each code once (they
    clashed on excerpt ids before)."""
    import random
    import subprocess
    import sys

    coded_project("Q: " + "word " * 800 + "\n", into=pg_project, name="su01")
    rng = random.Random(4)
    wanted = set()
    for p in range(6):
        with (tmp_path / f"c{p}.csv").open("w", encoding="utf-8") as fh:
            for _ in range(300):
                start = rng.randrange(0, 3000)
                row = (
                    "su01",
                    start,
                    start + rng.randint(5, 200),
                    f"team{rng.randrange(30)}",
                    f"c{p}",
                )
                wanted.add(row)
                fh.write(",".join(map(str, row)) + "\n")
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cen_themes",
                "--db",
                pg_project.url,
                "code",
                "import",
                tmp_path / f"c{p}.csv",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(6)
    ]
    for run in runs:
        _out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    with pg_project.read() as session:
        rows = session.execute(
            text(
                "SELECT s.name, e.start, e.end, c.name, k.name FROM codings g "
                "JOIN excerpts e ON e.id = g.excerpt_id JOIN sources s ON s.id = g.source_id "
                "JOIN codes c ON c.id = g.code_id JOIN coders k ON k.id = g.coder_id"
            )
        ).all()
        codes = session.execute(text("SELECT name FROM codes")).scalars().all()
    assert sorted(map(tuple, rows)) == sorted(wanted)
    assert sorted(codes) == sorted(f"team{i}" for i in range(30))
