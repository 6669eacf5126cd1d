"""The format-neutral 2-D table that every matrix format writes.

:func:`layout` turns a :class:`~cen_themes.results.Matrix` into a
:class:`Table`: a header of :class:`Column` and a list of :class:`Row`, each a tuple
of :class:`Cell` carrying its display value, a count for shading, its kind and the
excerpts behind it. Writers only decide how a table looks, never what is in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cen_themes.errors import InputError
from cen_themes.results import (
    CellsKind,
    ExcerptView,
    Matrix,
    MatrixRow,
    RowsKind,
)

CellKind = Literal["label", "source", "subtotal", "total"]
"""``label``: a row's name; ``source``: one row in one source; ``subtotal``: one row
in a group of sources; ``total``: ``n_sources``, ``n_themes``/``n_codes``,
``n_excerpts``."""

NO_VALUE = "(none)"
"""The group of the sources without the ``group_by`` attribute (the last group)."""

CELLS_KINDS: tuple[CellsKind, ...] = ("count", "presence", "quotes")


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: ``value`` is what a file shows (an int, or text for labels and
    quotes), ``count`` the number behind it (for shading; 0 for labels),
    ``excerpts`` the excerpts it stands for (empty for labels and totals)."""

    value: str | int
    count: int
    kind: CellKind
    excerpts: tuple[ExcerptView, ...] = ()


@dataclass(frozen=True, slots=True)
class Column:
    """A column's header text and the kind of the cells of its ordinary rows.

    In a transposed table the theme/code columns are ``source`` columns: each of
    their cells is one row of the matrix in one source. ``numeric`` says whether the
    column's cells are numbers (not for the label column nor for quotes).
    """

    header: str
    kind: CellKind
    numeric: bool


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: ``subtotal`` for the sum row after a group of sources in a
    transposed, grouped table."""

    cells: tuple[Cell, ...]
    kind: Literal["row", "subtotal"] = "row"


@dataclass(frozen=True, slots=True)
class Table:
    """A laid-out matrix and how it was laid out (for captions)."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    rows_kind: RowsKind
    cells: CellsKind
    group_by: str | None
    transposed: bool

    @property
    def title(self) -> str:
        """What the table shows, in words, e.g. "Themes by source: excerpt counts,
        sources grouped by group"."""
        what = {
            "count": "excerpt counts",
            "presence": "presence (1 = at least one excerpt)",
            "quotes": "quotes",
        }[self.cells]
        rows = self.rows_kind.capitalize()
        title = f"Sources by {self.rows_kind[:-1]}" if self.transposed else f"{rows} by source"
        title = f"{title}: {what}"
        if self.group_by is not None:
            title += f", sources grouped by {self.group_by}"
        return title


@dataclass(frozen=True, slots=True)
class _Group:
    """Sources that share a value of the ``group_by`` attribute (or all sources)."""

    indices: tuple[int, ...]
    total_label: str | None  # "ATTR=VALUE total", None when not grouping


def excerpt_reference(excerpt: ExcerptView) -> str:
    """Where an excerpt is: ``source start–end``."""
    return f"{excerpt.source} {excerpt.start}–{excerpt.end}"


def format_quote(excerpt: ExcerptView) -> str:
    """An excerpt as one quote: ``“text” (source start–end)``."""
    return f"“{excerpt.text}” ({excerpt_reference(excerpt)})"


def layout(
    matrix: Matrix,
    cells: CellsKind = "count",
    group_by: str | None = None,
    transpose: bool = False,
) -> Table:
    """Lay ``matrix`` out as a :class:`Table` (see DESIGN.md, "Matrix CSV").

    ``group_by`` groups the sources by that attribute, with a subtotal after each
    group; an attribute no source has is an :class:`InputError`. ``transpose`` makes
    the sources the rows.
    """
    if cells not in CELLS_KINDS:
        raise ValueError(f"cells must be one of {CELLS_KINDS}, not {cells!r}")
    if cells == "quotes":
        _check_has_excerpts(matrix)
    groups = _groups(matrix, group_by)
    build = _sources_as_rows if transpose else _sources_as_columns
    columns, rows = build(matrix, cells, groups)
    return Table(
        columns=columns,
        rows=rows,
        rows_kind=matrix.rows_kind,
        cells=cells,
        group_by=group_by,
        transposed=transpose,
    )


def _check_has_excerpts(matrix: Matrix) -> None:
    for row in matrix.rows:
        if not row.excerpts and any(row.counts):
            raise ValueError("quotes need a matrix built with its excerpts")


