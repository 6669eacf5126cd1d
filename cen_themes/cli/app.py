"""The command group, shared options and the one place errors become one line."""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cen_themes import __version__
from cen_themes.config import DB_ENV, coder_name, project_location
from cen_themes.errors import CenThemesError, ProjectError

if TYPE_CHECKING:
    from cen_themes.db import Project


class State:
    """What the group's options set for every command."""

    def __init__(self, db: str | None) -> None:
        self.db_option = db
        self._project: Project | None = None

    @property
    def location(self) -> str:
        return project_location(self.db_option)

    def project(self, location: str | None = None, *, create: bool = False) -> Project:
        """The project, opened once; only the commands that make projects (init,
        import, demo) ``create`` one where there is none."""
        if self._project is None:
            from cen_themes.db import open_project  # SQLAlchemy: not for --help

            self._project = open_project(location or self.location, create=create)
            for notice in self._project.notices:
                note(notice)
        return self._project

    def coder(self, explicit: str | None = None) -> str:
        """Who the change is recorded as: on PostgreSQL the login, always (a ``--coder``
        naming someone else is refused); on SQLite ``--coder``, else CEN_THEMES_CODER,
        else the OS user."""
        project = self.project()
        if project.login is None:
            return coder_name(explicit)
        typed = (explicit or "").strip()
        if typed and typed != project.login:
            raise ProjectError(
                f"{project.display_name}: you are logged in as '{project.login}'; on a "
                f"PostgreSQL project work is recorded under the login, so --coder "
                f"'{typed}' is refused (log in as {typed} instead)",
                title="Not allowed",
            )
        return project.login

    def close(self) -> None:
        if self._project is not None:
            self._project.close()


pass_state = click.make_pass_decorator(State)


def _project_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """``--db --db sources`` would make a project file named '--db': a value that
    starts with '-' is an option that lost its value, not a file name."""
    if value is not None and value.startswith("-"):
        raise click.BadParameter(
            f"'{value}' looks like an option, not a project path or URL "
            f"(a file name that starts with '-' can be given as ./{value})"
        )
    return value


# Each command: the cli modules that define it (and, for ``export``, its subcommands),
# and its short help for ``cen-themes --help``. A command's module is imported only
# when that command runs, so ``--help``, ``--version`` and a small command do not pay
# for every other command's imports; a test keeps this table equal to the commands.
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "agreement": (
        ("agreement",),
        "Inter-coder agreement of two coders: percent agreement, Cohen's kappa and "
        "Krippendorff's alpha per code and overall, over the segments of the sources "
        'both coded ("-" or null where a statistic is undefined).',
    ),
    "attrs": (("sources",), "Source attributes (group, setting, region, ...)."),
    "autocode": (
        ("search",),
        "Code every hit of QUERY, or every turn of a speaker, with CODE.",
    ),
    "backup": (
        ("transfer",),
        "An online, consistent copy of the project as a project file (from either "
        "engine); others may go on working meanwhile.",
    ),
    "cerqual": (
        ("cerqual",),
        "GRADE-CERQual: confidence in each review finding (a theme), judged on four "
        "components; the contributing studies are computed from the coding.",
    ),
    "check": (
        ("check",),
        "Check the project: the database's own integrity check, then the invariants "
        "that the program keeps (offsets within their texts, every excerpt coded, no "
        "orphan rows, no cycles in the code or theme trees, the theme roll-up equal to "
        "a recomputation, the audit trail consistent).",
    ),
    "code": (("codes",), "Code excerpts and shape the codebook (a tree: 'Parent > Child')."),
    "demo": (
        ("sources",),
        "Build a project from the bundled sample transcripts and studies and open it in the TUI.",
    ),
    "excerpts": (("analysis",), "Excerpts with their text, by code, theme, source or coder."),
    "export": (
        ("analysis",),
        "Write the matrix, the quotes report, the codebook or the project to a file.",
    ),
    "import": (
        ("sources",),
        "Import transcripts (.txt .md .docx .odt .pdf .vtt .srt) and REFI-QDA projects "
        "(.qdpx .qde) or codebooks (.qdc) from NVivo, ATLAS.ti, MAXQDA, QualCoder...",
    ),
    "init": (
        ("sources",),
        "Create the project database, or upgrade it to this version's schema.",
    ),
    "log": (("analysis",), "The audit trail: every change, who made it and when."),
    "memo": (
        ("memos",),
        "Memos: notes on the project, a source, a code, a theme (and excerpts' memos).",
    ),
    "saturation": (
        ("synthesis",),
        "New codes per source, the sources in the order they were first coded.",
    ),
    "search": (("search",), "Every match of QUERY in the sources, keyword in context."),
    "show": (("sources",), "Print a source's stored text exactly (offsets index it)."),
    "sources": (
        ("sources",),
        "List the sources in import order, with counts and attributes.",
    ),
    "suggest": (("suggest",), "Uncoded segments most like CODE's excerpts, best first."),
    "team": (
        ("team",),
        "The team of a PostgreSQL project: readers read and export; coders add codings, "
        "excerpts, memos and codes and change only their own; leads also restructure "
        "the codebook and themes and undo anyone's change.",
    ),
    "theme": (
        ("themes",),
        "Themes and subthemes ('Theme > Subtheme') and the codes they bring.",
    ),
    "tui": (
        ("workbench",),
        "The coding workbench in the terminal: sources, reader, codebook, themes, matrix.",
    ),
    "undo": (
        ("analysis",),
        "Undo the last change (repeat to go further back; on a team's PostgreSQL "
        "project, your own last change); the undo is logged.",
    ),
}


