"""cerqual set|show, export soqf|evidence-profile: GRADE-CERQual assessments of the
review findings (the themes) and the tables that publish them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cen_themes.cli.analysis import export
from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.cli.codes import CODER_HELP
from cen_themes.cli.tables import text_table
from cen_themes.results.synthesis import (
    CERQUAL_COMPONENTS,
    CERQUAL_CONFIDENCES,
    CERQUAL_LEVELS,
    CERQUAL_TITLES,
    CerqualFinding,
)
from cen_themes.services import cerqual as cerqual_service

# The key of each component in `cerqual show --json`.
JSON_KEYS = {
    "limitations": "methodological_limitations",
    "coherence": "coherence",
    "adequacy": "adequacy",
    "relevance": "relevance",
}


@cli.group()
def cerqual() -> None:
    """GRADE-CERQual: confidence in each review finding (a theme), judged on four
    components; the contributing studies are computed from the coding."""


def _component_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--COMPONENT LEVEL and --COMPONENT-why TEXT for each of the four components."""
    for component in reversed(CERQUAL_COMPONENTS):
        title = CERQUAL_TITLES[component].lower()
        command = click.option(
            f"--{component}-why",
            f"{component}_why",
            metavar="TEXT",
            help=f"Why that level of concerns about {title}.",
        )(command)
        command = click.option(
            f"--{component}",
            component,
            type=click.Choice(CERQUAL_LEVELS, case_sensitive=False),
            help=f"Concerns about {title}.",
        )(command)
    return command


@cerqual.command("set")
@click.argument("theme_path", metavar="THEME")
@click.option("--finding", metavar="TEXT", help="The summarised review finding.")
@_component_options
@click.option("--confidence", type=click.Choice(CERQUAL_CONFIDENCES, case_sensitive=False),
              help="The overall confidence in the finding (needs --confidence-why).")  # fmt: skip
@click.option("--confidence-why", "confidence_why", metavar="TEXT",
              help="Why that confidence (required with --confidence).")  # fmt: skip
@click.option("--coder", help=CODER_HELP)
@pass_state
def cerqual_set(
    state: State,
    theme_path: str,
    finding: str | None,
    confidence: str | None,
    confidence_why: str | None,
    coder: str | None,
    **given: str | None,
) -> None:
    """Set a theme's GRADE-CERQual assessment, or parts of it: what is not given stays
    as it was. Levels are no, minor, moderate or serious concerns."""
    levels = {c: given[c] for c in CERQUAL_COMPONENTS if given[c] is not None}
    whys = {c: given[f"{c}_why"] for c in CERQUAL_COMPONENTS if given[f"{c}_why"] is not None}
    change = cerqual_service.set_assessment(
        state.project(),
        theme_path,
        coder=state.coder(coder),
        finding=finding,
        levels=levels,  # type: ignore[arg-type]
        explanations=whys,  # type: ignore[arg-type]
        confidence=confidence,
        confidence_explanation=confidence_why,
    )
    click.echo(change.summary)


@cerqual.command("show")
@click.argument("theme_path", metavar="THEME", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def cerqual_show(state: State, theme_path: str | None, as_json: bool) -> None:
    """Each theme's assessment (or one theme's) with its contributing studies."""
    found = cerqual_service.assessments(state.project(), theme_path)
    if as_json:
        emit_json([as_json_object(f) for f in found])
        return
    if not found:
        note("no themes yet: cen-themes theme add NAME")
        return
    write_stdout("\n".join(show_text(f) for f in found))


def as_json_object(finding: CerqualFinding) -> dict[str, Any]:
    return {
        "theme": finding.theme,
        "finding": finding.finding,
        "components": {
            JSON_KEYS[c]: {
                "level": finding.components[c].level,
                "explanation": finding.components[c].explanation,
            }
            for c in CERQUAL_COMPONENTS
        },
        "confidence": finding.confidence,
        "explanation": finding.explanation,
        "sources": finding.sources,
    }


def show_text(finding: CerqualFinding) -> str:
    """One theme as a heading, its finding, and a table of its judgements."""
    studies = f"studies ({len(finding.sources)}): " + ("; ".join(finding.sources) or "none")
    if not finding.assessed:
        return f"{finding.theme}\n  not assessed  ·  {studies}\n"
    rows = [
        (
            CERQUAL_TITLES[c].lower(),
            finding.components[c].level or "-",
            finding.components[c].explanation,
        )
        for c in CERQUAL_COMPONENTS
    ]
    rows.append(("confidence", finding.confidence or "-", finding.explanation))
    table = text_table(("component", "judgement", "explanation"), rows)
    lines = [finding.theme, f"  finding: {finding.finding or '-'}"]
    lines += [f"  {line}" for line in table.splitlines()]
    lines.append(f"  {studies}")
    return "\n".join(lines) + "\n"


@export.command("soqf")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .md .docx .xlsx")  # fmt: skip
@pass_state
def export_soqf(state: State, out: Path) -> None:
    """The GRADE-CERQual Summary of Qualitative Findings table: each assessed finding,
    its confidence, the explanation and the contributing studies."""
    click.echo(cerqual_service.export_soqf(state.project(), out))


@export.command("evidence-profile")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .md .docx .xlsx")  # fmt: skip
@pass_state
def export_evidence_profile(state: State, out: Path) -> None:
    """The GRADE-CERQual evidence profile: each assessed finding with its studies,
    the four components (level and why) and the overall assessment."""
    click.echo(cerqual_service.export_evidence_profile(state.project(), out))
