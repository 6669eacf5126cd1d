"""Sources: import files faithfully, list them, show them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cen_themes import nlp
from cen_themes.bookkeeping.change import Change
from cen_themes.bookkeeping.views import excerpt_views
from cen_themes.db import Project, retried
from cen_themes.errors import CenThemesError, InputError, NotFoundError
from cen_themes.importers import read_document
from cen_themes.importers.base import Document
from cen_themes.models import Attribute, Excerpt, Segment, Source
from cen_themes.results import (
    ExcerptView,
    ImportOutcome,
    ImportReport,
    SegmentInfo,
    SourceDetail,
    SourceSummary,
)
from cen_themes.wording import did_you_mean

# Files are read and segmented this many at a time (spaCy is fastest on batches);
# each file is still written in a transaction of its own.
IMPORT_BATCH = 16


Progress = Callable[[ImportOutcome], None]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count_words(text: str) -> int:
    return len(text.split())


def infer_kind(document: Document) -> str:
    """document (no speakers), interview (two), focus group (three or more)."""
    speakers = {turn.speaker for turn in document.turns if turn.speaker is not None}
    if len(speakers) >= 3:
        return "focus group"
    if len(speakers) == 2:
        return "interview"
    return "document"


def check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise InputError("a source name cannot be empty")
    if len(cleaned) > 255:
        raise InputError(f"source name '{cleaned[:40]}...' is longer than 255 characters")
    return cleaned


def check_attributes(attributes: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for key, value in attributes.items():
        key = key.strip()
        if not key:
            raise InputError(f"attribute '={value}' has no key")
        if len(key) > 255:
            raise InputError(f"attribute key '{key[:40]}...' is longer than 255 characters")
        cleaned[key] = value.strip()
    return cleaned


def import_files(
    project: Project,
    paths: Sequence[Path],
    *,
    coder: str,
    attributes: dict[str, str] | None = None,
    kind: str | None = None,
    name: str | None = None,
    speaker_pattern: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import each file in a transaction of its own; failures don't stop the rest.

    A file whose content is already in the project is skipped; a file whose name is
    taken by different content fails unless ``name`` renames it (one file only).
    """
    if name is not None and len(paths) != 1:
        raise InputError(f"--name renames one file, but {len(paths)} files were given")
    attributes = check_attributes(attributes or {})
    if name is not None:
        name = check_name(name)
    if kind is not None and not kind.strip():
        raise InputError("--kind cannot be empty")
    report = ImportReport()
    for batch_start in range(0, len(paths), IMPORT_BATCH):
        batch = paths[batch_start : batch_start + IMPORT_BATCH]
        read: list[tuple[Path, Document]] = []
        for path in batch:
            try:
                read.append((path, read_document(path, speaker_pattern)))
            except CenThemesError as exc:
                _note(report, progress, ImportOutcome(path, "failed", f"{path}: {exc}"))
        segmented = nlp.segment_many(document for _path, document in read)
        for (path, document), segments in zip(read, segmented, strict=True):
            outcome = _store(
                project,
                path,
                document,
                segments,
                name=name or path.stem,
                kind=kind.strip() if kind else infer_kind(document),
                attributes=attributes,
                coder=coder,
            )
            _note(report, progress, outcome)
    return report


def _note(report: ImportReport, progress: Progress | None, outcome: ImportOutcome) -> None:
    report.outcomes.append(outcome)
    if progress is not None:
        progress(outcome)


@retried
def _store(
    project: Project,
    path: Path,
    document: Document,
    segments: list[nlp.SegmentSpan],
    *,
    name: str,
    kind: str,
    attributes: dict[str, str],
    coder: str,
) -> ImportOutcome:
    digest = content_hash(document.text)
    words = count_words(document.text)
    try:
        name = check_name(name)
    except InputError as exc:
        return ImportOutcome(path, "failed", f"{path}: {exc}; use --name to give another name")
    try:
        with project.change("source.import", coder) as ch:
            clash = _clash(ch.session, path, name, digest)
            if clash is not None:
                return clash
            source = add_source(
                ch,
                document,
                segments,
                name=name,
                kind=kind,
                attributes=attributes,
                original_filename=path.name,
                digest=digest,
                words=words,
            )
            ch.summary = (
                f"imported {name} from {path.name} ({words} words, {len(segments)} segments)"
            )
            ch.payload.update(
                source_id=source.id, name=name, content_hash=digest, attributes=attributes
            )
    except IntegrityError:
        # Another program may have imported the same name or content since we looked.
        with project.read() as session:
            clash = _clash(session, path, name, digest)
        if clash is None:
            raise
        return clash
    return ImportOutcome(
        path,
        "imported",
        f"{path}: imported as '{name}' ({words} words, {len(segments)} segments)",
        source=name,
        words=words,
        segments=len(segments),
    )


def add_source(
    ch: Change,
    document: Document,
    segments: list[nlp.SegmentSpan],
    *,
    name: str,
    kind: str,
    attributes: dict[str, str],
    original_filename: str,
    digest: str,
    words: int,
) -> Source:
    """Insert a source with its attributes and segments. The caller has checked its
    name and content, and so has its ``digest`` (:func:`content_hash`) and ``words``
    (:func:`count_words`) already."""
    source = Source(
        name=name,
        kind=kind,
        text=document.text,
        content_hash=digest,
        words=words,
        original_filename=original_filename,
        format=document.format,
    )
    ch.add(source)
    ch.add(*(Attribute(source_id=source.id, key=k, value=v) for k, v in attributes.items()))
    ch.insert(
        "segments",
        [
            {"source_id": source.id, "start": s.start, "end": s.end, "speaker": s.speaker,
             "turn": s.turn}
            for s in segments
        ],
    )  # fmt: skip
    return source


