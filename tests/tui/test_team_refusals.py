"""On a team's PostgreSQL project the server's refusal is a notification in the
workbench that names the role needed, and the workbench carries on."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from textual.widgets import Input

from cen_themes.db import Project, open_project
from cen_themes.services import codebook, team
from cen_themes.tui.app import CenThemesApp
from cen_themes.tui.screens.codebook import CodebookScreen
from cen_themes.tui.screens.dialogs import TextPrompt
from tests.conftest import CodedProject, pg_only
from tests.project.test_team import PASSWORD, _as, _raw
from tests.tui.test_errors import SIZE, add_code, code_paths

LOGINS = {role: f"cen_t{os.getpid()}_tui_{role}" for role in ("reader", "coder")}


@pytest.fixture
def members(pg_project: Project, coded_project: CodedProject) -> Iterator[dict[str, Project]]:
    coded_project("Q: How was it?\nA: The wait was long.\n", into=pg_project)
    codebook.create_code(pg_project, "Care", coder=pg_project.login)
    opened = {}
    with _raw(pg_project.url) as admin:
        for role, login in LOGINS.items():
            team.add(pg_project, login, role, coder=pg_project.login)
            admin.execute(f"ALTER ROLE {login} PASSWORD '{PASSWORD}'")
            opened[role] = open_project(_as(pg_project.url, login))
    yield opened
    for project in opened.values():
        project.close()
    with _raw(pg_project.url) as admin:
        for login in LOGINS.values():
            admin.execute(f"DROP ROLE IF EXISTS {login}")


def _errors(app: CenThemesApp) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications if n.severity == "error"]


def _one_refusal(app: CenThemesApp, *words: str) -> None:
    """One 'Not allowed' notification saying ``words``, and the workbench carries on."""
    ((title, message),) = _errors(app)
    assert title == "Not allowed"
    for word in words:
        assert word in message, message
    assert app.is_running


@pg_only
async def test_a_reader_adding_a_code_is_told_the_coder_role_is_needed(
    members: dict[str, Project], pg_project: Project
) -> None:
    reader = members["reader"]
    app = CenThemesApp(reader, reader.login)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CodebookScreen())
        await pilot.pause()
        await add_code(pilot, "Waiting")
        _one_refusal(app, f"'{reader.login}' is a reader", "coder role", "refused by the server")
    assert code_paths(pg_project) == ["Care"]


@pg_only
async def test_a_coder_renaming_a_code_is_told_a_lead_is_needed(
    members: dict[str, Project], pg_project: Project
) -> None:
    coder = members["coder"]
    app = CenThemesApp(coder, coder.login)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CodebookScreen())
        await pilot.pause()
        await add_code(pilot, "Waiting")  # a coder makes codes
        assert not _errors(app)
        await pilot.press("r")  # rename the highlighted code
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        prompt.query_one(Input).value = ""
        await pilot.press(*"Renamed", "enter")
        await pilot.pause()
        _one_refusal(app, f"'{coder.login}' is a coder", "needs the lead role")
    assert sorted(code_paths(pg_project)) == ["Care", "Waiting"]
