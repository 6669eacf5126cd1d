"""Settings that come from the environment."""

from __future__ import annotations

import getpass
import os

DB_ENV = "CEN_THEMES_DB"
CODER_ENV = "CEN_THEMES_CODER"
DEFAULT_DB = "cen-themes.db"
THEME_ENV = "CEN_THEMES_THEME"


def project_location(explicit: str | None = None) -> str:
    """``--db``, else ``CEN_THEMES_DB``, else ``cen-themes.db`` in the working directory."""
    return explicit or os.environ.get(DB_ENV) or DEFAULT_DB


def coder_name(explicit: str | None = None) -> str:
    """``--coder``, else ``CEN_THEMES_CODER``, else the OS user name."""
    name = (explicit or os.environ.get(CODER_ENV) or "").strip()
    if name:
        return name
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError):
        return "unknown"


def light_theme() -> bool:
    """Whether the workbench starts light: ``CEN_THEMES_THEME=light`` (else dark)."""
    return os.environ.get(THEME_ENV, "").strip().casefold() == "light"
