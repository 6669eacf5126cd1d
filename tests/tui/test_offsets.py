"""The reader's pure helpers: row/column <-> offset table and the picker's entries."""

from __future__ import annotations

import pytest
from textual.document._document import Document

from cen_themes.results import CodeInfo
from cen_themes.tui.offsets import LineTable
from cen_themes.tui.picker_model import Choice, choices_for, in_vivo_name

TEXTS = [
    "",
    "one line",
    "two\nlines\n",
    "P01: a 🙂 b\n\nP02: c\x0cd\u2028e\x85f",
    "trailing form feed\x0c",
]


@pytest.mark.parametrize("text", TEXTS)
def test_table_rows_match_textual_document(text: str) -> None:
    table = LineTable.of(text)
    lines = Document(text).lines
    assert len(table.starts) == len(lines)
    for row, line in enumerate(lines):
        start = table.offset(row, 0)
        assert text[start : start + len(line)] == line
        assert table.lengths[row] == len(line)


@pytest.mark.parametrize("text", TEXTS)
def test_offsets_round_trip(text: str) -> None:
    table = LineTable.of(text)
    for row, length in enumerate(table.lengths):
        for column in range(length + 1):
            assert table.location(table.offset(row, column)) == (row, column)


def test_line_spans_cut_a_span_at_line_breaks() -> None:
    table = LineTable.of("ab\ncd\x0cef\n")
    assert table.line_spans(1, 7) == [(0, 1, 2), (1, 0, 2), (2, 0, 1)]
    assert table.line_spans(3, 5) == [(1, 0, 2)]
    assert table.line_spans(2, 3) == []  # only the newline: nothing to shade


def code(id: int, path: str) -> CodeInfo:
    return CodeInfo(id, path, path.split(" > ")[-1], path.count(" > "), "", "#ffe119", 0, 0, [], [])


CODES = [code(1, "Stigma"), code(2, "Stigma > Being judged"), code(3, "Hope")]


def test_empty_query_lists_all_codes_then_in_vivo() -> None:
    found = choices_for("", CODES, "  felt  judged. ")
    assert [(c.kind, c.code) for c in found] == [
        ("existing", "Stigma"),
        ("existing", "Stigma > Being judged"),
        ("existing", "Hope"),
        ("in_vivo", "felt judged"),
    ]


def test_no_exact_match_offers_create_first() -> None:
    found = choices_for("judg", CODES)
    assert found[0] == Choice("create", "judg")
    assert [c.code for c in found[1:]] == ["Stigma > Being judged"]


def test_exact_name_or_path_comes_first_and_no_create() -> None:
    assert choices_for("Stigma", CODES)[0] == Choice("existing", "Stigma", "#ffe119")
    assert all(c.kind != "create" for c in choices_for("Stigma", CODES))
    assert choices_for("Being judged", CODES)[0].code == "Stigma > Being judged"


def test_in_vivo_name_is_one_line_short_and_not_a_path() -> None:
    assert in_vivo_name("“I was\na problem”") == "I was a problem"
    assert in_vivo_name("a > b") == "a - b"
    long = in_vivo_name("word " * 40)
    assert len(long) <= 60 and not long.endswith(" ")
    assert in_vivo_name(" ... ") == ""


def test_an_in_vivo_name_is_made_of_whole_words() -> None:
    from cen_themes.tui.screens.reader import whole_words

    text = "for seven years, on and off"
    start = text.index("seven")
    assert whole_words(text, start, start + len("seven yea")) == "seven years"
    assert whole_words(text, start + 2, start + 5) == "seven"  # "ven" inside it
    assert whole_words(text, start, start + len("seven years,")) == "seven years,"
    assert whole_words(text, 0, 3) == "for"
    assert whole_words(text, len(text) - 2, len(text)) == "off"
