"""All tables of a cen-themes project (DESIGN.md, "Domain model").

Offsets (``start``/``end``) are 0-based Unicode code points into ``Source.text``, end
exclusive. The module holds no logic beyond invariants the database can enforce; the
services in :mod:`cen_themes.services` own every operation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_microseconds(moment: datetime) -> int:
    """Microseconds since 1970 UTC, exactly; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


class Moment(TypeDecorator[datetime]):
    """A point in time, read back as an aware UTC datetime.

    PostgreSQL stores ``timestamptz``. SQLite has no time type: SQLAlchemy's DATETIME
    is 26 characters of text, most of a coding's row. Here it is an integer of
    microseconds since 1970 (UTC): a large project is smaller and imports faster, and
    times still sort and compare as numbers.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:  # UTC, as on SQLite: not the PostgreSQL session's zone
            value = value.replace(tzinfo=UTC)
        return to_microseconds(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return EPOCH + timedelta(microseconds=value)
        return value.astimezone(UTC)  # PostgreSQL answers in the session's time zone


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    """One transcript or study text, stored exactly as imported."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64), default="interview")
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    words: Mapped[int] = mapped_column(Integer, default=0)
    original_filename: Mapped[str] = mapped_column(String(1024), default="")
    format: Mapped[str] = mapped_column(String(16), default="txt")
    imported_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)

    attributes: Mapped[list[Attribute]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )
    segments: Mapped[list[Segment]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )
    excerpts: Mapped[list[Excerpt]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )


