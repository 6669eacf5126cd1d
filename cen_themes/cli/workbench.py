"""tui: the coding workbench in the terminal (`demo` opens it too)."""

from __future__ import annotations

import click

from cen_themes.cli.app import State, cli, pass_state


@cli.command()
@click.option("--coder", help="Who codes (default: $CEN_THEMES_CODER, else the OS user name).")
@pass_state
def tui(state: State, coder: str | None) -> None:
    """The coding workbench in the terminal: sources, reader, codebook, themes, matrix."""
    from cen_themes.tui import run_tui  # imports Textual: only for this command

    run_tui(state.project(), state.coder(coder))
