"""A team on one PostgreSQL project: each role logs in as itself, and every refusal is
the server's (the raw SQL tests go past this program to show it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from cen_themes.db import Project, open_project
from cen_themes.services import analysis, coding, history
from tests.conftest import Cli, CodedProject, pg_only

TEXT = "Q: How was it?\nA: The wait was long. Then they listened to me.\n"
PASSWORD = "team-test"
# logins are the server's, shared by all its databases: names this run alone uses
NAMES = {role: f"cen_t{os.getpid()}_{role}" for role in ("reader", "coder", "coder2", "lead")}


def _as(url: str, login: str) -> str:
    return make_url(url).set(username=login, password=PASSWORD).render_as_string(False)


def _raw(url: str) -> psycopg.Connection:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        dbname=parsed.database,
        user=parsed.username,
        password=parsed.password,
        autocommit=True,
    )


@pytest.fixture
def team(pg_project: Project, coded_project: CodedProject) -> Iterator[dict[str, str]]:
    """A coded project with a reader, two coders and a lead; their URLs by role."""
    coded_project(TEXT, [("int01", "The wait was long.", "Access > Waiting")], into=pg_project)
    cli = Cli(pg_project.url)  # type: ignore[arg-type]
    urls = {}
    with _raw(pg_project.url) as admin:
        for key, login in NAMES.items():
            role = key.rstrip("2")
            result = cli("team", "add", login, "--role", role)
            assert result.exit_code == 0, result.stderr
            admin.execute(f"ALTER ROLE {login} PASSWORD '{PASSWORD}'")
            urls[key] = _as(pg_project.url, login)
    yield urls
    with _raw(pg_project.url) as admin:
        for login in NAMES.values():
            admin.execute(f"DROP ROLE IF EXISTS {login}")


def _run(url: str, *args: str) -> tuple[int, str, str]:
    result = Cli(url)(*args)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def _refused(result: tuple[int, str, str], *words: str) -> None:
    code, _out, err = result
    assert code == 1, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


@pg_only
def test_team_list_shows_the_owner_and_each_member_with_their_role(
    team: dict[str, str], pg_project: Project
) -> None:
    code, out, err = _run(pg_project.url, "team", "list", "--json")
    assert code == 0, err
    import json

    listed = {m["name"]: m["role"] for m in json.loads(out)}
    assert listed[pg_project.login] == "owner"
    assert {NAMES[k]: listed[NAMES[k]] for k in NAMES} == {
        NAMES["reader"]: "reader",
        NAMES["coder"]: "coder",
        NAMES["coder2"]: "coder",
        NAMES["lead"]: "lead",
    }
    # a role changes, not adds up: the reader becomes a coder and is only that
    assert _run(pg_project.url, "team", "add", NAMES["reader"], "--role", "coder")[0] == 0
    code, out, _ = _run(pg_project.url, "team", "list")
    assert [line.split() for line in out.splitlines() if NAMES["reader"] in line] == [
        [NAMES["reader"], "coder"]
    ]
    assert _run(pg_project.url, "team", "remove", NAMES["reader"])[0] == 0
    assert NAMES["reader"] not in _run(pg_project.url, "team", "list")[1]


@pg_only
def test_the_coder_is_the_login_and_cannot_be_typed_in(team: dict[str, str]) -> None:
    code, _, err = _run(team["coder"], "code", "apply", "int01", "37", "57", "Listening")
    assert code == 0, err
    excerpts = analysis.find_excerpts(open_project(team["coder"]), code="Listening")
    assert [e.coders for e in excerpts] == [[NAMES["coder"]]]
    _refused(
        _run(team["coder"], "code", "apply", "int01", "0", "14", "Other", "--coder", "someone"),
        f"logged in as '{NAMES['coder']}'",
        "refused",
    )
    # past this program, the server holds the line: an event or coding in another's name
    with _raw(team["coder"]) as raw:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            raw.execute(
                "INSERT INTO events (kind, summary, payload, coder, created_at)"
                " VALUES ('x', 'forged', '{}', 'someone', now())"
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            raw.execute(
                "INSERT INTO codings (excerpt_id, source_id, code_id, coder_id, created_at)"
                " SELECT excerpt_id, source_id, code_id, coder_id, now() FROM codings LIMIT 1"
            )


@pg_only
def test_a_reader_reads_and_exports_and_the_server_refuses_every_write(
    team: dict[str, str], tmp_path: Path
) -> None:
    code, _, err = _run(team["reader"], "export", "matrix", "--out", str(tmp_path / "m.csv"))
    assert code == 0, err
    assert _run(team["reader"], "excerpts")[0] == 0
    _refused(
        _run(team["reader"], "code", "apply", "int01", "37", "57", "Listening"),
        f"'{NAMES['reader']}' is a reader",
        "needs the coder role",
        "permission denied",
    )
    _refused(
        _run(team["reader"], "memo", "add", "--project", "a note"),
        "is a reader",
        "needs the coder role",
    )
    _refused(_run(team["reader"], "undo"), "is a reader", "permission denied")
    with _raw(team["reader"]) as raw:
        for statement in (
            "INSERT INTO coders (name) VALUES ('x')",
            "UPDATE codes SET name = 'renamed'",
            "DELETE FROM codings",
            "DELETE FROM sources",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                raw.execute(statement)


@pg_only
def test_a_coder_changes_only_their_own_work_and_leaves_restructuring_to_a_lead(
    team: dict[str, str], pg_project: Project
) -> None:
    assert _run(team["coder"], "code", "apply", "int01", "37", "57", "Listening")[0] == 0
    assert _run(team["coder"], "code", "add", "Ideas")[0] == 0  # a coder makes codes
    assert _run(team["coder"], "memo", "add", "--code", "Listening", "mine")[0] == 0
    before = _counts(pg_project)
    # the owner's coding of "The wait was long." is not the coder's to remove
    _refused(
        _run(team["coder"], "code", "remove", "int01", "18", "36", "Access > Waiting"),
        f"'{NAMES['coder']}' is a coder",
        "someone else's work needs the lead role",
    )
    for args in (
        ("code", "rename", "Access > Waiting", "Delays"),
        ("code", "merge", "Listening", "--into", "Access > Waiting"),
        ("code", "delete", "Access", "--force"),
        ("theme", "add", "Care"),
    ):
        _refused(_run(team["coder"], *args), "is a coder", "needs the lead role", "refused by")
    assert _counts(pg_project) == before
    # the other coder may not touch the first one's coding either; the first one may
    _refused(
        _run(team["coder2"], "code", "remove", "int01", "37", "57", "Listening"),
        "someone else's work",
    )
    with _raw(team["coder2"]) as raw:  # row-level security passes over the rows
        assert raw.execute("DELETE FROM codings").rowcount == 0
        assert raw.execute("UPDATE memos SET text = 'taken'").rowcount == 0
    assert _run(team["coder"], "code", "remove", "int01", "37", "57", "Listening")[0] == 0


@pg_only
def test_a_lead_restructures_and_undoes_anyones_change_a_coder_only_their_own(
    team: dict[str, str], pg_project: Project
) -> None:
    assert _run(team["coder"], "code", "apply", "int01", "37", "57", "Listening")[0] == 0
    coded = history.log(pg_project)[-1]
    _refused(
        _run(team["coder2"], "undo", "--event", str(coded.id)),
        "a coder may undo only their own",
    )
    _refused(_run(team["coder2"], "undo"), "nothing to undo by")  # they made no change
    code, out, err = _run(team["lead"], "undo", "--event", str(coded.id))
    assert code == 0 and f"undid #{coded.id}" in out, err
    for args in (
        ("code", "rename", "Access > Waiting", "Delays"),
        ("theme", "add", "Care"),
        ("theme", "assign", "Care", "Access > Delays"),
    ):
        code, out, err = _run(team["lead"], *args)
        assert code == 0, err
    assert [r.path for r in analysis.matrix(pg_project, "themes").rows] == ["Care"]


@pg_only
def test_undo_refuses_a_change_that_another_members_later_change_builds_on(
    team: dict[str, str], pg_project: Project
) -> None:
    # the coder makes a new code; the second coder uses it; undoing the first change
    # would delete the code and, with it, the second coder's coding
    assert _run(team["coder"], "code", "apply", "int01", "37", "57", "Kindness")[0] == 0
    assert _run(team["coder2"], "code", "apply", "int01", "0", "14", "Kindness")[0] == 0
    before = _counts(pg_project)
    _refused(
        _run(team["coder"], "undo"),
        "later changes build on it",
        f"by {NAMES['coder2']}",
        "undo those first",
    )
    assert _counts(pg_project) == before
    assert _run(team["coder2"], "undo")[0] == 0
    assert _run(team["coder"], "undo")[0] == 0
    assert "Kindness" not in {r.path for r in analysis.matrix(pg_project, "codes").rows}


@pg_only
def test_a_login_with_no_role_is_refused_in_one_line(pg_project: Project) -> None:
    login = f"cen_t{os.getpid()}_stranger"
    with _raw(pg_project.url) as admin:
        admin.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{PASSWORD}'")
    try:
        _refused(_run(_as(pg_project.url, login), "excerpts"), "refused", "team add")
    finally:
        with _raw(pg_project.url) as admin:
            admin.execute(f"DROP ROLE {login}")


def test_team_commands_say_an_sqlite_project_has_no_team(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "solo.db")
    assert cli("init").exit_code == 0
    result = cli("team", "list")
    assert result.exit_code == 1 and "SQLite project has no team" in result.stderr


def test_undo_of_an_earlier_change_that_later_ones_build_on_is_refused_on_sqlite(
    coded_project: CodedProject, cli: Cli
) -> None:
    project = coded_project(TEXT)
    coding.apply_code(project, "int01", 37, 57, "Kindness", coder="ann")
    made = history.log(project)[-1]
    coding.apply_code(project, "int01", 0, 14, "Kindness", coder="bob")
    result = cli("undo", "--event", str(made.id))
    assert result.exit_code == 1
    assert "later changes build on it" in result.stderr and "by bob" in result.stderr
    # a later change that touches nothing of it is no obstacle
    coding.apply_code(project, "int01", 18, 36, "Other", coder="bob")
    other = history.log(project)[-1]
    coding.apply_code(project, "int01", 0, 2, "Unrelated", coder="ann")
    assert cli("undo", "--event", str(other.id)).exit_code == 0
    assert cli("undo", "--event", str(other.id)).exit_code == 1  # undone already


def _counts(project: Project) -> dict[str, list[int]]:
    return {r.path: r.counts for r in analysis.matrix(project, "codes").rows}


@pg_only
def test_a_nul_character_postgresql_cannot_store_is_one_line(pg_project: Project) -> None:
    from cen_themes.errors import InputError
    from cen_themes.services import memos

    with pytest.raises(InputError, match="NUL character, which PostgreSQL cannot store"):
        memos.add_memo(pg_project, "project", None, "a\x00b", coder=pg_project.login)
    assert memos.list_memos(pg_project) == []
