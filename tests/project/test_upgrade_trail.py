"""Changes recorded before sibling names had keys (schema 0006) can still be undone."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command

from cen_themes.db import make_engine, open_project, to_url
from cen_themes.migrate import alembic_config
from cen_themes.services import codebook, history


def test_undo_records_from_before_the_keys_put_names_back_with_their_keys(
    tmp_path: Path,
) -> None:
    """At 0005 a code 'Stigma' was renamed 'Label', and a code 'Old' deleted; after the
    upgrade both undo cleanly, each name with its key."""
    db = tmp_path / "old.db"
    engine = make_engine(to_url(db))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0005")
    engine.dispose()
    deleted = {
        "id": 2,
        "name": "Old",
        "parent_id": None,
        "description": "",
        "color": "#3cb44b",
        "position": 1,
        "created_at": "2026-11-30T10:00:00+00:00",
    }
    rename = {
        "op": "update",
        "table": "codes",
        "before": {"name": "Stigma"},
        "after": {"name": "Label"},
        "ranges": [[1, 1]],
    }
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO codes (id, name, parent_id, description, color, position, created_at)"
            " VALUES (1, 'Label', NULL, '', '#e6194b', 0, 0)"
        )
        conn.executemany(
            "INSERT INTO events (kind, summary, payload, coder, created_at) "
            "VALUES (?, ?, ?, 'ann', 0)",
            [
                ("code.name", "renamed code Stigma to Label", json.dumps({"ops": [rename]})),
                (
                    "code.delete",
                    "deleted code Old",
                    json.dumps({"ops": [{"op": "delete", "table": "codes", "rows": [deleted]}]}),
                ),
            ],
        )
    project = open_project(db)
    try:
        history.undo(project, coder="ann")
        history.undo(project, coder="ann")
        assert [c.path for c in codebook.list_codes(project)] == ["Stigma", "Old"]
        codebook.create_code(project, "Stigma > Child", coder="ann")  # keys found: no twin
        assert [c.path for c in codebook.list_codes(project)] == ["Stigma", "Stigma > Child", "Old"]
    finally:
        project.close()
    with sqlite3.connect(db) as conn:
        keys = conn.execute("SELECT name, name_key FROM codes ORDER BY id").fetchall()
    assert keys == [("Stigma", "stigma"), ("Old", "old"), ("Child", "child")]
