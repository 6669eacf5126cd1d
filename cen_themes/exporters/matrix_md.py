"""A laid-out matrix as a GitHub pipe table, numbers right-aligned."""

from __future__ import annotations

from collections.abc import Iterable

from cen_themes.exporters.layout import Table
from cen_themes.exporters.text import md_cell


def render_markdown(table: Table) -> bytes:
    """The header, the alignment line, one line per row; ``|`` escaped, newlines as
    ``<br>``."""
    lines = [
        _line(md_cell(column.header) for column in table.columns),
        _line("---:" if column.numeric else "---" for column in table.columns),
    ]
    lines += [_line(md_cell(str(cell.value)) for cell in row.cells) for row in table.rows]
    return "".join(lines).encode("utf-8")


def _line(cells: Iterable[str]) -> str:
    return f"| {' | '.join(cells)} |\n"
