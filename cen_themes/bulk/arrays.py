"""Row-wise operations on integer columns that numpy has no fast form of.

``np.unique(axis=0)`` sorts rows as byte strings, slowly. Here, when the columns'
bits fit in one int64, each row is packed into a single key and one sort does it;
otherwise the columns are sorted together with lexsort.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np


def integer_rows(rows: Iterable[Iterable[int]], width: int) -> np.ndarray:
    """Query rows of integers as an (n, width) array: flattened first, since
    ``np.array`` over SQLAlchemy Row objects inspects each one, many times slower."""
    return np.fromiter(chain.from_iterable(rows), dtype=np.int64).reshape(-1, width)


def unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of these non-negative integer columns, sorted, and each input
    row's index among them."""
    bits = bit_widths(columns)
    if sum(bits) <= 63:
        keys, inverse = np.unique(pack(columns, bits), return_inverse=True)
        return _unpack(keys, bits), inverse.reshape(-1)
    order, stacked, starts = _sorted_runs(columns)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    return stacked[starts], inverse


def lookup_rows(table: Sequence[np.ndarray], queries: Sequence[np.ndarray]) -> np.ndarray:
    """For each row of ``queries``, the index of the equal row of ``table`` (whose rows
    are distinct), or -1: a join on whole rows, by one sort of both together."""
    size = len(table[0])
    together = [np.concatenate([t, q]) for t, q in zip(table, queries, strict=True)]
    if size == len(together[0]):  # no queries
        return np.zeros(0, dtype=np.int64)
    rows, inverse = unique_rows(*together)
    at = np.full(len(rows), -1, dtype=np.int64)
    at[inverse[:size]] = np.arange(size)
    return at[inverse[size:]]


def count_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of these non-negative integer columns, sorted, and how many
    times each occurs. Several times faster than :func:`unique_rows`: a plain sort,
    where telling each row where it went needs an argsort."""
    return count_parts([columns], [int(c.max()) if len(c) else 0 for c in columns])


def count_parts(
    parts: Iterable[Sequence[np.ndarray]], highest: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`count_rows` of the rows of all the parts together, each part's columns
    no larger than ``highest``. Parts are packed one at a time, so when they come from
    a generator only their packed keys are ever held together."""
    bits = _widths(highest)
    if sum(bits) <= 63:
        keys = [pack(part, bits) for part in parts]
        packed = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
        unique, counts = np.unique(packed, return_counts=True)
        return _unpack(unique, bits), counts
    parts = list(parts)
    columns = tuple(np.concatenate(c) for c in zip(*parts, strict=True)) if parts else ()
    if not columns or not len(columns[0]):
        return np.zeros((0, len(bits)), dtype=np.int64), np.zeros(0, dtype=np.int64)
    _order, stacked, starts = _sorted_runs(columns)
    firsts = np.flatnonzero(starts)
    return stacked[firsts], np.diff(np.append(firsts, len(starts)))


def bit_widths(columns: Sequence[np.ndarray]) -> list[int]:
    """How many bits each non-negative column's largest value needs (at least 1)."""
    return _widths([int(column.max()) if len(column) else 0 for column in columns])


def _widths(highest: Iterable[int]) -> list[int]:
    return [max(int(h), 1).bit_length() for h in highest]


def pack(columns: Sequence[np.ndarray], bits: list[int]) -> np.ndarray:
    """Each row as one int64, the first column in the highest bits (``sum(bits) <= 63``)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, width in zip(columns, bits, strict=True):
        key = (key << width) | column
    return key


def _unpack(keys: np.ndarray, bits: list[int]) -> np.ndarray:
    unique = np.empty((len(keys), len(bits)), dtype=np.int64)
    for j in reversed(range(len(bits))):
        unique[:, j] = keys & ((1 << bits[j]) - 1)
        keys = keys >> bits[j]
    return unique


def _sorted_runs(columns: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows' sort order, the rows in it, and where each distinct row starts."""
    order = np.lexsort(columns[::-1])
    stacked = np.stack(columns, axis=1)[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = np.any(stacked[1:] != stacked[:-1], axis=1)
    return order, stacked, starts