class Attribute(Base):
    """A characteristic of a source: group=service user, region=London, n=12."""

    __tablename__ = "attributes"
    __table_args__ = (UniqueConstraint("source_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="attributes")


class Segment(Base):
    """A codable unit found by spaCy: one sentence within one speaker turn.

    ``turn`` numbers the speaker turns of a source from 0, so a whole turn is the
    segments sharing a number. The speaker label is never inside a segment.
    """

    __tablename__ = "segments"
    __table_args__ = (
        CheckConstraint('start >= 0 AND start < "end"', name="span"),
        Index("ix_segments_source_start", "source_id", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(255))
    turn: Mapped[int] = mapped_column(Integer)

    source: Mapped[Source] = relationship(back_populates="segments")


class Coder(Base):
    """A person who codes; every coding and event records one."""

    __tablename__ = "coders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)


def sibling_names(table: str) -> Index:
    """Names are unique among siblings, whatever their case, the top level included:
    ``name_key`` is the folded name, and a NULL parent counts as 0 (a plain unique
    constraint would let any number of top-level twins through, NULLs being distinct)."""
    return Index(
        f"uq_{table}_sibling_name", text("coalesce(parent_id, 0)"), "name_key", unique=True
    )


class Code(Base):
    """An entry in the codebook tree."""

    __tablename__ = "codes"
    __table_args__ = (
        Index("ix_codes_parent_id_name", "parent_id", "name"),
        sibling_names("codes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(Text)  # the name as siblings compare it
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(16), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)

    parent: Mapped[Code | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent")


class Excerpt(Base):
    """A coded span of a source. Codes attach to it as codings."""

    __tablename__ = "excerpts"
    __table_args__ = (
        UniqueConstraint("source_id", "start", "end"),
        CheckConstraint('start >= 0 AND start < "end"', name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    memo: Mapped[str] = mapped_column(Text, default="")
    # Who wrote the memo, and when; NULL without a memo, or for a memo written before
    # schema 0007 (nobody recorded it then).
    memo_author: Mapped[str | None] = mapped_column(String(255))
    memo_at: Mapped[datetime | None] = mapped_column(Moment)
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)

    source: Mapped[Source] = relationship(back_populates="excerpts")
    codings: Mapped[list[Coding]] = relationship(
        back_populates="excerpt", cascade="all, delete-orphan", passive_deletes=True
    )


class Coding(Base):
    """A code applied to an excerpt by a coder (at most once per code and coder).

    ``source_id`` repeats the excerpt's source so that counting a code's excerpts per
    source reads one index, not a join over every excerpt.
    """

    __tablename__ = "codings"
    __table_args__ = (
        UniqueConstraint("excerpt_id", "code_id", "coder_id"),
        Index("ix_codings_code_source", "code_id", "source_id", "excerpt_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    excerpt_id: Mapped[int] = mapped_column(ForeignKey("excerpts.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)

    excerpt: Mapped[Excerpt] = relationship(back_populates="codings")
    code: Mapped[Code] = relationship()
    coder: Mapped[Coder] = relationship()


class Theme(Base):
    """A higher-level finding; subthemes have a parent theme."""

    __tablename__ = "themes"
    __table_args__ = (
        Index("ix_themes_parent_id_name", "parent_id", "name"),
        sibling_names("themes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)

    parent: Mapped[Theme | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Theme]] = relationship(back_populates="parent")


class ThemeCode(Base):
    """Which codes a theme rolls up (many-to-many)."""

    __tablename__ = "theme_codes"
    __table_args__ = (Index("ix_theme_codes_code_id", "code_id"),)

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )
    code_id: Mapped[int] = mapped_column(
        ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True
    )


class ThemeRollup(Base):
    """Derived: every code a theme brings, its own and its subthemes' (kept by the
    themes service whenever themes or their codes change)."""

    __tablename__ = "theme_rollup"
    __table_args__ = (Index("ix_theme_rollup_code_id", "code_id"),)

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )
    code_id: Mapped[int] = mapped_column(
        ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True
    )


class ExcerptTheme(Base):
    """Derived: which excerpts a theme brings, and through how many codings.

    ``refs`` counts the codings of the excerpt whose code the theme rolls up; the row
    goes when it reaches 0. The theme-by-source matrix is a count over this table, in
    the order of its key (theme, source, excerpt): on SQLite the table is that key's
    b-tree itself (WITHOUT ROWID), one structure to fill instead of three.
    """

    __tablename__ = "excerpt_themes"
    __table_args__ = (
        Index("ix_excerpt_themes_excerpt_id", "excerpt_id"),
        {"sqlite_with_rowid": False},
    )

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    excerpt_id: Mapped[int] = mapped_column(
        ForeignKey("excerpts.id", ondelete="CASCADE"), primary_key=True
    )
    refs: Mapped[int] = mapped_column(Integer)


class Memo(Base):
    """Free notes on a source, code, theme or the whole project (target_id NULL)."""

    __tablename__ = "memos"
    __table_args__ = (
        CheckConstraint(
            "target_type IN ('project', 'source', 'code', 'theme')", name="target_type"
        ),
        Index("ix_memos_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)


class SuggestionRejection(Base):
    """A segment a coder said does not belong to a code: ``suggest`` no longer offers it
    for that code (whoever asks)."""

    __tablename__ = "suggestion_rejections"
    __table_args__ = (
        UniqueConstraint("code_id", "segment_id"),
        Index("ix_suggestion_rejections_segment_id", "segment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)


class Event(Base):
    """The audit trail: every change, who made it, when, and enough to reverse it."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    coder: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


_CONCERNS = ("no", "minor", "moderate", "serious")  # as cen_themes.results.synthesis.CERQUAL_LEVELS


class CerqualAssessment(Base):
    """A theme's GRADE-CERQual assessment, the theme being a review finding: its summary
    statement, the four components (each a level of concerns and why) and the overall
    confidence with why. A NULL level is a component not judged yet. The contributing
    studies are never stored: they are the sources the theme's excerpts come from."""

    __tablename__ = "cerqual"
    __table_args__ = (
        *(
            _one_of(f"{c}_level", _CONCERNS)
            for c in ("limitations", "coherence", "adequacy", "relevance")
        ),
        _one_of("confidence", ("high", "moderate", "low", "very-low")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), unique=True)
    finding: Mapped[str] = mapped_column(Text, default="")
    limitations_level: Mapped[str | None] = mapped_column(String(16))
    limitations_explanation: Mapped[str] = mapped_column(Text, default="")
    coherence_level: Mapped[str | None] = mapped_column(String(16))
    coherence_explanation: Mapped[str] = mapped_column(Text, default="")
    adequacy_level: Mapped[str | None] = mapped_column(String(16))
    adequacy_explanation: Mapped[str] = mapped_column(Text, default="")
    relevance_level: Mapped[str | None] = mapped_column(String(16))
    relevance_explanation: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[str | None] = mapped_column(String(16))
    confidence_explanation: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(Moment, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255))
