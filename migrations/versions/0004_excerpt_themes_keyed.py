"""excerpt_themes keyed by (theme, source, excerpt), a WITHOUT ROWID table on SQLite;
no index on codings.coder_id

The derived table was a rowid table with a (theme, excerpt) key and two more
indexes: four b-trees to fill per row. Keyed by (theme, source, excerpt) it answers
the matrix in key order by itself, so one b-tree and the excerpt index remain. The
rows are derived, so the table is made again and filled from the codings.

codings.coder_id had an index of its own: a column with a handful of values (the
coders), which no query reads through (a coder filter reads most of the table
anyway), and which every coding paid for on insert.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL = """
    INSERT INTO excerpt_themes (theme_id, source_id, excerpt_id, refs)
    SELECT theme_rollup.theme_id, codings.source_id, codings.excerpt_id, count(*)
    FROM theme_rollup JOIN codings ON codings.code_id = theme_rollup.code_id
    GROUP BY theme_rollup.theme_id, codings.source_id, codings.excerpt_id
"""


def _foreign_keys() -> list[sa.ForeignKeyConstraint]:
    return [
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
    ]


def upgrade() -> None:
    op.drop_index("ix_codings_coder_id", table_name="codings")
    op.drop_index("ix_excerpt_themes_excerpt_id", table_name="excerpt_themes")
    op.drop_index("ix_excerpt_themes_theme_source", table_name="excerpt_themes")
    op.drop_table("excerpt_themes")
    op.create_table(
        "excerpt_themes",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("excerpt_id", sa.Integer(), nullable=False),
        sa.Column("refs", sa.Integer(), nullable=False),
        *_foreign_keys(),
        sa.PrimaryKeyConstraint(
            "theme_id", "source_id", "excerpt_id", name=op.f("pk_excerpt_themes")
        ),
        sqlite_with_rowid=False,
    )
    op.execute(FILL)
    op.create_index("ix_excerpt_themes_excerpt_id", "excerpt_themes", ["excerpt_id"])


def downgrade() -> None:
    op.create_index("ix_codings_coder_id", "codings", ["coder_id"])
    op.drop_index("ix_excerpt_themes_excerpt_id", table_name="excerpt_themes")
    op.drop_table("excerpt_themes")
    op.create_table(
        "excerpt_themes",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("excerpt_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("refs", sa.Integer(), nullable=False),
        *_foreign_keys(),
        sa.PrimaryKeyConstraint("theme_id", "excerpt_id", name=op.f("pk_excerpt_themes")),
    )
    op.execute(FILL)
    op.create_index("ix_excerpt_themes_theme_source", "excerpt_themes", ["theme_id", "source_id"])
    op.create_index("ix_excerpt_themes_excerpt_id", "excerpt_themes", ["excerpt_id"])
