"""A synthesis's tables: study characteristics, the evidence map, saturation."""

from __future__ import annotations

from pathlib import Path

import click

from cen_themes.cli.analysis import export
from cen_themes.cli.app import State, pass_state
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
