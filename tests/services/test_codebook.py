"""The codebook: create, rename, describe, colour, move, delete, merge, list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.models import Code, Memo
from cen_themes.services import analysis, codebook, coding, history, themes
from cen_themes.services.coding_import import import_codings

from ..conftest import Cli, CodedProject, dump_database, several_coders, who

TEXT = (
    "Q: How was it?\nA: The waiting list was long. I felt dismissed. Nobody listened. Kind nurse.\n"
)


def span(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def book(coded_project: CodedProject) -> Project:
    return coded_project(TEXT, coder="ann")


def code(project: Project, phrase: str, path: str, coder: str = "ann") -> None:
    coding.apply_code(project, "int01", *span(phrase), path, coder=who(project, coder))


def codes(project: Project) -> dict[str, tuple[int, str, str]]:
    return {c.path: (c.excerpts, c.description, c.color) for c in codebook.list_codes(project)}


def test_create_with_description_and_colour(book: Project) -> None:
    change = codebook.create_code(
        book, "Access > Waiting", coder=who(book, "ann"), description=" long ", colour="#ABC"
    )
    assert change.summary == "created code Access > Waiting" and change.path == "Access > Waiting"
    assert codes(book)["Access > Waiting"] == (0, "long", "#aabbcc")
    assert codes(book)["Access"][2].startswith("#")  # a palette colour for the new parent
    with pytest.raises(InputError, match="code 'Access > Waiting' already exists"):
        codebook.create_code(book, "access > WAITING", coder=who(book, "ann"))


def test_rename_keeps_place_and_codings(book: Project) -> None:
    code(book, "waiting list", "Access > Waiting")
    change = codebook.rename_code(book, "Waiting", "Waiting lists", coder=who(book, "ann"))
    assert change.summary == "renamed code Access > Waiting to Access > Waiting lists"
    assert analysis.find_excerpts(book)[0].codes == ["Access > Waiting lists"]
    assert codebook.rename_code(
        book, "Waiting lists", "waiting LISTS", coder=who(book, "ann")
    ).path == ("Access > waiting LISTS")  # a change of case only is no clash with itself


@pytest.mark.parametrize("new", ["Referral", "referral", " REFERRAL "])
def test_rename_onto_a_sibling_is_refused(book: Project, db: Path | str, new: str) -> None:
    codebook.create_code(book, "Access > Waiting", coder=who(book, "ann"))
    codebook.create_code(book, "Access > Referral", coder=who(book, "ann"))
    codebook.create_code(book, "Elsewhere > Waiting", coder=who(book, "ann"))
    before = dump_database(db)
    with pytest.raises(InputError, match="already exists beside 'Access > Waiting'"):
        codebook.rename_code(book, "Access > Waiting", new, coder=who(book, "ann"))
    assert dump_database(db) == before
    codebook.rename_code(book, "Elsewhere > Waiting", new, coder=who(book, "ann"))  # not a sibling


@pytest.mark.parametrize("new", ["", "  ", "A > B", "x" * 256])
def test_rename_to_a_bad_name_is_refused(book: Project, db: Path | str, new: str) -> None:
    codebook.create_code(book, "Waiting", coder=who(book, "ann"))
    before = dump_database(db)
    with pytest.raises(InputError):
        codebook.rename_code(book, "Waiting", new, coder=who(book, "ann"))
    assert dump_database(db) == before


def test_describe(book: Project) -> None:
    codebook.create_code(book, "Waiting", coder=who(book, "ann"))
    change = codebook.describe_code(
        book, "Waiting", "  Time before first appointment.\n", coder=who(book, "ann")
    )
    assert change.summary == "described code Waiting"
    assert codes(book)["Waiting"][1] == "Time before first appointment."


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("red", "#e6194b"),
        ("  Teal ", "#469990"),
        ("#ABC", "#aabbcc"),
        ("abc", "#aabbcc"),
        ("#12A4eF", "#12a4ef"),
        ("GREY", "#a9a9a9"),
    ],
)
def test_colour_names_and_hex(book: Project, given: str, stored: str) -> None:
    codebook.create_code(book, "Waiting", coder=who(book, "ann"))
    codebook.colour_code(book, "Waiting", given, coder=who(book, "ann"))
    assert codes(book)["Waiting"][2] == stored


@pytest.mark.parametrize("bad", ["reddish", "#12", "#ggg", "#1234567", "", "rgb(1,2,3)"])
def test_a_bad_colour_is_refused(book: Project, db: Path | str, bad: str) -> None:
    codebook.create_code(book, "Waiting", coder=who(book, "ann"))
    before = dump_database(db)
    with pytest.raises(InputError, match="is not a colour"):
        codebook.colour_code(book, "Waiting", bad, coder=who(book, "ann"))
    assert dump_database(db) == before


def test_move_under_another_code_and_back_to_the_top(book: Project) -> None:
    code(book, "waiting list", "Waiting > Long")
    codebook.create_code(book, "Access", coder=who(book, "ann"))
    change = codebook.move_code(book, "Waiting", "Access", coder=who(book, "ann"))
    assert change.summary == "moved code Waiting to Access > Waiting"
    assert list(codes(book)) == ["Access", "Access > Waiting", "Access > Waiting > Long"]
    assert analysis.find_excerpts(book)[0].codes == ["Access > Waiting > Long"]
    codebook.move_code(book, "Access > Waiting", None, coder=who(book, "ann"))
    assert list(codes(book)) == ["Access", "Waiting", "Waiting > Long"]  # moved to the end


@pytest.mark.parametrize(
    ("moved", "target", "message"),
    [
        ("Waiting", "Waiting", "cannot go inside itself"),
        ("Waiting", "Waiting > Long", "cannot go inside itself"),
        ("Waiting", "Very", "cannot go inside itself"),
        ("Access > Long", "Waiting", "a code named 'Long' already exists under 'Waiting'"),
        ("Waiting", "Nowhere", "no code named 'Nowhere'"),
        ("Waiting > Long", None, "a code named 'Long' already exists at the top level"),
    ],
)
def test_bad_moves_are_refused(
    book, db: Path | str, moved: str, target: str | None, message: str
) -> None:
    codebook.create_code(book, "Waiting > Long > Very", coder=who(book, "ann"))
    codebook.create_code(book, "Access > Long", coder=who(book, "ann"))
    codebook.create_code(book, "Long", coder=who(book, "ann"))
    before = dump_database(db)
    with pytest.raises((InputError, NotFoundError), match=message):
        codebook.move_code(book, moved, target, coder=who(book, "ann"))
    assert dump_database(db) == before


def test_delete_unused_code_with_its_children(book: Project) -> None:
    codebook.create_code(book, "Access > Waiting", coder=who(book, "ann"))
    codebook.create_code(book, "Stigma", coder=who(book, "ann"))
    assert codebook.delete_code(book, "Access", coder=who(book, "ann")).summary == (
        "deleted code Access, 1 child code"
    )
    assert list(codes(book)) == ["Stigma"]


@pytest.mark.parametrize("use", ["coding", "child coding", "theme"])
def test_delete_in_use_is_refused_without_force(book: Project, db: Path | str, use: str) -> None:
    codebook.create_code(book, "Access > Waiting", coder=who(book, "ann"))
    if use == "coding":
        code(book, "waiting list", "Access")
    elif use == "child coding":
        code(book, "waiting list", "Access > Waiting")
    else:
        themes.add_theme(book, "Barriers", coder=who(book, "ann"))
        themes.assign_codes(book, "Barriers", ["Access"], coder=who(book, "ann"))
    before = dump_database(db)
    with pytest.raises(InputError, match=r"code 'Access' is in use .*use --force"):
        codebook.delete_code(book, "Access", coder=who(book, "ann"))
    assert dump_database(db) == before


@several_coders
def test_forced_delete_says_what_it_removed(book: Project) -> None:
    code(book, "waiting list", "Access > Waiting", coder=who(book, "ann"))
    code(book, "waiting list", "Access > Waiting", coder=who(book, "bob"))
    code(book, "I felt dismissed.", "Access")
    code(book, "I felt dismissed.", "Stigma")  # this excerpt keeps a code
    themes.add_theme(book, "Barriers", coder=who(book, "ann"))
    themes.assign_codes(book, "Barriers", ["Access", "Stigma"], coder=who(book, "ann"))
    change = codebook.delete_code(book, "Access", coder=who(book, "ann"), force=True)
    assert change.summary == (
        "deleted code Access, 1 child code, 3 codings, 1 excerpt left uncoded, "
        "unassigned from 1 theme"
    )
    (left,) = analysis.find_excerpts(book)
    assert (left.text, left.codes) == ("I felt dismissed.", ["Stigma"])
    assert list(codes(book)) == ["Stigma"]
    (barriers,) = themes.list_themes(book)
    assert (barriers.codes, barriers.excerpts) == (["Stigma"], 1)


@pytest.fixture
def to_merge(book: Project) -> Project:
    """Dismissed and Ignored (with a child) merged into Not heard, each in themes."""
    code(book, "waiting list", "Not heard", coder=who(book, "ann"))
    code(book, "waiting list", "Dismissed", coder=who(book, "ann"))  # duplicate of Not heard by ann
    code(book, "I felt dismissed.", "Dismissed", coder=who(book, "ann"))
    code(book, "I felt dismissed.", "Dismissed", coder=who(book, "bob"))
    code(
        book, "I felt dismissed.", "Ignored", coder=who(book, "ann")
    )  # duplicate of Dismissed by ann
    code(book, "Nobody listened.", "Ignored", coder=who(book, "ann"))
    code(book, "Kind nurse.", "Ignored > At A&E", coder=who(book, "ann"))
    for name, text in [("Not heard", "target"), ("Dismissed", "d"), ("Ignored", "i")]:
        codebook.describe_code(book, name, text, coder=who(book, "ann"))
    with book.write() as session:
        dismissed = session.query(Code).filter_by(name="Dismissed").one()
        session.add(Memo(target_type="code", target_id=dismissed.id, text="memo", author="ann"))
    for theme, assigned in [("T1", ["Dismissed"]), ("T2", ["Ignored", "Not heard"])]:
        themes.add_theme(book, theme, coder=who(book, "ann"))
        themes.assign_codes(book, theme, assigned, coder=who(book, "ann"))
    return book


@several_coders
def test_merge_repoints_collapses_and_moves_everything(to_merge: Project) -> None:
    change = codebook.merge_codes(
        to_merge, ["Dismissed", "Ignored"], "Not heard", coder=who(to_merge, "ann")
    )
    assert change.summary == (
        "merged Dismissed, Ignored into Not heard: 3 codings moved, 2 duplicates dropped"
    )
    listed = {c.path: c for c in codebook.list_codes(to_merge)}
    assert list(listed) == ["Not heard", "Not heard > At A&E"]
    target = listed["Not heard"]
    assert (target.excerpts, target.sources) == (3, 1)
    assert target.description == "target\nDismissed: d\nIgnored: i"
    assert target.memos == ["memo"] and target.themes == ["T1", "T2"]
    by_text = {e.text: e for e in analysis.find_excerpts(to_merge)}
    assert by_text["I felt dismissed."].coders == ["ann", "bob"]
    assert by_text["Kind nurse."].codes == ["Not heard > At A&E"]
    assert {t.path: (t.codes, t.excerpts) for t in themes.list_themes(to_merge)} == {
        "T1": (["Not heard"], 3),
        "T2": (["Not heard"], 3),
    }


@pytest.mark.parametrize(
    "change",
    [
        lambda p: codebook.merge_codes(
            p, ["Dismissed", "Ignored"], "Not heard", coder=who(p, "ann")
        ),
        lambda p: codebook.merge_codes(
            p, ["Dismissed", "Ignored"], "Brand new", coder=who(p, "ann")
        ),
        lambda p: codebook.delete_code(p, "Dismissed", coder=who(p, "ann"), force=True),
        lambda p: codebook.delete_code(p, "Ignored", coder=who(p, "ann"), force=True),
    ],
    ids=["merge", "merge-new", "delete", "delete-with-child"],
)
def test_merge_and_forced_delete_undo_exactly(to_merge: Project, db: Path | str, change) -> None:
    def state() -> list[tuple]:
        return sorted((r for r in dump_database(db) if r[0] != "events"), key=repr)

    before = state()
    change(to_merge)
    assert state() != before
    history.undo(to_merge, coder=who(to_merge, "ann"))
    assert state() == before


def test_merge_into_a_new_name_creates_it(to_merge: Project) -> None:
    codebook.merge_codes(
        to_merge, ["Dismissed", "Ignored"], "Voice > Unheard", coder=who(to_merge, "ann")
    )
    listed = codes(to_merge)
    assert list(listed) == ["Not heard", "Voice", "Voice > Unheard", "Voice > Unheard > At A&E"]
    assert listed["Voice > Unheard"][:2] == (3, "Dismissed: d\nIgnored: i")


@pytest.mark.parametrize(
    ("merged", "into", "message"),
    [
        (["Ignored"], "At A&E", "cannot merge 'Ignored' into its own child 'Ignored > At A&E'"),
        (["Ignored"], "Ignored", "nothing to merge"),
        (["Nowhere"], "Ignored", "no code named 'Nowhere'"),
        ([], "Ignored", "name at least one code"),
    ],
)
def test_bad_merges_are_refused(to_merge: Project, db: Path | str, merged, into, message) -> None:
    before = dump_database(db)
    with pytest.raises((InputError, NotFoundError), match=message):
        codebook.merge_codes(to_merge, merged, into, coder=who(to_merge, "ann"))
    assert dump_database(db) == before


def test_code_list_json_in_tree_order(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "int01.txt").write_text(TEXT, encoding="utf-8")
    assert cli("import", tmp_path / "int01.txt").exit_code == 0
    for phrase, path in [
        ("waiting list", "Access > Waiting"),
        ("Kind nurse.", "Care"),
        ("Nobody listened.", "Access > Unheard"),
        ("waiting list", "Access"),
    ]:
        assert cli("code", "apply", "int01", *map(str, span(phrase)), path).exit_code == 0
    assert cli("code", "add", "Access > Waiting > Months", "--description", "d").exit_code == 0
    assert cli("code", "color", "Care", "navy").exit_code == 0
    listed = json.loads(cli("code", "list", "--json").stdout)
    assert [list(c) for c in listed] == [
        ["path", "name", "description", "color", "excerpts", "sources"]
    ] * 5
    assert [
        (c["path"], c["name"], c["description"], c["excerpts"], c["sources"]) for c in listed
    ] == [
        ("Access", "Access", "", 1, 1),
        ("Access > Waiting", "Waiting", "", 1, 1),
        ("Access > Waiting > Months", "Months", "d", 0, 0),
        ("Access > Unheard", "Unheard", "", 1, 1),
        ("Care", "Care", "", 1, 1),
    ]
    assert listed[4]["color"] == "#000075"
    table = cli("code", "list").stdout.splitlines()
    assert table[0].split()[:3] == ["code", "excerpts", "sources"]
    assert table[2].startswith("  Waiting") and table[3].startswith("    Months")


def test_big_removals_and_their_undo(coded_project: CodedProject, tmp_path: Path) -> None:
    """20,000 excerpts of a code in a theme: undoing their import, and deleting the code
    (tests/benchmarks/test_bench_analysis.py times both)."""
    project = coded_project({"long": "w " * 20_000}, coder="ann")
    codebook.create_code(project, "Often", coder=who(project, "ann"))
    themes.add_theme(project, "Common", coder=who(project, "ann"))
    themes.assign_codes(project, "Common", ["Often"], coder=who(project, "ann"))
    rows = "".join(f"long,{2 * i},{2 * i + 1},Often\n" for i in range(20_000))
    (tmp_path / "many.csv").write_text(rows, encoding="utf-8")
    import_codings(project, tmp_path / "many.csv", coder=who(project, "ann"))
    assert themes.list_themes(project)[0].excerpts == 20_000
    history.undo(project, coder=who(project, "ann"))
    assert analysis.find_excerpts(project) == []
    import_codings(project, tmp_path / "many.csv", coder=who(project, "ann"))
    codebook.delete_code(project, "Often", coder=who(project, "ann"), force=True)
    assert analysis.find_excerpts(project) == []
    assert themes.list_themes(project)[0].excerpts == 0


def test_list_codes_without_usage_and_project_counts(coded_project: CodedProject) -> None:
    project = coded_project(TEXT, [("int01", (0, 5), "Access > Waiting")], coder="ann")
    full = codebook.list_codes(project)
    bare = codebook.list_codes(project, usage=False)
    assert [c.path for c in bare] == [c.path for c in full] == ["Access", "Access > Waiting"]
    assert [c.color for c in bare] == [c.color for c in full]
    assert [c.excerpts for c in full] == [0, 1] and [c.excerpts for c in bare] == [0, 0]
    assert analysis.counts(project) == (1, 2)
