"""The column-wise reader of plain coding CSVs gives what the row-by-row reader gives."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from cen_themes.bulk import beside, codings_csv
from cen_themes.bulk import csvsplit as fastcsv
from cen_themes.db import Project, open_project
from cen_themes.errors import InputError
from cen_themes.services import codebook, coding_import, sources
from cen_themes.services.coding_import import import_codings

TEXTS = {
    "int01": "Q: How was it?\nA: The waiting list was long. I felt dismissed.\n",
    "Café 02": "Q: And the staff?\nA: Café staff were kind. Naïve of me, maybe.\n",
}

ROWS = [
    "int01,19,43,Access > Waiting,ann,long wait",
    "Café 02,22,40,Relationships > Kindness ☕,,",
    "int01,44,60,Access > Dismissed,bob,",
    " int01 ,19,43, Access > Waiting ,bob,",
    "Café 02,41,61,Self-blame,ann,naïve; maybe",
    "int01,19,43,Access > Waiting,ann,",
]


def _project(folder: Path) -> tuple[Project, Path]:
    folder.mkdir()
    db = folder / "p.db"
    project = open_project(db)
    for name, text in TEXTS.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    sources.import_files(project, [folder / f"{n}.txt" for n in TEXTS], coder="ann")
    return project, db


def _state(project: Project, db: Path) -> tuple:
    """Codes in tree order, and every coding with its excerpt, coder and memo."""
    listed = codebook.list_codes(project)
    codes = [c.path for c in listed]
    path_of = {c.id: c.path for c in listed}
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            'SELECT s.name, e.start, e."end", c.code_id, k.name, e.memo FROM codings c'
            " JOIN excerpts e ON e.id = c.excerpt_id JOIN sources s ON s.id = e.source_id"
            " JOIN coders k ON k.id = c.coder_id ORDER BY c.id"
        ).fetchall()
        themes = conn.execute("SELECT count(*) FROM excerpt_themes").fetchone()
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    rows = [(s, a, b, path_of[c], k, m) for s, a, b, c, k, m in rows]
    return codes, rows, themes, broken


@pytest.fixture
def paths_taken(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many pieces each reader handled: proves which path a test went down."""
    taken = {"fast": 0, "slow": 0}
    fast, slow = codings_csv._read_fields, codings_csv._read_chunk

    def counted_fast(*args, **kwargs):
        taken["fast"] += 1
        return fast(*args, **kwargs)

    def counted_slow(*args, **kwargs):
        taken["slow"] += 1
        return slow(*args, **kwargs)

    monkeypatch.setattr(codings_csv, "_read_fields", counted_fast)
    monkeypatch.setattr(codings_csv, "_read_chunk", counted_slow)
    return taken


def _import(tmp_path: Path, name: str, lines: list[str]) -> tuple:
    project, db = _project(tmp_path / name)
    csv_file = tmp_path / f"{name}.csv"
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_codings(project, csv_file, coder="gen")
    state = _state(project, db)
    project.close()
    return result, state


def test_plain_file_is_read_column_wise_with_the_same_result(tmp_path, paths_taken) -> None:
    header = "source,start,end,code,coder,memo"
    fast_result, fast_state = _import(tmp_path, "fast", [header, *ROWS])
    assert paths_taken == {"fast": 1, "slow": 0}
    # One quoted cell sends the same codings through the csv module.
    quoted = [header, *ROWS[:-1], ROWS[-1].replace("ann", '"ann"')]
    slow_result, slow_state = _import(tmp_path, "slow", quoted)
    assert paths_taken["slow"] == 1
    assert fast_state == slow_state
    assert fast_result.summary == slow_result.summary.replace("slow.csv", "fast.csv")
    codes, rows, _themes, broken = fast_state
    assert codes[:2] == ["Access", "Access > Waiting"]  # created in order of first use
    assert "Relationships > Kindness ☕" in codes
    assert broken == []
    assert ("int01", 19, 43, "Access > Waiting", "ann", "long wait") in rows
    assert ("Café 02", 22, 40, "Relationships > Kindness ☕", "gen", "") in rows
    assert {k for *_, k, _m in rows} == {"ann", "bob", "gen"}  # a blank coder is the default


def test_pieces_of_different_widths(tmp_path, paths_taken, monkeypatch) -> None:
    """No header: rows may carry a coder or not; each piece is read on its own."""
    monkeypatch.setattr(codings_csv, "_CHUNK_CHARS", 20)
    lines = ["int01,19,43,Access > Waiting", "", "int01,44,60,Access > Dismissed,bob", *ROWS[4:]]
    _result, fast_state = _import(tmp_path, "fast", lines)
    assert paths_taken["fast"] >= 3 and paths_taken["slow"] == 0
    _result, slow_state = _import(
        tmp_path, "slow", [*lines[:-1], '"' + lines[-1][:5] + '"' + lines[-1][5:]]
    )
    assert fast_state == slow_state


