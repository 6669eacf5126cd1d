"""backup: the project as one SQLite project file, from either engine."""

from __future__ import annotations

from pathlib import Path

import click

from cen_themes.cli.app import State, cli, pass_state


@cli.command()
@click.argument("file", type=click.Path(path_type=Path), metavar="FILE.db")
@pass_state
def backup(state: State, file: Path) -> None:
    """An online, consistent copy of the project as a project file (from either engine);
    others may go on working meanwhile."""
    from cen_themes.services import transfer

    click.echo(transfer.backup(state.project(), file))
