"""Start-up: a command loads its own module and what it uses, not every other
command's (SQLAlchemy not for --help, spaCy, numpy, openpyxl, Alembic and the rest
not for a plain command), and the table that lets --help list the commands without
importing them says what the commands themselves say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cen_themes.cli import app

# Never for a plain command: the bulk and analysis libraries, the file formats, the
# workbench, the other engine's driver.
HEAVY = (
    "alembic",
    "defusedxml",
    "docx",
    "matplotlib",
    "numpy",
    "openpyxl",
    "psycopg",
    "regex",
    "rich",
    "spacy",
    "textual",
)


def _loaded(cwd: Path, *args: str) -> tuple[int, set[str]]:
    """The exit code of ``cen-themes ARGS`` run through the console script's entry
    point in a fresh interpreter, and the modules it had loaded when it exited."""
    listing = cwd / "modules.json"
    script = (
        "import atexit, json, sys\n"
        "out = sys.argv[1]\n"
        "atexit.register(lambda: open(out, 'w').write(json.dumps(sorted(sys.modules))))\n"
        "from cen_themes.cli import run\n"
        "sys.argv = ['cen-themes', *sys.argv[2:]]\n"
        "run()\n"
    )
    env = {**os.environ, "CEN_THEMES_DB": str(cwd / "study.db")}
    result = subprocess.run(
        [sys.executable, "-c", script, str(listing), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.exists(), result.stderr
    return result.returncode, set(json.loads(listing.read_text()))


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a source and a code, made by the command line."""
    where = tmp_path_factory.mktemp("startup")
    (where / "su01.txt").write_text("I: How was it?\nP: It was a long wait.\n", encoding="utf-8")
    env = {**os.environ, "CEN_THEMES_DB": str(where / "study.db")}
    for args in (
        ("import", "su01.txt"),
        ("code", "apply", "su01", "18", "36", "waiting"),
    ):
        subprocess.run([sys.executable, "-m", "cen_themes", *args], cwd=where, env=env, check=True)
    return where


@pytest.mark.parametrize("args", [("--help",), ("--version",)])
def test_help_and_version_do_not_load_the_database_layer(
    project_dir: Path, args: tuple[str, ...]
) -> None:
    code, modules = _loaded(project_dir, *args)
    assert code == 0
    assert "sqlalchemy" not in modules
    assert "cen_themes.db" not in modules
    assert not {m.split(".")[0] for m in modules} & set(HEAVY)


@pytest.mark.parametrize(
    ("args", "own"),
    [
        (("sources",), "cen_themes.cli.sources"),
        (("show", "su01"), "cen_themes.cli.sources"),
        (("log",), "cen_themes.cli.analysis"),
        (("code", "list"), "cen_themes.cli.codes"),
        (("export", "codebook", "--out", "codebook.csv"), "cen_themes.cli.analysis"),
    ],
)
def test_a_plain_command_loads_its_own_module_and_nothing_heavy(
    project_dir: Path, args: tuple[str, ...], own: str
) -> None:
    code, modules = _loaded(project_dir, *args)
    assert code == 0
    assert own in modules
    assert sorted({m.split(".")[0] for m in modules} & set(HEAVY)) == []
    # the other commands' modules stay unloaded (and export's other subcommands')
    wanted = {f"cen_themes.cli.{m}" for m in app.COMMANDS[args[0]][0]}
    tables = [*app.COMMANDS.values(), *app.EXPORTS.values()]
    others = {f"cen_themes.cli.{m}" for spec in tables for m in spec[0]}
    assert sorted(others & modules - wanted) in ([], ["cen_themes.cli.codes"])


@pytest.mark.parametrize("group", ["cen-themes", "export"])
def test_the_command_table_is_the_commands(group: str) -> None:
    """Every command is in its group's table, under the module that defines it, with
    its own short help; and the table names nothing that is not a command."""
    app.load_commands()
    import cen_themes.cli.cerqual
    import cen_themes.cli.synthesis  # noqa: F401  (export's other subcommands)

    command_group = app.cli if group == "cen-themes" else app.cli.commands[group]
    table = app.COMMANDS if group == "cen-themes" else app.EXPORTS
    assert isinstance(command_group, app.LazyGroup) and command_group.table is table
    assert set(command_group.commands) == set(table)
    for name, command in command_group.commands.items():
        modules, short_help = table[name]
        assert command.callback is not None
        assert command.callback.__module__ == f"cen_themes.cli.{modules[0]}", name
        assert short_help == command.get_short_help_str(10**6), name


def test_the_help_lists_every_command_as_click_would() -> None:
    """The lazy listing gives the text click gives once every command is loaded."""
    import click

    app.load_commands()
    ctx = click.Context(app.cli, info_name="cen-themes")
    lazy = app.cli.get_help(ctx)
    formatter = ctx.make_formatter()
    click.Group.format_commands(app.cli, ctx, formatter)
    assert formatter.getvalue().rstrip() in lazy
    assert all(f"  {name} " in lazy for name in app.COMMANDS)
    narrow = click.Context(app.cli, info_name="cen-themes", terminal_width=50, max_content_width=50)
    formatter = narrow.make_formatter()
    click.Group.format_commands(app.cli, narrow, formatter)
    assert formatter.getvalue().rstrip() in app.cli.get_help(narrow)


def test_a_mistyped_command_is_suggested_from_all_the_commands(project_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cen_themes", "agreemnt"],
        cwd=project_dir,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Did you mean 'agreement'?" in result.stderr


def test_the_console_script_exits_with_the_commands_code_and_its_whole_output(
    project_dir: Path,
) -> None:
    """The quick exit still flushes what was written and returns the exit code."""

    def show(name: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cen_themes", "show", name],
            cwd=project_dir,
            capture_output=True,
            text=True,
            env={**os.environ, "CEN_THEMES_DB": str(project_dir / "study.db")},
        )

    shown = show("su01")
    assert (shown.returncode, shown.stdout) == (0, "I: How was it?\nP: It was a long wait.\n")
    missing = show("su99")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: no source named 'su99'")
