"""Plain aligned text tables for terminal output."""

from __future__ import annotations


def text_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell; all-number columns right-aligned; a cell
    with line breaks on one line (:func:`one_line`)."""
    rows = [tuple(one_line(c) if "\n" in c or "\r" in c else c for c in r) for r in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = {i for i in range(len(header)) if rows and all(r[i].isdigit() for r in rows)}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)]) + "\n"


def one_line(text: str) -> str:
    """A cell's text on one line: its line breaks (a merged code's descriptions, say)
    become ' / ', so that a row of the table stays one line."""
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())
