"""The audit trail: list the changes, undo the last one."""

from __future__ import annotations

from sqlalchemy import select

from cen_themes.bookkeeping import depends
from cen_themes.db import Project, retried
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Event
from cen_themes.results import EventInfo


def _info(event: Event) -> EventInfo:
    return EventInfo(
        event.id, event.kind, event.summary, event.coder, event.created_at, event.undone_by
    )


def log(project: Project, limit: int | None = None) -> list[EventInfo]:
    """Every change, oldest first (the last ``limit`` ones when given)."""
    with project.read() as session:
        query = select(Event).order_by(Event.id.desc())
        if limit is not None and limit < 2**63:  # beyond that: more than any project holds
            query = query.limit(limit)
        return [_info(e) for e in reversed(session.scalars(query).all())]


@retried
def undo(project: Project, *, coder: str, event_id: int | None = None) -> EventInfo:
    """Reverse a change; the undo is itself logged. Without ``event_id``: the most
    recent change not yet undone (on a team's PostgreSQL project, the most recent of
    this coder's own). A change that later changes build on is refused, naming them."""
    with project.change("undo", coder) as ch:
        if event_id is not None:
            event = ch.session.get(Event, event_id)
            if event is None or event.kind == "undo":
                raise NotFoundError(f"no change #{event_id} to undo")
            if event.undone_by is not None:
                raise InputError(f"change #{event_id} was undone already (by #{event.undone_by})")
        else:
            query = select(Event).where(Event.undone_by.is_(None), Event.kind != "undo")
            if project.login is not None:
                query = query.where(Event.coder == coder)
            event = ch.session.scalar(query.order_by(Event.id.desc()).limit(1))
            if event is None:
                raise InputError("nothing to undo" + (f" by {coder}" if project.login else ""))
        if event.payload.get("ops") is None:
            raise InputError(f"change #{event.id} ({event.summary}) cannot be undone")
        later = depends.dependents(ch.session, event)
        if later:
            shown = "; ".join(f"#{e.id} by {e.coder}: {e.summary}" for e in later[:3])
            more = f" and {len(later) - 3} more" if len(later) > 3 else ""
            raise InputError(
                f"cannot undo #{event.id} ({event.summary}): later changes build on it "
                f"({shown}{more}); undo those first"
            )
        ch.undo(event)
        ch.summary = f"undid #{event.id}: {event.summary}"
        ch.payload["undid"] = event.id
    return _info(event)
