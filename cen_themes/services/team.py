"""A team on one PostgreSQL project: who may read, code or lead.

The roles are PostgreSQL's own. Three group roles per project database,
``<database>_reader``, ``_coder`` and ``_lead``, hold the grants; a member is a login
role granted one of them. What each may write is decided by the grants made here and
by the row-level security policies of migration 0008 (``cen_team_role()`` on the
server says which role a login plays). The client only words the server's refusals.
"""

from __future__ import annotations

import secrets

from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import Connection

from cen_themes.db import Project, retried
from cen_themes.errors import InputError, NotFoundError
from cen_themes.results.project import TeamMember

ROLES = ("reader", "coder", "lead")
# What a coder may write (row-level security narrows it to their own rows); the derived
# tables follow their codings. A lead writes every table but the schema's version.
CODER_TABLES = (
    "coders",
    "codes",
    "excerpts",
    "codings",
    "memos",
    "suggestion_rejections",
    "events",
    "theme_rollup",
    "excerpt_themes",
)


def _server(project: Project) -> None:
    if project.is_sqlite:
        raise InputError(
            f"{project.display_name}: an SQLite project has no team (one file, one person "
            "at a time); a team works on a PostgreSQL project (init --from moves it there)"
        )


def _group(connection: Connection, role: str) -> str:
    return str(connection.execute(text("SELECT cen_group_role(:r)"), {"r": role}).scalar_one())


def _execute(connection: Connection, statement: sql.Composable) -> None:
    raw = connection.connection.dbapi_connection
    assert raw is not None
    connection.exec_driver_sql(statement.as_string(raw).replace("%", "%%"))


def _exists(connection: Connection, role: str) -> bool:
    return bool(
        connection.execute(
            text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :r)"), {"r": role}
        ).scalar_one()
    )


def grant_groups(connection: Connection) -> None:
    """Make the three group roles when missing and give them their grants on every
    table and sequence there is now (run again after an upgrade adds tables)."""
    groups = {role: _group(connection, role) for role in ROLES}
    for name in groups.values():
        if not _exists(connection, name):
            _execute(connection, sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
    everyone = sql.SQL(", ").join(sql.Identifier(n) for n in groups.values())
    database = str(connection.execute(text("SELECT current_database()")).scalar_one())
    schema = str(connection.execute(text("SELECT current_schema()")).scalar_one())
    coder, lead = sql.Identifier(groups["coder"]), sql.Identifier(groups["lead"])
    for statement in (
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), everyone),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), everyone),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(
            sql.Identifier(schema), everyone
        ),
        sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(
            sql.SQL(", ").join(sql.Identifier(t) for t in CODER_TABLES), coder
        ),
        sql.SQL("GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            sql.Identifier(schema), lead
        ),
        sql.SQL("REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {}").format(lead),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}, {}").format(
            sql.Identifier(schema), coder, lead
        ),
        # tables a later upgrade makes: readable by all, writable by a lead (a coder's
        # grants on them are the upgrade's to make)
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(
            sql.Identifier(schema), everyone
        ),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(sql.Identifier(schema), lead),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT, UPDATE ON SEQUENCES"
            " TO {}, {}"
        ).format(sql.Identifier(schema), coder, lead),
    ):
        _execute(connection, statement)


@retried
def add(project: Project, name: str, role: str, *, coder: str) -> tuple[TeamMember, str | None]:
    """Give login ``name`` the ``role`` on this project (its other role, if any, goes),
    creating the login when the server has none of that name. Returns the member and
    the new login's password (``None`` for an existing login)."""
    _server(project)
    name = name.strip()
    if role not in ROLES:
        raise InputError(f"role '{role}': choose one of {', '.join(ROLES)}")
    if not name or len(name.encode()) > 63 or name.lower().startswith("pg_"):
        raise InputError(f"'{name}' cannot be a login name (1 to 63 bytes, not starting with pg_)")
    password = None
    with project.change("team.add", coder) as ch:
        connection = ch.session.connection()
        if name == project.login or _owner(connection) == name:
            raise InputError(f"'{name}' owns the project: the owner needs no role")
        if not _exists(connection, name):
            password = secrets.token_urlsafe(15)
            _execute(
                connection,
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                ),
            )
        grant_groups(connection)
        for other in ROLES:
            group = sql.Identifier(_group(connection, other))
            verb = "GRANT {} TO {}" if other == role else "REVOKE {} FROM {}"
            _execute(connection, sql.SQL(verb).format(group, sql.Identifier(name)))
        ch.record_only()
        made = " (a new login)" if password else ""
        ch.summary = f"{name} joins the team as {role}{made}"
    return TeamMember(name, role), password


@retried
def remove(project: Project, name: str, *, coder: str) -> TeamMember:
    """Take every role on this project from login ``name`` (the login stays: it may be
    a member of other projects; their codings and events keep their name)."""
    _server(project)
    with project.change("team.remove", coder) as ch:
        connection = ch.session.connection()
        held = [m for m in _members(connection) if m.name == name]
        if not held:
            raise NotFoundError(f"'{name}' has no role on this project")
        for member in held:
            group = sql.Identifier(_group(connection, member.role))
            _execute(connection, sql.SQL("REVOKE {} FROM {}").format(group, sql.Identifier(name)))
        ch.record_only()
        ch.summary = f"{name} leaves the team (was {held[0].role})"
    return held[0]


def members(project: Project) -> list[TeamMember]:
    """The owner and every member with their role, by name."""
    _server(project)
    with project.read() as session:
        connection = session.connection()
        owner = _owner(connection)
        listed = [TeamMember(owner, "owner")] if owner else []
        return listed + sorted(_members(connection), key=lambda m: m.name)


def _owner(connection: Connection) -> str | None:
    return connection.execute(
        text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'events'::regclass")
    ).scalar_one_or_none()


def _members(connection: Connection) -> list[TeamMember]:
    rows = connection.execute(
        text(
            "SELECT m.rolname, r.kind FROM unnest(CAST(:roles AS text[])) AS r(kind)"
            " JOIN pg_roles g ON g.rolname = cen_group_role(r.kind)"
            " JOIN pg_auth_members a ON a.roleid = g.oid JOIN pg_roles m ON m.oid = a.member"
        ),
        {"roles": list(ROLES)},
    )
    return [TeamMember(str(name), str(role)) for name, role in rows]
