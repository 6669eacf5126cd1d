"""GRADE-CERQual: how much confidence each review finding (a theme) deserves.

A theme's assessment is its summary statement (the finding), four components
(methodological limitations, coherence, adequacy, relevance), each a level of concerns
(no or very minor, minor, moderate, serious) with an explanation, and the overall
confidence (high, moderate, low, very low) with its explanation. The contributing
studies are computed, never typed: the sources that hold excerpts of the theme (its
codes' and its subthemes' codes', as the roll-up keeps them), in import order.

:func:`set_assessment` changes only what it is given, as one change. An overall
confidence always needs its explanation (the approach asks for the reasons of every
overall judgement); a component's explanation may come later than its level (the
profile then shows the level alone), but never before it. The exports write the two
tables the GRADE-CERQual series publishes: the Summary of Qualitative Findings and the
evidence profile (:mod:`cen_themes.exporters.cerqual`), of the assessed themes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import exists, select, true
from sqlalchemy.orm import Session

from cen_themes.db import Project, retried
from cen_themes.errors import ConflictError, InputError
from cen_themes.models import CerqualAssessment, ExcerptTheme, Source, Theme, utcnow
from cen_themes.results import ThemeChange
from cen_themes.results.synthesis import (
    CERQUAL_COMPONENTS,
    CERQUAL_CONFIDENCES,
    CERQUAL_LEVELS,
    CERQUAL_TITLES,
    CerqualComponent,
    CerqualFinding,
)
from cen_themes.services.themes import theme_tree
from cen_themes.wording import plural

KIND = "cerqual.set"
# The columns a change may set (the finding, each component's pair, the confidence's).
_FIELDS = (
    "finding",
    *(f"{c}_{part}" for c in CERQUAL_COMPONENTS for part in ("level", "explanation")),
    "confidence",
    "confidence_explanation",
)


def _level(component: str, value: str) -> str:
    if component not in CERQUAL_COMPONENTS:
        raise InputError(
            f"'{component}' is not a GRADE-CERQual component; the components are "
            f"{', '.join(CERQUAL_COMPONENTS)}"
        )
    level = value.strip().lower()
    if level not in CERQUAL_LEVELS:
        raise InputError(
            f"{component}: '{value}' is not a level of concerns; choose "
            f"{', '.join(CERQUAL_LEVELS[:-1])} or {CERQUAL_LEVELS[-1]}"
        )
    return level


def _confidence(value: str) -> str:
    confidence = "-".join(value.strip().lower().split())
    if confidence not in CERQUAL_CONFIDENCES:
        raise InputError(
            f"confidence '{value}': choose {', '.join(CERQUAL_CONFIDENCES[:-1])} "
            f"or {CERQUAL_CONFIDENCES[-1]}"
        )
    return confidence


@retried
def set_assessment(
    project: Project,
    theme: str,
    *,
    coder: str,
    finding: str | None = None,
    levels: dict[str, str] | None = None,
    explanations: dict[str, str] | None = None,
    confidence: str | None = None,
    confidence_explanation: str | None = None,
) -> ThemeChange:
    """Set parts of a theme's assessment: the finding, components' levels
    (``levels``, by component) and explanations (``explanations``), the confidence
    with its explanation. What is not given stays as it was. Nothing is written when
    anything given is wrong, nor when nothing would change."""
    levels = {c: _level(c, v) for c, v in (levels or {}).items()}
    explanations = {c: v.strip() for c, v in (explanations or {}).items()}
    for component in explanations:
        _level(component, "no")  # the component's name only
    if confidence is not None:
        confidence = _confidence(confidence)
    why = confidence_explanation.strip() if confidence_explanation is not None else None
    if (
        finding is None
        and not levels
        and not explanations
        and confidence is None
        and confidence_explanation is None
    ):
        raise InputError(
            f"theme '{theme}': nothing to set; give the finding, a component's level or "
            "explanation, or the confidence with its explanation"
        )
    if confidence is not None and not why:
        raise InputError(
            f"theme '{theme}': the confidence '{confidence}' needs its explanation "
            "(--confidence-why): GRADE-CERQual asks for the reasons of every overall "
            "judgement"
        )
    with project.change(KIND, coder) as ch:
        node = ch.themes.find(theme)
        path = ch.themes.path(node)
        table = CerqualAssessment.__table__
        row = ch.session.execute(select(table).where(table.c.theme_id == node)).mappings().first()
        before: dict[str, Any] = (
            {name: row[name] for name in _FIELDS}
            if row is not None
            else {name: None if _is_level(name) else "" for name in _FIELDS}
        )
        after = dict(before)
        if finding is not None:
            after["finding"] = finding.strip()
        for component, level in levels.items():
            after[f"{component}_level"] = level
        for component, text in explanations.items():
            if after[f"{component}_level"] is None:
                raise InputError(
                    f"theme '{path}': {CERQUAL_TITLES[component].lower()} has no level yet "
                    f"to explain; give --{component} LEVEL with --{component}-why"
                )
            after[f"{component}_explanation"] = text
        if confidence is not None:
            after["confidence"] = confidence
        if why is not None:
            if after["confidence"] is None:
                raise InputError(
                    f"theme '{path}': no confidence yet to explain; give --confidence "
                    "with --confidence-why"
                )
            if not why:
                raise InputError(
                    f"theme '{path}': the confidence '{after['confidence']}' needs its "
                    "explanation; an empty one cannot replace it"
                )
            after["confidence_explanation"] = why
        changed = {name: value for name, value in after.items() if value != before[name]}
        if not changed:
            return ThemeChange(f"{path}: no change to its CERQual assessment", path)
        stamp = {"updated_at": utcnow(), "updated_by": coder}
        if row is None:
            if ch.try_add(CerqualAssessment(theme_id=node, **after, **stamp)) is not None:
                # another lead assessed the theme first: run again, on their row
                raise ConflictError(f"theme '{path}' was assessed by someone else meanwhile")
        else:
            ch.update(table.name, table.c.id == row["id"], {**changed, **stamp})
        ch.summary = f"CERQual assessment of theme {path}: {_described(changed)}"
        return ThemeChange(ch.summary, path)


def _is_level(name: str) -> bool:
    return name.endswith("_level") or name == "confidence"


def _described(changed: dict[str, Any]) -> str:
    """What a change set, in words: "finding, coherence minor, confidence low"."""
    said = []
    if "finding" in changed:
        said.append("finding")
    for component in CERQUAL_COMPONENTS:
        level = changed.get(f"{component}_level")
        if level is not None:
            said.append(f"{CERQUAL_TITLES[component].lower()} {level}")
        elif f"{component}_explanation" in changed:
            said.append(f"{CERQUAL_TITLES[component].lower()} explained")
    if changed.get("confidence") is not None:
        said.append(f"confidence {changed['confidence']}")
    elif "confidence_explanation" in changed:
        said.append("confidence explained")
    return ", ".join(said)


def assessments(project: Project, theme: str | None = None) -> list[CerqualFinding]:
    """Every theme (or one) in tree order as a finding, assessed or not, with its
    contributing sources."""
    with project.read() as session:
        return findings(session, theme)


def findings(session: Session, theme: str | None = None) -> list[CerqualFinding]:
    tree = theme_tree(session)
    nodes = [tree.find(theme)] if theme is not None else list(tree.ordered())
    table = CerqualAssessment.__table__
    query = select(table)
    if theme is not None:
        query = query.where(table.c.theme_id == nodes[0])
    rows = {row["theme_id"]: row for row in session.execute(query).mappings()}
    sources = contributing_sources(session, nodes if theme is not None else None)
    found = []
    for node in nodes:
        row = rows.get(node)
        components = {
            c: CerqualComponent(
                row[f"{c}_level"] if row else None, row[f"{c}_explanation"] if row else ""
            )
            for c in CERQUAL_COMPONENTS
        }
        found.append(
            CerqualFinding(
                id=node,
                theme=tree.path(node),
                depth=tree.depth(node),
                assessed=row is not None,
                finding=row["finding"] if row else "",
                components=components,
                confidence=row["confidence"] if row else None,
                explanation=row["confidence_explanation"] if row else "",
                sources=sources.get(node, []),
                updated_at=row["updated_at"] if row else None,
                updated_by=row["updated_by"] if row else None,
            )
        )
    return found


def contributing_sources(session: Session, themes: list[int] | None = None) -> dict[int, list[str]]:
    """Each theme's contributing sources (those holding any excerpt it brings), by
    theme id, in import order: one look-up in the roll-up's key per theme and source,
    however many excerpts there are."""
    query = (
        select(Theme.id, Source.name)
        .join(Source, true())  # every pair, each looked up once
        .where(
            exists().where(ExcerptTheme.theme_id == Theme.id, ExcerptTheme.source_id == Source.id)
        )
        .order_by(Source.id)
    )
    if themes is not None:
        query = query.where(Theme.id.in_(themes))
    found: dict[int, list[str]] = {}
    for theme_id, name in session.execute(query):
        found.setdefault(theme_id, []).append(name)
    return found


def export_soqf(project: Project, out: Path) -> str:
    """The Summary of Qualitative Findings table: .md, .docx or .xlsx."""
    return _export(project, out, "soqf", "a Summary of Qualitative Findings table")


def export_evidence_profile(project: Project, out: Path) -> str:
    """The GRADE-CERQual evidence profile: .md, .docx or .xlsx."""
    return _export(project, out, "profile", "a GRADE-CERQual evidence profile")


def _export(project: Project, out: Path, which: str, what: str) -> str:
    from cen_themes.exporters.cerqual import (
        CERQUAL_FORMATS,
        evidence_profile,
        summary_of_findings,
        write_table,
    )
    from cen_themes.exporters.files import check_target

    check_target(out, CERQUAL_FORMATS, what)
    everything = assessments(project)
    assessed = [f for f in everything if f.assessed]
    if not assessed:
        raise InputError(
            f"{out}: no theme has a CERQual assessment yet (cerqual set THEME ...), so "
            f"there is no {what.removeprefix('a ')} to write"
        )
    table = summary_of_findings(assessed) if which == "soqf" else evidence_profile(assessed)
    write_table(table, out)
    left = len(everything) - len(assessed)
    return f"wrote {out} ({plural(len(assessed), 'finding')}" + (
        f"; {plural(left, 'theme')} not assessed left out)" if left else ")"
    )
