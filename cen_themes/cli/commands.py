"""Importing this module registers every command on the group."""

from cen_themes.cli import (  # noqa: F401
    agreement,
    analysis,
    check,
    codes,
    memos,
    search,
    sources,
    synthesis,
    suggest,
    team,
    themes,
    transfer,
    workbench,
)
