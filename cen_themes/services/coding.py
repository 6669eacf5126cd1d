"""Coding: apply codes to spans of a source, remove them, annotate excerpts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select, tuple_
from sqlalchemy.orm import Session

from cen_themes.bookkeeping.change import Change
from cen_themes.bookkeeping.views import excerpt_views
from cen_themes.db import Project, retried
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Base, Coder, Coding, Excerpt, Source, utcnow
from cen_themes.results import CodingResult, SpansResult
from cen_themes.services.codebook import ensure_code
from cen_themes.services.sources import find_source
from cen_themes.wording import plural

Span = tuple[int, int, int]  # source id, start, end


def coder_id(ch: Change, name: str) -> int:
    """The coder with this name, created when new (or found, when another program
    created it a moment ago)."""
    name = name.strip()
    if not name:
        raise InputError("a coder name cannot be empty")

    def existing() -> int | None:
        return ch.session.scalar(select(Coder.id).where(Coder.name == name))

    found = existing()
    if found is not None:
        return found
    return ch.add_unique(Coder(name=name), existing)[0]


def check_span(source: Source | str, length: int, start: int, end: int) -> None:
    name = source if isinstance(source, str) else source.name
    if start < 0 or end < 0:
        raise InputError(f"{name}: offsets cannot be negative ({start}, {end})")
    if start >= end:
        raise InputError(f"{name}: start {start} must be before end {end}")
    if end > length:
        raise InputError(f"{name}: end {end} is past the end of the text ({length} characters)")


@retried
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
    with project.change("coding.apply", coder) as ch:
        found = sources_of_spans(ch.session, [(source, start, end)])[source]
        code_id, created = ensure_code(ch, code)
        excerpts, added = code_spans(ch, [(found.id, start, end)], code_id, coder, memo)
        ch.summary = f"coded {found.name} {start}-{end} with {ch.codes.path(code_id)}"
        (view,) = excerpt_views(ch.session, Excerpt.id == excerpts[0])
        return CodingResult(view, bool(added), [ch.codes.path(c) for c in created])


@retried
def apply_code_spans(
    project: Project, spans: list[tuple[str, int, int]], code: str, *, coder: str
) -> SpansResult:
    """Code every (source, start, end) span with ``code`` as one change: one Event, so
    one undo takes them all back. Every span is checked before anything is written."""
    unique = list(dict.fromkeys(spans))
    if not unique:
        raise InputError("no spans to code")
    with project.change("coding.apply", coder) as ch:
        found = sources_of_spans(ch.session, unique)
        code_id, created = ensure_code(ch, code)
        wanted = [(found[name].id, start, end) for name, start, end in unique]
        _excerpts, added = code_spans(ch, wanted, code_id, coder)
        already = len(set(wanted)) - len(added)
        n_sources = len({name for name, _s, _e in unique})
        ch.summary = (
            f"coded {plural(len(added), 'span')} in {plural(n_sources, 'source')} "
            f"with {ch.codes.path(code_id)}"
        ) + (f" ({already} already coded)" if already else "")
        return SpansResult(ch.summary, len(added), already, [ch.codes.path(c) for c in created])


def code_spans(
    ch: Change, spans: list[Span], code_id: int, coder: str, memo: str | None = None
) -> tuple[list[int], list[int]]:
    """Apply one code by one coder to spans (source id, start, end): the one way
    codings are made, but for a bulk import's. A span's excerpt is made when new (with
    ``memo``; an existing excerpt gets ``memo`` when one is given), and a coding that
    is there already is left alone. Returns (the excerpt of each span, the codings
    added)."""
    who = coder_id(ch, coder)
    span_key = tuple_(Excerpt.source_id, Excerpt.start, Excerpt.end)
    excerpts, _new = _find_or_add(
        ch,
        spans,
        lambda wanted: {
            (s, a, b): e
            for e, s, a, b in _rows_where_in(
                ch.session,
                select(Excerpt.id, Excerpt.source_id, Excerpt.start, Excerpt.end),
                span_key,
                wanted,
            )
        },
        lambda s, a, b: Excerpt(source_id=s, start=a, end=b, **memo_fields(memo or "", coder)),
    )
    if memo is not None:
        write_memo(ch, Excerpt.id.in_(sorted(set(excerpts.values()))), memo, coder)
    source_of = {excerpts[span]: span[0] for span in spans}
    _codings, added = _find_or_add(
        ch,
        [(e,) for e in source_of],
        lambda wanted: {
            (e,): c
            for c, e in _rows_where_in(
                ch.session,
                select(Coding.id, Coding.excerpt_id).where(
                    Coding.code_id == code_id, Coding.coder_id == who
                ),
                Coding.excerpt_id,
                [e for (e,) in wanted],
            )
        },
        lambda e: Coding(excerpt_id=e, code_id=code_id, coder_id=who, source_id=source_of[e]),
    )
    return [excerpts[span] for span in spans], added


def memo_fields(memo: str, author: str | None, at: datetime | None = None) -> dict[str, object]:
    """An excerpt's memo with who wrote it and when (now, unless ``at``); neither,
    without a memo. Surrounding white space is not part of a memo."""
    memo = memo.strip()
    if not memo:
        return {"memo": "", "memo_author": None, "memo_at": None}
    return {"memo": memo, "memo_author": author, "memo_at": at or utcnow()}


def write_memo(
    ch: Change,
    where: ColumnElement[bool],
    memo: str,
    author: str | None,
    at: datetime | None = None,
) -> list[int]:
    """Give the matching excerpts this memo, signed; those that have it already keep
    their signature. Returns the excerpts it changed."""
    memo = memo.strip()
    return ch.update("excerpts", where & (Excerpt.memo != memo), memo_fields(memo, author, at))


def _find_or_add(
    ch: Change,
    keys: list[tuple],
    existing: Callable[[list[tuple]], dict[tuple, int]],
    make: Callable[..., Base],
) -> tuple[dict[tuple, int], list[int]]:
    """The id of the row of each key, found by ``existing`` or inserted as ``make(*key)``.
    Returns (the id of each key, the ids inserted). A row that another program inserted
    since this change looked (a unique constraint refuses its twin) is found on a second
    look."""
    wanted = list(dict.fromkeys(keys))
    found = existing(wanted)
    added: list[int] = []
    while missing := [k for k in wanted if k not in found]:
        rows = [make(*key) for key in missing]
        refused = ch.try_add(*rows)
        if refused is not None:
            twins = existing(missing)
            if not twins:  # not a race: a real problem
                raise refused
            found.update(twins)
            continue
        ids = [row.id for row in rows]  # type: ignore[attr-defined]
        found.update(zip(missing, ids, strict=True))
        added.extend(ids)
    return found, added


def _rows_where_in(session: Session, query, column, values: list, size: int = 500):
    """Rows of ``query`` whose ``column`` is among ``values``, a few hundred at a time."""
    for start in range(0, len(values), size):
        yield from session.execute(query.where(column.in_(values[start : start + size])))


def sources_of_spans(session: Session, spans: Iterable[tuple[str, int, int]]) -> dict[str, Source]:
    """The sources the spans name, each span checked against its source's text."""
    found: dict[str, Source] = {}
    for name, start, end in spans:
        if name not in found:
            found[name] = find_source(session, name)
        check_span(found[name], len(found[name].text), start, end)
    return found


