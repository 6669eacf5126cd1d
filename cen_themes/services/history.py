"""The audit trail: list the changes, undo the last one."""

from __future__ import annotations

from sqlalchemy import select

from cen_themes.db import Project
from cen_themes.errors import InputError
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


def undo(project: Project, *, coder: str) -> EventInfo:
    """Reverse the most recent change not yet undone; the undo is itself logged."""
    with project.change("undo", coder) as ch:
        event = ch.session.scalar(
            select(Event)
            .where(Event.undone_by.is_(None), Event.kind != "undo")
            .order_by(Event.id.desc())
            .limit(1)
        )
        if event is None:
            raise InputError("nothing to undo")
        if event.payload.get("ops") is None:
            raise InputError(f"change #{event.id} ({event.summary}) cannot be undone")
        ch.undo(event)
        ch.summary = f"undid #{event.id}: {event.summary}"
        ch.payload["undid"] = event.id
    return _info(event)
