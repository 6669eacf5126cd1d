"""check: a sound project passes; each kind of damage, made with raw SQL on a copy (foreign
keys off, as a bulk import writes), is named exactly; and checking never changes the
project."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from cen_themes.db import Project, open_project
from cen_themes.results.project import CheckProblem, CheckReport
from cen_themes.services import check, history, memos, themes
from cen_themes.services.check import LISTED

from ..conftest import CodedProject, dump_database, pg_only, who

T1 = "Q: How was it?\nA: The wait was long. Then they listened. It helped.\n"
T2 = "Q: And the letters?\nA: The letter said I was difficult. I waited months.\n"

# The sound project's rows, which the damage below names:
# sources 1 int01 (68 characters), 2 int02 (73); segment 7 is int02 56-72;
# excerpts 1 int01 18-36, 2 int01 37-56, 3 int02 56-72, 4 int02 23-55;
# codes 1 Access, 2 Access > Waiting, 3 Listening, 4 Labels;
# codings 1 (excerpt 1, Waiting), 2 (2, Listening), 3 (1, Listening), 4 (3, Waiting),
# 5 (4, Labels); themes 1 Care, 2 Care > Being heard, bringing Waiting and Listening;
# memos 1 project, 2 source int01, 3 code Waiting, 4 theme Care;
# events 1-15, then change #16 undone by undo #17.


def sound_project(coded_project: CodedProject, into: Project | None = None) -> Project:
    project = coded_project(
        {"int01": T1, "int02": T2},
        [
            ("int01", "The wait was long.", "Access > Waiting", "ann"),
            ("int01", "Then they listened.", "Listening", "bob"),
            ("int01", "The wait was long.", "Listening", "bob"),
            ("int02", "I waited months.", "Access > Waiting", "ann"),
            ("int02", "The letter said I was difficult.", "Labels", "ann"),
        ],
        attributes={"int01": {"group": "staff"}, "int02": {"group": "staff"}},
        into=into,
    )
    ann = who(project, "ann")
    themes.add_theme(project, "Care", coder=ann)
    themes.add_theme(project, "Being heard", parent="Care", coder=ann)
    themes.assign_codes(project, "Care", ["Waiting"], coder=ann)
    themes.assign_codes(project, "Care > Being heard", ["Listening"], coder=ann)
    memos.add_memo(project, "project", None, "Started", coder=ann)
    memos.add_memo(project, "source", "int01", "Short", coder=ann)
    memos.add_memo(project, "code", "Waiting", "Often", coder=ann)
    memos.add_memo(project, "theme", "Care", "Core", coder=ann)
    coded_project({}, [("int02", "I waited months.", "Listening", "cat")], into=project)
    history.undo(project, coder=ann)
    return project


@pytest.fixture
def sound(coded_project: CodedProject) -> Project:
    return sound_project(coded_project)


def damaged(project: Project, tmp_path: Path, *statements: str) -> Path:
    """A copy of the project's file with the statements run on it, foreign keys off."""
    assert project.path is not None
    project.close()  # the last connection folds the write-ahead log into the file
    copy = tmp_path / "damaged.db"
    shutil.copy(project.path, copy)
    conn = sqlite3.connect(copy)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return copy


def checked(db: Path) -> CheckReport:
    """What check finds, proving that it changed nothing."""
    project = open_project(db)
    try:
        before = dump_database(db)
        report = check.check_project(project)
        assert dump_database(db) == before
    finally:
        project.close()
    assert report.ok == (not report.problems)
    assert report.checks == 12
    return report


def test_a_sound_project_checks_ok_and_is_left_as_it_was(sound: Project) -> None:
    before = dump_database(sound)
    report = check.check_project(sound)
    assert report.ok and report.problems == [] and report.checks == 12
    assert dump_database(sound) == before


DAMAGE_ON_A_COPY = pytest.mark.sqlite_only(
    reason="damage made with sqlite3 on a copy of the file (PostgreSQL's: below)"
)


def _p(kind: str, detail: str) -> CheckProblem:
    return CheckProblem(kind, detail)


