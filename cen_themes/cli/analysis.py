"""excerpts, export, log, undo."""

from __future__ import annotations

from pathlib import Path

import click

from cen_themes.cli.app import (
    EXPORTS,
    LazyGroup,
    State,
    cli,
    emit_json,
    note,
    pass_state,
    write_stdout,
)
from cen_themes.cli.codes import CODER_HELP
from cen_themes.cli.tables import text_table
from cen_themes.services import analysis, exports, history


@cli.command()
@click.option("--code", "code_path", metavar="CODE", help="Excerpts coded with CODE.")
@click.option("--theme", "theme_path", metavar="THEME", help="Excerpts THEME brings.")
@click.option("--source", metavar="SOURCE", help="Excerpts of SOURCE.")
@click.option("--coder", metavar="NAME", help="Excerpts coded by NAME (only their codings).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def excerpts(
    state: State,
    code_path: str | None,
    theme_path: str | None,
    source: str | None,
    coder: str | None,
    as_json: bool,
) -> None:
    """Excerpts with their text, by code, theme, source or coder."""
    found = analysis.find_excerpts(
        state.project(), code=code_path, theme=theme_path, source=source, coder=coder
    )
    if as_json:
        emit_json(
            [
                {
                    "source": e.source,
                    "start": e.start,
                    "end": e.end,
                    "text": e.text,
                    "codes": e.codes,
                    "coders": e.coders,
                    "memo": e.memo,
                }
                for e in found
            ]
        )
        return
    if not found:
        note("no excerpts match")
        return
    out = []
    for e in found:
        out.append(f"{e.source} {e.start}-{e.end}  [{'; '.join(e.codes)}]  ({', '.join(e.coders)})")
        out.append(f"  “{e.text}”")
        if e.memo:
            out.append(f"  memo: {e.memo}")
    write_stdout("\n".join(out) + "\n")


@cli.group(cls=LazyGroup, table=EXPORTS)
def export() -> None:
    """Write the matrix, the quotes report, the codebook or the project to a file."""


@export.command("matrix")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .csv .xlsx .md .html")  # fmt: skip
@click.option("--rows", type=click.Choice(["themes", "codes"]), default="themes",
              help="Themes (rolled up) or codes (their own excerpts) as rows.")  # fmt: skip
@click.option("--cells", type=click.Choice(["count", "presence", "quotes"]), default="count",
              help="Distinct excerpts, 1/0, or the excerpt texts.")  # fmt: skip
@click.option("--group-by", metavar="ATTR", help="Group the source columns by an attribute.")
@click.option("--transpose", is_flag=True, help="Sources as rows, themes or codes as columns.")
@click.option("--as-of", "as_of", metavar="DATE",
              help="As it stood then (ISO 8601; UTC unless a zone is given; a date alone is "
              "the moment it begins), rebuilt from the audit trail.")  # fmt: skip
@pass_state
def export_matrix(
    state: State,
    out: Path,
    rows: str,
    cells: str,
    group_by: str | None,
    transpose: bool,
    as_of: str | None,
) -> None:
    """The theme-by-source (or code-by-source) matrix."""
    click.echo(
        exports.export_matrix(
            state.project(),
            out,
            rows,  # type: ignore[arg-type]
            cells=cells,  # type: ignore[arg-type]
            group_by=group_by,
            transpose=transpose,
            as_of=as_of,
        )
    )


@export.command("excerpts")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .csv (UTF-8 with BOM) .xlsx")  # fmt: skip
@click.option("--code", "code_path", metavar="CODE", help="The codings of CODE.")
@click.option("--theme", "theme_path", metavar="THEME",
              help="The codings of the codes THEME brings.")  # fmt: skip
@click.option("--source", metavar="SOURCE", help="The codings in SOURCE.")
@click.option("--coder", metavar="NAME", help="The codings NAME made.")
@pass_state
def export_excerpts(
    state: State,
    out: Path,
    code_path: str | None,
    theme_path: str | None,
    source: str | None,
    coder: str | None,
) -> None:
    """One row per coding (source, start, end, text, code, coder, memo, when, and the
    source's attributes), for R, Excel or SPSS."""
    click.echo(
        exports.export_excerpts(
            state.project(), out, code=code_path, theme=theme_path, source=source, coder=coder
        )
    )


