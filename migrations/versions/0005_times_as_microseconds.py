"""times on SQLite as integer microseconds since 1970 UTC, not 26 characters of text

SQLAlchemy stores a DATETIME on SQLite as text ('2026-11-26 02:07:16.123456'): 60% of
a coding's row and of an excerpt's. As an integer it takes 6 bytes. Existing values
are converted exactly (to the microsecond); the tables are then rebuilt with BIGINT
columns. PostgreSQL keeps timestamptz: nothing changes there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ("sources", "imported_at"),
    ("codes", "created_at"),
    ("excerpts", "created_at"),
    ("codings", "created_at"),
    ("themes", "created_at"),
    ("memos", "created_at"),
    ("events", "created_at"),
]

# SQLAlchemy's text form: seconds through strftime, then the fraction padded to six
# digits ('.5' is 500000 microseconds). Anything else is left to Python below.
_MICROSECONDS = (
    "CAST(strftime('%s', substr({c}, 1, 19)) AS INTEGER) * 1000000"
    " + CAST(substr(substr({c}, 20) || '000000', 2, 6) AS INTEGER)"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _from_text(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _to_text(c: str) -> str:
    return (
        f"strftime('%Y-%m-%d %H:%M:%S', {c} / 1000000, 'unixepoch')"
        f" || '.' || substr('00000' || ({c} % 1000000), -6, 6)"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    connection = op.get_bind()
    for table, column in COLUMNS:
        c = f'"{column}"'
        exact = _MICROSECONDS.format(c=c)
        # Only the plain form: 19 characters, or 19 + a dot and one to six digits.
        plain = (
            f"typeof({c}) = 'text' AND ({c} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
            f"[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' OR ({c} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-"
            f"[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9]*' AND length({c}) <= 26 "
            f"AND substr({c}, 21) NOT GLOB '*[^0-9]*'))"
        )
        connection.exec_driver_sql(f"UPDATE {table} SET {c} = {exact} WHERE {plain}")
        others = connection.exec_driver_sql(
            f"SELECT rowid, {c} FROM {table} WHERE typeof({c}) = 'text'"
        ).fetchall()
        for rowid, text in others:
            try:
                value = _from_text(text)
            except ValueError:
                raise ValueError(f"{table} row {rowid}: {column} {text!r} is not a time") from None
            connection.exec_driver_sql(
                f"UPDATE {table} SET {c} = ? WHERE rowid = ?", (value, rowid)
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.DateTime(timezone=True),
                type_=sa.BigInteger(),
                existing_nullable=False,
            )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    connection = op.get_bind()
    for table, column in COLUMNS:
        # The rebuild first: it CASTs to DATETIME (numeric affinity), which keeps an
        # integer but would read the text '2026-11-26 ...' as the number 2026.
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.BigInteger(),
                type_=sa.DateTime(timezone=True),
                existing_nullable=False,
            )
        c = f'"{column}"'
        connection.exec_driver_sql(
            f"UPDATE {table} SET {c} = {_to_text(c)} WHERE typeof({c}) = 'integer'"
        )
