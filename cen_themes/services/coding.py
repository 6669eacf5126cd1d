"""Coding: apply codes to spans of a source, remove them, annotate excerpts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from cen_themes.bookkeeping import rollup
from cen_themes.bookkeeping.trail import Journal, record
from cen_themes.bookkeeping.views import excerpt_views
from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Coder, Coding, Excerpt, Source
from cen_themes.results import ExcerptView
from cen_themes.services.codebook import code_tree, ensure_code
from cen_themes.services.sources import find_source


@dataclass(frozen=True, slots=True)
class CodingResult:
    """What coding a span did: the excerpt as it now is, and what was new."""

    excerpt: ExcerptView
    added: bool  # False when that code by that coder was already on the span
    created_codes: list[str]


def coder_id(session: Session, journal: Journal, name: str) -> int:
    """The coder with this name, created (and journaled) when new."""
    name = name.strip()
    if not name:
        raise InputError("a coder name cannot be empty")
    found = session.scalar(select(Coder.id).where(Coder.name == name))
    if found is not None:
        return found
    coder = Coder(name=name)
    session.add(coder)
    session.flush()
    journal.inserted("coders", [coder.id])
    return coder.id


def check_span(source: Source | str, length: int, start: int, end: int) -> None:
    name = source if isinstance(source, str) else source.name
    if start < 0 or end < 0:
        raise InputError(f"{name}: offsets cannot be negative ({start}, {end})")
    if start >= end:
        raise InputError(f"{name}: start {start} must be before end {end}")
    if end > length:
        raise InputError(f"{name}: end {end} is past the end of the text ({length} characters)")


def _source_for_span(session: Session, name: str, start: int, end: int) -> Source:
    source = find_source(session, name)
    check_span(source, len(source.text), start, end)
    return source


def apply_code(
    project: Project,
    source: str,
    start: int,
    end: int,
    code: str,
    *,
    coder: str,
    memo: str | None = None,
) -> CodingResult:
    """Code the span [start, end) of a source; a missing code path is created."""
    with project.write() as session:
        found = _source_for_span(session, source, start, end)
        journal = Journal(session)
        tree = code_tree(session)
        code_id, created = ensure_code(session, tree, journal, code)
        who = coder_id(session, journal, coder)
        excerpt = session.scalar(
            select(Excerpt).where(
                Excerpt.source_id == found.id, Excerpt.start == start, Excerpt.end == end
            )
        )
        if excerpt is None:
            excerpt = Excerpt(source_id=found.id, start=start, end=end, memo=memo or "")
            session.add(excerpt)
            session.flush()
            journal.inserted("excerpts", [excerpt.id])
        elif memo is not None:
            journal.update("excerpts", Excerpt.id == excerpt.id, {"memo": memo})
        existing = session.scalar(
            select(Coding.id).where(
                Coding.excerpt_id == excerpt.id, Coding.code_id == code_id, Coding.coder_id == who
            )
        )
        added = existing is None
        if added:
            coding = Coding(
                excerpt_id=excerpt.id, code_id=code_id, coder_id=who, source_id=found.id
            )
            session.add(coding)
            session.flush()
            journal.inserted("codings", [coding.id])
            rollup.add(session, Coding.id == coding.id)
        path = tree.path(code_id)
        if journal.ops:
            record(
                session,
                "coding.apply",
                f"coded {found.name} {start}-{end} with {path}",
                coder,
                ops=journal.ops,
            )
        (view,) = excerpt_views(session, Excerpt.id == excerpt.id)
        return CodingResult(view, added, [tree.path(c) for c in created])


@dataclass(frozen=True, slots=True)
class SpansResult:
    """What coding several spans at once did."""

    summary: str
    added: int  # spans that got the code
    already: int  # spans that had that code by that coder already
    created_codes: list[str]


def apply_code_spans(
    project: Project, spans: list[tuple[str, int, int]], code: str, *, coder: str
) -> SpansResult:
    """Code every (source, start, end) span with ``code`` as one change: one Event, so
    one undo takes them all back. Every span is checked before anything is written."""
    unique = list(dict.fromkeys(spans))
    if not unique:
        raise InputError("no spans to code")
    with project.write() as session:
        found: dict[str, Source] = {}
        for name, start, end in unique:
            if name not in found:
                found[name] = find_source(session, name)
            check_span(found[name], len(found[name].text), start, end)
        journal = Journal(session)
        tree = code_tree(session)
        code_id, created = ensure_code(session, tree, journal, code)
        who = coder_id(session, journal, coder)
        source_ids = {source.id for source in found.values()}
        excerpt_ids = {
            (source_id, start, end): excerpt_id
            for excerpt_id, source_id, start, end in session.execute(
                select(Excerpt.id, Excerpt.source_id, Excerpt.start, Excerpt.end).where(
                    Excerpt.source_id.in_(source_ids)
                )
            )
        }
        wanted = [(found[name].id, start, end) for name, start, end in unique]
        new_excerpts = [
            Excerpt(source_id=s, start=a, end=b, memo="")
            for s, a, b in wanted
            if (s, a, b) not in excerpt_ids
        ]
        session.add_all(new_excerpts)
        session.flush()
        journal.inserted("excerpts", [e.id for e in new_excerpts])
        excerpt_ids.update({(e.source_id, e.start, e.end): e.id for e in new_excerpts})
        targets = {excerpt_ids[key]: key[0] for key in wanted}
        coded = set(
            session.scalars(
                select(Coding.excerpt_id).where(
                    Coding.excerpt_id.in_(list(targets)),
                    Coding.code_id == code_id,
                    Coding.coder_id == who,
                )
            )
        )
        new_codings = [
            Coding(excerpt_id=e, code_id=code_id, coder_id=who, source_id=s)
            for e, s in targets.items()
            if e not in coded
        ]
        session.add_all(new_codings)
        session.flush()
        coding_ids = [c.id for c in new_codings]
        journal.inserted("codings", coding_ids)
        if coding_ids:
            rollup.add(session, Coding.id.in_(coding_ids))
        path = tree.path(code_id)
        n_sources = len({name for name, _s, _e in unique})
        summary = (
            f"coded {len(new_codings)} span{'' if len(new_codings) == 1 else 's'} "
            f"in {n_sources} source{'' if n_sources == 1 else 's'} with {path}"
        )
        if coded:
            summary += f" ({len(coded)} already coded)"
        if journal.ops:
            record(session, "coding.apply", summary, coder, ops=journal.ops)
        return SpansResult(summary, len(new_codings), len(coded), [tree.path(c) for c in created])


def _excerpt_at(session: Session, source: Source, start: int, end: int) -> Excerpt:
    excerpt = session.scalar(
        select(Excerpt).where(
            Excerpt.source_id == source.id, Excerpt.start == start, Excerpt.end == end
        )
    )
    if excerpt is None:
        raise NotFoundError(f"{source.name}: no excerpt at {start}-{end}")
    return excerpt


def remove_coding(
    project: Project,
    source: str,
    start: int,
    end: int,
    code: str | None = None,
    *,
    coder: str,
    by: str | None = None,
) -> str:
    """Remove codings from the excerpt [start, end): of ``code`` (else the only code
    there), by coder ``by`` (else by anyone). The excerpt goes with its last coding."""
    with project.write() as session:
        found = _source_for_span(session, source, start, end)
        excerpt = _excerpt_at(session, found, start, end)
        tree = code_tree(session)
        where = Coding.excerpt_id == excerpt.id
        if by is not None:
            who = session.scalar(select(Coder.id).where(Coder.name == by))
            if who is None:
                raise NotFoundError(f"no coder named '{by}'")
            where = and_(where, Coding.coder_id == who)
        present = sorted(set(session.scalars(select(Coding.code_id).where(where))))
        if code is None:
            if len(present) > 1:
                paths = ", ".join(f"'{tree.path(c)}'" for c in present)
                raise InputError(
                    f"{found.name} {start}-{end} has several codes ({paths}): "
                    "name the one to remove"
                )
            target = present[0] if present else None
        else:
            target = tree.find(code)
        if target is None or target not in present:
            label = f"'{tree.path(target)}'" if target is not None else "no code"
            raise NotFoundError(f"{found.name} {start}-{end} is not coded with {label}")
        where = and_(where, Coding.code_id == target)
        journal = Journal(session)
        rollup.subtract(session, where)
        removed = journal.delete("codings", where)
        remaining = session.scalar(
            select(Coding.id).where(Coding.excerpt_id == excerpt.id).limit(1)
        )
        if remaining is None:
            journal.delete("excerpts", Excerpt.id == excerpt.id)
        summary = (
            f"removed {tree.path(target)} from {found.name} {start}-{end} "
            f"({len(removed)} coding{'s' if len(removed) != 1 else ''})"
        )
        record(session, "coding.remove", summary, coder, ops=journal.ops)
        return summary


def set_memo(project: Project, source: str, start: int, end: int, memo: str, *, coder: str) -> str:
    """Write the memo of the excerpt [start, end) (an empty memo clears it)."""
    with project.write() as session:
        found = _source_for_span(session, source, start, end)
        excerpt = _excerpt_at(session, found, start, end)
        journal = Journal(session)
        journal.update("excerpts", Excerpt.id == excerpt.id, {"memo": memo})
        summary = f"memo on {found.name} {start}-{end}" + (" cleared" if not memo else "")
        if journal.ops:
            record(session, "excerpt.memo", summary, coder, ops=journal.ops)
        return summary
