"""theme ...: themes and subthemes, and the codes they roll up."""

from __future__ import annotations

import click

from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.cli.codes import CODER_HELP
from cen_themes.cli.tables import text_table
from cen_themes.services import themes


@cli.group()
def theme() -> None:
    """Themes and subthemes ('Theme > Subtheme') and the codes they bring."""


@theme.command("add")
@click.argument("name")
@click.option("--parent", metavar="THEME", help="Make it a subtheme of THEME.")
@click.option("--description", default="", help="What the theme says.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def theme_add(
    state: State, name: str, parent: str | None, description: str, coder: str | None
) -> None:
    """Add a theme, or a subtheme with --parent."""
    change = themes.add_theme(
        state.project(), name, coder=state.coder(coder), parent=parent, description=description
    )
    click.echo(change.summary)


@theme.command("assign")
@click.argument("theme_path", metavar="THEME")
@click.argument("codes", nargs=-1, required=True, metavar="CODE...")
@click.option("--coder", help=CODER_HELP)
@pass_state
def theme_assign(state: State, theme_path: str, codes: tuple[str, ...], coder: str | None) -> None:
    """Assign codes to a theme (a code may serve several themes)."""
    change = themes.assign_codes(state.project(), theme_path, list(codes), coder=state.coder(coder))
    click.echo(change.summary)


@theme.command("unassign")
@click.argument("theme_path", metavar="THEME")
@click.argument("codes", nargs=-1, required=True, metavar="CODE...")
@click.option("--coder", help=CODER_HELP)
@pass_state
def theme_unassign(
    state: State, theme_path: str, codes: tuple[str, ...], coder: str | None
) -> None:
    """Take codes out of a theme."""
    change = themes.unassign_codes(
        state.project(), theme_path, list(codes), coder=state.coder(coder)
    )
    click.echo(change.summary)


@theme.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def theme_list(state: State, as_json: bool) -> None:
    """Themes in tree order with their codes and rolled-up excerpt and source counts."""
    found = themes.list_themes(state.project())
    if as_json:
        emit_json(
            [
                {
                    "path": t.path,
                    "description": t.description,
                    "codes": t.codes,
                    "excerpts": t.excerpts,
                    "sources": t.sources,
                }
                for t in found
            ]
        )
        return
    if not found:
        note("no themes yet: cen-themes theme add NAME")
        return
    rows = [
        ("  " * t.depth + t.name, str(t.excerpts), str(t.sources), "; ".join(t.codes))
        for t in found
    ]
    write_stdout(text_table(("theme", "excerpts", "sources", "codes"), rows))


@theme.command("rename")
@click.argument("theme_path", metavar="THEME")
@click.argument("new_name")
@click.option("--coder", help=CODER_HELP)
@pass_state
def theme_rename(state: State, theme_path: str, new_name: str, coder: str | None) -> None:
    """Rename a theme."""
    change = themes.rename_theme(state.project(), theme_path, new_name, coder=state.coder(coder))
    click.echo(change.summary)


@theme.command("describe")
@click.argument("theme_path", metavar="THEME")
@click.argument("description")
@click.option("--coder", help=CODER_HELP)
@pass_state
def theme_describe(state: State, theme_path: str, description: str, coder: str | None) -> None:
    """Set a theme's description."""
    change = themes.describe_theme(
        state.project(), theme_path, description, coder=state.coder(coder)
    )
    click.echo(change.summary)


@theme.command("move")
@click.argument("theme_path", metavar="THEME")
@click.option("--to", "parent", metavar="PARENT", help="Make it a subtheme of PARENT.")
@click.option("--top", is_flag=True, help="Make it a top-level theme.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def theme_move(
    state: State, theme_path: str, parent: str | None, top: bool, coder: str | None
) -> None:
    """Nest a theme under another (--to) or bring it to the top (--top)."""
    if (parent is None) == (not top):
        raise click.UsageError("give exactly one of --to PARENT and --top")
    change = themes.move_theme(state.project(), theme_path, parent, coder=state.coder(coder))
    click.echo(change.summary)


@theme.command("delete")
@click.argument("theme_path", metavar="THEME")
@click.option("--force", is_flag=True, help="Delete its subthemes too.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def theme_delete(state: State, theme_path: str, force: bool, coder: str | None) -> None:
    """Delete a theme (its codes stay in the codebook)."""
    change = themes.delete_theme(state.project(), theme_path, coder=state.coder(coder), force=force)
    click.echo(change.summary)