@export.command("quotes")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .md .docx .html")  # fmt: skip
@click.option("--limit", type=click.IntRange(min=1), help="At most this many excerpts per theme.")
@pass_state
def export_quotes(state: State, out: Path, limit: int | None) -> None:
    """A report per theme and subtheme: its codes and illustrative excerpts."""
    click.echo(exports.export_quotes(state.project(), out, limit=limit))


@export.command("codebook")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .csv .md, or .qdc (REFI-QDA)")  # fmt: skip
@pass_state
def export_codebook(state: State, out: Path) -> None:
    """The codebook with descriptions, colours, counts and themes."""
    click.echo(exports.export_codebook(state.project(), out))


@export.command("qdpx")
@click.argument("file", required=False, type=click.Path(path_type=Path), metavar="FILE")
@click.option("--out", "out", type=click.Path(path_type=Path), metavar="FILE",
              help="The same as FILE, as the other exports name it.")  # fmt: skip
@pass_state
def export_qdpx(state: State, file: Path | None, out: Path | None) -> None:
    """The whole project as REFI-QDA (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    if (file is None) == (out is None):
        raise click.UsageError("name the file to write once: export qdpx FILE.qdpx")
    target = file or out
    assert target is not None
    click.echo(exports.export_qdpx(state.project(), target))


@cli.command("log")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the last N changes.")
@pass_state
def log_(state: State, as_json: bool, limit: int | None) -> None:
    """The audit trail: every change, who made it and when."""
    events = history.log(state.project(), limit)
    if as_json:
        emit_json(
            [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "summary": e.summary,
                    "coder": e.coder,
                    "time": e.time.isoformat(),
                    "undone": e.undone_by is not None,
                }
                for e in events
            ]
        )
        return
    rows = [
        (
            str(e.id),
            e.time.strftime("%Y-%m-%d %H:%M:%S"),
            e.coder,
            e.summary + (f"  (undone by #{e.undone_by})" if e.undone_by else ""),
        )
        for e in events
    ]
    if rows:
        write_stdout(text_table(("#", "time (UTC)", "coder", "change"), rows))
    else:
        note("no changes yet")


@cli.command()
@click.option("--coder", help=CODER_HELP)
@click.option(
    "--event",
    "event_id",
    type=click.IntRange(min=1),
    help="Undo this change (its # in `log`) instead of the last; refused while later "
    "changes build on it.",
)
@pass_state
def undo(state: State, coder: str | None, event_id: int | None) -> None:
    """Undo the last change (repeat to go further back; on a team's PostgreSQL project,
    your own last change); the undo is logged."""
    event = history.undo(state.project(), coder=state.coder(coder), event_id=event_id)
    click.echo(f"undid #{event.id}: {event.summary}")


@export.command("cooccurrence")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write: .csv .xlsx .md .html")  # fmt: skip
@click.option("--rows", type=click.Choice(["codes", "themes"]), default="codes",
              help="Codes (their own excerpts) or themes (rolled up), each by each.")  # fmt: skip
@pass_state
def export_cooccurrence(state: State, out: Path, rows: str) -> None:
    """Code-by-code (or theme-by-theme) co-occurrence.

    Two excerpts of a source co-occur when they overlap (share a character) or share a
    segment (each overlaps one same sentence of a speaker turn); an excerpt co-occurs
    with itself. Cell (X, Y) counts the distinct pairs of co-occurring excerpts in
    which one carries X and the other Y (one excerpt carrying both is a pair with
    itself); each pair counts once, so the matrix is symmetric. The diagonal counts the
    excerpts of X. A theme carries the excerpts of its codes and of its subthemes'.
    """
    click.echo(exports.export_cooccurrence(state.project(), out, rows))  # type: ignore[arg-type]