DAMAGE = [
    pytest.param(
        ['UPDATE excerpts SET "end" = 80 WHERE id = 3'],
        [_p("excerpt_offsets", "excerpt 3 of int02 (56-80): ends after the text (73 characters)")],
        id="excerpt-past-the-text",
    ),
    pytest.param(
        [
            "PRAGMA ignore_check_constraints = ON",
            'UPDATE excerpts SET start = 40, "end" = 30 WHERE id = 2',
        ],
        [
            _p("integrity", "CHECK constraint failed in excerpts"),
            _p("excerpt_offsets", "excerpt 2 of int01 (40-30): ends before it starts"),
        ],
        id="excerpt-backwards",
    ),
    pytest.param(
        ["PRAGMA ignore_check_constraints = ON", "UPDATE excerpts SET start = -3 WHERE id = 1"],
        [
            _p("integrity", "CHECK constraint failed in excerpts"),
            _p("excerpt_offsets", "excerpt 1 of int01 (-3-36): starts before the text"),
        ],
        id="excerpt-before-the-text",
    ),
    pytest.param(
        ["PRAGMA ignore_check_constraints = ON", 'UPDATE excerpts SET "end" = 18 WHERE id = 1'],
        [
            _p("integrity", "CHECK constraint failed in excerpts"),
            _p("excerpt_offsets", "excerpt 1 of int01 (18-18): is empty"),
        ],
        id="excerpt-empty",
    ),
    pytest.param(
        ['UPDATE segments SET "end" = 99 WHERE id = 7'],
        [_p("segment_offsets", "segment 7 of int02 (56-99): ends after the text (73 characters)")],
        id="segment-past-the-text",
    ),
    pytest.param(
        [
            'INSERT INTO excerpts (id, source_id, start, "end", memo, created_at) '
            "VALUES (5, 1, 0, 14, '', 0)"
        ],
        [_p("excerpt_uncoded", "excerpt 5 of int01 (0-14) has no coding")],
        id="excerpt-without-coding",
    ),
    pytest.param(
        [
            "UPDATE codings SET source_id = 2 WHERE id = 2",
            "UPDATE excerpt_themes SET source_id = 2 WHERE excerpt_id = 2",
        ],
        [_p("coding_source", "coding 2 is on excerpt 2 of int01 (37-56) but names int02")],
        id="coding-on-another-source",
    ),
    pytest.param(
        ["DELETE FROM codes WHERE id = 4"],
        [_p("orphan", "coding 5 refers to code 4, which does not exist")],
        id="orphan-coding-of-a-deleted-code",
    ),
    pytest.param(
        ["DELETE FROM excerpts WHERE id = 3"],
        [
            _p("orphan", "coding 4 refers to excerpt 3, which does not exist"),
            _p(
                "orphan",
                "excerpt_themes row (theme_id 1, source_id 2, excerpt_id 3) refers to "
                "excerpt 3, which does not exist",
            ),
        ],
        id="orphans-of-a-deleted-excerpt",
    ),
    pytest.param(
        ["UPDATE attributes SET source_id = 9 WHERE id = 2"],
        [_p("orphan", "attribute 2 refers to source 9, which does not exist")],
        id="orphan-attribute",
    ),
    pytest.param(
        ["UPDATE segments SET source_id = 9 WHERE id = 1"],
        [_p("orphan", "segment 1 refers to source 9, which does not exist")],
        id="orphan-segment",
    ),
    pytest.param(
        ["UPDATE codes SET parent_id = 9 WHERE id = 2"],
        [_p("orphan", "code 2 refers to parent code 9, which does not exist")],
        id="orphan-child-code",
    ),
    pytest.param(
        ["INSERT INTO theme_codes VALUES (2, 9)"],
        [
            _p(
                "orphan",
                "theme_codes row (theme_id 2, code_id 9) refers to code 9, which does not exist",
            ),
            _p("theme_rollup", "theme 1 'Care' brings code 9 (missing), but theme_rollup lacks it"),
            _p(
                "theme_rollup",
                "theme 2 'Care > Being heard' brings code 9 (missing), but theme_rollup lacks it",
            ),
        ],
        id="orphan-theme-assignment",
    ),
    pytest.param(
        ["UPDATE events SET undone_by = 99 WHERE id = 16"],
        [
            _p("orphan", "change #16 refers to undo #99, which does not exist"),
            _p("journal_undo", "undo #17 undid change #16, which is marked undone by #99"),
        ],
        id="orphan-undone-by",
    ),
    pytest.param(
        [
            "UPDATE memos SET target_id = 1 WHERE id = 1",
            "UPDATE memos SET target_id = 9 WHERE id = 3",
            "UPDATE memos SET target_id = NULL WHERE id = 4",
        ],
        [
            _p("memo_target", "memo 3 is on code 9, which does not exist"),
            _p("memo_target", "memo 1 is on the project but names target 1"),
            _p("memo_target", "memo 4 is on a theme but names none"),
        ],
        id="memo-targets",
    ),
    pytest.param(
        [
            "PRAGMA ignore_check_constraints = ON",
            "UPDATE memos SET target_type = 'excerpt' WHERE id = 2",
        ],
        [
            _p("integrity", "CHECK constraint failed in memos"),
            _p(
                "memo_target",
                "memo 2 is on 'excerpt', not the project, a source, a code or a theme",
            ),
        ],
        id="memo-on-an-unknown-kind-of-target",
    ),
    pytest.param(
        ["UPDATE codes SET parent_id = 2 WHERE id = 1"],
        [_p("code_cycle", "codes 1 'Access' > 2 'Waiting' > 1: a code is its own ancestor")],
        id="code-cycle",
    ),
    pytest.param(
        ["UPDATE themes SET parent_id = 2 WHERE id = 1"],
        [
            _p("theme_cycle", "themes 1 'Care' > 2 'Being heard' > 1: a theme is its own ancestor"),
            _p(
                "theme_rollup",
                "theme 2 'Care > Being heard' brings code 2 'Access > Waiting', but "
                "theme_rollup lacks it",
            ),
            _p(
                "excerpt_themes",
                "theme 2 'Care > Being heard' brings excerpt 3 of int02 (56-72) through 1 "
                "coding, but excerpt_themes lacks it",
            ),
            _p(
                "excerpt_themes",
                "excerpt_themes counts 1 coding of excerpt 1 of int01 (18-36) for theme 2 "
                "'Care > Being heard', not 2",
            ),
        ],
        id="theme-cycle",
    ),
    pytest.param(
        [
            "DROP INDEX uq_codes_sibling_name",
            "UPDATE codes SET name = 'LISTENING', name_key = 'listening' WHERE id = 4",
        ],
        [
            _p(
                "code_siblings",
                "codes 3 'Listening' and 4 'LISTENING' share a name at the top level",
            )
        ],
        id="code-twins",
    ),
    pytest.param(
        [
            "DROP INDEX uq_themes_sibling_name",
            "INSERT INTO themes (id, name, name_key, parent_id, description, position, "
            "created_at) VALUES (3, 'being heard', 'being heard', 1, '', 1, 0)",
        ],
        [
            _p(
                "theme_siblings",
                "themes 2 'Being heard' and 3 'being heard' share a name under theme 1 'Care'",
            )
        ],
        id="theme-twins",
    ),
    pytest.param(
        ["UPDATE codes SET name_key = 'lables' WHERE id = 4"],
        [_p("code_name_key", "code 4 'Labels' is filed as 'lables', not 'labels'")],
        id="code-name-key",
    ),
    pytest.param(
        ["UPDATE themes SET name_key = 'cure' WHERE id = 1"],
        [_p("theme_name_key", "theme 1 'Care' is filed as 'cure', not 'care'")],
        id="theme-name-key",
    ),
    pytest.param(
        ["DELETE FROM theme_rollup WHERE theme_id = 1 AND code_id = 3"],
        [_p("theme_rollup", "theme 1 'Care' brings code 3 'Listening', but theme_rollup lacks it")],
        id="rollup-lacks-a-pair",
    ),
    pytest.param(
        ["INSERT INTO theme_rollup VALUES (2, 4)"],
        [
            _p(
                "theme_rollup",
                "theme_rollup has theme 2 'Care > Being heard' bring code 4 'Labels', which it "
                "does not",
            )
        ],
        id="rollup-has-a-stray-pair",
    ),
    pytest.param(
        ["UPDATE excerpt_themes SET refs = 5 WHERE theme_id = 1 AND excerpt_id = 1"],
        [
            _p(
                "excerpt_themes",
                "excerpt_themes counts 5 codings of excerpt 1 of int01 (18-36) for theme 1 "
                "'Care', not 2",
            )
        ],
        id="excerpt-themes-miscounted",
    ),
    pytest.param(
        ["DELETE FROM excerpt_themes WHERE theme_id = 2 AND excerpt_id = 2"],
        [
            _p(
                "excerpt_themes",
                "theme 2 'Care > Being heard' brings excerpt 2 of int01 (37-56) through 1 "
                "coding, but excerpt_themes lacks it",
            )
        ],
        id="excerpt-themes-lacks-a-row",
    ),
    pytest.param(
        ["INSERT INTO excerpt_themes VALUES (2, 2, 4, 1)"],
        [
            _p(
                "excerpt_themes",
                "excerpt_themes has excerpt 4 of int02 (23-55) under theme 2 'Care > Being "
                "heard', which no coding brings",
            )
        ],
        id="excerpt-themes-has-a-stray-row",
    ),
    pytest.param(
        ["UPDATE events SET undone_by = NULL WHERE id = 16"],
        [_p("journal_undo", "undo #17 undid change #16, which is not marked undone")],
        id="undo-of-a-change-not-marked-undone",
    ),
    pytest.param(
        ["UPDATE events SET payload = '{}' WHERE id = 17"],
        [
            _p(
                "journal_undone_by",
                "change #16 is marked undone by undo #17, which undid no change",
            ),
            _p("journal_undo", "undo #17 does not say which change it undid"),
        ],
        id="undo-that-names-no-change",
    ),
    pytest.param(
        ["UPDATE events SET payload = '{\"undid\": 17}' WHERE id = 17"],
        [
            _p("journal_undone_by", "change #16 is marked undone by undo #17, which undid #17"),
            _p("journal_undo", "undo #17 undid #17, itself an undo"),
        ],
        id="undo-of-itself",
    ),
    pytest.param(
        ["UPDATE events SET undone_by = 15 WHERE id = 16"],
        [
            _p("journal_undone_by", "change #16 is marked undone by #15, a memo.add, not an undo"),
            _p("journal_undo", "undo #17 undid change #16, which is marked undone by #15"),
        ],
        id="undone-by-a-change-that-is-no-undo",
    ),
    pytest.param(
        ["UPDATE events SET undone_by = 17 WHERE id = 14"],
        [_p("journal_undone_by", "change #14 is marked undone by undo #17, which undid #16")],
        id="undone-by-an-undo-of-another-change",
    ),
    pytest.param(
        [
            "UPDATE events SET payload = json_set(payload, '$.ops[0].table', 'excerpt_themes') "
            "WHERE id = 8"
        ],
        [
            _p(
                "journal_record",
                "change #8 (theme.add): its undo record names table 'excerpt_themes', which "
                "undo cannot restore (operation #1)",
            )
        ],
        id="undo-record-of-a-derived-table",
    ),
    pytest.param(
        ["UPDATE events SET payload = json_set(payload, '$.ops[0].op', 'move') WHERE id = 8"],
        [
            _p(
                "journal_record",
                "change #8 (theme.add): its undo record has an unknown operation (#1)",
            )
        ],
        id="undo-record-with-an-unknown-operation",
    ),
    pytest.param(
        ["UPDATE events SET payload = 'not json' WHERE id = 8"],
        [_p("journal_record", "change #8 (theme.add): its payload is not a record")],
        id="event-payload-not-json",
    ),
    pytest.param(
        [
            "CREATE TABLE extra (id INTEGER PRIMARY KEY, code_id INTEGER REFERENCES codes (id))",
            "INSERT INTO extra VALUES (1, 9), (2, 9)",
        ],
        [
            _p(
                "foreign_key",
                "2 rows of extra refer through code_id to codes rows that do not exist",
            )
        ],
        id="foreign-key-this-version-does-not-know",
    ),
]


