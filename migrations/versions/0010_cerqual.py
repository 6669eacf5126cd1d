"""GRADE-CERQual assessments of the themes (the review findings of a synthesis)

One row per assessed theme: the summary statement, four components (methodological
limitations, coherence, adequacy, relevance), each a level of concerns with an
explanation, and the overall confidence with its explanation. The row goes with its
theme (ON DELETE CASCADE); a rename changes nothing here (the theme is kept by id).

On PostgreSQL the judgement is the lead's: every member of the team may read the table,
only a lead (and the owner) may write it. That is a matter of grants alone, as for the
themes themselves: a coder has none on it, and ``cerqual.set`` is not among the kinds
of change a coder's audit event may have (migration 0009's list stays as it is).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "cerqual"
COMPONENTS = ("limitations", "coherence", "adequacy", "relevance")
LEVELS = ("no", "minor", "moderate", "serious")
CONFIDENCES = ("high", "moderate", "low", "very-low")


def _moment() -> sa.types.TypeEngine:
    # As cen_themes.models.Moment stores it: microseconds on SQLite, timestamptz elsewhere.
    return sa.BigInteger() if op.get_bind().dialect.name == "sqlite" else sa.DateTime(True)


def _one_of(column: str, values: Sequence[str]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{TABLE}_{column}"))


def upgrade() -> None:
    components = []
    for component in COMPONENTS:
        components += [
            sa.Column(f"{component}_level", sa.String(length=16), nullable=True),
            sa.Column(f"{component}_explanation", sa.Text(), nullable=False),
        ]
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        *components,
        sa.Column("confidence", sa.String(length=16), nullable=True),
        sa.Column("confidence_explanation", sa.Text(), nullable=False),
        sa.Column("updated_at", _moment(), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        *(_one_of(f"{component}_level", LEVELS) for component in COMPONENTS),
        _one_of("confidence", CONFIDENCES),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_cerqual_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cerqual")),
        sa.UniqueConstraint("theme_id", name=op.f("uq_cerqual_theme_id")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    # A team made before this revision: everyone reads the new table, a lead writes it.
    # (The default privileges that `team add` set give the same to a table the owner
    # makes; these grants hold whoever runs the upgrade.)
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = cen_group_role('lead')) THEN
            EXECUTE format('GRANT SELECT ON {TABLE} TO %I, %I, %I', cen_group_role('reader'),
                           cen_group_role('coder'), cen_group_role('lead'));
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON {TABLE} TO %I',
                           cen_group_role('lead'));
            EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE {TABLE}_id_seq TO %I',
                           cen_group_role('lead'));
          END IF;
        END
        $$
        """
    )


def downgrade() -> None:
    op.drop_table(TABLE)
