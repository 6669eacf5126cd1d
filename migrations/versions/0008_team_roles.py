"""a team's roles are enforced by PostgreSQL: row-level security on the shared tables

On PostgreSQL the project's tables get row-level security, so that what a member of
the team may change is decided by the server, not by the program they run:

- the role a login plays is ``cen_team_role()``: ``owner`` for the tables' owner (who
  made the project) and superusers, else ``lead``, ``coder`` or ``reader`` by
  membership of the group roles ``<database>_lead``, ``_coder`` and ``_reader`` (made
  by ``cen-themes team add``), else NULL;
- a coder's codings, memos and audit events carry their own login; they may change or
  delete only those, an excerpt only while nobody else's coding is on it, and a code
  only while nobody has used it (a code they just made); a lead may change anything;
- a coder's changes are of the kinds a coder may make (the audit event of any other
  is refused): coding, memos, new codes, undo of their own;
- which tables a role may write at all is a matter of grants (``team add`` makes them).

The owner is exempt from row-level security (PostgreSQL's rule for a table's owner),
as a superuser is. SQLite has no logins: nothing changes there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = """
CREATE OR REPLACE FUNCTION cen_group_role(kind text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT left(current_database() || '_' || kind, 63)
$$;

CREATE OR REPLACE FUNCTION cen_in_group(kind text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_roles r
    WHERE r.rolname = cen_group_role(kind) AND pg_has_role(current_user, r.oid, 'MEMBER')
  )
$$;

CREATE OR REPLACE FUNCTION cen_team_role() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN 'owner'
    WHEN EXISTS (
      SELECT 1 FROM pg_class c
      WHERE c.oid = 'events'::regclass AND pg_has_role(current_user, c.relowner, 'MEMBER')
    ) THEN 'owner'
    WHEN cen_in_group('lead') THEN 'lead'
    WHEN cen_in_group('coder') THEN 'coder'
    WHEN cen_in_group('reader') THEN 'reader'
  END
$$;

CREATE OR REPLACE FUNCTION cen_is_lead() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(cen_team_role() IN ('owner', 'lead'), false)
$$;
"""

# The kinds of change a coder may make: every change writes its audit event in its own
# transaction, so a restructuring (a merge of a coder's own codes into another, say,
# which touches only their rows) is refused with the event that would record it.
CODER_KINDS = ", ".join(
    f"'{kind}'"
    for kind in (
        "coding.apply",
        "coding.remove",
        "coding.import",
        "excerpt.memo",
        "memo.add",
        "code.create",
        "undo",
    )
)
# For members below lead, per table: (a new row passes, an old row may be updated, an
# updated row passes, an old row may be deleted). A lead passes every policy.
MINE = "(SELECT id FROM coders WHERE name = current_user)"
UNUSED_CODE = (
    "NOT EXISTS (SELECT 1 FROM codings c WHERE c.code_id = codes.id)"
    " AND NOT EXISTS (SELECT 1 FROM codes k WHERE k.parent_id = codes.id)"
)
MEMO_MINE = "coalesce(memo_author, current_user) = current_user"
ONLY_MY_CODINGS = (
    "NOT EXISTS (SELECT 1 FROM codings c"
    f" WHERE c.excerpt_id = excerpts.id AND c.coder_id <> {MINE})"
)
POLICIES = {
    "coders": ("name = current_user", "false", "false", "name = current_user"),
    "codes": ("true", UNUSED_CODE, "true", UNUSED_CODE),
    "excerpts": ("true", MEMO_MINE, MEMO_MINE, f"{ONLY_MY_CODINGS} AND {MEMO_MINE}"),
    "codings": (f"coder_id = {MINE}",) * 4,
    "memos": ("author = current_user",) * 4,
    "events": (f"coder = current_user AND kind IN ({CODER_KINDS})",)
    + ("coder = current_user",) * 2
    + ("false",),
}
LEAD = "(SELECT cen_is_lead())"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTIONS)
    for table, (insert, update_old, update_new, delete) in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY team_read ON {table} FOR SELECT USING (true)")
        op.execute(
            f"CREATE POLICY team_insert ON {table} FOR INSERT WITH CHECK ({LEAD} OR ({insert}))"
        )
        op.execute(
            f"CREATE POLICY team_update ON {table} FOR UPDATE USING ({LEAD} OR ({update_old}))"
            f" WITH CHECK ({LEAD} OR ({update_new}))"
        )
        op.execute(f"CREATE POLICY team_delete ON {table} FOR DELETE USING ({LEAD} OR ({delete}))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        for policy in ("team_read", "team_insert", "team_update", "team_delete"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for function in (
        "cen_is_lead()",
        "cen_team_role()",
        "cen_in_group(text)",
        "cen_group_role(text)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
