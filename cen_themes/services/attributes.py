"""Source attributes: group=service user, setting=specialist, region=London."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cen_themes.bookkeeping.change import Change
from cen_themes.db import Project, retried
from cen_themes.errors import InputError
from cen_themes.models import Attribute, Source
from cen_themes.results import AttributeChange
from cen_themes.services.sources import check_attributes, find_source
from cen_themes.textfiles import read_csv


@retried
def set_attributes(
    project: Project, source: str, attributes: dict[str, str], *, coder: str
) -> list[AttributeChange]:
    """Set (or overwrite) attributes of one source."""
    attributes = check_attributes(attributes)
    if not attributes:
        raise InputError("give at least one KEY=VALUE")
    with project.change("attributes.set", coder) as ch:
        found = find_source(ch.session, source)
        changes = apply_attributes(ch, found, attributes)
        _describe(ch, changes, f"set {_listed(changes)} on {found.name}")
    return changes


@retried
def import_attributes(project: Project, path: Path, *, coder: str) -> list[AttributeChange]:
    """Set attributes from a CSV: a header row, the first column the source name.

    Every row is checked before anything is written: an unknown source anywhere in the
    file leaves the project unchanged. Empty cells set nothing.
    """
    rows = read_csv(path)
    header, body = rows[0], rows[1:]
    keys = [key.strip() for key in header[1:]]
    if not keys:
        raise InputError(f"{path}: the header needs a source column and at least one attribute")
    for position, key in enumerate(keys, start=2):
        if not key:
            raise InputError(f"{path}: column {position} of the header has no name")
    if len(set(keys)) != len(keys):
        raise InputError(f"{path}: the header names an attribute twice")
    with project.change("attributes.set", coder) as ch:
        names = dict(ch.session.execute(select(Source.name, Source.id)).all())
        wanted: list[tuple[int, dict[str, str]]] = []
        for line, row in enumerate(body, start=2):
            if not any(cell.strip() for cell in row):
                continue
            name = row[0].strip()
            if name not in names:
                raise InputError(f"{path}, line {line}: no source named '{name}'")
            if len(row) > len(header):
                raise InputError(
                    f"{path}, line {line}: {len(row)} cells but the header has {len(header)}"
                )
            values = {k: v.strip() for k, v in zip(keys, row[1:], strict=False) if v.strip()}
            wanted.append((names[name], values))
        changes: list[AttributeChange] = []
        for source_id, values in wanted:
            source = ch.session.get(Source, source_id)
            assert source is not None
            changes.extend(apply_attributes(ch, source, values))
        _describe(ch, changes, f"imported {len(changes)} attribute values from {path.name}")
    return changes


def apply_attributes(ch: Change, source: Source, values: dict[str, str]) -> list[AttributeChange]:
    """Set ``values`` on a source inside a change; what changed, value by value."""
    # read afresh: a source named on two rows of a CSV has had its values changed by
    # the first already, in this change
    existing = {
        a.key: a
        for a in ch.session.scalars(
            select(Attribute)
            .where(Attribute.source_id == source.id)
            .execution_options(populate_existing=True)
        )
    }
    changes = []
    for key, value in values.items():
        current = existing.get(key)
        if current is None:
            ch.add(Attribute(source_id=source.id, key=key, value=value))
            changes.append(AttributeChange(source.id, source.name, key, None, value))
        elif current.value != value:
            changes.append(AttributeChange(source.id, source.name, key, current.value, value))
            ch.update("attributes", Attribute.id == current.id, {"value": value})
    return changes


def _listed(changes: list[AttributeChange]) -> str:
    return ", ".join(f"{c.key}={c.after}" for c in changes) or "nothing new"


def _describe(ch: Change, changes: list[AttributeChange], summary: str) -> None:
    """The change's summary, and each value's before and after for the trail."""
    ch.summary = summary
    ch.payload["changes"] = [
        {
            "source_id": c.source_id,
            "source": c.source,
            "key": c.key,
            "before": c.before,
            "after": c.after,
        }
        for c in changes
    ]
