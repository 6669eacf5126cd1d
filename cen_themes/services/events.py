"""The audit trail: every change is written as an Event in the same unit of work."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cen_themes.models import Event


def record(session: Session, kind: str, summary: str, coder: str, **payload: Any) -> Event:
    """Add an event to the session; it commits (or rolls back) with the change itself."""
    event = Event(kind=kind, summary=summary, coder=coder, payload=payload)
    session.add(event)
    return event
