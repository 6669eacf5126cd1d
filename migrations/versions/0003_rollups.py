"""fast analysis: codings carry their source, themes keep their codes and excerpts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("codings") as batch:
        batch.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE codings SET source_id = "
        "(SELECT excerpts.source_id FROM excerpts WHERE excerpts.id = codings.excerpt_id)"
    )
    with op.batch_alter_table("codings") as batch:
        batch.alter_column("source_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_codings_source_id_sources"),
            "sources",
            ["source_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.drop_index("ix_codings_code_id")
        batch.create_index("ix_codings_code_source", ["code_id", "source_id", "excerpt_id"])

    op.create_table(
        "theme_rollup",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["codes.id"],
            name=op.f("fk_theme_rollup_code_id_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_rollup_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("theme_id", "code_id", name=op.f("pk_theme_rollup")),
    )
    op.create_index("ix_theme_rollup_code_id", "theme_rollup", ["code_id"])
    op.create_table(
        "excerpt_themes",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("excerpt_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("refs", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["excerpt_id"],
            ["excerpts.id"],
            name=op.f("fk_excerpt_themes_excerpt_id_excerpts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_excerpt_themes_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_excerpt_themes_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("theme_id", "excerpt_id", name=op.f("pk_excerpt_themes")),
    )
    op.create_index("ix_excerpt_themes_theme_source", "excerpt_themes", ["theme_id", "source_id"])
    op.create_index("ix_excerpt_themes_excerpt_id", "excerpt_themes", ["excerpt_id"])
    # Fill the derived tables for projects that already have themes.
    op.execute(
        """
        WITH RECURSIVE below(theme_id, sub_id) AS (
            SELECT id, id FROM themes
            UNION ALL
            SELECT below.theme_id, themes.id
            FROM below JOIN themes ON themes.parent_id = below.sub_id
        )
        INSERT INTO theme_rollup (theme_id, code_id)
        SELECT DISTINCT below.theme_id, theme_codes.code_id
        FROM below JOIN theme_codes ON theme_codes.theme_id = below.sub_id
        """
    )
    op.execute(
        """
        INSERT INTO excerpt_themes (theme_id, excerpt_id, source_id, refs)
        SELECT theme_rollup.theme_id, codings.excerpt_id, codings.source_id, count(*)
        FROM theme_rollup JOIN codings ON codings.code_id = theme_rollup.code_id
        GROUP BY theme_rollup.theme_id, codings.excerpt_id, codings.source_id
        """
    )


def downgrade() -> None:
    op.drop_index("ix_excerpt_themes_excerpt_id", table_name="excerpt_themes")
    op.drop_index("ix_excerpt_themes_theme_source", table_name="excerpt_themes")
    op.drop_table("excerpt_themes")
    op.drop_index("ix_theme_rollup_code_id", table_name="theme_rollup")
    op.drop_table("theme_rollup")
    with op.batch_alter_table("codings") as batch:
        batch.drop_index("ix_codings_code_source")
        batch.create_index("ix_codings_code_id", ["code_id"])
        batch.drop_constraint(op.f("fk_codings_source_id_sources"), type_="foreignkey")
        batch.drop_column("source_id")
