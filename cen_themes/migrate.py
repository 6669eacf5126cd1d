"""Bring a project's schema to this version's: Alembic, a backup first.

A project at this version's revision opens without loading Alembic at all (it costs
every command's start-up). Otherwise a new database is created at the newest revision;
an older SQLite file is first copied to a timestamped backup with SQLite's online
backup, then upgraded and compacted; a revision this version does not know (a newer
cen-themes made it) and a database that is not a cen-themes project are refused.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from cen_themes.errors import ProjectError
from cen_themes.resources import bundled

if TYPE_CHECKING:
    from alembic.config import Config

    from cen_themes.db import Project

# The newest migration's revision. Opening a project at this revision needs no Alembic
# (loading it is a large share of a command's start); a test keeps it equal to the
# migrations' head.
SCHEMA_REVISION = "0010"


def migrations_dir() -> Path:
    """The Alembic environment: inside the installed package, or the repo's ``migrations/``."""
    return bundled("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _at_head(project: Project) -> bool:
    """Whether the project is at this version's schema, read without Alembic."""
    with project.engine.connect() as conn:
        try:
            found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
            return found.all() == [SCHEMA_REVISION]
        except DatabaseError:  # no such table: a new or foreign database
            return False
        finally:
            conn.rollback()


def migrate(project: Project, *, create: bool = True) -> None:
    """Bring the project to this version's schema; an empty database becomes a new
    project only when ``create``."""
    if _at_head(project):
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    with project.engine.connect() as conn:
        revision = current_revision(conn)
        tables = set(inspect(conn).get_table_names())
        conn.rollback()
    if revision == head:
        return
    if revision is None:
        if tables - {"alembic_version"}:
            raise ProjectError(
                f"{project.display_name}: not a cen-themes project "
                "(it holds other tables and no cen-themes schema version)"
            )
        if not create:
            raise ProjectError(
                f"no project in {project.display_name} (`cen-themes init` creates one)"
            )
        _upgrade(project)
        project.created = True
        return
    try:
        script.get_revision(revision)
    except Exception as exc:
        raise ProjectError(
            f"{project.display_name}: made by a newer version of cen-themes (schema revision "
            f"{revision}); upgrade cen-themes to open it"
        ) from exc
    if project.is_sqlite and project.path is not None:
        project.backup_path = backup_sqlite(project.path)
        project.notices.append(
            f"{project.display_name}: upgraded the project from schema {revision} to {head}; "
            f"the old file is backed up as {project.backup_path}"
        )
    else:
        project.notices.append(
            f"{project.display_name}: upgraded the project from schema {revision} to {head}"
        )
    _upgrade(project)
    if project.is_sqlite:
        _compact(project)


def _compact(project: Project) -> None:
    """Give back the pages an upgrade's table rebuilds left free (0005 rebuilds every
    table with a time). Upgrades are rare, so the time it takes is worth the space."""
    with project.engine.connect() as conn:
        conn.connection.dbapi_connection.execute("VACUUM")


def _upgrade(project: Project) -> None:
    with project.engine.connect() as conn:
        if project.is_sqlite:
            # Batch migrations rebuild tables (a DROP with foreign keys on would cascade);
            # foreign keys are checked once at the end.
            conn.execution_options(sqlite_foreign_keys=False)
        with conn.begin():
            from alembic import command

            command.upgrade(alembic_config(conn), "head")
            if project.is_sqlite:
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise ProjectError(
                        f"{project.display_name}: upgrade stopped, foreign keys broken: "
                        f"{problems[:3]}"
                    )


def backup_sqlite(path: Path, destination: Path | None = None) -> Path:
    """Copy a live SQLite project (WAL included) with SQLite's online backup."""
    if destination is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        destination = path.with_name(f"{path.name}.bak-{stamp}")
        counter = 1
        while destination.exists():
            destination = path.with_name(f"{path.name}.bak-{stamp}-{counter}")
            counter += 1
    source = sqlite3.connect(path)
    try:
        target = sqlite3.connect(destination)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return destination
