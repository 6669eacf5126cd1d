"""GRADE-CERQual assessments: set only what is given, one change each, explanations
where the approach asks for them; contributing studies computed from the coding; the
assessment follows its theme (renames, deletes) and the project (undo, backup, the
server), and on a team only a lead may judge."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cen_themes.db import Project, make_engine, open_project
from cen_themes.errors import InputError, NotFoundError, RefusedError
from cen_themes.migrate import alembic_config
from cen_themes.models import CerqualAssessment, Event
from cen_themes.results.synthesis import (
    CERQUAL_COMPONENTS,
    CERQUAL_CONFIDENCES,
    CERQUAL_LEVELS,
    CerqualComponent,
    CerqualFinding,
)
from cen_themes.services import cerqual, check, history, themes
from cen_themes.services.transfer import backup, load_from

from ..conftest import CodedProject, dump_database, pg_only, raw_sql, who

# Three studies, in this import order; "Zed" first, so import order is not the alphabet's.
STUDIES = {
    "Zed 2020": "Findings: waiting lists were long. Staff were kind.\n",
    "Adams 2019": "Findings: the label stuck. Waiting lists were long.\n",
    "Berg 2021": "Findings: staff were kind and listened.\n",
}


@pytest.fixture
def review(coded_project: CodedProject) -> Project:
    """Themes: Access (Waiting: Zed, Adams), Care > Kindness (Kind: Zed, Berg),
    Stigma (Label: Adams), Empty (no codes)."""
    project = coded_project(
        STUDIES,
        [
            ("Zed 2020", "waiting lists were long", "Waiting"),
            ("Zed 2020", "Staff were kind", "Kind"),
            ("Adams 2019", "the label stuck", "Label"),
            ("Adams 2019", "Waiting lists were long", "Waiting"),
            ("Berg 2021", "staff were kind", "Kind"),
        ],
    )
    me = who(project, "ann")
    for name, parent, codes in (
        ("Access", None, ["Waiting"]),
        ("Care", None, []),
        ("Kindness", "Care", ["Kind"]),
        ("Stigma", None, ["Label"]),
        ("Empty", None, []),
    ):
        themes.add_theme(project, name, parent=parent, coder=me)
        if codes:
            themes.assign_codes(project, name, codes, coder=me)
    return project


def assess(project: Project, theme: str = "Access", **given) -> str:
    return cerqual.set_assessment(project, theme, coder=who(project, "ann"), **given).summary


def one(project: Project, theme: str) -> CerqualFinding:
    (found,) = cerqual.assessments(project, theme)
    return found


def events(project: Project) -> list[tuple[str, str]]:
    with project.read() as session:
        return [(e.kind, e.summary) for e in session.scalars(select(Event).order_by(Event.id))]


def test_contributing_studies_are_computed_through_subthemes_in_import_order(
    review: Project,
) -> None:
    found = {f.theme: f for f in cerqual.assessments(review)}
    assert list(found) == ["Access", "Care", "Care > Kindness", "Stigma", "Empty"]
    assert {path: f.sources for path, f in found.items()} == {
        "Access": ["Zed 2020", "Adams 2019"],
        "Care": ["Zed 2020", "Berg 2021"],  # rolled up from its subtheme
        "Care > Kindness": ["Zed 2020", "Berg 2021"],
        "Stigma": ["Adams 2019"],
        "Empty": [],
    }
    assert not any(f.assessed for f in found.values())
    assert found["Access"].components == dict.fromkeys(
        CERQUAL_COMPONENTS, CerqualComponent(None, "")
    )


def test_set_changes_only_what_is_given_one_change_each(review: Project) -> None:
    before = len(events(review))
    assert assess(
        review,
        finding="  Long waits kept people from care.  ",
        levels={"limitations": "minor", "coherence": "no"},
        explanations={"limitations": "two studies did not say how they sampled"},
        confidence="moderate",
        confidence_explanation="minor concerns about methodological limitations",
    ) == (
        "CERQual assessment of theme Access: finding, methodological limitations minor, "
        "coherence no, confidence moderate"
    )
    assert assess(review, levels={"coherence": "minor"}) == (
        "CERQual assessment of theme Access: coherence minor"
    )
    found = one(review, "Access")
    assert found.assessed and found.finding == "Long waits kept people from care."
    assert found.components == {
        "limitations": CerqualComponent("minor", "two studies did not say how they sampled"),
        "coherence": CerqualComponent("minor", ""),
        "adequacy": CerqualComponent(None, ""),
        "relevance": CerqualComponent(None, ""),
    }
    assert (found.confidence, found.explanation) == (
        "moderate",
        "minor concerns about methodological limitations",
    )
    assert found.updated_by == who(review, "ann")
    # a component's explanation alone, the confidence's alone
    assess(review, explanations={"coherence": "one study contradicts"})
    assess(review, confidence_explanation="now: minor concerns about two components")
    found = one(review, "Access")
    assert found.components["coherence"] == CerqualComponent("minor", "one study contradicts")
    assert found.explanation == "now: minor concerns about two components"
    assert found.confidence == "moderate"
    kinds = [kind for kind, _summary in events(review)[before:]]
    assert kinds == ["cerqual.set"] * 4


def test_the_same_values_again_change_nothing(review: Project) -> None:
    assess(review, levels={"relevance": "no"})
    before = dump_database(review)
    assert assess(review, levels={"relevance": "no"}) == (
        "Access: no change to its CERQual assessment"
    )
    assert assess(review, "Empty", finding="") == "Empty: no change to its CERQual assessment"
    assert dump_database(review) == before


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "nothing to set"),
        ({"confidence": "high"}, r"needs its explanation \(--confidence-why\)"),
        ({"confidence": "high", "confidence_explanation": "  "}, "needs its explanation"),
        ({"confidence": "certain", "confidence_explanation": "x"}, "choose high, moderate"),
        ({"levels": {"coherence": "big"}}, "not a level of concerns; choose no, minor"),
        ({"levels": {"clarity": "no"}}, "'clarity' is not a GRADE-CERQual component"),
        ({"explanations": {"adequacy": "thin data"}}, "adequacy has no level yet to explain"),
        ({"confidence_explanation": "why"}, "no confidence yet to explain"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    review: Project, given: dict, message: str
) -> None:
    before = dump_database(review)
    with pytest.raises(InputError, match=message):
        assess(review, **given)
    assert dump_database(review) == before


def test_an_explanation_cannot_be_emptied_once_a_confidence_has_one(review: Project) -> None:
    assess(review, confidence="low", confidence_explanation="serious concerns about adequacy")
    with pytest.raises(InputError, match="an empty one cannot replace it"):
        assess(review, confidence_explanation="")
    assert one(review, "Access").explanation == "serious concerns about adequacy"


def test_an_unknown_theme_is_not_found(review: Project) -> None:
    with pytest.raises(NotFoundError, match="Acces"):
        assess(review, "Acces", levels={"coherence": "no"})
    with pytest.raises(NotFoundError):
        cerqual.assessments(review, "Nothing")


def test_very_low_is_spelt_either_way(review: Project) -> None:
    assess(review, confidence="Very low", confidence_explanation="serious concerns")
    assert one(review, "Access").confidence == "very-low"


def test_the_assessment_follows_renames_and_goes_with_its_theme(review: Project) -> None:
    assess(review, "Kindness", levels={"adequacy": "serious"}, explanations={"adequacy": "thin"})
    themes.rename_theme(review, "Kindness", "Warmth", coder=who(review, "ann"))
    themes.move_theme(review, "Warmth", None, coder=who(review, "ann"))
    assert one(review, "Warmth").components["adequacy"] == CerqualComponent("serious", "thin")
    themes.delete_theme(review, "Warmth", coder=who(review, "ann"))
    with review.read() as session:
        assert session.scalar(select(func.count()).select_from(CerqualAssessment)) == 0
    # Undoing the delete brings the theme back with its judgement.
    history.undo(review, coder=who(review, "ann"))
    assert one(review, "Warmth").components["adequacy"] == CerqualComponent("serious", "thin")


def test_undo_takes_a_judgement_back_and_an_assessed_theme_stays_made(
    review: Project,
) -> None:
    assess(review, levels={"coherence": "no"})
    assess(review, levels={"coherence": "serious"}, explanations={"coherence": "contradictions"})
    history.undo(review, coder=who(review, "ann"))
    assert one(review, "Access").components["coherence"] == CerqualComponent("no", "")
    history.undo(review, coder=who(review, "ann"))
    assert not one(review, "Access").assessed
    # a theme assessed after it was made cannot be undone before its assessment
    themes.add_theme(review, "New", coder=who(review, "ann"))
    assess(review, "New", finding="a new finding")
    with review.read() as session:
        add_event = session.scalar(
            select(Event.id).where(Event.kind == "theme.add").order_by(Event.id.desc()).limit(1)
        )
    with pytest.raises(InputError, match="later changes build on it"):
        history.undo(review, coder=who(review, "ann"), event_id=add_event)


def test_the_database_refuses_a_level_it_does_not_know(review: Project) -> None:
    assess(review, levels={"coherence": "no"})
    with pytest.raises(IntegrityError):
        raw_sql(review, "UPDATE cerqual SET coherence_level = 'huge'")
    with pytest.raises(IntegrityError):
        raw_sql(review, "UPDATE cerqual SET confidence = 'very low'")


def test_the_models_checks_and_the_vocabulary_agree() -> None:
    table = CerqualAssessment.__table__
    checks = {c.name: str(c.sqltext) for c in table.constraints if c.name.startswith("ck_")}
    listed = ", ".join(f"'{v}'" for v in CERQUAL_LEVELS)
    for component in CERQUAL_COMPONENTS:
        name = f"ck_cerqual_{component}_level"
        assert checks[name] == f"{component}_level IN ({listed})"
    confidences = ", ".join(f"'{v}'" for v in CERQUAL_CONFIDENCES)
    assert checks["ck_cerqual_confidence"] == f"confidence IN ({confidences})"


def test_check_names_an_assessment_of_a_theme_that_is_gone(review: Project, db_path: Path) -> None:
    assess(review, levels={"coherence": "no"})
    assert check.check_project(review).problems == []
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE cerqual SET theme_id = 999")
    (problem,) = check.check_project(review).problems
    assert (problem.kind, problem.detail) == (
        "orphan",
        "cerqual 1 refers to theme 999, which does not exist",
    )


def _down_to_0009_and_up_again(url: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0009")
            assert "cerqual" not in conn.dialect.get_table_names(conn)
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    finally:
        engine.dispose()


def test_the_table_goes_on_a_downgrade_and_comes_back_on_the_upgrade(review: Project) -> None:
    _down_to_0009_and_up_again(review.url)
    assess(review, levels={"coherence": "no"})
    assert one(review, "Access").components["coherence"].level == "no"


def test_a_backup_carries_the_assessments(review: Project, tmp_path: Path) -> None:
    assess(review, finding="f", confidence="high", confidence_explanation="no concerns")
    backup(review, tmp_path / "copy.db")
    copy = open_project(tmp_path / "copy.db")
    try:
        assert cerqual.assessments(copy) == cerqual.assessments(review)
    finally:
        copy.close()


@pg_only
def test_a_project_with_assessments_goes_to_the_server_and_back(
    coded_project: CodedProject, pg_project: Project, tmp_path: Path
) -> None:
    solo = coded_project(STUDIES, [("Zed 2020", "Staff were kind", "Kind")])
    themes.add_theme(solo, "Care", coder="ann")
    themes.assign_codes(solo, "Care", ["Kind"], coder="ann")
    cerqual.set_assessment(solo, "Care", coder="ann", levels={"relevance": "minor"})
    expected = cerqual.assessments(solo)
    solo.close()
    load_from(pg_project, tmp_path / "project.db")
    assert cerqual.assessments(pg_project) == expected
    # the server project carries on: a new assessment gets a new id, and undo works
    themes.add_theme(pg_project, "Other", coder=str(pg_project.login))
    cerqual.set_assessment(pg_project, "Other", coder=str(pg_project.login), finding="x")
    history.undo(pg_project, coder=str(pg_project.login))


# -- a team on PostgreSQL: only a lead judges ---------------------------------------------
@pytest.fixture
def team(pg_project: Project, coded_project: CodedProject) -> Iterator[dict[str, str]]:
    from tests.project import test_team

    fixture = test_team.team.__wrapped__(pg_project, coded_project)  # type: ignore[attr-defined]
    urls = next(fixture)
    yield urls
    next(fixture, None)


@pytest.fixture
def opened(team: dict[str, str]) -> Iterator[dict[str, Project]]:
    projects = {role: open_project(url) for role, url in team.items()}
    yield projects
    for project in projects.values():
        project.close()


@pg_only
def test_only_a_lead_may_judge_and_everyone_may_read(
    opened: dict[str, Project], pg_project: Project
) -> None:
    lead = opened["lead"]
    themes.add_theme(lead, "Access", coder=str(lead.login))
    themes.assign_codes(lead, "Access", ["Access > Waiting"], coder=str(lead.login))
    before = dump_database(pg_project)
    for role in ("coder", "reader"):
        member = opened[role]
        with pytest.raises(RefusedError) as refused:
            cerqual.set_assessment(
                member, "Access", coder=str(member.login), levels={"coherence": "no"}
            )
        message = str(refused.value)
        assert f"is a {role} on this project, and cerqual.set needs the lead role" in message
        assert "\n" not in message
    assert dump_database(pg_project) == before
    cerqual.set_assessment(
        lead, "Access", coder=str(lead.login), confidence="low", confidence_explanation="thin"
    )
    for role in ("coder", "reader", "lead"):
        (found,) = cerqual.assessments(opened[role], "Access")
        assert (found.confidence, found.sources, found.updated_by) == ("low", ["int01"], lead.login)
    with pytest.raises(RefusedError, match="needs the lead role"):
        cerqual.set_assessment(
            opened["coder"], "Access", coder=str(opened["coder"].login), finding="mine"
        )
    assert cerqual.assessments(pg_project, "Access")[0].finding == ""


@pg_only
def test_a_team_made_before_the_upgrade_has_its_lead_judge_after_it(
    team: dict[str, str], pg_project: Project
) -> None:
    _down_to_0009_and_up_again(pg_project.url)
    lead, coder = open_project(team["lead"]), open_project(team["coder"])
    try:
        themes.add_theme(lead, "Access", coder=str(lead.login))
        cerqual.set_assessment(lead, "Access", coder=str(lead.login), finding="long waits")
        assert cerqual.assessments(coder, "Access")[0].finding == "long waits"
        with pytest.raises(RefusedError, match="needs the lead role"):
            cerqual.set_assessment(coder, "Access", coder=str(coder.login), finding="no")
    finally:
        lead.close()
        coder.close()
