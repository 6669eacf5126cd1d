"""code ...: coding and the codebook."""

from __future__ import annotations

from pathlib import Path

import click

from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.cli.tables import text_table
from cen_themes.services import codebook, coding

CODER_DEFAULT = "default: $CEN_THEMES_CODER, else the OS user name; on PostgreSQL the login"
CODER_HELP = f"Who codes ({CODER_DEFAULT})."


@cli.group()
def code() -> None:
    """Code excerpts and shape the codebook (a tree: 'Parent > Child')."""


NUMBERS_MAY_BE_NEGATIVE = {"ignore_unknown_options": True}


@code.command("apply", context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("source")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("code_path", metavar="CODE")
@click.option("--coder", help=CODER_HELP)
@click.option("--memo", help="A memo for the excerpt.")
@pass_state
def code_apply(
    state: State,
    source: str,
    start: int,
    end: int,
    code_path: str,
    coder: str | None,
    memo: str | None,
) -> None:
    """Code the span START..END (0-based code points, end exclusive) of SOURCE.

    A code path that does not exist yet is created.
    """
    result = coding.apply_code(
        state.project(), source, start, end, code_path, coder=state.coder(coder), memo=memo
    )
    view = result.excerpt
    for path in result.created_codes:
        note(f"created code {path}")
    what = "coded" if result.added else "already coded"
    click.echo(f"{what} {view.source} {view.start}-{view.end} with {code_path}: “{view.text}”")


@code.command("remove", context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("source")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("code_path", metavar="[CODE]", required=False)
@click.option("--coder", help=CODER_HELP)
@click.option("--by", help="Remove only this coder's coding (default: anyone's).")
@pass_state
def code_remove(
    state: State,
    source: str,
    start: int,
    end: int,
    code_path: str | None,
    coder: str | None,
    by: str | None,
) -> None:
    """Remove a code from the excerpt START..END (the only code there if none named)."""
    click.echo(
        coding.remove_coding(
            state.project(), source, start, end, code_path, coder=state.coder(coder), by=by
        )
    )


@code.command("memo", context_settings=NUMBERS_MAY_BE_NEGATIVE)
@click.argument("source")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("text")
@click.option("--coder", help=CODER_HELP)
@pass_state
def code_memo(
    state: State, source: str, start: int, end: int, text: str, coder: str | None
) -> None:
    """Write the memo of the excerpt START..END ('' clears it)."""
    click.echo(coding.set_memo(state.project(), source, start, end, text, coder=state.coder(coder)))


@code.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path), metavar="FILE.csv")
@click.option("--coder", help=f"The coder of rows without a coder column ({CODER_DEFAULT}).")
@pass_state
def code_import(state: State, csv_file: Path, coder: str | None) -> None:
    """Bulk-code from a CSV: source,start,end,code[,coder][,memo].

    A code written 'Parent > Child' is created in the tree. Any bad row leaves the
    project unchanged.
    """
    from cen_themes.services.coding_import import import_codings  # numpy: loaded when used

    result = import_codings(state.project(), csv_file, coder=state.coder(coder))
    click.echo(result.summary)


@code.command("add")
@click.argument("code_path", metavar="CODE")
@click.option("--description", default="", help="What the code means.")
@click.option("--color", "colour", help="#rrggbb, #rgb or a colour name.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def code_add(
    state: State, code_path: str, description: str, colour: str | None, coder: str | None
) -> None:
    """Create a code (and any missing parents of its path)."""
    change = codebook.create_code(
        state.project(), code_path, coder=state.coder(coder), description=description,
        colour=colour,
    )  # fmt: skip
    click.echo(change.summary)


@code.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def code_list(state: State, as_json: bool) -> None:
    """The codebook in tree order, with excerpt and source counts."""
    codes = codebook.list_codes(state.project())
    if as_json:
        emit_json(
            [
                {
                    "path": c.path,
                    "name": c.name,
                    "description": c.description,
                    "color": c.color,
                    "excerpts": c.excerpts,
                    "sources": c.sources,
                }
                for c in codes
            ]
        )
        return
    if not codes:
        note("no codes yet: cen-themes code apply SOURCE START END CODE")
        return
    rows = [
        ("  " * c.depth + c.name, str(c.excerpts), str(c.sources), c.color, c.description)
        for c in codes
    ]
    write_stdout(text_table(("code", "excerpts", "sources", "color", "description"), rows))


@code.command("rename")
@click.argument("code_path", metavar="CODE")
@click.argument("new_name")
@click.option("--coder", help=CODER_HELP)
@pass_state
def code_rename(state: State, code_path: str, new_name: str, coder: str | None) -> None:
    """Rename a code (its place in the tree stays)."""
    click.echo(
        codebook.rename_code(state.project(), code_path, new_name, coder=state.coder(coder)).summary
    )


@code.command("describe")
@click.argument("code_path", metavar="CODE")
@click.argument("description")
@click.option("--coder", help=CODER_HELP)
@pass_state
def code_describe(state: State, code_path: str, description: str, coder: str | None) -> None:
    """Set a code's description."""
    change = codebook.describe_code(
        state.project(), code_path, description, coder=state.coder(coder)
    )
    click.echo(change.summary)


@code.command("color")
@click.argument("code_path", metavar="CODE")
@click.argument("colour", metavar="COLOR")
@click.option("--coder", help=CODER_HELP)
@pass_state
def code_color(state: State, code_path: str, colour: str, coder: str | None) -> None:
    """Set a code's colour: #rrggbb, #rgb or a name (red, teal, ...)."""
    change = codebook.colour_code(state.project(), code_path, colour, coder=state.coder(coder))
    click.echo(change.summary)


@code.command("move")
@click.argument("code_path", metavar="CODE")
@click.option("--to", "parent", metavar="PARENT", help="The new parent code.")
@click.option("--top", is_flag=True, help="Move to the top level.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def code_move(
    state: State, code_path: str, parent: str | None, top: bool, coder: str | None
) -> None:
    """Move a code with its children under another code (--to) or to the top (--top)."""
    if (parent is None) == (not top):
        raise click.UsageError("give exactly one of --to PARENT and --top")
    change = codebook.move_code(state.project(), code_path, parent, coder=state.coder(coder))
    click.echo(change.summary)


@code.command("delete")
@click.argument("code_path", metavar="CODE")
@click.option("--force", is_flag=True, help="Delete even if in use, with its codings.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def code_delete(state: State, code_path: str, force: bool, coder: str | None) -> None:
    """Delete a code and its children (refused while in use unless --force)."""
    change = codebook.delete_code(state.project(), code_path, coder=state.coder(coder), force=force)
    click.echo(change.summary)


@code.command("merge")
@click.argument("codes", nargs=-1, required=True, metavar="CODE...")
@click.option("--into", required=True, metavar="CODE", help="The code that remains.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def code_merge(state: State, codes: tuple[str, ...], into: str, coder: str | None) -> None:
    """Merge codes into one: excerpts re-pointed, duplicates dropped, memos kept."""
    change = codebook.merge_codes(state.project(), list(codes), into, coder=state.coder(coder))
    click.echo(change.summary)
