"""team add / remove / list: who may read, code or lead a PostgreSQL project."""

from __future__ import annotations

import click

from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.cli.tables import text_table


@cli.group()
def team() -> None:
    """The team of a PostgreSQL project: readers read and export; coders add codings,
    excerpts, memos and codes and change only their own; leads also restructure the
    codebook and themes and undo anyone's change. The server enforces it."""


@team.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["reader", "coder", "lead"]),
    required=True,
    help="What NAME may do.",
)
@pass_state
def team_add(state: State, name: str, role: str) -> None:
    """Give login NAME a role (replacing any other it has here), creating the login
    with a new password when the server has none of that name."""
    from cen_themes.services import team as team_service

    project = state.project()
    member, password = team_service.add(project, name, role, coder=state.coder())
    click.echo(f"{member.name} is a {member.role} on {project.display_name}")
    if password is not None:
        click.echo(f"new login {member.name}, password: {password}")
        note("give the password to them privately; they connect with a URL like")
        note(f"  postgresql+psycopg://{member.name}:PASSWORD@HOST:PORT/DATABASE")


@team.command("remove")
@click.argument("name")
@pass_state
def team_remove(state: State, name: str) -> None:
    """Take NAME's role on this project (the login and their work stay)."""
    from cen_themes.services import team as team_service

    member = team_service.remove(state.project(), name, coder=state.coder())
    click.echo(f"{member.name} is no longer a {member.role} on {state.project().display_name}")


@team.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def team_list(state: State, as_json: bool) -> None:
    """The owner and every member, with their role."""
    from cen_themes.services import team as team_service

    found = team_service.members(state.project())
    if as_json:
        emit_json([{"name": m.name, "role": m.role} for m in found])
        return
    write_stdout(text_table(("NAME", "ROLE"), [(m.name, m.role) for m in found]))