def _groups(matrix: Matrix, group_by: str | None) -> list[_Group]:
    everything = tuple(range(len(matrix.sources)))
    if group_by is None:
        return [_Group(everything, None)]
    by_value: dict[str, list[int]] = {}
    missing: list[int] = []
    for index, source in enumerate(matrix.sources):
        value = source.attributes.get(group_by)
        if value is None:
            missing.append(index)
        else:
            by_value.setdefault(value, []).append(index)
    if not by_value:
        raise InputError(f"no source has the attribute '{group_by}'")
    ordered = sorted(by_value.items(), key=lambda item: (item[0].casefold(), item[0]))
    if missing:
        ordered.append((NO_VALUE, missing))
    return [_Group(tuple(indices), f"{group_by}={value} total") for value, indices in ordered]


def _sources_as_columns(
    matrix: Matrix, cells: CellsKind, groups: Sequence[_Group]
) -> tuple[tuple[Column, ...], tuple[Row, ...]]:
    numeric = cells != "quotes"
    label = "theme" if matrix.rows_kind == "themes" else "code"
    columns = [Column(label, "label", numeric=False)]
    for group in groups:
        columns += [Column(matrix.sources[i].name, "source", numeric) for i in group.indices]
        if group.total_label is not None:
            columns.append(Column(group.total_label, "subtotal", numeric=True))
    columns += [Column("n_sources", "total", True), Column("n_excerpts", "total", True)]
    rows = []
    for row in matrix.rows:
        line = [Cell(row.path, 0, "label")]
        for group in groups:
            line += [_source_cell(row, i, cells) for i in group.indices]
            if group.total_label is not None:
                line.append(_subtotal_cell(row, group.indices, cells))
        line += [_total_cell(row.n_sources), _total_cell(row.n_excerpts)]
        rows.append(Row(tuple(line)))
    return tuple(columns), tuple(rows)


def _sources_as_rows(
    matrix: Matrix, cells: CellsKind, groups: Sequence[_Group]
) -> tuple[tuple[Column, ...], tuple[Row, ...]]:
    numeric = cells != "quotes"
    columns = [Column("source", "label", numeric=False)]
    columns += [Column(row.path, "source", numeric) for row in matrix.rows]
    columns += [Column(f"n_{matrix.rows_kind}", "total", True), Column("n_excerpts", "total", True)]
    rows = []
    for group in groups:
        for i in group.indices:
            line = [Cell(matrix.sources[i].name, 0, "label")]
            line += [_source_cell(row, i, cells) for row in matrix.rows]
            present = sum(1 for row in matrix.rows if row.counts[i] > 0)
            line += [_total_cell(present), _total_cell(matrix.source_excerpts[i])]
            rows.append(Row(tuple(line)))
        if group.total_label is not None:
            line = [Cell(group.total_label, 0, "label")]
            line += [_subtotal_cell(row, group.indices, cells) for row in matrix.rows]
            present = sum(1 for row in matrix.rows if any(row.counts[i] > 0 for i in group.indices))
            excerpts = sum(matrix.source_excerpts[i] for i in group.indices)
            line += [_total_cell(present), _total_cell(excerpts)]
            rows.append(Row(tuple(line), kind="subtotal"))
    return tuple(columns), tuple(rows)


def _excerpts(row: MatrixRow, index: int) -> tuple[ExcerptView, ...]:
    return tuple(row.excerpts[index]) if row.excerpts else ()


def _source_cell(row: MatrixRow, index: int, cells: CellsKind) -> Cell:
    count = row.counts[index]
    excerpts = _excerpts(row, index)
    if cells == "quotes":
        text = "\n\n".join(format_quote(excerpt) for excerpt in excerpts)
        return Cell(text, count, "source", excerpts)
    shown = int(count > 0) if cells == "presence" else count
    return Cell(shown, shown, "source", excerpts)


def _subtotal_cell(row: MatrixRow, indices: Sequence[int], cells: CellsKind) -> Cell:
    if cells == "presence":
        shown = sum(1 for i in indices if row.counts[i] > 0)
    else:
        shown = sum(row.counts[i] for i in indices)
    excerpts = tuple(excerpt for i in indices for excerpt in _excerpts(row, i))
    return Cell(shown, shown, "subtotal", excerpts)


def _total_cell(value: int) -> Cell:
    return Cell(value, value, "total")
