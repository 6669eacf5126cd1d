"""Themes and subthemes: the codes they roll up and the excerpts they bring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.services import analysis, codebook, coding, history, themes
from cen_themes.services.coding_import import import_codings

from ..conftest import Cli, CodedProject, dump_database, raw_sql, who

TEXTS = {
    "int01": "Q: How was it?\nA: The waiting list was long. I felt dismissed. Nobody listened.\n",
    "int02": "Q: And then?\nA: The label stuck. Staff were kind. I felt judged at A&E.\n",
}


def span(source: str, phrase: str) -> tuple[int, int]:
    start = TEXTS[source].index(phrase)
    return start, start + len(phrase)


def code(project: Project, source: str, phrase: str, path: str, coder: str = "ann") -> None:
    coding.apply_code(project, source, *span(source, phrase), path, coder=who(project, coder))


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    return coded_project(
        TEXTS,
        [
            ("int01", "waiting list", "Access > Waiting"),
            ("int01", "I felt dismissed.", "Dismissed"),
            ("int01", "I felt dismissed.", "Unheard"),  # two codes, one excerpt
            ("int01", "Nobody listened.", "Unheard"),
            ("int02", "The label stuck.", "Label"),
            ("int02", "I felt judged at A&E.", "Dismissed", "bob"),
            ("int02", "Staff were kind.", "Kindness"),
        ],
        coder="ann",
    )


def counts(project: Project) -> dict[str, tuple[list[str], int, int]]:
    return {t.path: (t.codes, t.excerpts, t.sources) for t in themes.list_themes(project)}


def recomputed(project: Project) -> dict[str, tuple[int, int]]:
    """Each theme's distinct excerpts and sources, from the plain tables."""
    rows = raw_sql(project, "SELECT id, parent_id, name FROM themes")
    own = raw_sql(project, "SELECT theme_id, code_id FROM theme_codes")
    codings = raw_sql(project, "SELECT code_id, excerpt_id, source_id FROM codings")
    parent = {i: p for i, p, _n in rows}
    name = {i: n for i, _p, n in rows}

    def path(i: int) -> str:
        return name[i] if parent[i] is None else f"{path(parent[i])} > {name[i]}"

    def brought(i: int) -> set[int]:
        found = {c for t, c in own if t == i}
        for child in (c for c, p in parent.items() if p == i):
            found |= brought(child)
        return found

    result = {}
    for theme in parent:
        wanted = brought(theme)
        hits = {(e, s) for c, e, s in codings if c in wanted}
        result[path(theme)] = (len(hits), len({s for _e, s in hits}))
    return result


def check_rollup(project: Project) -> None:
    assert {p: (e, s) for p, (_c, e, s) in counts(project).items()} == recomputed(project)
    for path, (excerpts, _sources) in recomputed(project).items():
        assert len(analysis.find_excerpts(project, theme=path)) == excerpts


def test_add_theme_and_subtheme(coded: Project) -> None:
    assert themes.add_theme(
        coded, "Barriers", coder=who(coded, "ann"), description=" d "
    ).summary == ("added theme Barriers")
    assert themes.add_theme(
        coded, "Being dismissed", parent="Barriers", coder=who(coded, "ann")
    ).path == ("Barriers > Being dismissed")
    assert (
        themes.add_theme(coded, "Identity > Labels", coder=who(coded, "ann")).path
        == "Identity > Labels"
    )
    listed = themes.list_themes(coded)
    assert [(t.path, t.depth, t.description) for t in listed] == [
        ("Barriers", 0, "d"),
        ("Barriers > Being dismissed", 1, ""),
        ("Identity", 0, ""),
        ("Identity > Labels", 1, ""),
    ]


@pytest.mark.parametrize(
    ("name", "parent", "message"),
    [
        ("barriers", None, "already exists at the top level"),
        ("Sub", "Nowhere", "no theme named 'Nowhere'"),
        ("SUB", "Barriers", "already exists under 'Barriers'"),
        ("Barriers > Sub", None, "already exists"),
        ("A > B", "Barriers", "may not contain ' > '"),
        ("  ", None, "cannot be empty"),
    ],
)
def test_bad_theme_names_are_refused(coded, db: Path | str, name, parent, message) -> None:
    themes.add_theme(coded, "Barriers > Sub", coder=who(coded, "ann"))
    before = dump_database(db)
    with pytest.raises((InputError, NotFoundError), match=message):
        themes.add_theme(coded, name, parent=parent, coder=who(coded, "ann"))
    assert dump_database(db) == before


