"""Row-wise helpers on integer columns, in both of their ways: packed into one int64
when the bits fit, sorted column by column when they do not."""

from __future__ import annotations

import numpy as np
import pytest

from cen_themes.bulk import arrays

WIDE = 1 << 40  # three such columns cannot share one int64


@pytest.mark.parametrize("scale", [1, WIDE], ids=["packed", "wide"])
def test_lookup_rows_finds_each_query_row_or_minus_one(scale: int) -> None:
    table = [np.array([3, 1, 2]) * scale, np.array([0, 5, 5]), np.array([7, 7, 8]) * scale]
    queries = [
        np.array([1, 3, 4, 2, 1]) * scale,
        np.array([5, 0, 0, 5, 4]),
        np.array([7, 7, 7, 8, 7]) * scale,
    ]
    assert arrays.lookup_rows(table, queries).tolist() == [1, 0, -1, 2, -1]


def test_lookup_rows_with_an_empty_table_or_no_queries() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert arrays.lookup_rows([empty, empty], [np.array([1]), np.array([2])]).tolist() == [-1]
    assert arrays.lookup_rows([np.array([1]), np.array([2])], [empty, empty]).tolist() == []


@pytest.mark.parametrize("scale", [1, WIDE], ids=["packed", "wide"])
def test_unique_and_count_rows_agree_with_a_plain_count(scale: int) -> None:
    rng = np.random.default_rng(3)
    columns = [
        rng.integers(0, 4, 200) * scale,
        rng.integers(0, 3, 200),
        rng.integers(0, 2, 200) * scale,
    ]
    rows = list(zip(*(c.tolist() for c in columns), strict=True))
    expected = sorted(set(rows))
    unique, inverse = arrays.unique_rows(*columns)
    assert [tuple(r) for r in unique.tolist()] == expected
    assert [tuple(unique[i]) for i in inverse.tolist()] == rows
    counted, counts = arrays.count_rows(*columns)
    assert [tuple(r) for r in counted.tolist()] == expected
    assert counts.tolist() == [rows.count(r) for r in expected]


def test_integer_rows_flattens_query_rows() -> None:
    assert arrays.integer_rows(iter([(1, 2), (3, 4)]), 2).tolist() == [[1, 2], [3, 4]]
    assert arrays.integer_rows(iter([]), 3).shape == (0, 3)
