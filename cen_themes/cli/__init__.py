"""The command line: a thin layer over the services (DESIGN.md, command-line contract)."""

from cen_themes.cli.app import cli, main, run

__all__ = ["cli", "main", "run"]
