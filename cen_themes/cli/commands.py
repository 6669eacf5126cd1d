"""Importing this module registers every command on the group."""

from cen_themes.cli import sources  # noqa: F401