def _clash(session: Session, path: Path, name: str, digest: str) -> ImportOutcome | None:
    """Why this file cannot be imported as ``name``: same content, or name taken."""
    same = session.scalar(select(Source.name).where(Source.content_hash == digest))
    if same is not None:
        return ImportOutcome(path, "skipped", f"{path}: already imported as '{same}'", source=same)
    if session.scalar(select(Source.id).where(Source.name == name)) is not None:
        return ImportOutcome(
            path,
            "failed",
            f"{path}: a source named '{name}' already exists with other content; "
            "use --name to import it under another name",
        )
    return None


def _attributes_by_source(session: Session, source_ids: Iterable[int] | None = None) -> dict:
    query = select(Attribute.source_id, Attribute.key, Attribute.value).order_by(
        Attribute.source_id, Attribute.key
    )
    if source_ids is not None:
        query = query.where(Attribute.source_id.in_(list(source_ids)))
    found: dict[int, dict[str, str]] = {}
    for source_id, key, value in session.execute(query):
        found.setdefault(source_id, {})[key] = value
    return found


def list_sources(project: Project) -> list[SourceSummary]:
    """Every source in import order, with counts and attributes (texts not loaded)."""
    with project.read() as session:
        segment_counts = (
            select(Segment.source_id, func.count().label("n"))
            .group_by(Segment.source_id)
            .subquery()
        )
        excerpt_counts = (
            select(Excerpt.source_id, func.count().label("n"))
            .group_by(Excerpt.source_id)
            .subquery()
        )
        rows = session.execute(
            select(
                Source.id,
                Source.name,
                Source.kind,
                Source.words,
                Source.imported_at,
                func.coalesce(segment_counts.c.n, 0),
                func.coalesce(excerpt_counts.c.n, 0),
            )
            .outerjoin(segment_counts, segment_counts.c.source_id == Source.id)
            .outerjoin(excerpt_counts, excerpt_counts.c.source_id == Source.id)
            .order_by(Source.id)
        ).all()
        attributes = _attributes_by_source(session)
    return [
        SourceSummary(
            name=name,
            kind=kind,
            words=words,
            segments=segments,
            excerpts=excerpts,
            attributes=attributes.get(source_id, {}),
            imported_at=imported_at,
        )
        for source_id, name, kind, words, imported_at, segments, excerpts in rows
    ]


def coded_shares(project: Project) -> dict[str, float]:
    """Each source's share of characters inside at least one excerpt (0.0 to 1.0),
    overlapping excerpts counted once.

    One query: in each source, in order of position, an excerpt adds what reaches past
    the furthest end before it (a window over the excerpts' index). The database does
    all of it, so a worker that runs this leaves the screen's thread free, where
    merging in Python would hold it for as long as it reads every excerpt."""
    reach = func.max(Excerpt.end).over(
        partition_by=Excerpt.source_id,
        order_by=(Excerpt.start, Excerpt.end),
        rows=(None, -1),  # the excerpts before this one in its source
    )
    spans = select(Excerpt.source_id, Excerpt.start, Excerpt.end, reach.label("reach")).subquery()
    begins = case(
        (spans.c.reach > spans.c.start, spans.c.reach), else_=spans.c.start
    )  # where this excerpt starts to add: after the furthest end before it
    added = case((spans.c.end > begins, spans.c.end - begins), else_=0)
    with project.read() as session:
        lengths = session.execute(
            select(Source.id, Source.name, func.length(Source.text)).order_by(Source.id)
        ).all()
        covered = dict(
            session.execute(
                select(spans.c.source_id, func.sum(added)).group_by(spans.c.source_id)
            ).all()
        )
    return {
        name: (int(covered.get(source_id, 0)) / length if length else 0.0)
        for source_id, name, length in lengths
    }


def find_source(session: Session, name: str) -> Source:
    """The source with this name, or a NotFoundError that suggests close names."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is not None:
        return source
    names = session.scalars(select(Source.name)).all()
    raise NotFoundError(f"no source named '{name}'{did_you_mean(name, names)}")


def get_source(project: Project, name: str) -> SourceDetail:
    with project.read() as session:
        source = find_source(session, name)
        segments = session.execute(
            select(Segment.start, Segment.end, Segment.speaker, Segment.turn)
            .where(Segment.source_id == source.id)
            .order_by(Segment.start)
        ).all()
        attributes = _attributes_by_source(session, [source.id]).get(source.id, {})
        return SourceDetail(
            name=source.name,
            kind=source.kind,
            text=source.text,
            attributes=attributes,
            segments=[SegmentInfo(*row) for row in segments],
        )


def source_excerpts(project: Project, name: str) -> list[ExcerptView]:
    """Every excerpt of one source, by position, with its codes, coders and memo: what
    the reader shades."""
    with project.read() as session:
        source = find_source(session, name)
        return excerpt_views(session, Excerpt.source_id == source.id)
