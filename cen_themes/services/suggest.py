"""Suggestions: uncoded segments that read like a code's excerpts, best first.

A segment is a candidate for a code when no excerpt with the code (by anyone) overlaps
it and nobody has rejected it for the code. Candidates are ranked by the cosine
similarity of their TF-IDF vector (lemmas, :mod:`cen_themes.services.similarity`) to
the code's profile: the mean of the vectors of the code's excerpts, less the average
segment's (what every segment says), negative weights cut to 0. Subtracting the
average ranks better than the plain mean on people's codes
(``python -m tests.benchmarks.eval_suggest``). Everything is computed afresh on each
call, in memory.

Rejecting a suggestion is a change (``suggestion.reject``: in the log, and undone by
undo); accepting one codes the segment's span with the code (``coding.apply``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cen_themes.db import Project, retried
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Segment, SuggestionRejection
from cen_themes.results import CodingResult, Suggestion
from cen_themes.services import coding
from cen_themes.services.codebook import code_tree
from cen_themes.services.sources import find_source

DEFAULT_LIMIT = 20


def suggest(
    project: Project, code: str, *, limit: int = DEFAULT_LIMIT, context: int = 0
) -> list[Suggestion]:
    """Up to ``limit`` uncoded, unrejected segments most like ``code``'s excerpts, best
    first (ties in source and text order); segments that share no term with them are
    not suggested. Each comes with up to ``context`` characters of its source either
    side."""
    from cen_themes.services import similarity  # numpy and spaCy: not at start-up

    if limit < 1:
        raise InputError(f"the number of suggestions must be at least 1 ({limit})")
    with project.read() as session:
        tree = code_tree(session)
        code_id = tree.find(code)
        path = tree.path(code_id)
        spans = similarity.code_spans(session, code_id)
        if not spans:
            raise InputError(
                f"code '{path}' has no excerpts yet: code a few passages with it, then ask "
                "for suggestions"
            )
        segments = similarity.read_segments(session)
        rejected = set(
            session.scalars(
                select(SuggestionRejection.segment_id).where(SuggestionRejection.code_id == code_id)
            )
        )
    excerpt_texts = [segments.sources[s][a:b] for s, a, b in spans]
    index = similarity.Index(segments)
    scores = index.scores(index.distinct(index.profile(excerpt_texts)))
    candidates = ~similarity.overlapped(segments, spans) & (scores > 0)
    if rejected:
        candidates &= ~similarity.among(segments.ids, rejected)
    found = []
    for i in similarity.best(scores, candidates, limit):
        source_id, start, end = (
            int(v[i]) for v in (segments.source_ids, segments.starts, segments.ends)
        )
        text = segments.sources[source_id]
        found.append(
            Suggestion(
                source=segments.names[source_id],
                start=start,
                end=end,
                text=segments.texts[i],
                score=float(scores[i]),
                before=text[max(start - context, 0) : start] if context else "",
                after=text[end : end + context] if context else "",
            )
        )
    return found


def _segment_at(session: Session, source: str, start: int, end: int) -> tuple[int, str]:
    """The segment at exactly [start, end) of the source, and the source's name."""
    found = find_source(session, source)
    segment_id = session.scalar(
        select(Segment.id).where(
            Segment.source_id == found.id, Segment.start == start, Segment.end == end
        )
    )
    if segment_id is None:
        raise NotFoundError(f"{found.name}: no segment at {start}-{end}")
    return segment_id, found.name


@retried
def reject(project: Project, code: str, source: str, start: int, end: int, *, coder: str) -> str:
    """Hide the segment at [start, end) of ``source`` from ``code``'s suggestions, for
    everyone. Returns what was done (nothing, when it was rejected already)."""
    with project.change("suggestion.reject", coder) as ch:
        code_id = ch.codes.find(code)
        path = ch.codes.path(code_id)
        segment_id, name = _segment_at(ch.session, source, start, end)
        where = (SuggestionRejection.code_id == code_id) & (
            SuggestionRejection.segment_id == segment_id
        )

        def existing() -> int | None:
            return ch.session.scalar(select(SuggestionRejection.id).where(where))

        if existing() is not None:
            return f"{name} {start}-{end} was rejected for {path} already"
        row = SuggestionRejection(
            code_id=code_id, segment_id=segment_id, coder_id=coding.coder_id(ch, coder)
        )
        _id, made = ch.add_unique(row, existing)
        if not made:
            return f"{name} {start}-{end} was rejected for {path} already"
        ch.summary = f"rejected {name} {start}-{end} as a suggestion for {path}"
        return ch.summary


def accept(
    project: Project, code: str, source: str, start: int, end: int, *, coder: str
) -> CodingResult:
    """Code the suggested segment's span with ``code`` (an ordinary coding)."""
    return coding.apply_code(project, source, start, end, code, coder=coder)
