"""The tables a synthesis publishes from its sources' attributes: the characteristics of
the included studies, and the evidence map.

In a meta-synthesis the sources are the included studies and their attributes the
extraction form (country, year, design, participants). An attribute may hold several
values separated by "; " (design=``RCT; qualitative``): the evidence map counts the
source under each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Attribute, Source
from cen_themes.results import EvidenceMap, StudyTable
from cen_themes.wording import did_you_mean, plural

SEPARATOR = ";"  # between the values of one attribute
NOT_GIVEN = "(not given)"  # the row or column of sources without the attribute


def characteristics(project: Project, attrs: Iterable[str] | None = None) -> StudyTable:
    """One row per source, in import order: its name, then the attributes ``attrs`` (in
    that order), else every attribute in the order it was first given to a source."""
    with project.read() as session:
        names = list(session.execute(select(Source.id, Source.name).order_by(Source.id)))
        rows = session.execute(
            select(Attribute.source_id, Attribute.key, Attribute.value).order_by(Attribute.id)
        ).all()
    values: dict[int, dict[str, str]] = {}
    known: dict[str, None] = {}
    for source_id, key, value in rows:
        values.setdefault(source_id, {})[key] = value
        known.setdefault(key)
    columns = _chosen(attrs, list(known)) if attrs is not None else list(known)
    return StudyTable(
        columns=["source", *columns],
        rows=[
            [name, *(values.get(source_id, {}).get(key, "") for key in columns)]
            for source_id, name in names
        ],
    )


def evidence_map(project: Project, rows: str, cols: str) -> EvidenceMap:
    """Sources counted per pair of values of two attributes, with each row's and
    column's number of sources and the number of sources in all.

    A source with several values ("RCT; qualitative") counts under each, so a row's
    cells can add up to more than its total; a source without the attribute counts
    under "(not given)". Values are ordered as numbers where they are numbers (years),
    else alphabetically, "(not given)" last.
    """
    rows, cols = rows.strip(), cols.strip()
    with project.read() as session:
        ids = list(session.scalars(select(Source.id).order_by(Source.id)))
        found = session.execute(
            select(Attribute.source_id, Attribute.key, Attribute.value).where(
                Attribute.key.in_([rows, cols])
            )
        ).all()
        keys = set(session.scalars(select(Attribute.key).distinct()))
    for key in (rows, cols):
        if key not in keys:
            raise NotFoundError(f"no source has an attribute '{key}'{did_you_mean(key, keys)}")
    given: dict[tuple[int, str], list[str]] = {}
    for source_id, key, value in found:
        given[(source_id, key)] = split_values(value)
    pairs: dict[tuple[str, str], int] = {}
    row_sources: dict[str, set[int]] = {}
    col_sources: dict[str, set[int]] = {}
    for source_id in ids:
        row_values = given.get((source_id, rows)) or [NOT_GIVEN]
        col_values = given.get((source_id, cols)) or [NOT_GIVEN]
        for r in row_values:
            row_sources.setdefault(r, set()).add(source_id)
            for c in col_values:
                pairs[(r, c)] = pairs.get((r, c), 0) + 1
        for c in col_values:
            col_sources.setdefault(c, set()).add(source_id)
    row_values = sorted(row_sources, key=value_order)
    col_values = sorted(col_sources, key=value_order)
    return EvidenceMap(
        rows_attr=rows,
        cols_attr=cols,
        row_values=row_values,
        col_values=col_values,
        counts=[[pairs.get((r, c), 0) for c in col_values] for r in row_values],
        row_totals=[len(row_sources[r]) for r in row_values],
        col_totals=[len(col_sources[c]) for c in col_values],
        total=len(ids),
    )


def split_values(value: str) -> list[str]:
    """The values an attribute lists, "; " between them, each once, blanks dropped."""
    return list(dict.fromkeys(part.strip() for part in value.split(SEPARATOR) if part.strip()))


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def value_order(value: str) -> tuple:
    """Numbers first, by value; then words, ignoring case; "(not given)" last."""
    if value == NOT_GIVEN:
        return (2, 0.0, "")
    if _NUMBER.fullmatch(value):
        return (0, float(value), value)
    return (1, 0.0, value.casefold())


def _chosen(attrs: Iterable[str], known: list[str]) -> list[str]:
    chosen = list(dict.fromkeys(a.strip() for a in attrs if a.strip()))
    if not chosen:
        raise InputError("--attrs names no attribute")
    for key in chosen:
        if key not in known:
            raise NotFoundError(f"no source has an attribute '{key}'{did_you_mean(key, known)}")
    return chosen


def export_characteristics(project: Project, out: Path, attrs: Iterable[str] | None = None) -> str:
    """The characteristics of the included studies: .csv, .xlsx, .md or .docx."""
    from cen_themes.exporters.files import check_target
    from cen_themes.exporters.tables import TABLE_FORMATS, Grid, write_grid

    check_target(out, TABLE_FORMATS, "study characteristics")
    table = characteristics(project, attrs)
    grid = Grid("Characteristics of included studies", table.columns, list(table.rows), [])
    write_grid(grid, out, "study characteristics")
    return (
        f"wrote {out} ({plural(len(table.rows), 'source')} x "
        f"{plural(len(table.columns) - 1, 'attribute')})"
    )


def export_evidence_map(project: Project, out: Path, rows: str, cols: str) -> str:
    """The evidence map of two attributes, with totals: .csv, .xlsx, .md or .docx."""
    from cen_themes.exporters.files import check_target
    from cen_themes.exporters.tables import TABLE_FORMATS, Grid, write_grid

    check_target(out, TABLE_FORMATS, "an evidence map")
    found = evidence_map(project, rows, cols)
    grid = Grid(
        f"Evidence map: {found.rows_attr} by {found.cols_attr}",
        [found.rows_attr, *found.col_values, "Total"],
        [
            [value, *counts, total]
            for value, counts, total in zip(
                found.row_values, found.counts, found.row_totals, strict=True
            )
        ]
        + [["Total", *found.col_totals, found.total]],
        [
            "Each cell counts the sources with both values. A source listing several "
            f"values ('a{SEPARATOR} b') counts under each, so cells may add up to more "
            "than the totals, which count each source once."
        ],
    )
    write_grid(grid, out, "an evidence map")
    return (
        f"wrote {out} ({plural(len(found.row_values), 'row')} x "
        f"{plural(len(found.col_values), 'column')}, {plural(found.total, 'source')})"
    )
