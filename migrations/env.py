"""Alembic environment for cen-themes projects.

cen_themes.db runs migrations in process and passes its open connection in
``config.attributes["connection"]``; without one (the ``alembic`` command line in
development) the URL comes from ``sqlalchemy.url`` or ``CEN_THEMES_DB``.
"""

from __future__ import annotations

import os

from alembic import context

from cen_themes.db import make_engine, to_url
from cen_themes.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or to_url(
        os.environ.get("CEN_THEMES_DB", "cen-themes.db")
    )
    engine = make_engine(url)
    with engine.connect() as conn:
        _configure_and_run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("cen-themes migrations run online only")
run_migrations_online()
