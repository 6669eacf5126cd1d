"""init, import, sources, show, attrs, demo."""

from __future__ import annotations

import contextlib
import csv
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from cen_themes import resources
from cen_themes.cli.app import (
    State,
    cli,
    emit_json,
    fail_line,
    note,
    parse_pairs,
    pass_state,
    write_stdout,
)
from cen_themes.cli.tables import text_table
from cen_themes.db import Project
from cen_themes.errors import CenThemesError
from cen_themes.importers import REFI_EXTENSIONS, SUPPORTED_EXTENSIONS
from cen_themes.migrate import head_revision
from cen_themes.services import attributes as attribute_service
from cen_themes.services import codebook
from cen_themes.services import sources as source_service
from cen_themes.services.sources import ImportOutcome, ImportReport
from cen_themes.wording import plural

DEMO_DB = "cen-themes-demo.db"


@cli.command()
@click.option("--from", "from_file", type=click.Path(path_type=Path), metavar="FILE.db",
              help="Load this project file into the (empty) PostgreSQL database.")  # fmt: skip
@pass_state
def init(state: State, from_file: Path | None) -> None:
    """Create the project database, or upgrade it to this version's schema."""
    project = state.project(create=True)
    if from_file is not None:
        from cen_themes.services import transfer

        click.echo(transfer.load_from(project, from_file))
        return
    if project.created:
        click.echo(f"created project {project.display_name}")
    elif project.backup_path is None and not project.notices:
        click.echo(f"project {project.display_name} is up to date (schema {head_revision()})")
    else:
        click.echo(f"project {project.display_name} is now at schema {head_revision()}")


def _in_folder(path: Path) -> list[Path]:
    """A folder's transcripts, by name (what else is there is named); a file
    or a path that is not there as it is (its import says what is wrong with it)."""
    try:
        if not path.is_dir():
            return [path]
    except OSError:  # a name too long, say: the import tells what is wrong with it
        return [path]
    entries = sorted(path.iterdir(), key=lambda p: p.name)
    found = [p for p in entries if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS]
    others = [f"{p.name}/" if p.is_dir() else p.name for p in entries if p not in found]
    others = [name for name in others if not name.startswith(".")]
    if not found:
        raise CenThemesError(
            f"{path}: a folder with no transcripts in it ({' '.join(sorted(SUPPORTED_EXTENSIONS))})"
        )
    if others:
        count = plural(len(found), "transcript")
        click.echo(f"{path}: importing its {count}; left out: {', '.join(others)}")
    return found


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--attr",
    "attrs",
    multiple=True,
    metavar="KEY=VALUE",
    help="An attribute for every imported source (repeatable).",
)
@click.option(
    "--kind", help="interview, focus group, study, ... (default: from the speakers found)."
)
@click.option(
    "--name", help="The source name (one file only; default: the file name without extension)."
)
@click.option(
    "--speaker-pattern",
    metavar="REGEX",
    help="A regex with a (?P<speaker>...) group matching a speaker label at a line start.",
)
@pass_state
def import_(
    state: State,
    files: tuple[str, ...],
    attrs: tuple[str, ...],
    kind: str | None,
    name: str | None,
    speaker_pattern: str | None,
) -> int:
    """Import transcripts (.txt .md .docx .odt .pdf .vtt .srt) and REFI-QDA projects
    (.qdpx .qde) or codebooks (.qdc) from NVivo, ATLAS.ti, MAXQDA, QualCoder...

    A folder imports the transcripts in it (not its subfolders). Each file imports
    whole or not at all; the others still import when one fails. Identical content is
    skipped. Exit code 1 when any file failed.
    """
    attributes = parse_pairs(attrs)
    if "" in files:  # Path("") would be this folder: a script's empty variable, surely
        raise click.UsageError("an empty file name (to import this folder, name it: .)")
    paths_given = [found for given in files for found in _in_folder(Path(given))]
    refi = [p for p in paths_given if p.suffix.lower() in REFI_EXTENSIONS]
    paths = [p for p in paths_given if p not in refi]
    if not paths and (attrs or kind or name or speaker_pattern):
        raise click.UsageError(
            "--attr, --kind, --name and --speaker-pattern apply to transcripts; a REFI-QDA "
            "file brings its own names, attributes and turns"
        )
    failed = False
    if paths:
        with _progress(len(paths)) as progress:
            report = source_service.import_files(
                state.project(create=True),
                paths,
                coder=state.coder(),
                attributes=attributes,
                kind=kind,
                name=name,
                speaker_pattern=speaker_pattern,
                progress=progress,
            )
        failed = _summarise(report) != 0
    for path in refi:
        from cen_themes.services import refi_import  # the XML and numpy: only for these

        try:
            # read first: its texts are segmented on the other core while a new project
            # is made
            with refi_import.reading(path) as read:
                result = refi_import.import_refi(
                    state.project(create=True), path, coder=state.coder(), read=read
                )
        except CenThemesError as exc:
            fail_line(str(exc))
            failed = True
            continue
        click.echo(result.summary)
        for notice in result.notices:
            note(f"note: {notice}")
        if result.skipped:
            note(f"not imported from {path.name}:")
            for what in result.skipped:
                note(f"  {what}")
    return 1 if failed else 0


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[ImportOutcome], None]]:
    """A line per file; on a terminal with several files, a progress bar as well."""
    if total < 2 or not sys.stderr.isatty():
        yield _print_outcome
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=total)

        def advance(outcome: ImportOutcome) -> None:
            bar.update(task, advance=1, description=outcome.path.name)
            bar.console.print(_outcome_line(outcome), markup=False, highlight=False)

        yield advance


