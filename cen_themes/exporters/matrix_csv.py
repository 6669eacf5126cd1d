"""A laid-out matrix as CSV: plain UTF-8, ``\\n`` line ends, numbers as integers."""

from __future__ import annotations

import csv
import io

from cen_themes.exporters.layout import Table


def render_csv(table: Table) -> bytes:
    """The header row, then one line per table row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(column.header for column in table.columns)
    for row in table.rows:
        writer.writerow(cell.value for cell in row.cells)
    return buffer.getvalue().encode("utf-8")
