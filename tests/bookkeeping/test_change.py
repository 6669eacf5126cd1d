"""The unit of work: what it writes, what it records, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from cen_themes.bookkeeping.change import BypassError
from cen_themes.db import Project
from cen_themes.models import Code, Event, ThemeCode
from cen_themes.services import codebook, history, themes

from ..conftest import dump_database, who


@pytest.fixture
def book(project: Project) -> Project:
    codebook.create_code(project, "Access", coder=who(project, "ann"))
    themes.add_theme(project, "Care", coder=who(project, "ann"))
    return project


def _events(project: Project) -> int:
    return len(history.log(project))


def test_a_change_records_one_event_with_its_undo_record(book: Project) -> None:
    with book.change("code.description", who(book, "ann")) as ch:
        ch.update("codes", Code.id == ch.codes.find("Access"), {"description": "d"})
        ch.summary = "described code Access"
    with book.read() as session:
        event = session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert event is not None
    assert (event.kind, event.summary, event.coder) == (
        "code.description",
        "described code Access",
        who(book, "ann"),
    )
    assert event.payload["ops"] == [
        {
            "op": "update",
            "table": "codes",
            "before": {"description": ""},
            "after": {"description": "d"},
            "ranges": [[1, 1]],
        }
    ]


def test_a_change_that_writes_nothing_records_nothing(book: Project) -> None:
    before = _events(book)
    with book.change("code.description", who(book, "ann")) as ch:
        ch.update("codes", Code.id == ch.codes.find("Access"), {"description": ""})
    assert _events(book) == before


def test_a_change_that_writes_must_say_what_it_did(book: Project, db: Path | str) -> None:
    before = dump_database(db)
    with (
        pytest.raises(RuntimeError, match="without a summary"),
        book.change("x", who(book, "ann")) as ch,
    ):
        ch.update("codes", Code.id == 1, {"description": "d"})
    assert dump_database(db) == before


@pytest.mark.parametrize("how", ["add", "modify", "delete", "statement"])
def test_a_write_past_the_change_fails_it_and_leaves_no_trace(
    book: Project, db: Path | str, how: str
) -> None:
    """Every write goes through the change: one that slips past it would escape the
    undo record and the derived tables, so it is a bug that stops the change."""
    before = dump_database(db)
    with pytest.raises(BypassError), book.change("sneaky", who(book, "ann")) as ch:
        ch.summary = "sneaky"
        ch.add(ThemeCode(theme_id=1, code_id=1))  # a proper write first: it goes too
        if how == "add":
            ch.session.add(Code(name="Hidden", name_key="hidden", position=5))
        elif how == "modify":
            code = ch.session.get(Code, 1)
            assert code is not None
            code.description = "changed behind the change's back"
        elif how == "delete":
            ch.session.delete(ch.session.get(Code, 1))
        else:
            ch.session.execute(update(Code).values(color="#000000"))
        ch.session.flush()
    assert dump_database(db) == before


def test_rows_the_change_inserted_may_be_filled_in_before_it_ends(book: Project) -> None:
    with book.change("code.create", who(book, "ann")) as ch:
        (node,), _made = ch.codes._create([(None, "Fresh")])
        code = ch.session.get(Code, node)
        assert code is not None
        code.color = "#123456"  # a row of its own: nothing to journal
        ch.summary = "created code Fresh"
    assert [c.color for c in codebook.list_codes(book) if c.path == "Fresh"] == ["#123456"]
    history.undo(book, coder=who(book, "ann"))
    assert [c.path for c in codebook.list_codes(book)] == ["Access"]
