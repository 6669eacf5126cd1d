"""Importing REFI-QDA projects and codebooks into a project: the real samples, again and
again, into an existing project, undone, and refused whole when the file is bad."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.services import analysis, codebook, history, memos, sources, themes
from cen_themes.services.refi_import import import_refi

from ..conftest import CodedProject, dump_database, refi_sample, who


def _boundary(text: str, i: int) -> bool:
    return i in (0, len(text)) or not (text[i - 1].isalnum() and text[i].isalnum())


def test_the_nvivo_12_project_comes_in_with_its_counts_and_words(project: Project) -> None:
    result = import_refi(
        project, refi_sample("nvivo12win_oltas0517.qdpx"), coder=who(project, "me")
    )
    assert (len(result.sources_added), result.codes_created, result.codings_added) == (2, 152, 303)
    assert [s.name for s in sources.list_sources(project)] == [
        "videos_selection",
        "videos_10_selected",
    ]
    assert len(codebook.list_codes(project)) == 152
    found = analysis.find_excerpts(project)
    assert sum(len(e.codes) for e in found) == 303
    assert {c for e in found for c in e.coders} <= {"Gergo", "floriansipos"}
    text = sources.get_source(project, "videos_10_selected").text
    good = sum(_boundary(text, e.start) and _boundary(text, e.end) for e in found)
    assert good / len(found) >= 0.95, (good, len(found))
    assert any("UTF-16" in n for n in result.notices)


def test_importing_the_same_archive_again_adds_nothing(project: Project, db: Path | str) -> None:
    path = refi_sample("qc132_demo.qdpx")
    first = import_refi(project, path, coder=who(project, "me"))
    assert (len(first.sources_added), first.codes_created, first.codings_added) == (2, 262, 205)
    before = dump_database(db)
    again = import_refi(project, path, coder=who(project, "me"))
    assert (again.sources_added, again.codes_created, again.codings_added) == ([], 0, 0)
    assert len(again.sources_found) == 2
    assert [r for r in dump_database(db) if r[0] != "events"] == [
        r for r in before if r[0] != "events"
    ]


def test_one_undo_takes_the_whole_import_back(project: Project, db: Path | str) -> None:
    before = dump_database(db)
    import_refi(project, refi_sample("qc132_demo.qdpx"), coder=who(project, "me"))
    history.undo(project, coder=who(project, "me"))
    assert [r for r in dump_database(db) if r[0] != "events"] == [
        r for r in before if r[0] != "events"
    ]


def test_atlas_sets_of_codes_become_themes_and_notes_memos(project: Project) -> None:
    result = import_refi(
        project, refi_sample("atlasti8mac_spec-example_TestProject.qdpx"), coder=who(project, "me")
    )
    paths = [c.path for c in codebook.list_codes(project)]
    assert "Coke > diet Coke" in paths and "Coke > full-fat Coke" in paths  # "Coke::diet Coke"
    assert len(paths) == 14
    assert [t.path for t in themes.list_themes(project)] == result.themes
    assert len(result.themes) == 4
    assert all(t.codes for t in themes.list_themes(project))
    assert len(memos.list_memos(project)) == 2
    assert any("picture source" in s for s in result.skipped)


def test_a_codebook_brings_codes_into_an_existing_project(coded_project: CodedProject) -> None:
    project = coded_project("Q: Hi?\nA: Fine.\n", [("int01", "Fine.", "Existing")])
    result = import_refi(
        project, refi_sample("taguette152_codebook_from-tests.qdc"), coder=who(project, "me")
    )
    assert result.codes_created == 3
    assert len(codebook.list_codes(project)) == 4
    qdc = import_refi(
        project, refi_sample("atlasti23win_codebook_from-requal-test.qdc"), coder=who(project, "me")
    )
    assert qdc.codes_created == 1 and len(qdc.themes) == 1


def test_a_source_name_taken_by_other_content_gets_a_number(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = coded_project("Q: Mine?\nA: Yes.\n", name="board_2017")
    result = import_refi(project, refi_sample("qc132_demo.qdpx"), coder=who(project, "me"))
    assert "board_2017 (2)" in result.sources_added
    assert any("imported as 'board_2017 (2)'" in n for n in result.notices)


def test_a_bad_archive_leaves_the_project_as_it_was(
    project: Project, db: Path | str, tmp_path
) -> None:
    before = dump_database(db)
    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("project.qde", "<Project><oops></Project>")
    with pytest.raises(InputError, match=r"bad.qdpx: project.qde is not well-formed XML"):
        import_refi(project, bad, coder=who(project, "me"))
    assert dump_database(db) == before
