"""the codebook, excerpts and codings, themes and memos

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("color", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["codes.id"], name=op.f("fk_codes_parent_id_codes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codes")),
    )
    op.create_index("ix_codes_parent_id_name", "codes", ["parent_id", "name"])
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["themes.id"],
            name=op.f("fk_themes_parent_id_themes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
    )
    op.create_index("ix_themes_parent_id_name", "themes", ["parent_id", "name"])
    op.create_table(
        "memos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "target_type IN ('project', 'source', 'code', 'theme')",
            name=op.f("ck_memos_target_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memos")),
    )
    op.create_index("ix_memos_target", "memos", ["target_type", "target_id"])
    op.create_table(
        "excerpts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('start >= 0 AND start < "end"', name=op.f("ck_excerpts_span")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_excerpts_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_excerpts")),
        sa.UniqueConstraint("source_id", "start", "end", name=op.f("uq_excerpts_source_id")),
    )
    op.create_table(
        "theme_codes",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"], ["codes.id"], name=op.f("fk_theme_codes_code_id_codes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_codes_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("theme_id", "code_id", name=op.f("pk_theme_codes")),
    )
    op.create_index("ix_theme_codes_code_id", "theme_codes", ["code_id"])
    op.create_table(
        "codings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("excerpt_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"], ["codes.id"], name=op.f("fk_codings_code_id_codes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coders.id"],
            name=op.f("fk_codings_coder_id_coders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["excerpt_id"],
            ["excerpts.id"],
            name=op.f("fk_codings_excerpt_id_excerpts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codings")),
        sa.UniqueConstraint(
            "excerpt_id", "code_id", "coder_id", name=op.f("uq_codings_excerpt_id")
        ),
    )
    op.create_index("ix_codings_code_id", "codings", ["code_id"])
    op.create_index("ix_codings_coder_id", "codings", ["coder_id"])


def downgrade() -> None:
    op.drop_index("ix_codings_coder_id", table_name="codings")
    op.drop_index("ix_codings_code_id", table_name="codings")
    op.drop_table("codings")
    op.drop_index("ix_theme_codes_code_id", table_name="theme_codes")
    op.drop_table("theme_codes")
    op.drop_table("excerpts")
    op.drop_index("ix_memos_target", table_name="memos")
    op.drop_table("memos")
    op.drop_index("ix_themes_parent_id_name", table_name="themes")
    op.drop_table("themes")
    op.drop_index("ix_codes_parent_id_name", table_name="codes")
    op.drop_table("codes")