@pytest.mark.parametrize(
    "row",
    [
        "int01, 19,43,Access",  # int() accepts the space: the slow reader decides
        "int01,1_9,43,Access",
        "int01,-1,43,Access",
        "nobody,19,43,Access",
        "int01,19,4300,Access",
    ],
)
def test_a_piece_the_fast_reader_declines_starts_over_row_by_row(
    tmp_path, paths_taken, row
) -> None:
    project, _db = _project(tmp_path / "p")
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("int01,44,60,Access > Dismissed\n" + row + "\n", encoding="utf-8")
    try:
        result = import_codings(project, csv_file, coder="gen")
    except Exception as exc:  # the row-by-row reader's own words
        assert "line 2" in str(exc)
    else:
        assert result.rows == 2
    assert paths_taken["fast"] == 1 and paths_taken["slow"] >= 1
    project.close()


def test_foreign_keys_are_checked_again_after_a_bulk_import(tmp_path) -> None:
    project, _db = _project(tmp_path / "p")
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("int01,19,43,Access\n", encoding="utf-8")
    import_codings(project, csv_file, coder="gen")
    with project.write() as session:
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    project.close()


def test_fields_split_and_columns() -> None:
    fields = fastcsv.split("a,1,é☕\n\nbb,22,x\na,333,é☕\n", ",", skip_first=False)
    assert fields is not None and fields.records == 3
    assert fields.integers(1).tolist() == [1, 22, 333]
    values, index = fields.strings(2)
    assert values == ["é☕", "x"] and index.tolist() == [0, 1, 0]
    assert fields.strings(0)[0] == ["a", "bb"]
    assert fields.texts(2, np.array([1])) == ["x"]


@pytest.mark.parametrize(
    "text", ['a,"1"\n', "a,1\nb,2,3\n", "a,1\nb\n"], ids=["quotes", "wider", "narrower"]
)
def test_split_declines_files_for_the_csv_module(text) -> None:
    assert fastcsv.split(text, ",", skip_first=False) is None


@pytest.mark.parametrize("cell", ["", " 1", "1 ", "+1", "-1", "1.0", "١", "1" * 19])
def test_integers_decline_anything_but_plain_digits(cell) -> None:
    fields = fastcsv.split(f"a,{cell}\n", ",", skip_first=False)
    assert fields is not None
    assert fields.integers(1) is None


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Read every file in two processes; records whether each child really started."""
    if not beside.can_fork():
        pytest.skip("forks only on Linux, from a process with one thread")
    started: list[bool] = []

    class Watched(beside.Beside):
        def __init__(self, *args) -> None:
            super().__init__(*args)
            started.append(self._process is not None)

    monkeypatch.setattr(beside, "Beside", Watched)
    monkeypatch.setattr(codings_csv, "_PARALLEL_CHARS", 0)
    monkeypatch.setattr(codings_csv, "_CHUNK_CHARS", 60)
    return started


def _halves() -> list[str]:
    """Codes, coders and memos that first appear in the second half of the file."""
    second = [*ROWS[3:], "int01,0,2,Late > Code,zed,a late memo", "Café 02,1,5,Late > Code,,"]
    return ["source,start,end,code,coder,memo", *ROWS[:3] * 3, *second, *ROWS[:2]]


def test_a_file_read_in_two_processes_gives_the_one_process_result(
    tmp_path, forks, monkeypatch
) -> None:
    lines = _halves()
    two_result, two_state = _import(tmp_path, "two", lines)
    assert forks == [True]
    monkeypatch.setattr(codings_csv, "_PARALLEL_CHARS", 10**12)
    one_result, one_state = _import(tmp_path, "one", lines)
    assert forks == [True]  # no second child
    assert two_state == one_state
    assert two_result.summary == one_result.summary.replace("one.csv", "two.csv")
    _codes, rows, _themes, _broken = two_state
    assert ("int01", 0, 2, "Late > Code", "zed", "a late memo") in rows


@pytest.mark.parametrize("where", ["first half", "second half"])
def test_a_bad_row_in_either_half_is_named_by_its_line(tmp_path, forks, where) -> None:
    lines = ["source,start,end,code", *["int01,19,43,Access"] * 20]
    bad = 3 if where == "first half" else 18
    lines[bad - 1] = "int01,19,4300,Access"
    project, db = _project(tmp_path / "p")
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _state(project, db)
    with pytest.raises(InputError, match=f"c.csv, line {bad}: 19-4300 is not a span"):
        import_codings(project, csv_file, coder="gen")
    assert forks == [True]
    assert _state(project, db) == before
    project.close()


def test_a_large_file_goes_in_through_a_rollback_journal_with_the_same_result(
    tmp_path, monkeypatch
) -> None:
    asked: list[bool] = []
    bulk_write = Project.bulk_write

    def watched(self, *, large=False):
        asked.append(large)
        return bulk_write(self, large=large)

    monkeypatch.setattr(Project, "bulk_write", watched)
    lines = ["source,start,end,code,coder,memo", *ROWS]
    monkeypatch.setattr(coding_import, "_LARGE_FILE_BYTES", 0)
    large_result, large_state = _import(tmp_path, "large", lines)
    monkeypatch.setattr(coding_import, "_LARGE_FILE_BYTES", 10**12)
    small_result, small_state = _import(tmp_path, "small", lines)
    assert asked == [True, False]
    assert large_state == small_state
    assert large_result.summary == small_result.summary.replace("small.csv", "large.csv")
    with sqlite3.connect(tmp_path / "large" / "p.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
