"""Coding spans of a source through the coding service, against a migrated database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cen_themes.db import Project
from cen_themes.errors import CenThemesError, InputError, NotFoundError
from cen_themes.services import analysis, codebook, coding, sources

from ..conftest import CodedProject, coder_by_name, dump_database, raw_sql, several_coders, who

TEXT = (
    "Interviewer: How was the referral?\n"
    "P01: The waiting list was fourteen months. I felt dismissed at A&E, honestly.\n"
    "P01: Café staff were kind — 😀 really kind, naïve as that sounds.\n"
)


def span(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def count(project: Project, table: str) -> int:
    return raw_sql(project, f'SELECT count(*) FROM "{table}"')[0][0]


@pytest.fixture
def interview(coded_project: CodedProject) -> Project:
    project = coded_project(TEXT, coder="ann")
    assert sources.get_source(project, "int01").text == TEXT
    return project


def apply(
    project: Project, phrase: str, code: str, coder: str = "ann", **kw
) -> coding.CodingResult:
    return coding.apply_code(project, "int01", *span(phrase), code, coder=who(project, coder), **kw)


def test_apply_codes_exactly_the_span(interview: Project) -> None:
    result = apply(interview, "The waiting list was fourteen months.", "Waiting")
    view = result.excerpt
    assert result.added and result.created_codes == ["Waiting"]
    assert (view.source, view.start, view.end) == (
        "int01",
        *span("The waiting list was fourteen months."),
    )
    assert view.text == "The waiting list was fourteen months."
    assert (view.codes, view.coders, view.memo) == (["Waiting"], [who(interview, "ann")], "")
    assert analysis.find_excerpts(interview) == [view]


def test_offsets_are_code_points(interview: Project) -> None:
    for phrase in ("😀 really kind", "naïve", "Café staff were kind — 😀"):
        assert apply(interview, phrase, "Unicode").excerpt.text == phrase


def test_the_whole_text_is_codable(interview: Project) -> None:
    assert apply(interview, TEXT, "All").excerpt.text == TEXT


@pytest.mark.parametrize(
    ("source", "start", "end", "error", "message"),
    [
        ("int01", 0, len(TEXT) + 1, InputError, f"int01: end {len(TEXT) + 1} is past the end"),
        ("int01", len(TEXT), len(TEXT) + 5, InputError, "past the end of the text"),
        ("int01", 5, 5, InputError, "int01: start 5 must be before end 5"),
        ("int01", 9, 4, InputError, "int01: start 9 must be before end 4"),
        ("int01", -1, 4, InputError, "int01: offsets cannot be negative"),
        ("int01", 3, -2, InputError, "int01: offsets cannot be negative"),
        ("int02", 0, 4, NotFoundError, "no source named 'int02'"),
    ],
)
def test_bad_span_is_refused_and_nothing_written(
    interview: Project, db: Path | str, source: str, start: int, end: int, error, message: str
) -> None:
    before = dump_database(db)
    with pytest.raises(error, match=re.escape(message)):
        coding.apply_code(interview, source, start, end, "Never", coder=who(interview, "ann"))
    assert dump_database(db) == before


def test_same_span_same_code_same_coder_is_one_coding(interview: Project, db: Path | str) -> None:
    first = apply(interview, "waiting list", "Waiting")
    before = dump_database(db)
    again = apply(interview, "waiting list", "Waiting")
    assert not again.added and again.created_codes == []
    assert again.excerpt == first.excerpt
    assert dump_database(db) == before  # not even an event
    assert (count(interview, "excerpts"), count(interview, "codings")) == (1, 1)


@several_coders
def test_second_coder_adds_a_coding_to_the_same_excerpt(interview: Project) -> None:
    first = apply(interview, "waiting list", "Waiting", coder=who(interview, "ann"))
    second = apply(interview, "waiting list", "Waiting", coder=who(interview, "bob"))
    assert second.added and second.excerpt.id == first.excerpt.id
    assert second.excerpt.coders == ["ann", "bob"]
    assert (count(interview, "excerpts"), count(interview, "codings")) == (1, 2)
    third = apply(interview, "waiting list", "Delay", coder=who(interview, "ann"))
    assert third.excerpt.id == first.excerpt.id and third.excerpt.codes == ["Waiting", "Delay"]


def test_overlapping_and_nested_spans_are_separate_excerpts(interview: Project) -> None:
    phrases = [
        "The waiting list was fourteen months.",
        "waiting list",
        "fourteen months. I felt dismissed",
    ]
    for phrase in phrases:
        apply(interview, phrase, "Waiting")
    found = analysis.find_excerpts(interview)
    assert [(e.start, e.end) for e in found] == sorted(span(p) for p in phrases)
    assert sorted(e.text for e in found) == sorted(phrases)
    assert len({e.id for e in found}) == 3
    assert codebook.list_codes(interview)[0].excerpts == 3


def test_parent_child_path_creates_the_tree(interview: Project) -> None:
    result = apply(interview, "waiting list", "Access > Waiting")
    assert result.created_codes == ["Access", "Access > Waiting"]
    assert result.excerpt.codes == ["Access > Waiting"]
    more = apply(interview, "dismissed", "Access > Dismissed at A&E")
    assert more.created_codes == ["Access > Dismissed at A&E"]
    listed = [(c.path, c.name, c.depth, c.excerpts) for c in codebook.list_codes(interview)]
    assert listed == [
        ("Access", "Access", 0, 0),
        ("Access > Waiting", "Waiting", 1, 1),
        ("Access > Dismissed at A&E", "Dismissed at A&E", 1, 1),
    ]


@pytest.mark.parametrize("name", ["Waiting", "waiting", "  WAITING ", "access > waiting"])
def test_a_unique_name_finds_the_nested_code(interview: Project, name: str) -> None:
    apply(interview, "waiting list", "Access > Waiting")
    result = apply(interview, "fourteen months", name)
    assert result.created_codes == [] and result.excerpt.codes == ["Access > Waiting"]
    assert len(codebook.list_codes(interview)) == 2


def test_an_ambiguous_name_is_an_error_listing_the_paths(
    interview: Project, db: Path | str
) -> None:
    apply(interview, "waiting list", "Access > Waiting")
    apply(interview, "fourteen months", "Stigma > Waiting")
    before = dump_database(db)
    with pytest.raises(InputError) as caught:
        apply(interview, "dismissed", "Waiting")
    assert "ambiguous" in str(caught.value)
    assert "'Access > Waiting'" in str(caught.value) and "'Stigma > Waiting'" in str(caught.value)
    assert dump_database(db) == before
    assert apply(interview, "dismissed", "Stigma > Waiting").excerpt.codes == ["Stigma > Waiting"]


@pytest.mark.parametrize("path", ["A >  > B", "A > > B", "A > ", " > B", "", "   "])
def test_a_path_with_an_empty_level_is_refused(
    interview: Project, db: Path | str, path: str
) -> None:
    before = dump_database(db)
    with pytest.raises(InputError):
        apply(interview, "waiting list", path)
    assert dump_database(db) == before


@several_coders
def test_removing_the_only_code_removes_the_excerpt(interview: Project) -> None:
    apply(interview, "waiting list", "Waiting", coder=who(interview, "ann"))
    apply(interview, "waiting list", "Waiting", coder=who(interview, "bob"))
    summary = coding.remove_coding(
        interview, "int01", *span("waiting list"), coder=who(interview, "ann")
    )
    assert (
        summary
        == f"removed Waiting from int01 {'-'.join(map(str, span('waiting list')))} (2 codings)"
    )
    assert analysis.find_excerpts(interview) == []
    assert (count(interview, "excerpts"), count(interview, "codings")) == (0, 0)
    assert codebook.list_codes(interview)[0].excerpts == 0  # the code itself stays


def test_removing_one_of_several_codes_keeps_the_excerpt(interview: Project) -> None:
    apply(interview, "waiting list", "Waiting")
    apply(interview, "waiting list", "Access > Delay")
    coding.remove_coding(
        interview, "int01", *span("waiting list"), "Delay", coder=who(interview, "ann")
    )
    (left,) = analysis.find_excerpts(interview)
    assert left.codes == ["Waiting"] and left.text == "waiting list"
    coding.remove_coding(
        interview, "int01", *span("waiting list"), "Waiting", coder=who(interview, "ann")
    )
    assert analysis.find_excerpts(interview) == []


def test_several_codes_without_naming_one_is_an_error(interview: Project, db: Path | str) -> None:
    apply(interview, "waiting list", "Waiting")
    apply(interview, "waiting list", "Access > Delay")
    before = dump_database(db)
    with pytest.raises(InputError, match="has several codes") as caught:
        coding.remove_coding(interview, "int01", *span("waiting list"), coder=who(interview, "ann"))
    assert "'Waiting'" in str(caught.value) and "'Access > Delay'" in str(caught.value)
    assert dump_database(db) == before


@pytest.mark.parametrize(
    ("where", "code", "message"),
    [
        ("waiting list", "Stigma", "is not coded with 'Stigma'"),
        ("waiting list", "Nonsense", "no code named 'Nonsense'"),
        ("fourteen months", None, "no excerpt at"),
    ],
)
def test_removing_what_is_not_there_is_an_error(
    interview: Project, db: Path | str, where: str, code: str | None, message: str
) -> None:
    apply(interview, "waiting list", "Waiting")
    apply(interview, "dismissed", "Stigma")
    before = dump_database(db)
    with pytest.raises(CenThemesError, match=message):
        coding.remove_coding(interview, "int01", *span(where), code, coder=who(interview, "ann"))
    assert dump_database(db) == before


@several_coders
def test_remove_by_one_coder_keeps_the_others(interview: Project) -> None:
    apply(interview, "waiting list", "Waiting", coder=who(interview, "ann"))
    apply(interview, "waiting list", "Waiting", coder=who(interview, "bob"))
    coding.remove_coding(
        interview, "int01", *span("waiting list"), coder=who(interview, "ann"), by="bob"
    )
    (left,) = analysis.find_excerpts(interview)
    assert left.coders == ["ann"] and left.codes == ["Waiting"]
    with pytest.raises(NotFoundError, match="no coder named 'zed'"):
        coding.remove_coding(
            interview, "int01", *span("waiting list"), coder=who(interview, "ann"), by="zed"
        )


def test_excerpt_memo_from_apply_and_from_set_memo(interview: Project, db: Path | str) -> None:
    first = apply(interview, "waiting list", "Waiting", memo="long wait, angry")
    assert first.excerpt.memo == "long wait, angry"
    assert apply(interview, "waiting list", "Delay").excerpt.memo == "long wait, angry"
    assert apply(interview, "waiting list", "Delay", memo="replaced").excerpt.memo == "replaced"
    summary = coding.set_memo(
        interview, "int01", *span("waiting list"), "Café “note”", coder=who(interview, "ann")
    )
    assert summary.startswith("memo on int01")
    assert analysis.find_excerpts(interview)[0].memo == "Café “note”"
    before = dump_database(db)
    coding.set_memo(
        interview, "int01", *span("waiting list"), "Café “note”", coder=who(interview, "ann")
    )
    assert dump_database(db) == before  # the same memo again changes nothing
    assert "cleared" in coding.set_memo(
        interview, "int01", *span("waiting list"), "", coder=who(interview, "ann")
    )
    assert analysis.find_excerpts(interview)[0].memo == ""


def test_memo_on_a_span_that_is_not_an_excerpt_is_an_error(
    interview: Project, db: Path | str
) -> None:
    before = dump_database(db)
    with pytest.raises(NotFoundError, match="no excerpt at"):
        coding.set_memo(
            interview, "int01", *span("waiting list"), "text", coder=who(interview, "ann")
        )
    with pytest.raises(InputError, match="past the end"):
        coding.set_memo(interview, "int01", 0, 10_000, "text", coder=who(interview, "ann"))
    assert dump_database(db) == before


@coder_by_name
def test_coder_name_cannot_be_empty(interview: Project, db: Path | str) -> None:
    before = dump_database(db)
    with pytest.raises(InputError, match="coder name cannot be empty"):
        apply(interview, "waiting list", "Waiting", coder="  ")
    assert dump_database(db) == before