def test_assign_and_unassign(coded: Project, db: Path | str) -> None:
    themes.add_theme(coded, "Barriers", coder=who(coded, "ann"))
    change = themes.assign_codes(
        coded, "Barriers", ["Waiting", "Dismissed"], coder=who(coded, "ann")
    )
    assert change.summary == "assigned Access > Waiting, Dismissed to theme Barriers"
    assert counts(coded)["Barriers"] == (["Access > Waiting", "Dismissed"], 3, 2)
    before = dump_database(db)
    assert (
        "assigned already"
        in themes.assign_codes(coded, "Barriers", ["Dismissed"], coder=who(coded, "ann")).summary
    )
    assert dump_database(db) == before
    themes.unassign_codes(coded, "Barriers", ["Access > Waiting"], coder=who(coded, "ann"))
    assert counts(coded)["Barriers"] == (["Dismissed"], 2, 2)
    with pytest.raises(InputError, match="theme 'Barriers' has no code Label"):
        themes.unassign_codes(coded, "Barriers", ["Label"], coder=who(coded, "ann"))
    with pytest.raises(NotFoundError, match="no code named 'Nowhere'"):
        themes.assign_codes(coded, "Barriers", ["Nowhere"], coder=who(coded, "ann"))
    check_rollup(coded)


def test_a_code_in_several_themes(coded: Project) -> None:
    for theme in ("Barriers", "Voice"):
        themes.add_theme(coded, theme, coder=who(coded, "ann"))
        themes.assign_codes(coded, theme, ["Dismissed"], coder=who(coded, "ann"))
    themes.assign_codes(coded, "Voice", ["Unheard"], coder=who(coded, "ann"))
    assert counts(coded) == {
        "Barriers": (["Dismissed"], 2, 2),
        "Voice": (["Dismissed", "Unheard"], 3, 2),  # 'I felt dismissed.' counted once
    }
    check_rollup(coded)


def test_theme_brings_the_union_of_its_codes_and_subthemes(coded: Project) -> None:
    themes.add_theme(coded, "Barriers", coder=who(coded, "ann"))
    themes.add_theme(coded, "Unheard voices", parent="Barriers", coder=who(coded, "ann"))
    themes.assign_codes(coded, "Barriers", ["Dismissed", "Access"], coder=who(coded, "ann"))
    themes.assign_codes(coded, "Unheard voices", ["Unheard"], coder=who(coded, "ann"))
    assert counts(coded) == {
        # Access's child Waiting is not brought: child codes are assigned explicitly
        "Barriers": (["Access", "Dismissed"], 3, 2),
        "Barriers > Unheard voices": (["Unheard"], 2, 1),
    }
    texts = [e.text for e in analysis.find_excerpts(coded, theme="Barriers")]
    assert texts == ["I felt dismissed.", "Nobody listened.", "I felt judged at A&E."]
    code(coded, "int01", "Nobody listened.", "Dismissed")  # a second code of the same theme
    assert counts(coded)["Barriers"][1:] == (3, 2)
    coding.remove_coding(
        coded, "int01", *span("int01", "Nobody listened."), "Unheard", coder=who(coded, "a")
    )
    assert counts(coded)["Barriers"][1:] == (3, 2)
    assert counts(coded)["Barriers > Unheard voices"][1:] == (1, 1)
    check_rollup(coded)


def test_rename_move_and_delete_themes(coded: Project, db: Path | str) -> None:
    themes.add_theme(coded, "Barriers > Unheard", coder=who(coded, "ann"))
    themes.add_theme(coded, "Voice", coder=who(coded, "ann"))
    themes.assign_codes(coded, "Unheard", ["Unheard"], coder=who(coded, "ann"))
    themes.assign_codes(coded, "Barriers", ["Label"], coder=who(coded, "ann"))
    assert themes.rename_theme(
        coded, "Unheard", "Not listened to", coder=who(coded, "ann")
    ).path == ("Barriers > Not listened to")
    with pytest.raises(InputError, match="already exists beside"):
        themes.rename_theme(coded, "Barriers", "voice", coder=who(coded, "ann"))
    themes.move_theme(coded, "Not listened to", "Voice", coder=who(coded, "ann"))
    assert counts(coded) == {
        "Barriers": (["Label"], 1, 1),
        "Voice": ([], 2, 1),
        "Voice > Not listened to": (["Unheard"], 2, 1),
    }
    for target in ("Voice", "Not listened to"):
        with pytest.raises(InputError, match="cannot go inside itself"):
            themes.move_theme(coded, "Voice", target, coder=who(coded, "ann"))
    themes.move_theme(coded, "Not listened to", None, coder=who(coded, "ann"))
    assert list(counts(coded)) == ["Barriers", "Voice", "Not listened to"]
    themes.move_theme(coded, "Not listened to", "Voice", coder=who(coded, "ann"))
    check_rollup(coded)
    before = dump_database(db)
    with pytest.raises(InputError, match=r"has 1 subtheme.*--force"):
        themes.delete_theme(coded, "Voice", coder=who(coded, "ann"))
    assert dump_database(db) == before
    codes_before = codebook.list_codes(coded)
    assert themes.delete_theme(coded, "Voice", coder=who(coded, "ann"), force=True).summary == (
        "deleted theme Voice and 1 subtheme"
    )
    assert (
        themes.delete_theme(coded, "Barriers", coder=who(coded, "ann")).summary
        == "deleted theme Barriers"
    )
    assert themes.list_themes(coded) == []
    assert [(c.path, c.excerpts) for c in codebook.list_codes(coded)] == [
        (c.path, c.excerpts) for c in codes_before
    ]  # codes stay, with their excerpts
    assert all(c.themes == [] for c in codebook.list_codes(coded))


