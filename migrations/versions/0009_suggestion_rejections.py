"""suggestions a coder rejected stay hidden for that code

``suggest CODE`` offers uncoded segments that read like the code's excerpts; a segment
rejected for a code is not offered for it again. On PostgreSQL a coder may reject (and
take back, by undo) on their own behalf: the new table gets row-level security like the
codings', and ``suggestion.reject`` joins the kinds of change a coder may make.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "suggestion_rejections"
# The kinds of change a coder may make (migration 0008's list), before and after.
KINDS_0008 = (
    "coding.apply",
    "coding.remove",
    "coding.import",
    "excerpt.memo",
    "memo.add",
    "code.create",
    "undo",
)
KINDS = (*KINDS_0008, "suggestion.reject")
MINE = "(SELECT id FROM coders WHERE name = current_user)"
LEAD = "(SELECT cen_is_lead())"


def _moment() -> sa.types.TypeEngine:
    # As cen_themes.models.Moment stores it: microseconds on SQLite, timestamptz elsewhere.
    return sa.BigInteger() if op.get_bind().dialect.name == "sqlite" else sa.DateTime(True)


def _event_insert_policy(kinds: Sequence[str]) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.execute("DROP POLICY IF EXISTS team_insert ON events")
    op.execute(
        f"CREATE POLICY team_insert ON events FOR INSERT WITH CHECK ({LEAD} OR "
        f"(coder = current_user AND kind IN ({listed})))"
    )


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _moment(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["codes.id"],
            name=op.f("fk_suggestion_rejections_code_id_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_suggestion_rejections_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coders.id"],
            name=op.f("fk_suggestion_rejections_coder_id_coders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_rejections")),
        sa.UniqueConstraint("code_id", "segment_id", name=op.f("uq_suggestion_rejections_code_id")),
    )
    op.create_index("ix_suggestion_rejections_segment_id", TABLE, ["segment_id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    mine = f"coder_id = {MINE}"
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY team_read ON {TABLE} FOR SELECT USING (true)")
    op.execute(f"CREATE POLICY team_insert ON {TABLE} FOR INSERT WITH CHECK ({LEAD} OR ({mine}))")
    op.execute(
        f"CREATE POLICY team_update ON {TABLE} FOR UPDATE USING ({LEAD} OR ({mine}))"
        f" WITH CHECK ({LEAD} OR ({mine}))"
    )
    op.execute(f"CREATE POLICY team_delete ON {TABLE} FOR DELETE USING ({LEAD} OR ({mine}))")
    _event_insert_policy(KINDS)
    # A team made before this revision: its coders may write the new table (a lead's
    # grant comes with the default privileges that `team add` set).
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = cen_group_role('coder')) THEN
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON {TABLE} TO %I',
                           cen_group_role('coder'));
            EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE {TABLE}_id_seq TO %I',
                           cen_group_role('coder'));
          END IF;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _event_insert_policy(KINDS_0008)
    op.drop_index("ix_suggestion_rejections_segment_id", table_name=TABLE)
    op.drop_table(TABLE)
