"""The co-occurrence matrix as a file, written by the matrix's writers.

:func:`cooccurrence_table` lays a :class:`~cen_themes.results.synthesis.Cooccurrence` out as a
matrix :class:`~cen_themes.exporters.layout.Table`: the first column the row's path,
then one column per code (or theme) path in the same order. The cells off the diagonal
are ``source`` cells (shaded as a heatmap); the diagonal, the excerpts of each row, is
a ``total`` cell, shaded apart so that it does not set the scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cen_themes.exporters.layout import Cell, Column, Row, Table
from cen_themes.exporters.matrix import MATRIX_FORMATS, write_matrix
from cen_themes.results.synthesis import Cooccurrence

COOCCURRENCE_FORMATS: tuple[str, ...] = MATRIX_FORMATS
"""The extensions :func:`write_cooccurrence` writes."""


@dataclass(frozen=True, slots=True)
class CooccurrenceTable(Table):
    """A laid-out co-occurrence matrix: a matrix table with its own title."""

    @property
    def title(self) -> str:
        one = self.rows_kind[:-1]
        return f"{one.capitalize()}-by-{one} co-occurrence: pairs of excerpts (diagonal: excerpts)"


def cooccurrence_table(data: Cooccurrence) -> CooccurrenceTable:
    """One row per code (or theme), tree order; the header repeats the paths."""
    label = "code" if data.rows_kind == "codes" else "theme"
    columns = [Column(label, "label", numeric=False)]
    columns += [Column(path, "source", numeric=True) for path in data.paths]
    rows = []
    for i, (path, counts) in enumerate(zip(data.paths, data.counts, strict=True)):
        line = [Cell(path, 0, "label")]
        line += [Cell(n, n, "total" if i == j else "source") for j, n in enumerate(counts)]
        rows.append(Row(tuple(line)))
    return CooccurrenceTable(
        columns=tuple(columns),
        rows=tuple(rows),
        rows_kind=data.rows_kind,
        cells="count",
        group_by=None,
        transposed=False,
    )


def write_cooccurrence(data: Cooccurrence, path: Path) -> None:
    """Write ``data`` to ``path`` (.csv, .xlsx, .md or .html), whole or not at all."""
    write_matrix(cooccurrence_table(data), path)
