"""Auto-coding: code every hit of a search, or every turn of a speaker, as one change.

A hit is coded as itself (scope ``hit``), as its sentence (``sentence``: every segment
the hit overlaps, each its own excerpt) or as its speaker turn (``turn``: from the
first to the last segment of the turn, speaker label excluded). A hit outside every
segment (inside a speaker label, or on a line the import skipped) has no sentence or
turn: it is counted as skipped, not coded. Two hits in one sentence make one excerpt.

Everything is one ``coding.apply`` change, so one undo takes it all back; codings that
are there already are counted, not doubled.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cen_themes.bookkeeping.change import Change
from cen_themes.db import Project, retried
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Segment, Source
from cen_themes.results import AutocodeResult
from cen_themes.services.codebook import ensure_code
from cen_themes.services.coding import code_spans, sources_of_spans
from cen_themes.services.search import search
from cen_themes.services.sources import find_source
from cen_themes.wording import did_you_mean, plural

SCOPES = ("hit", "sentence", "turn")
Hit = tuple[str, int, int]  # source name, start, end


@retried
def autocode(
    project: Project,
    code: str,
    *,
    coder: str,
    query: str | None = None,
    lemma: bool = False,
    regex: bool = False,
    word: bool = False,
    speaker: str | None = None,
    scope: str | None = None,
    source: str | None = None,
) -> AutocodeResult:
    """Code every hit of ``query`` (searched as :func:`search` does), or every turn of
    ``speaker``, with ``code``, in ``scope`` (default: ``hit`` for a query, ``turn`` for
    a speaker), in every source or in ``source``."""
    if (query is None) == (speaker is None):
        raise InputError("auto-code the hits of a search or the turns of a speaker (--speaker)")
    if scope is not None and scope not in SCOPES:
        raise InputError(f"unknown scope '{scope}' (hit, sentence or turn)")
    if speaker is not None:
        if scope == "hit":
            raise InputError("a speaker's turns are coded by sentence or by turn, not by hit")
        if lemma or regex or word:
            raise InputError("--lemma, --regex and --word shape a search, not --speaker")
        return _code_speaker(project, code, speaker, scope or "turn", source, coder)
    assert query is not None
    hits = search(project, query, lemma=lemma, regex=regex, word=word, context=0, source=source)
    how = " by lemma" if lemma else " (regex)" if regex else ""
    what = f"the hits of '{query}'{how}"
    if not hits:
        return AutocodeResult(f"no matches for '{query}'{how}: nothing coded", 0, 0, 0, 0, [])
    return _code_hits(project, [(h.source, h.start, h.end) for h in hits], code, scope, coder, what)


@retried
def code_hits(
    project: Project, hits: Sequence[Hit], code: str, *, scope: str, coder: str
) -> AutocodeResult:
    """Code hits found earlier (the workbench's marked search hits) in ``scope``."""
    if scope not in SCOPES:
        raise InputError(f"unknown scope '{scope}' (hit, sentence or turn)")
    if not hits:
        raise InputError("no hits to code")
    return _code_hits(project, hits, code, scope, coder, plural(len(hits), "hit"))


def _code_hits(
    project: Project,
    hits: Sequence[Hit],
    code: str,
    scope: str | None,
    coder: str,
    what: str,
) -> AutocodeResult:
    scope = scope or "hit"
    with project.change("coding.apply", coder) as ch:
        sources = sources_of_spans(ch.session, hits)  # each hit checked against its text
        if scope == "hit":
            spans = [(sources[name].id, start, end) for name, start, end in hits]
            skipped = 0
        else:
            units = _Units(ch.session, [s.id for s in sources.values()])
            spans, skipped = units.around(
                ((sources[name].id, start, end) for name, start, end in hits), scope
            )
        if not spans:
            raise InputError(
                f"none of {what} is inside a {scope} (all are in speaker labels "
                "or skipped lines): nothing coded"
            )
        return _code(ch, spans, code, coder, scope, what, len(hits), skipped)


def _code_speaker(
    project: Project, code: str, speaker: str, scope: str, source: str | None, coder: str
) -> AutocodeResult:
    with project.change("coding.apply", coder) as ch:
        if source is not None:
            ids = [find_source(ch.session, source).id]
        else:
            ids = list(ch.session.scalars(select(Source.id).order_by(Source.id)))
        units = _Units(ch.session, ids)
        spoken = units.speakers()
        wanted = speaker.strip().casefold()
        names = {name for name in spoken if name.casefold() == wanted}
        if not names:
            where = f" in {source}" if source is not None else ""
            raise NotFoundError(
                f"no speaker named '{speaker}'{where}{did_you_mean(speaker, spoken)}"
            )
        spans = units.of_speakers(names, scope)
        what = f"the turns of {', '.join(sorted(names))}"
        return _code(ch, spans, code, coder, scope, what, 0, 0)


def _code(
    ch: Change,
    spans: list[tuple[int, int, int]],
    code: str,
    coder: str,
    scope: str,
    what: str,
    hits: int,
    skipped: int,
) -> AutocodeResult:
    spans = sorted(set(spans))
    code_id, created = ensure_code(ch, code)
    _excerpts, added = code_spans(ch, spans, code_id, coder)
    already = len(spans) - len(added)
    n_sources = len({s for s, _a, _b in spans})
    unit = "span" if scope == "hit" else scope
    ch.summary = (
        f"auto-coded {plural(len(added), unit)} in {plural(n_sources, 'source')} "
        f"with {ch.codes.path(code_id)}: {what}"
    )
    notes = []
    if already:
        notes.append(f"{already} already coded")
    if skipped:
        notes.append(f"{plural(skipped, 'hit')} outside any {scope} skipped")
    if notes:
        ch.summary += f" ({'; '.join(notes)})"
    return AutocodeResult(
        ch.summary, hits, len(added), already, skipped, [ch.codes.path(c) for c in created]
    )


class _Units:
    """The segments of some sources, for finding a hit's sentence or turn."""

    def __init__(self, session: Session, source_ids: list[int]) -> None:
        rows = session.execute(
            select(Segment.source_id, Segment.start, Segment.end, Segment.speaker, Segment.turn)
            .where(Segment.source_id.in_(source_ids))
            .order_by(Segment.source_id, Segment.start)
        ).all()
        self.segments: dict[int, list[tuple[int, int, str | None, int]]] = {}
        for source_id, start, end, speaker, turn in rows:
            self.segments.setdefault(source_id, []).append((start, end, speaker, turn))
        self.starts = {s: [seg[0] for seg in segs] for s, segs in self.segments.items()}
        self.turns: dict[tuple[int, int], tuple[int, int]] = {}
        for source_id, segs in self.segments.items():
            for start, end, _speaker, turn in segs:
                first, last = self.turns.get((source_id, turn), (start, end))
                self.turns[(source_id, turn)] = (min(first, start), max(last, end))

    def around(
        self, hits: Iterable[tuple[int, int, int]], scope: str
    ) -> tuple[list[tuple[int, int, int]], int]:
        """The sentences (or turns) the hits overlap, and how many hits overlap none."""
        spans: list[tuple[int, int, int]] = []
        skipped = 0
        for source_id, start, end in hits:
            segs = self.segments.get(source_id, [])
            i = max(bisect.bisect_right(self.starts.get(source_id, []), start) - 1, 0)
            found = False
            while i < len(segs) and segs[i][0] < end:
                seg_start, seg_end, _speaker, turn = segs[i]
                if seg_end > start:
                    found = True
                    if scope == "sentence":
                        spans.append((source_id, seg_start, seg_end))
                    else:
                        spans.append((source_id, *self.turns[(source_id, turn)]))
                i += 1
            skipped += not found
        return spans, skipped

    def speakers(self) -> list[str]:
        return sorted({seg[2] for segs in self.segments.values() for seg in segs if seg[2]})

    def of_speakers(self, names: set[str], scope: str) -> list[tuple[int, int, int]]:
        spans = []
        for source_id, segs in self.segments.items():
            for start, end, speaker, turn in segs:
                if speaker in names:
                    if scope == "sentence":
                        spans.append((source_id, start, end))
                    else:
                        spans.append((source_id, *self.turns[(source_id, turn)]))
        return spans