def _excerpt_at(session: Session, source: Source, start: int, end: int) -> Excerpt:
    excerpt = session.scalar(
        select(Excerpt).where(
            Excerpt.source_id == source.id, Excerpt.start == start, Excerpt.end == end
        )
    )
    if excerpt is None:
        raise NotFoundError(f"{source.name}: no excerpt at {start}-{end}")
    return excerpt


@retried
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
    with project.change("coding.remove", coder) as ch:
        found = sources_of_spans(ch.session, [(source, start, end)])[source]
        excerpt = _excerpt_at(ch.session, found, start, end)
        tree = ch.codes
        where = Coding.excerpt_id == excerpt.id
        if by is not None:
            who = ch.session.scalar(select(Coder.id).where(Coder.name == by))
            if who is None:
                raise NotFoundError(f"no coder named '{by}'")
            where = and_(where, Coding.coder_id == who)
        present = sorted(set(ch.session.scalars(select(Coding.code_id).where(where))))
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
        removed = ch.delete("codings", and_(where, Coding.code_id == target))
        remaining = ch.session.scalar(
            select(Coding.id).where(Coding.excerpt_id == excerpt.id).limit(1)
        )
        if remaining is None:
            ch.delete("excerpts", Excerpt.id == excerpt.id)
        ch.summary = (
            f"removed {tree.path(target)} from {found.name} {start}-{end} "
            f"({plural(len(removed), 'coding')})"
        )
        return ch.summary


@retried
def set_memo(project: Project, source: str, start: int, end: int, memo: str, *, coder: str) -> str:
    """Write the memo of the excerpt [start, end) (an empty memo clears it)."""
    with project.change("excerpt.memo", coder) as ch:
        found = sources_of_spans(ch.session, [(source, start, end)])[source]
        excerpt = _excerpt_at(ch.session, found, start, end)
        write_memo(ch, Excerpt.id == excerpt.id, memo, ch.coder)
        ch.summary = f"memo on {found.name} {start}-{end}" + (" cleared" if not memo else "")
        return ch.summary