@DAMAGE_ON_A_COPY
@pytest.mark.parametrize(("statements", "problems"), DAMAGE)
def test_each_kind_of_damage_is_named(
    sound: Project, tmp_path: Path, statements: list[str], problems: list[CheckProblem]
) -> None:
    report = checked(damaged(sound, tmp_path, *statements))
    assert report.problems == problems and report.total == len(problems)


@DAMAGE_ON_A_COPY
def test_many_problems_of_a_kind_list_the_first_then_count_the_rest(
    sound: Project, tmp_path: Path
) -> None:
    rows = ", ".join(f"({i}, 1, {i}, {i + 1}, '', 0)" for i in range(5, 5 + LISTED + 7))
    db = damaged(
        sound,
        tmp_path,
        f'INSERT INTO excerpts (id, source_id, start, "end", memo, created_at) VALUES {rows}',
    )
    report = checked(db)
    problems = report.problems
    assert report.total == LISTED + 7
    assert [p.kind for p in problems] == ["excerpt_uncoded"] * (LISTED + 1)
    assert problems[0].detail == "excerpt 5 of int01 (5-6) has no coding"
    assert problems[-1].detail == "... and 7 more of this kind"


@DAMAGE_ON_A_COPY
def test_an_index_that_disagrees_with_its_table_is_named(sound: Project, tmp_path: Path) -> None:
    db = damaged(
        sound,
        tmp_path,
        "PRAGMA writable_schema = ON",
        "UPDATE sqlite_master SET sql = replace(sql, '(code_id,', '(coder_id,') "
        "WHERE name = 'ix_codings_code_source'",
    )
    assert checked(db).problems == [
        _p("integrity", f"row {i} missing from index ix_codings_code_source") for i in range(1, 6)
    ]


