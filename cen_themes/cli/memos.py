"""memo ...: notes on the project, a source, a code or a theme; every memo listed."""

from __future__ import annotations

import click

from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.cli.codes import CODER_HELP
from cen_themes.cli.tables import text_table
from cen_themes.services import memos


@cli.group()
def memo() -> None:
    """Memos: notes on the project, a source, a code, a theme (and excerpts' memos)."""


@memo.command("add")
@click.argument("text")
@click.option("--project", "on_project", is_flag=True, help="A memo on the whole project.")
@click.option("--source", metavar="SOURCE", help="A memo on SOURCE.")
@click.option("--code", "code_path", metavar="CODE", help="A memo on CODE.")
@click.option("--theme", "theme_path", metavar="THEME", help="A memo on THEME.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def memo_add(
    state: State,
    text: str,
    on_project: bool,
    source: str | None,
    code_path: str | None,
    theme_path: str | None,
    coder: str | None,
) -> None:
    """Write a memo on one target: --project, --source S, --code C or --theme T.

    An excerpt's memo is written with `cen-themes code memo SOURCE START END TEXT`."""
    given = [
        (on, target)
        for on, target in (
            ("project", "" if on_project else None),
            ("source", source),
            ("code", code_path),
            ("theme", theme_path),
        )
        if target is not None
    ]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --project, --source, --code or --theme")
    ((on, target),) = given
    written = memos.add_memo(
        state.project(),
        on,
        target or None,
        text,
        coder=state.coder(coder),  # type: ignore[arg-type]
    )
    where = "the project" if written.target is None else f"{written.on} {written.target}"
    click.echo(f"memo #{written.id} on {where}")


@memo.command("list")
@click.option(
    "--on",
    type=click.Choice(["project", "source", "code", "theme", "excerpt"]),
    help="Only the memos on this kind of target.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def memo_list(state: State, on: str | None, as_json: bool) -> None:
    """Every memo: on the project, sources, codes, themes and excerpts."""
    found = memos.list_memos(state.project(), on)  # type: ignore[arg-type]
    if as_json:
        emit_json(
            [
                {
                    "id": m.id,
                    "on": m.on,
                    "target": m.target,
                    "text": m.text,
                    "author": m.author,
                    "time": m.time.isoformat() if m.time else None,
                }
                for m in found
            ]
        )
        return
    if not found:
        note("no memos yet: cen-themes memo add --project TEXT")
        return
    rows = [
        (
            m.on,
            m.target or "",
            m.author or "?",
            m.time.strftime("%Y-%m-%d %H:%M") if m.time else "?",
            " ".join(m.text.split()),
        )
        for m in found
    ]
    write_stdout(text_table(("on", "target", "author", "time (UTC)", "memo"), rows))
