"""The tables a synthesis publishes: from its sources' attributes, the characteristics of
the included studies and the evidence map; from its coding, saturation.

In a meta-synthesis the sources are the included studies and their attributes the
extraction form (country, year, design, participants). An attribute may hold several
values separated by "; " (design=``RCT; qualitative``): the evidence map counts the
source under each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select

from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Attribute, Coding, Source, ThemeRollup
from cen_themes.results.synthesis import EvidenceMap, SaturationPoint, StudyTable
from cen_themes.wording import did_you_mean, plural

SEPARATOR = ";"  # between the values of one attribute
NOT_GIVEN = "(not given)"  # the row or column of sources without the attribute


def attribute_keys(project: Project) -> list[str]:
    """Every attribute some source has, in the order it was first given to a source."""
    with project.read() as session:
        return list(
            session.scalars(
                select(Attribute.key).group_by(Attribute.key).order_by(func.min(Attribute.id))
            )
        )


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
    keys = attribute_keys(project)
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


def saturation(project: Project, by: str = "source") -> list[SaturationPoint]:
    """New codes per source, the sources in the order they were first coded (the time
    of their earliest coding; import order between equal times): a code is new in the
    first source where it is applied, and ``total_codes`` counts the codes met so far.

    ``by="theme"``: the same series for each theme (tree order), counting only the
    codes the theme brings (its own and its subthemes'); every theme runs over every
    coded source, so the series share their steps.
    """
    if by not in ("source", "theme"):
        raise InputError(f"saturation is by source or by theme, not '{by}'")
    from cen_themes.services.themes import theme_tree

    with project.read() as session:
        first = session.execute(
            select(Coding.source_id, func.min(Coding.created_at)).group_by(Coding.source_id)
        ).all()
        names = dict(session.execute(select(Source.id, Source.name)).all())
        order = [source_id for source_id, _t in sorted(first, key=lambda r: (r[1], r[0]))]
        applied: dict[int, set[int]] = {}
        for source_id, code_id in session.execute(
            select(Coding.source_id, Coding.code_id).distinct()
        ):
            applied.setdefault(source_id, set()).add(code_id)
        series: list[tuple[str | None, set[int] | None]] = [(None, None)]
        if by == "theme":
            brings: dict[int, set[int]] = {}
            for theme_id, code_id in session.execute(
                select(ThemeRollup.theme_id, ThemeRollup.code_id)
            ):
                brings.setdefault(theme_id, set()).add(code_id)
            tree = theme_tree(session)
            series = [(tree.path(t), brings.get(t, set())) for t in tree.ordered()]
    points: list[SaturationPoint] = []
    for theme, codes in series:
        seen: set[int] = set()
        for step, source_id in enumerate(order, start=1):
            here = applied[source_id] if codes is None else applied[source_id] & codes
            new = here - seen
            seen |= new
            points.append(SaturationPoint(names[source_id], step, len(new), len(seen), theme))
    return points


NAMED_STEPS = 30  # up to this many sources, the chart names each under its step


def plot_saturation(points: list[SaturationPoint], out: Path) -> str:
    """A line chart of the codes met so far against the sources coded, as PNG: one
    line, or one per theme."""
    from cen_themes.exporters.files import check_target, write_atomically

    check_target(out, (".png",), "a saturation chart")
    if not points:
        raise InputError("nothing is coded yet: there is no saturation to plot")
    import io

    import matplotlib

    matplotlib.use("Agg")  # no display: draw to a file
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    figure, axes = pyplot.subplots(figsize=(8, 4.5), dpi=150)
    try:
        lines: dict[str | None, list[SaturationPoint]] = {}
        for point in points:
            lines.setdefault(point.theme, []).append(point)
        for theme, line in lines.items():
            axes.plot(
                [p.order for p in line],
                [p.total_codes for p in line],
                marker="o",
                markersize=3,
                label=theme,
            )
        axes.set_xlabel("sources, in the order first coded")
        axes.set_ylabel("codes met so far")
        axes.set_title("Saturation" + (" by theme" if points[0].theme is not None else ""))
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        first_line = next(iter(lines.values()))
        if len(first_line) <= NAMED_STEPS:  # few sources: name them under their step
            axes.set_xticks(
                [p.order for p in first_line],
                [p.source for p in first_line],
                rotation=45,
                ha="right",
                fontsize="small",
            )
        else:
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
        if points[0].theme is not None:
            axes.legend(fontsize="small", loc="lower right")
        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png")
    finally:
        pyplot.close(figure)
    write_atomically(out, buffer.getvalue())
    steps = len({p.order for p in points})
    return f"wrote {out} ({plural(steps, 'source')})"
