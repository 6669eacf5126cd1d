"""`cerqual set`, `cerqual show` and `export soqf|evidence-profile` on the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cen_themes.db import Project

from ..conftest import Cli, CodedProject, dump_database, pg_only

STUDIES = {
    "Zed 2020": "Findings: waiting lists were long. Staff were kind.\n",
    "Adams 2019": "Findings: the label stuck. Waiting lists were long.\n",
    "Berg 2021": "Findings: staff were kind and listened.\n",
}


def ok(cli: Cli, *args: str | Path) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def refused(cli: Cli, *args: str | Path) -> str:
    """The one line of a refused command (exit 1, no traceback, nothing written)."""
    before = dump_database(cli)
    result = cli(*args)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert dump_database(cli) == before
    return result.stderr


@pytest.fixture
def review(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project(
        STUDIES,
        [
            ("Zed 2020", "waiting lists were long", "Waiting"),
            ("Zed 2020", "Staff were kind", "Kind"),
            ("Adams 2019", "Waiting lists were long", "Waiting"),
            ("Berg 2021", "staff were kind", "Kind"),
        ],
    )
    ok(cli, "theme", "add", "Access")
    ok(cli, "theme", "assign", "Access", "Waiting")
    ok(cli, "theme", "add", "Care")
    ok(cli, "theme", "add", "Kindness", "--parent", "Care")
    ok(cli, "theme", "assign", "Kindness", "Kind")
    return cli


def judge_access(cli: Cli) -> str:
    return ok(
        cli, "cerqual", "set", "Access",
        "--finding", "Long waits | kept people from care.",
        "--limitations", "minor", "--limitations-why", "two studies did not say how they sampled",
        "--coherence", "no",
        "--adequacy", "moderate", "--adequacy-why", "thin data\nin both studies",
        "--relevance", "no", "--relevance-why", "both in the setting of the review",
        "--confidence", "moderate",
        "--confidence-why", "moderate concerns about adequacy",
    )  # fmt: skip


def test_set_then_show_as_text(review: Cli) -> None:
    assert judge_access(review) == (
        "CERQual assessment of theme Access: finding, methodological limitations minor, "
        "coherence no, adequacy moderate, relevance no, confidence moderate\n"
    )
    assert ok(review, "cerqual", "set", "Access", "--coherence", "MINOR") == (
        "CERQual assessment of theme Access: coherence minor\n"
    )
    assert ok(review, "cerqual", "show", "Access") == (
        "Access\n"
        "  finding: Long waits | kept people from care.\n"
        "  component                   judgement  explanation\n"
        "  methodological limitations  minor      two studies did not say how they sampled\n"
        "  coherence                   minor\n"
        "  adequacy                    moderate   thin data / in both studies\n"
        "  relevance                   no         both in the setting of the review\n"
        "  confidence                  moderate   moderate concerns about adequacy\n"
        "  studies (2): Zed 2020; Adams 2019\n"
    )
    shown = ok(review, "cerqual", "show")
    assert shown.endswith(
        "Care\n  not assessed  ·  studies (2): Zed 2020; Berg 2021\n\n"
        "Care > Kindness\n  not assessed  ·  studies (2): Zed 2020; Berg 2021\n"
    )


def test_show_json(review: Cli) -> None:
    judge_access(review)
    found = json.loads(ok(review, "cerqual", "show", "--json"))
    assert found[0] == {
        "theme": "Access",
        "finding": "Long waits | kept people from care.",
        "components": {
            "methodological_limitations": {
                "level": "minor",
                "explanation": "two studies did not say how they sampled",
            },
            "coherence": {"level": "no", "explanation": ""},
            "adequacy": {"level": "moderate", "explanation": "thin data\nin both studies"},
            "relevance": {"level": "no", "explanation": "both in the setting of the review"},
        },
        "confidence": "moderate",
        "explanation": "moderate concerns about adequacy",
        "sources": ["Zed 2020", "Adams 2019"],
    }
    assert [f["theme"] for f in found] == ["Access", "Care", "Care > Kindness"]
    assert found[2]["confidence"] is None and found[2]["finding"] == ""
    assert found[2]["components"]["coherence"] == {"level": None, "explanation": ""}
    assert json.loads(ok(review, "cerqual", "show", "Kindness", "--json"))[0]["sources"] == [
        "Zed 2020",
        "Berg 2021",
    ]


def test_a_theme_renamed_keeps_its_assessment(review: Cli) -> None:
    judge_access(review)
    ok(review, "theme", "rename", "Access", "Getting in")
    assert json.loads(ok(review, "cerqual", "show", "Getting in", "--json"))[0]["confidence"] == (
        "moderate"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--confidence", "high"), "needs its explanation (--confidence-why)"),
        (("--coherence", "huge"), "'huge' is not one of 'no', 'minor', 'moderate', 'serious'"),
        (("--confidence", "certain", "--confidence-why", "x"), "'certain' is not one of"),
        (("--adequacy-why", "thin"), "adequacy has no level yet to explain"),
        ((), "nothing to set"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    review: Cli, args: tuple[str, ...], words: str
) -> None:
    assert words in refused(review, "cerqual", "set", "Access", *args)


def test_an_unknown_theme_is_one_line(review: Cli) -> None:
    assert "Acces" in refused(review, "cerqual", "set", "Acces", "--coherence", "no")
    assert "Nothing" in refused(review, "cerqual", "show", "Nothing")


def test_every_judgement_is_in_the_log_and_undo_takes_it_back(review: Cli) -> None:
    ok(review, "cerqual", "set", "Access", "--coherence", "no")
    ok(review, "cerqual", "set", "Access", "--coherence", "serious", "--coherence-why", "split")
    log = json.loads(ok(review, "log", "--json", "--limit", "2"))
    assert [e["kind"] for e in log] == ["cerqual.set", "cerqual.set"]
    ok(review, "undo")
    shown = json.loads(ok(review, "cerqual", "show", "Access", "--json"))[0]
    assert shown["components"]["coherence"] == {"level": "no", "explanation": ""}


# -- the exports --------------------------------------------------------------------------
def test_soqf_markdown(review: Cli, tmp_path: Path) -> None:
    judge_access(review)
    out = tmp_path / "soqf.md"
    assert ok(review, "export", "soqf", "--out", out) == (
        f"wrote {out} (1 finding; 2 themes not assessed left out)\n"
    )
    assert out.read_text(encoding="utf-8") == (
        "# Summary of Qualitative Findings\n\n"
        "| # | Summarised review finding | GRADE-CERQual assessment of confidence "
        "| Explanation of GRADE-CERQual assessment | References |\n"
        "| ---: | --- | --- | --- | --- |\n"
        "| 1 | **Access**<br>Long waits \\| kept people from care. | Moderate confidence "
        "| moderate concerns about adequacy | Zed 2020; Adams 2019 |\n"
    )


def test_evidence_profile_markdown(review: Cli, tmp_path: Path) -> None:
    judge_access(review)
    ok(review, "cerqual", "set", "Kindness", "--relevance", "serious")
    out = tmp_path / "profile.md"
    assert ok(review, "export", "evidence-profile", "--out", out) == (
        f"wrote {out} (2 findings; 1 theme not assessed left out)\n"
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[2] == (
        "| # | Summarised review finding | Studies contributing to the review finding "
        "| Methodological limitations | Coherence | Adequacy | Relevance "
        "| GRADE-CERQual assessment of confidence | Explanation of GRADE-CERQual assessment |"
    )
    assert lines[4] == (
        "| 1 | **Access**<br>Long waits \\| kept people from care. | Zed 2020; Adams 2019 "
        "| **Minor concerns**<br>two studies did not say how they sampled "
        "| **No or very minor concerns** "
        "| **Moderate concerns**<br>thin data<br>in both studies "
        "| **No or very minor concerns**<br>both in the setting of the review "
        "| Moderate confidence | moderate concerns about adequacy |"
    )
    assert lines[5] == (
        "| 2 | **Care > Kindness** | Zed 2020; Berg 2021 | Not assessed | Not assessed "
        "| Not assessed | **Serious concerns** | Not assessed |  |"
    )
    assert len(lines) == 6


def test_soqf_word_and_workbook(review: Cli, tmp_path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from openpyxl import load_workbook

    judge_access(review)
    ok(review, "export", "soqf", "--out", tmp_path / "soqf.docx")
    document = Document(str(tmp_path / "soqf.docx"))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells][1:3] == [
        "Summarised review finding",
        "GRADE-CERQual assessment of confidence",
    ]
    assert table.rows[1].cells[1].text == "Access\nLong waits | kept people from care."
    ok(review, "export", "evidence-profile", "--out", tmp_path / "profile.xlsx")
    sheet = load_workbook(tmp_path / "profile.xlsx").active
    assert sheet["D1"].value == "Methodological limitations" and sheet["D1"].font.b
    assert sheet["D2"].value == "Minor concerns\ntwo studies did not say how they sampled"
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:I2")


def test_export_refusals_are_one_line(review: Cli, tmp_path: Path) -> None:
    assert "no theme has a CERQual assessment yet" in refused(
        review, "export", "soqf", "--out", tmp_path / "soqf.md"
    )
    judge_access(review)
    assert "use .md, .docx or .xlsx" in refused(
        review, "export", "evidence-profile", "--out", tmp_path / "profile.csv"
    )
    assert "does not exist" in refused(
        review, "export", "soqf", "--out", tmp_path / "nowhere" / "soqf.md"
    )
    assert list(tmp_path.glob("*.md")) == []


# -- a team on PostgreSQL ----------------------------------------------------------------------
@pytest.fixture
def team(pg_project: Project, coded_project: CodedProject) -> Iterator[dict[str, str]]:
    from tests.project import test_team

    fixture = test_team.team.__wrapped__(pg_project, coded_project)  # type: ignore[attr-defined]
    urls = next(fixture)
    yield urls
    next(fixture, None)


@pg_only
def test_a_coders_judgement_is_refused_by_the_server_a_leads_is_not(
    team: dict[str, str],
) -> None:
    from tests.project.test_team import NAMES

    lead, coder = Cli(team["lead"]), Cli(team["coder"])  # type: ignore[arg-type]
    ok(lead, "theme", "add", "Access")
    stderr = refused(coder, "cerqual", "set", "Access", "--coherence", "minor")
    assert f"'{NAMES['coder']}' is a coder on this project" in stderr
    assert "cerqual.set needs the lead role (refused by the server:" in stderr
    assert ok(lead, "cerqual", "set", "Access", "--coherence", "minor") == (
        "CERQual assessment of theme Access: coherence minor\n"
    )
    shown = json.loads(ok(coder, "cerqual", "show", "Access", "--json"))  # a coder reads it
    assert shown[0]["components"]["coherence"]["level"] == "minor"
