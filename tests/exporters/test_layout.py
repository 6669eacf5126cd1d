"""layout(): the format-neutral table every matrix format writes."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from cen_themes.errors import InputError
from cen_themes.exporters import Table, layout
from cen_themes.results import SourceColumn

from .test_study import (
    DISMISSED,
    E1,
    E2,
    E3,
    E4,
    LONG_TERM_THEME,
    STIGMA,
    code_matrix,
    study_matrix,
)


def headers(table: Table) -> list[str]:
    return [column.header for column in table.columns]


def grid(table: Table) -> list[list[str | int]]:
    return [[cell.value for cell in row.cells] for row in table.rows]


def test_rows_are_themes_and_columns_sources_in_import_order() -> None:
    table = layout(study_matrix())
    assert headers(table) == ["theme", "su01", "staff01", "su02", "n_sources", "n_excerpts"]
    assert [column.kind for column in table.columns] == [
        "label",
        "source",
        "source",
        "source",
        "total",
        "total",
    ]
    assert grid(table) == [
        [STIGMA, 2, 1, 1, 3, 4],
        [DISMISSED, 1, 0, 1, 2, 2],
        [LONG_TERM_THEME, 0, 1, 1, 2, 2],
    ]
    assert table.title == "Themes by source: excerpt counts"


def test_cells_carry_kind_count_and_excerpts() -> None:
    label, su01, staff01, su02, n_sources, _ = layout(study_matrix()).rows[0].cells
    assert (label.kind, label.count, label.excerpts) == ("label", 0, ())
    assert (su01.kind, su01.count, su01.excerpts) == ("source", 2, (E1, E2))
    assert (staff01.excerpts, su02.excerpts) == ((E4,), (E3,))
    assert (n_sources.kind, n_sources.value, n_sources.excerpts) == ("total", 3, ())
    with pytest.raises(FrozenInstanceError):
        su01.count = 5  # type: ignore[misc]


def test_presence_is_one_or_zero() -> None:
    table = layout(study_matrix(), cells="presence")
    assert grid(table) == [
        [STIGMA, 1, 1, 1, 3, 4],
        [DISMISSED, 1, 0, 1, 2, 2],
        [LONG_TERM_THEME, 0, 1, 1, 2, 2],
    ]
    assert table.rows[0].cells[1].count == 1
    assert all(column.numeric for column in table.columns[1:])


def test_quotes_are_the_excerpt_texts_with_their_source_and_offsets() -> None:
    table = layout(study_matrix(), cells="quotes")
    su01 = table.rows[0].cells[1].value
    assert su01 == (
        "“When they said “personality disorder” the nurse’s face changed.” (su01 0–63)"
        "\n\n“At A&E they told me I was wasting their time | again.” (su01 120–173)"
    )
    assert table.rows[1].cells[2].value == ""  # Dismissed at A&E in staff01
    assert table.rows[1].cells[2].count == 0
    assert table.rows[0].cells[1].count == 2
    assert [column.numeric for column in table.columns] == [
        False,
        False,
        False,
        False,
        True,
        True,
    ]


def test_quotes_need_the_excerpts() -> None:
    with pytest.raises(ValueError, match="excerpts"):
        layout(code_matrix(), cells="quotes")


def test_an_unknown_cells_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="cells"):
        layout(study_matrix(), cells="percent")  # type: ignore[arg-type]


def test_group_by_sorts_groups_case_insensitively_with_a_subtotal_after_each() -> None:
    table = layout(study_matrix(), group_by="group")
    assert headers(table) == [
        "theme",
        "su01",
        "su02",
        "group=service user total",
        "staff01",
        "group=Staff total",
        "n_sources",
        "n_excerpts",
    ]
    assert grid(table) == [
        [STIGMA, 2, 1, 3, 1, 1, 3, 4],
        [DISMISSED, 1, 1, 2, 0, 0, 2, 2],
        [LONG_TERM_THEME, 0, 1, 1, 1, 1, 2, 2],
    ]
    subtotal = table.rows[0].cells[3]
    assert subtotal.kind == "subtotal"
    assert subtotal.excerpts == (E1, E2, E3)
    assert table.title == "Themes by source: excerpt counts, sources grouped by group"


def test_presence_subtotal_counts_the_sources_where_the_row_is_present() -> None:
    table = layout(study_matrix(), cells="presence", group_by="setting")
    assert headers(table)[1:6] == [
        "su02",
        "setting=primary care total",
        "su01",
        "staff01",
        "setting=specialist total",
    ]
    assert grid(table) == [
        [STIGMA, 1, 1, 1, 1, 2, 3, 4],
        [DISMISSED, 1, 1, 1, 0, 1, 2, 2],
        [LONG_TERM_THEME, 1, 1, 0, 1, 1, 2, 2],
    ]


def test_quotes_subtotal_is_the_number_of_excerpts() -> None:
    table = layout(study_matrix(), cells="quotes", group_by="group")
    assert [row.cells[3].value for row in table.rows] == [3, 2, 1]
    assert table.columns[3].numeric


def test_sources_without_the_attribute_form_a_last_none_group() -> None:
    matrix = study_matrix()
    paper = SourceColumn("smith2019", {"year": "2019"})  # imported first, grouped last
    matrix = replace(
        matrix,
        sources=[paper, *matrix.sources],
        rows=[replace(row, counts=[1, *row.counts], excerpts=[]) for row in matrix.rows],
        source_excerpts=[1, *matrix.source_excerpts],
    )
    table = layout(matrix, group_by="group")
    assert headers(table)[-4:] == ["smith2019", "group=(none) total", "n_sources", "n_excerpts"]
    assert [row.cells[-4].value for row in table.rows] == [1, 1, 1]
    assert [row.cells[-3].value for row in table.rows] == [1, 1, 1]


def test_group_by_an_attribute_no_source_has_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no source has the attribute 'country'"):
        layout(study_matrix(), group_by="country")


def test_transpose_makes_the_sources_rows() -> None:
    table = layout(study_matrix(), transpose=True)
    assert headers(table) == [
        "source",
        STIGMA,
        DISMISSED,
        LONG_TERM_THEME,
        "n_themes",
        "n_excerpts",
    ]
    assert grid(table) == [
        ["su01", 2, 1, 0, 2, 2],
        ["staff01", 1, 0, 1, 2, 2],
        ["su02", 1, 1, 1, 3, 2],
    ]
    assert table.rows[0].cells[1].excerpts == (E1, E2)
    assert table.title == "Sources by theme: excerpt counts"


def test_transpose_with_groups_adds_a_subtotal_row_after_each_group() -> None:
    table = layout(study_matrix(), group_by="group", transpose=True)
    assert grid(table) == [
        ["su01", 2, 1, 0, 2, 2],
        ["su02", 1, 1, 1, 3, 2],
        ["group=service user total", 3, 2, 1, 3, 4],
        ["staff01", 1, 0, 1, 2, 2],
        ["group=Staff total", 1, 0, 1, 2, 2],
    ]
    assert [row.kind for row in table.rows] == ["row", "row", "subtotal", "row", "subtotal"]
    assert [cell.kind for cell in table.rows[2].cells] == [
        "label",
        "subtotal",
        "subtotal",
        "subtotal",
        "total",
        "total",
    ]


def test_transposed_presence_subtotal_counts_present_sources() -> None:
    table = layout(study_matrix(), cells="presence", group_by="group", transpose=True)
    assert [cell.value for cell in table.rows[2].cells] == [
        "group=service user total",
        2,
        2,
        1,
        3,
        4,
    ]


def test_code_rows_are_labelled_code() -> None:
    assert headers(layout(code_matrix()))[0] == "code"
    transposed = layout(code_matrix(), transpose=True)
    assert headers(transposed)[-2:] == ["n_codes", "n_excerpts"]
    assert [row.cells[-2].value for row in transposed.rows] == [2, 2, 2]
    assert transposed.rows[0].cells[1].excerpts == ()
