"""Importing this module registers every command on the group."""

from cen_themes.cli import (  # noqa: F401
    agreement,
    analysis,
    cerqual,
    check,
    codes,
    memos,
    search,
    sources,
    suggest,
    synthesis,
    team,
    themes,
    transfer,
    workbench,
)