def _outcome_line(outcome: ImportOutcome) -> str:
    if outcome.status == "failed":
        return f"error: {outcome.message}"
    if outcome.status == "skipped":
        return f"note: {outcome.message}"
    return outcome.message


def _print_outcome(outcome: ImportOutcome) -> None:
    if outcome.status == "imported":
        click.echo(outcome.message)
    elif outcome.status == "skipped":
        note(f"note: {outcome.message}")
    else:
        fail_line(outcome.message)


def _summarise(report: ImportReport) -> int:
    total = len(report.outcomes)
    if total > 1:
        note(
            f"{len(report.imported)} imported, {len(report.skipped)} skipped as already "
            f"imported, {len(report.failed)} failed"
        )
        for outcome in report.failed:
            note(f"  failed: {outcome.message}")
    return 1 if report.failed else 0


@cli.command("sources")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def sources_(state: State, as_json: bool) -> None:
    """List the sources in import order, with counts and attributes."""
    found = source_service.list_sources(state.project())
    if as_json:
        emit_json(
            [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "words": s.words,
                    "segments": s.segments,
                    "excerpts": s.excerpts,
                    "attributes": s.attributes,
                }
                for s in found
            ]
        )
        return
    if not found:
        note("no sources yet: cen-themes import FILE...")
        return
    rows = [
        (
            s.name,
            s.kind,
            str(s.words),
            str(s.segments),
            str(s.excerpts),
            ", ".join(f"{k}={v}" for k, v in s.attributes.items()),
        )
        for s in found
    ]
    write_stdout(text_table(("name", "kind", "words", "segments", "excerpts", "attributes"), rows))


@cli.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Text, attributes and segments as JSON.")
@pass_state
def show(state: State, source: str, as_json: bool) -> None:
    """Print a source's stored text exactly (offsets index it)."""
    detail = source_service.get_source(state.project(), source)
    if not as_json:
        write_stdout(detail.text)
        return
    emit_json(
        {
            "name": detail.name,
            "kind": detail.kind,
            "text": detail.text,
            "attributes": detail.attributes,
            "segments": [
                {"start": s.start, "end": s.end, "speaker": s.speaker, "turn": s.turn}
                for s in detail.segments
            ],
        }
    )


@cli.group()
def attrs() -> None:
    """Source attributes (group, setting, region, ...)."""


@attrs.command("set")
@click.argument("source")
@click.argument("pairs", nargs=-1, required=True, metavar="KEY=VALUE...")
@pass_state
def attrs_set(state: State, source: str, pairs: tuple[str, ...]) -> None:
    """Set attributes of one source."""
    values = parse_pairs(pairs)
    changes = attribute_service.set_attributes(state.project(), source, values, coder=state.coder())
    click.echo(f"{source}: {plural(len(changes), 'attribute value')} changed")


@attrs.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path), metavar="FILE.csv")
@pass_state
def attrs_import(state: State, csv_file: Path) -> None:
    """Set attributes from a CSV: a header row, the first column the source name."""
    changes = attribute_service.import_attributes(state.project(), csv_file, coder=state.coder())
    sources = len({c.source for c in changes})
    click.echo(
        f"{csv_file}: {plural(len(changes), 'attribute value')} changed on "
        f"{plural(sources, 'source')}"
    )


# The demo: the sample transcripts coded by two coders, with themes and subthemes, and a
# small synthesis of fictional studies (sample_transcripts/studies/) whose codes roll up
# into review findings, each with its CERQual assessment. Each folder may hold
# attributes.csv, codings.csv and themes.csv (theme path, code path per row); the
# studies' folder also cerqual.csv.
DEMO_STUDIES = "studies"


