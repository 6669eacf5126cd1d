"""Importing this module registers every command on the group (the entry point loads
only the command it runs; tests and tools that want all of them import this)."""

from cen_themes.cli.app import load_commands

load_commands()
