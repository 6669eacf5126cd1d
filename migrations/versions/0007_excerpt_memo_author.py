"""an excerpt's memo says who wrote it and when

Memos on projects, sources, codes and themes are rows with an author and a time; the
memo of an excerpt is a field of the excerpt, and had neither. Memos written before
this revision keep NULL for both: nobody recorded them, and a guess would not be honest.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment() -> sa.types.TypeEngine:
    # As cen_themes.models.Moment stores it: microseconds on SQLite, timestamptz elsewhere.
    return sa.BigInteger() if op.get_bind().dialect.name == "sqlite" else sa.DateTime(True)


def upgrade() -> None:
    with op.batch_alter_table("excerpts") as batch:
        batch.add_column(sa.Column("memo_author", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("memo_at", _moment(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("excerpts") as batch:
        batch.drop_column("memo_at")
        batch.drop_column("memo_author")
