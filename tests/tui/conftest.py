"""What the workbench's tests share beyond tests/conftest.py: another program holding
the project's write lock, and a project that gives up on such a lock quickly."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cen_themes import db
from cen_themes.db import Project, open_project


@contextlib.contextmanager
def held_lock(db_path: Path) -> Iterator[None]:
    """Another program holds the project's write lock while the block runs."""
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


def open_impatient(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The project opened again, its writes failing fast on another program's lock
    (the commands' and the workbench's waits both short)."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr("cen_themes.tui.app.WORKBENCH_BUSY_TIMEOUT_MS", 200)
    return open_project(db_path)