@DAMAGE_ON_A_COPY
def test_a_damaged_file_is_reported_not_a_traceback(sound: Project, tmp_path: Path) -> None:
    """An index page overwritten with noise: the checks that cannot read the file say
    so, and the others still run."""
    copy = damaged(sound, tmp_path)
    conn = sqlite3.connect(copy)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_codings_code_source'"
    ).fetchone()
    conn.close()
    with copy.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * page_size)
    problems = checked(copy).problems
    assert problems[0] == _p(
        "integrity",
        "could not check the database file (integrity_check): database disk image is malformed",
    )
    assert {p.kind for p in problems} == {"integrity"}


@pg_only
def test_a_sound_project_on_postgresql_checks_ok(
    coded_project: CodedProject, pg_project: Project
) -> None:
    project = sound_project(coded_project, into=pg_project)
    before = _pg_dump(project)
    report = check.check_project(project)
    assert report.ok and report.problems == [] and report.checks == 12
    assert _pg_dump(project) == before


@pg_only
def test_damage_on_postgresql_is_named(coded_project: CodedProject, pg_project: Project) -> None:
    """A foreign key re-added NOT VALID over an orphan, a miscounted roll-up and an undo
    that names nothing: each named as on SQLite."""
    project = sound_project(coded_project, into=pg_project)
    with project.engine.begin() as conn:
        labels = conn.scalar(text("SELECT id FROM codes WHERE name = 'Labels'"))
        coding = conn.scalar(text("SELECT id FROM codings WHERE code_id = :c"), {"c": labels})
        undo = conn.scalar(text("SELECT id FROM events WHERE kind = 'undo'"))
        undone = conn.scalar(text("SELECT id FROM events WHERE undone_by = :u"), {"u": undo})
        conn.execute(text("ALTER TABLE codings DROP CONSTRAINT fk_codings_code_id_codes"))
        conn.execute(text("DELETE FROM codes WHERE id = :c"), {"c": labels})
        conn.execute(
            text(
                "ALTER TABLE codings ADD CONSTRAINT fk_codings_code_id_codes FOREIGN KEY "
                "(code_id) REFERENCES codes (id) ON DELETE CASCADE NOT VALID"
            )
        )
        conn.execute(
            text(
                "UPDATE excerpt_themes SET refs = 5 FROM excerpts, themes WHERE "
                "excerpts.id = excerpt_themes.excerpt_id AND excerpts.start = 18 AND "
                "themes.id = excerpt_themes.theme_id AND themes.name = 'Care'"
            )
        )
        conn.execute(text("UPDATE events SET payload = '{}' WHERE id = :u"), {"u": undo})
        excerpt = conn.scalar(text("SELECT id FROM excerpts WHERE start = 18"))
        care = conn.scalar(text("SELECT id FROM themes WHERE name = 'Care'"))
    before = _pg_dump(project)
    report = check.check_project(project)
    assert _pg_dump(project) == before
    assert report.problems == [
        _p("constraint_not_valid", "constraint fk_codings_code_id_codes on codings is NOT VALID"),
        _p("orphan", f"coding {coding} refers to code {labels}, which does not exist"),
        _p(
            "excerpt_themes",
            f"excerpt_themes counts 5 codings of excerpt {excerpt} of int01 (18-36) for theme "
            f"{care} 'Care', not 2",
        ),
        _p(
            "journal_undone_by",
            f"change #{undone} is marked undone by undo #{undo}, which undid no change",
        ),
        _p("journal_undo", f"undo #{undo} does not say which change it undid"),
    ]


def _pg_dump(project: Project) -> list[tuple]:
    """Every row of every table of a server project."""
    rows: list[tuple] = []
    with project.engine.connect() as conn:
        tables = conn.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        ).all()
        for table in tables:
            found = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            rows.extend(sorted((table, *map(str, row)) for row in found))
    return rows
