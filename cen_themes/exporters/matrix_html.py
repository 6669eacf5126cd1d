"""A laid-out matrix as one self-contained HTML heatmap.

Source cells are shaded blue by their count relative to the largest source cell,
subtotals orange on their own scale, totals grey. A cell's ``title`` lists its
excerpts, so hovering shows them. Everything is escaped; there is no script.
"""

from __future__ import annotations

from html import escape

from cen_themes.exporters.layout import Cell, Row, Table, excerpt_reference, format_quote
from cen_themes.exporters.text import html_page, html_text
from cen_themes.results import ExcerptView

_COLOURS = {"source": "31, 119, 180", "subtotal": "230, 126, 34"}
_DARK_FROM = 0.6  # alpha from which a cell's text turns white
_TEXT_SHADE = 0.35  # quotes stay readable: their cells are shaded at most this much

_CSS = """\
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: separate; border-spacing: 0; font-size: 0.9rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 0.6rem; }
th, td { border-bottom: 1px solid #ddd; border-right: 1px solid #eee; padding: 0.3rem 0.6rem; }
thead th { position: sticky; top: 0; z-index: 2; background: #f4f4f4; vertical-align: bottom; }
thead th.label { left: 0; z-index: 3; text-align: left; }
tbody th { position: sticky; left: 0; z-index: 1; background: #fff; text-align: left;
  min-width: 16rem;
  font-weight: normal; }
td { text-align: right; }
td[title] { cursor: help; }
td.text { text-align: left; vertical-align: top; min-width: 18rem; }
td.subtotal, th.subtotal { border-left: 2px solid #999; font-weight: 600; }
td.total { background: #f4f4f4; color: #444; }
td.dark { color: #fff; }
tr.subtotal th, tr.subtotal td { border-top: 2px solid #999; font-weight: 600; }
p.quote { margin: 0 0 0.6rem; }
span.ref { color: #666; font-size: 0.85em; white-space: nowrap; }
"""


def render_html(table: Table) -> bytes:
    """The page: the table's title as caption, a sticky header, one row per row."""
    scale = {
        kind: max(
            (cell.count for row in table.rows for cell in row.cells if cell.kind == kind),
            default=0,
        )
        for kind in _COLOURS
    }
    header = "".join(
        f'<th scope="col" class="{column.kind}">{escape(column.header)}</th>'
        for column in table.columns
    )
    body = "".join(_row(row, scale) for row in table.rows)
    content = (
        f"<table>\n<caption>{escape(table.title)}</caption>\n"
        f"<thead>\n<tr>{header}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>\n"
    )
    return html_page(table.title, _CSS, content).encode("utf-8")


def _row(row: Row, scale: dict[str, int]) -> str:
    cells = "".join(_cell(cell, scale) for cell in row.cells)
    opening = '<tr class="subtotal">' if row.kind == "subtotal" else "<tr>"
    return f"{opening}{cells}</tr>\n"


def _cell(cell: Cell, scale: dict[str, int]) -> str:
    if cell.kind == "label":
        return f'<th scope="row">{escape(str(cell.value))}</th>'
    classes = [cell.kind]
    attributes = ""
    largest = scale.get(cell.kind, 0)
    is_text = isinstance(cell.value, str)
    if largest and cell.count:
        alpha = cell.count / largest * (_TEXT_SHADE if is_text else 1)
        attributes += f' style="background-color: rgba({_COLOURS[cell.kind]}, {alpha:.3f})"'
        if alpha >= _DARK_FROM:
            classes.append("dark")
    if is_text:
        classes.append("text")
        content = "".join(map(_quote, cell.excerpts))
    else:
        content = str(cell.value)
        if cell.excerpts:
            hover = "\n\n".join(format_quote(excerpt) for excerpt in cell.excerpts)
            attributes += f' title="{escape(hover)}"'
    return f'<td class="{" ".join(classes)}"{attributes}>{content}</td>'


def _quote(excerpt: ExcerptView) -> str:
    quote = html_text(f"“{excerpt.text}”")
    reference = escape(excerpt_reference(excerpt))
    return f'<p class="quote">{quote} <span class="ref">({reference})</span></p>'
