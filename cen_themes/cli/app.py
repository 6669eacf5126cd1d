"""The command group, shared options and the one place errors become one line."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from cen_themes import __version__
from cen_themes.config import DB_ENV, coder_name, project_location
from cen_themes.db import Project, open_project
from cen_themes.errors import CenThemesError, ProjectError


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
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


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run a command; any user error ends as one line and exit code 1."""
    from cen_themes.cli import commands  # noqa: F401  (registers the commands)

    args = db_first(sys.argv[1:] if argv is None else argv)
    try:
        code = cli.main(args=args, prog_name="cen-themes", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # a group named without a command
        click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
        sys.exit(0)
    except click.UsageError as exc:
        hint = (
            f" (see: cen-themes {exc.ctx.command_path.split(' ', 1)[-1]} --help)"
            if exc.ctx and " " in exc.ctx.command_path
            else " (see: cen-themes --help)"
        )
        fail_line(f"{exc.format_message()}{hint}")
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
    sys.exit(code if isinstance(code, int) else 0)
