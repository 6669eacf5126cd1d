"""Every command has help text and a place in the README."""

from __future__ import annotations

import click

from cen_themes.cli import (
    cli,
    commands,  # noqa: F401  (registers the commands)
)

from ..conftest import REPO


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{path} "))
    return found


def test_every_command_has_help_text() -> None:
    for path, command in _commands(cli):
        assert command.help and command.help.strip(), path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{path} {param.opts[0]}"


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path, _command in _commands(cli):
        assert f"cen-themes {path}" in readme, path
