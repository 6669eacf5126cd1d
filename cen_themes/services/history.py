"""The audit trail: list the changes, undo the last one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cen_themes.bookkeeping import rollup
from cen_themes.bookkeeping.trail import record, reverse, touched_by
from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.models import Event


@dataclass(frozen=True, slots=True)
class EventInfo:
    id: int
    kind: str
    summary: str
    coder: str
    time: datetime
    undone_by: int | None


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


def undo(project: Project, *, coder: str) -> EventInfo:
    """Reverse the most recent change not yet undone; the undo is itself logged."""
    with project.write() as session:
        event = session.scalar(
            select(Event)
            .where(Event.undone_by.is_(None), Event.kind != "undo")
            .order_by(Event.id.desc())
            .limit(1)
        )
        if event is None:
            raise InputError("nothing to undo")
        ops = event.payload.get("ops")
        if ops is None:
            raise InputError(f"change #{event.id} ({event.summary}) cannot be undone")
        touched = touched_by(session, ops)
        with rollup.codes_changing(session, touched.codes, refresh_changed=touched.themes_changed):
            reverse(session, ops)
        undo_event = record(
            session, "undo", f"undid #{event.id}: {event.summary}", coder, undid=event.id
        )
        session.flush()
        event.undone_by = undo_event.id
        return _info(event)
