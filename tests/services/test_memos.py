"""Memos on the project, a source, a code, a theme and an excerpt: signed, listed in one
place, undone like any change, kept when codes merge, in the quotes report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.exporters import write_quotes
from cen_themes.services import analysis, codebook, coding, history, memos, themes

from ..conftest import CodedProject, dump_database, raw_sql, several_coders, who

TEXT = "Q: How was it?\nA: The wait was long. Then they listened. It helped.\n"


@pytest.fixture
def study(coded_project: CodedProject) -> Project:
    project = coded_project(
        TEXT,
        [
            ("int01", "The wait was long.", "Access > Waiting", "ann", "too long"),
            ("int01", "Then they listened.", "Listening", "bob"),
        ],
    )
    themes.add_theme(project, "Care", coder=who(project, "ann"))
    themes.assign_codes(project, "Care", ["Waiting", "Listening"], coder=who(project, "ann"))
    return project


def _memos(project: Project, on=None) -> list[tuple]:
    return [(m.on, m.target, m.text, m.author) for m in memos.list_memos(project, on)]


@several_coders
def test_a_memo_on_each_kind_of_target_signed_and_listed_in_order(study: Project) -> None:
    started = datetime.now(UTC)
    memos.add_memo(study, "theme", "Care", "The core finding?", coder=who(study, "cat"))
    memos.add_memo(study, "code", "Waiting", "Seen in most interviews", coder=who(study, "bob"))
    memos.add_memo(study, "source", "int01", "Short interview", coder=who(study, "ann"))
    written = memos.add_memo(study, "project", None, "Started coding", coder=who(study, "ann"))
    memos.add_memo(study, "code", "Access", "Umbrella code", coder=who(study, "ann"))
    assert written.time is not None and written.time - started < timedelta(minutes=1)
    assert _memos(study) == [
        ("project", None, "Started coding", "ann"),
        ("source", "int01", "Short interview", "ann"),
        ("code", "Access", "Umbrella code", "ann"),  # tree order: Access before its child
        ("code", "Access > Waiting", "Seen in most interviews", "bob"),
        ("theme", "Care", "The core finding?", "cat"),
        ("excerpt", "int01 18-36", "too long", "ann"),
    ]
    assert _memos(study, "code") == _memos(study)[2:4]
    (excerpt,) = memos.list_memos(study, "excerpt")
    assert excerpt.time is not None and excerpt.time >= started - timedelta(minutes=1)


def test_bad_memos_are_refused_and_change_nothing(study: Project, db: Path | str) -> None:
    before = dump_database(db)
    with pytest.raises(InputError, match="empty"):
        memos.add_memo(study, "project", None, "  \n ", coder=who(study, "ann"))
    with pytest.raises(NotFoundError, match="no code named 'Wating'"):
        memos.add_memo(study, "code", "Wating", "x", coder=who(study, "ann"))
    with pytest.raises(NotFoundError, match="no source named"):
        memos.add_memo(study, "source", "int02", "x", coder=who(study, "ann"))
    with pytest.raises(InputError, match="not 'excerpt'"):
        memos.add_memo(study, "excerpt", "int01 18-36", "x", coder=who(study, "ann"))  # type: ignore[arg-type]
    assert dump_database(db) == before


def test_a_memo_is_undone_like_any_change(study: Project) -> None:
    memos.add_memo(study, "theme", "Care", "first thought", coder=who(study, "ann"))
    assert [e.summary for e in history.log(study)][-1] == "memo on theme Care"
    history.undo(study, coder=who(study, "ann"))
    assert _memos(study, "theme") == []


@several_coders
def test_an_excerpt_memo_is_signed_by_whoever_wrote_it_last(study: Project) -> None:
    coding.set_memo(study, "int01", 18, 36, "far too long", coder=who(study, "cat"))
    coding.apply_code(
        study, "int01", 18, 36, "Waiting", coder=who(study, "bob"), memo="far too long"
    )
    assert _memos(study, "excerpt") == [("excerpt", "int01 18-36", "far too long", "cat")]
    coding.set_memo(study, "int01", 18, 36, "", coder=who(study, "bob"))  # cleared: no memo to list
    assert _memos(study, "excerpt") == []
    (view, _other) = analysis.find_excerpts(study)
    assert (view.memo, view.memo_author, view.memo_at) == ("", None, None)


def test_an_excerpt_memo_from_before_signatures_lists_without_author(
    study: Project,
) -> None:
    raw_sql(study, "UPDATE excerpts SET memo_author = NULL, memo_at = NULL")
    (memo,) = memos.list_memos(study, "excerpt")
    assert (memo.text, memo.author, memo.time) == ("too long", None, None)


def test_memos_of_merged_codes_move_to_the_target_and_deleted_targets_take_theirs(
    study: Project,
) -> None:
    memos.add_memo(study, "code", "Listening", "kind staff", coder=who(study, "ann"))
    codebook.merge_codes(study, ["Listening"], "Waiting", coder=who(study, "ann"))
    ann = who(study, "ann")
    assert _memos(study, "code") == [("code", "Access > Waiting", "kind staff", ann)]
    memos.add_memo(study, "theme", "Care", "gone soon", coder=who(study, "ann"))
    themes.delete_theme(study, "Care", coder=who(study, "ann"))
    assert _memos(study, "theme") == []
    history.undo(study, coder=who(study, "ann"))
    assert _memos(study, "theme") == [("theme", "Care", "gone soon", ann)]


def test_the_quotes_report_carries_each_themes_memos(study: Project, tmp_path: Path) -> None:
    memos.add_memo(study, "theme", "Care", "Relational care **matters**", coder=who(study, "ann"))
    memos.add_memo(study, "theme", "Care", "Check against staff data", coder=who(study, "bob"))
    out = tmp_path / "quotes.md"
    write_quotes(analysis.theme_reports(study), out)
    text = out.read_text(encoding="utf-8")
    assert "*Memo:* Relational care \\*\\*matters\\*\\*" in text
    assert text.index("Relational care") < text.index("Check against") < text.index("Codes:")
