"""Row-wise operations on integer columns that numpy has no fast form of.

``np.unique(axis=0)`` sorts rows as byte strings, slowly. Here, when the columns'
bits fit in one int64, each row is packed into a single key and one sort does it;
otherwise the columns are sorted together with lexsort.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of these non-negative integer columns, sorted, and each input
    row's index among them."""
    bits = _bits(columns)
    if sum(bits) <= 63:
        keys, inverse = np.unique(_pack(columns, bits), return_inverse=True)
        return _unpack(keys, bits), inverse.reshape(-1)
    order, stacked, starts = _sorted_runs(columns)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    return stacked[starts], inverse


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
    bits = [max(int(h), 1).bit_length() for h in highest]
    if sum(bits) <= 63:
        keys = [_pack(part, bits) for part in parts]
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


def _bits(columns: Sequence[np.ndarray]) -> list[int]:
    return [max(int(column.max()), 1).bit_length() if len(column) else 1 for column in columns]


def _pack(columns: Sequence[np.ndarray], bits: list[int]) -> np.ndarray:
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
