"""A project as REFI-QDA writes it: what the REFI-QDA exporter reads from the services."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# -- a project as REFI-QDA writes it -----------------------------------------------------
# GUIDs are strings; a user, code or note is named by its GUID wherever it is referred to.


@dataclass(frozen=True, slots=True)
class RefiOutNote:
    """A memo as a REFI-QDA note."""

    guid: str
    text: str
    user: str | None
    time: datetime | None


@dataclass(frozen=True, slots=True)
class RefiOutCode:
    guid: str
    name: str
    color: str
    description: str
    notes: list[str]
    children: list[RefiOutCode]


@dataclass(frozen=True, slots=True)
class RefiOutCoding:
    guid: str
    code: str
    user: str | None
    time: datetime | None


@dataclass(frozen=True, slots=True)
class RefiOutSelection:
    """An excerpt: its span in code points of the source's text, and its codings."""

    guid: str
    start: int
    end: int
    user: str | None
    time: datetime | None
    codings: list[RefiOutCoding]
    notes: list[str]


@dataclass(frozen=True, slots=True)
class RefiOutSource:
    """A text source; its text is written from :attr:`RefiOut.texts`, its selections
    are read as they are written."""

    guid: str
    name: str
    time: datetime | None
    notes: list[str]
    values: list[tuple[str, str]]  # (variable guid, value)
    selections: Iterable[RefiOutSelection]


@dataclass(frozen=True, slots=True)
class RefiOutSet:
    """A theme as a set of codes; its memos are member notes."""

    guid: str
    name: str
    description: str
    codes: list[str]
    notes: list[str]


@dataclass(frozen=True, slots=True)
class RefiOut:
    """A whole project for a .qdpx, or its codes and themes for a .qdc. The iterables
    are read once, in this order: texts, sources, notes; each reads the project as it
    goes, so a large project is never in memory at once."""

    name: str
    origin: str
    users: list[tuple[str, str]]  # (guid, name)
    codes: list[RefiOutCode]
    variables: list[tuple[str, str]]  # (guid, name)
    sets: list[RefiOutSet]
    project_notes: list[str]
    texts: Iterable[tuple[str, str]] = ()  # (source guid, text)
    sources: Iterable[RefiOutSource] = ()
    notes: Iterable[RefiOutNote] = ()
