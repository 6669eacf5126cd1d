"""A synthesis's tables: study characteristics, the evidence map, saturation."""

from __future__ import annotations

from pathlib import Path

import click

from cen_themes.cli.analysis import export
from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.cli.tables import text_table
from cen_themes.results.synthesis import SaturationPoint
from cen_themes.services import synthesis


@export.command("characteristics")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .csv .xlsx .md .docx")  # fmt: skip
@click.option("--attrs", metavar="A,B,...",
              help="These attributes, in this order (default: all, as first given).")  # fmt: skip
@pass_state
def export_characteristics(state: State, out: Path, attrs: str | None) -> None:
    """The characteristics of the included studies: one row per source, its attributes
    as columns. Numbers stay numbers in the workbook; the Word table is landscape."""
    chosen = attrs.split(",") if attrs is not None else None
    click.echo(synthesis.export_characteristics(state.project(), out, chosen))


@export.command("evidence-map")
@click.option("--rows", "rows", required=True, metavar="ATTR", help="The attribute down the side.")
@click.option("--cols", "cols", required=True, metavar="ATTR", help="The attribute across the top.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .csv .xlsx .md .docx")  # fmt: skip
@pass_state
def export_evidence_map(state: State, rows: str, cols: str, out: Path) -> None:
    """Sources counted per pair of values of two attributes (design by country), with
    totals. A source listing several values ('RCT; qualitative') counts under each."""
    click.echo(synthesis.export_evidence_map(state.project(), out, rows, cols))


@cli.command("saturation")
@click.option("--by", type=click.Choice(["source", "theme"]), default="source", show_default=True,
              help="One series over the sources, or one per theme (its codes only).")  # fmt: skip
@click.option("--plot", type=click.Path(path_type=Path), metavar="FILE.png",
              help="Also draw the codes met so far as a line chart.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def saturation_(state: State, by: str, plot: Path | None, as_json: bool) -> None:
    """New codes per source, the sources in the order they were first coded.

    When later sources bring few or no new codes, coding has stopped finding new
    ideas: the argument for saturation, with the numbers behind it.
    """
    points = synthesis.saturation(state.project(), by)
    if plot is not None:
        message = synthesis.plot_saturation(points, plot)
    if as_json:
        emit_json(
            [
                {
                    **({"theme": p.theme} if by == "theme" else {}),
                    "source": p.source,
                    "order": p.order,
                    "new_codes": p.new_codes,
                    "total_codes": p.total_codes,
                }
                for p in points
            ]
        )
    elif points:
        write_stdout(saturation_table(points, by == "theme"))
    else:
        note("nothing is coded yet")
    if plot is not None:
        note(message)


BAR = "█"


def saturation_table(points: list[SaturationPoint], by_theme: bool) -> str:
    """One line per step: the order, the source, new and total codes, and a bar of the
    new codes (the text chart)."""
    widest = max((p.new_codes for p in points), default=0) or 1
    scale = min(1.0, 30 / widest)
    header = (*(("theme",) if by_theme else ()), "#", "source", "new", "total", "")
    rows = [
        (
            *((p.theme or "",) if by_theme else ()),
            str(p.order),
            p.source,
            str(p.new_codes),
            str(p.total_codes),
            BAR * round(p.new_codes * scale),
        )
        for p in points
    ]
    return text_table(header, rows)