# The same for the subcommands of ``export``, which three modules define.
EXPORTS: dict[str, tuple[tuple[str, ...], str]] = {
    "characteristics": (
        ("synthesis",),
        "The characteristics of the included studies: one row per source, its "
        "attributes as columns.",
    ),
    "codebook": (("analysis",), "The codebook with descriptions, colours, counts and themes."),
    "cooccurrence": (("analysis",), "Code-by-code (or theme-by-theme) co-occurrence."),
    "evidence-map": (
        ("synthesis",),
        "Sources counted per pair of values of two attributes (design by country), with totals.",
    ),
    "evidence-profile": (
        ("cerqual",),
        "The GRADE-CERQual evidence profile: each assessed finding with its studies, the "
        "four components (level and why) and the overall assessment.",
    ),
    "excerpts": (
        ("analysis",),
        "One row per coding (source, start, end, text, code, coder, memo, when, and the "
        "source's attributes), for R, Excel or SPSS.",
    ),
    "matrix": (("analysis",), "The theme-by-source (or code-by-source) matrix."),
    "qdpx": (
        ("analysis",),
        "The whole project as REFI-QDA (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder.",
    ),
    "quotes": (
        ("analysis",),
        "A report per theme and subtheme: its codes and illustrative excerpts.",
    ),
    "soqf": (
        ("cerqual",),
        "The GRADE-CERQual Summary of Qualitative Findings table: each assessed finding, "
        "its confidence, the explanation and the contributing studies.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands' modules are imported when a command is named: ``table``
    says, for each command, the modules that define it and its short help."""

    def __init__(
        self, *args: Any, table: dict[str, tuple[tuple[str, ...], str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.table = table

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(self.table))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.table:
            _import(self.table[cmd_name][0])
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0])
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            # click suggests from the commands loaded so far; suggest from all of them
            raise click.exceptions.NoSuchCommand(
                name, possibilities=self.list_commands(ctx), ctx=ctx
            )
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, _shortened(self.table[name][1], limit))
            if name in self.table
            else (name, self.commands[name].get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _shortened(text: str, limit: int) -> str:
    """A short help cut to ``limit`` characters at a word, as click cuts a command's."""
    if len(text) <= limit:
        return text
    import textwrap

    return textwrap.shorten(text, max(limit, 3), placeholder="...", break_on_hyphens=False)


def load_commands(*names: str) -> None:
    """Register the named commands (all of them without names) on the group."""
    _import(tuple(module for name in names or COMMANDS for module in COMMANDS[name][0]))


def _import(modules: tuple[str, ...]) -> None:
    """Import these modules of the command line.

    The imports (SQLAlchemy's above all) make many objects and free almost none, so
    the cyclic collector only costs time while they run: it is paused meanwhile."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        for module in modules:
            importlib.import_module(f"cen_themes.cli.{module}")
    finally:
        gc.freeze()  # what the imports made lives as long as the process: never scanned
        if collecting:
            gc.enable()


@click.group(
    cls=LazyGroup,
    table=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    callback=_project_option,
    help="The project: a SQLite file path or a postgresql+psycopg:// URL "
    "(default: $CEN_THEMES_DB, else cen-themes.db here).",
)
@click.version_option(__version__, prog_name="cen-themes")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """cen-themes: code transcripts, build themes, export matrices."""
    state = State(db)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        # plain `cen-themes`: the workbench on the project, or, without one, the help
        if "://" not in state.location and not Path(state.location).expanduser().is_file():
            click.echo(ctx.get_help())
            if state.db_option or os.environ.get(DB_ENV):
                note(f"no project at {state.location} (`cen-themes init` creates one)")
            return
        from cen_themes.tui import run_tui  # imports Textual: only for the workbench

        run_tui(state.project(), state.coder())


def note(message: str) -> None:
    """A remark for the user on stderr (never mixed into a command's output)."""
    click.echo(message, err=True)


def fail_line(message: str) -> None:
    """``error: ...`` on stderr, on one line whatever the message holds (a file name or
    a CSV cell with a line break, click's multi-line wording of a choice)."""
    click.echo(f"error: {one_line(message)}", err=True)


def one_line(message: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", message.strip())


def emit_json(value: Any) -> None:
    """One JSON document on stdout, UTF-8."""
    write_stdout(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def write_stdout(text: str) -> None:
    sys.stdout.flush()
    stream = sys.stdout.buffer
    stream.write(text.encode("utf-8"))
    stream.flush()


def parse_pairs(pairs: Sequence[str], what: str = "attribute") -> dict[str, str]:
    """KEY=VALUE arguments into a dict; a pair without '=' is a usage error."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"{what} '{pair}' is not KEY=VALUE")
        result[key.strip()] = value
    return result


def db_first(argv: Sequence[str]) -> list[str]:
    """``--db`` belongs to the program, before the command; people put it anywhere
    (``cen-themes sources --db study.db``): bring one that follows the command forward.
    Not past ``--``; what comes before the command is left to click."""
    args = list(argv)
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        i += 2 if args[i] == "--db" else 1  # the program's own options, and --db's value
    end = args.index("--") if "--" in args[i:] else len(args)
    moved: list[str] = []
    i += 1  # past the command
    while i < end:
        if args[i] == "--db" and i + 1 < end:
            moved += args[i : i + 2]
            del args[i : i + 2]
            end -= 2
        elif args[i].startswith("--db="):
            moved.append(args.pop(i))
            end -= 1
        else:
            i += 1
    return moved + args


def _named(args: Sequence[str]) -> str:
    """The command (and subcommand) that ``args`` name, for an error click raised
    without saying where (an option given too few values)."""
    rest = list(args)
    while rest[:1] == ["--db"]:
        rest = rest[2:]
    words: list[str] = []
    command: click.Command = cli
    for arg in rest:
        found = (
            command.get_command(click.Context(command), arg)
            if isinstance(command, click.Group)
            else None
        )
        if found is None:
            break
        words.append(arg)
        command = found
    return " ".join(words)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run a command; any user error ends as one line and exit code 1."""
    args = db_first(sys.argv[1:] if argv is None else argv)
    try:
        code = cli.main(args=args, prog_name="cen-themes", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # a group named without a command
        click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
        sys.exit(0)
    except click.UsageError as exc:
        path = exc.ctx.command_path.partition(" ")[2] if exc.ctx is not None else _named(args)
        fail_line(f"{exc.format_message()} (see: cen-themes {path + ' ' if path else ''}--help)")
        sys.exit(1)
    except click.ClickException as exc:
        fail_line(exc.format_message())
        sys.exit(1)
    except CenThemesError as exc:
        fail_line(str(exc))
        sys.exit(1)
    except click.Abort:
        fail_line("aborted")
        sys.exit(1)
    except KeyboardInterrupt:
        fail_line("interrupted")
        sys.exit(130)
    except UnicodeEncodeError:  # a terminal or file name in another encoding than UTF-8
        fail_line("an argument or file name is not UTF-8 text; rename it or use a UTF-8 terminal")
        sys.exit(1)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except OSError as exc:  # the system refused a write (a full disk, standard output)
        fail_line(f"{exc.filename or 'output'}: {exc.strerror or exc}")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def run() -> None:
    """The console script: :func:`main`, then an exit that skips the interpreter's
    teardown. Freeing every module and object one by one (SQLAlchemy's above all) takes
    longer than most commands' own work, and the operating system reclaims it all at
    once; what must happen at exit still does (the project is closed by then, the
    ``atexit`` handlers run, the output is flushed). While another thread still runs,
    the ordinary exit waits for it."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is not None and not isinstance(exc.code, int):
            raise  # a message to print: the ordinary exit does that
        code = exc.code or 0
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(thread.is_alive() and not thread.daemon for thread in others):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(code)
