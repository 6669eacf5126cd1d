"""Importing this module registers every command on the group."""

from cen_themes.cli import analysis, codes, memos, search, sources, themes, workbench  # noqa: F401
