"""Folders that ship with the program: inside the installed package, or in the repo."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """``cen_themes/<name>`` in an installed wheel, else ``<repo>/<name>`` in a checkout."""
    packaged = _PACKAGE / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def sample_transcripts() -> Path:
    return bundled("sample_transcripts")