def _demo_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUPPORTED_EXTENSIONS)


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _demo_themes(project: Project, themes_csv: Path, coder: str) -> tuple[list[str], int]:
    """The themes of a ``theme,code`` CSV, parents made as they are first met, each
    given its codes; returns the top-level themes in that order and the subthemes'
    number."""
    from cen_themes.services import themes

    codes: dict[str, list[str]] = {}
    for row in _read_rows(themes_csv):
        parts = row["theme"].split(" > ")
        for depth in range(1, len(parts) + 1):
            path = " > ".join(parts[:depth])
            if path not in codes:
                parent = " > ".join(parts[: depth - 1]) or None
                themes.add_theme(project, parts[depth - 1], parent=parent, coder=coder)
                codes[path] = []
        if row.get("code"):
            codes[row["theme"]].append(row["code"])
    for theme, assigned in codes.items():
        if assigned:
            themes.assign_codes(project, theme, assigned, coder=coder)
    top = [path for path in codes if " > " not in path]
    return top, len(codes) - len(top)


def _judge_the_demo(project: Project, cerqual_csv: Path, coder: str) -> list[str]:
    """Each review finding's CERQual assessment from a CSV (theme, finding, each
    component's level and its ``_why``, confidence and ``confidence_why``); returns the
    confidences in the order of the rows."""
    from cen_themes.results.synthesis import CERQUAL_COMPONENTS
    from cen_themes.services import cerqual

    confidences = []
    for row in _read_rows(cerqual_csv):
        cerqual.set_assessment(
            project,
            row["theme"],
            coder=coder,
            finding=row["finding"],
            levels={c: row[c] for c in CERQUAL_COMPONENTS},
            explanations={c: row[f"{c}_why"] for c in CERQUAL_COMPONENTS},
            confidence=row["confidence"],
            confidence_explanation=row["confidence_why"],
        )
        confidences.append(row["confidence"])
    return confidences


def _code_the_demo(project: Project, samples: Path, coder: str) -> None:
    """The sample codings (two coders' work on the transcripts, su04 and su06 coded by
    both) and their themes, then the studies' codings, review findings and CERQual
    assessments, so that every screen of the demo has something to show."""
    from cen_themes.services.coding_import import import_codings

    for folder, label in ((samples, ""), (samples / DEMO_STUDIES, "studies: ")):
        codings_csv = folder / "codings.csv"
        if codings_csv.is_file():
            click.echo(label + import_codings(project, codings_csv, coder=coder).summary)
        themes_csv = folder / "themes.csv"
        if not themes_csv.is_file():
            continue
        top, below = _demo_themes(project, themes_csv, coder)
        if not label:
            click.echo(f"themes: {', '.join(top)} ({plural(below, 'subtheme')})")
            continue
        cerqual_csv = folder / "cerqual.csv"
        judged = _judge_the_demo(project, cerqual_csv, coder) if cerqual_csv.is_file() else []
        click.echo(
            f"{label}{plural(len(top), 'review finding')}, "
            f"{plural(len(judged), 'CERQual assessment')} ({', '.join(judged) or 'none'})"
        )


@cli.command()
@pass_state
def demo(state: State) -> int:
    """Build a project from the bundled sample transcripts and studies and open it in the TUI.

    The project is cen-themes-demo.db in the working directory unless --db is given;
    running it again changes nothing. Without a terminal it prints the summary only.
    """
    samples = resources.sample_transcripts()
    files = _demo_files(samples)
    if not files:
        fail_line(f"no sample transcripts found in {samples}")
        return 1
    studies = _demo_files(samples / DEMO_STUDIES)
    project = state.project(state.db_option or DEMO_DB, create=True)
    note(f"demo project: {project.display_name}")
    reports = [source_service.import_files(project, files, coder=state.coder())]
    if studies:
        reports.append(
            source_service.import_files(project, studies, coder=state.coder(), kind="study")
        )
    failed = [outcome for report in reports for outcome in report.failed]
    for outcome in failed:
        fail_line(outcome.message)
    for folder in (samples, samples / DEMO_STUDIES):
        attributes_csv = folder / "attributes.csv"
        if attributes_csv.is_file():
            attribute_service.import_attributes(project, attributes_csv, coder=state.coder())
    if (samples / "codings.csv").is_file() and not codebook.list_codes(project, usage=False):
        _code_the_demo(project, samples, state.coder())
    found = source_service.list_sources(project)
    words = sum(s.words for s in found)
    segments = sum(s.segments for s in found)
    imported = sum(len(report.imported) for report in reports)
    skipped = sum(len(report.skipped) for report in reports)
    click.echo(
        f"{plural(len(found), 'source')}, {words:,} words, {segments:,} segments "
        f"({imported} imported now, {skipped} already there)"
    )
    rows = [
        (
            s.name,
            s.kind,
            str(s.words),
            str(s.segments),
            ", ".join(f"{k}={v}" for k, v in s.attributes.items()),
        )
        for s in found
    ]
    write_stdout(text_table(("name", "kind", "words", "segments", "attributes"), rows))
    if failed:
        return 1
    if sys.stdin.isatty() and sys.stdout.isatty():
        from cen_themes.tui import run_tui

        run_tui(project, state.coder())
    else:
        note(f"next: cen-themes --db {project.display_name} tui")
    return 0