def test_counts_stay_right_through_every_kind_of_change(coded, tmp_path) -> None:
    themes.add_theme(coded, "Barriers > Unheard", coder=who(coded, "ann"))
    themes.add_theme(coded, "Identity", coder=who(coded, "ann"))
    themes.assign_codes(coded, "Barriers", ["Dismissed", "Waiting"], coder=who(coded, "ann"))
    themes.assign_codes(coded, "Unheard", ["Unheard", "Dismissed"], coder=who(coded, "ann"))
    themes.assign_codes(coded, "Identity", ["Label", "Dismissed"], coder=who(coded, "ann"))
    csv_file = tmp_path / "more.csv"
    label = span("int02", "The label stuck.")
    csv_file.write_text(f"int02,{label[0]},{label[1]},Unheard\nint01,0,2,Label\n", "utf-8")
    steps = [
        lambda: code(coded, "int02", "Staff were kind.", "Unheard"),
        lambda: code(coded, "int02", "Staff were kind.", "Dismissed", coder=who(coded, "cat")),
        lambda: coding.remove_coding(
            coded,
            "int01",
            *span("int01", "I felt dismissed."),
            "Dismissed",
            coder=who(coded, "ann"),
        ),
        lambda: import_codings(coded, csv_file, coder=who(coded, "ann")),
        lambda: codebook.merge_codes(
            coded, ["Kindness", "Label"], "Unheard", coder=who(coded, "ann")
        ),
        lambda: history.undo(coded, coder=who(coded, "ann")),
        lambda: codebook.move_code(coded, "Waiting", None, coder=who(coded, "ann")),
        lambda: codebook.delete_code(coded, "Dismissed", coder=who(coded, "ann"), force=True),
        lambda: history.undo(coded, coder=who(coded, "ann")),
        lambda: themes.move_theme(coded, "Unheard", "Identity", coder=who(coded, "ann")),
        lambda: themes.unassign_codes(coded, "Identity", ["Dismissed"], coder=who(coded, "ann")),
        lambda: history.undo(coded, coder=who(coded, "ann")),
        lambda: themes.delete_theme(coded, "Barriers", coder=who(coded, "ann")),
        lambda: history.undo(coded, coder=who(coded, "ann")),
        lambda: codebook.merge_codes(coded, ["Unheard"], "Dismissed", coder=who(coded, "ann")),
    ]
    check_rollup(coded)
    for number, step in enumerate(steps):
        step()
        try:
            check_rollup(coded)
        except AssertionError as exc:
            raise AssertionError(f"after step {number}: {exc}") from None


def test_theme_list_json(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "int01.txt"
    path.write_text(TEXTS["int01"], encoding="utf-8")
    assert cli("import", path).exit_code == 0
    for phrase, name in [("waiting list", "Waiting"), ("Nobody listened.", "Unheard")]:
        assert cli("code", "apply", "int01", *map(str, span("int01", phrase)), name).exit_code == 0
    for args in [("Barriers", "--description", "What stops care"), ("Sub", "--parent", "Barriers")]:
        assert cli("theme", "add", *args).exit_code == 0
    assert cli("theme", "assign", "Barriers", "Waiting").exit_code == 0
    assert cli("theme", "assign", "Sub", "Unheard", "Waiting").exit_code == 0
    listed = json.loads(cli("theme", "list", "--json").stdout)
    assert listed == [
        {
            "path": "Barriers",
            "description": "What stops care",
            "codes": ["Waiting"],
            "excerpts": 2,
            "sources": 1,
        },
        {
            "path": "Barriers > Sub",
            "description": "",
            "codes": ["Waiting", "Unheard"],
            "excerpts": 2,
            "sources": 1,
        },
    ]
    failed = cli("theme", "assign", "Nowhere", "Waiting")
    assert failed.exit_code == 1 and failed.stderr.strip() == "error: no theme named 'Nowhere'"
    failed = cli("theme", "delete", "Barriers")
    assert failed.exit_code == 1 and len(failed.stderr.strip().splitlines()) == 1
    assert cli("theme", "delete", "Barriers", "--force").exit_code == 0
    assert json.loads(cli("theme", "list", "--json").stdout) == []
