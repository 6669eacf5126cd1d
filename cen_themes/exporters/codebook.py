"""The codebook as CSV (one line per code) or Markdown (a nested bullet list).

REFI-QDA's ``.qdc`` codebook is written by the REFI-QDA exporter, not here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cen_themes.exporters.files import check_target, write_atomically
from cen_themes.exporters.text import md_text, plural
from cen_themes.results import CodeInfo

CSV_COLUMNS = (
    "path",
    "name",
    "description",
    "color",
    "excerpts",
    "sources",
    "themes",
    "memos",
)
LIST_SEPARATOR = "; "
TITLE = "Codebook"

CODEBOOK_FORMATS: tuple[str, ...] = (".csv", ".md")
"""The extensions :func:`write_codebook` writes."""


def write_codebook(codes: list[CodeInfo], path: Path) -> None:
    """Write ``codes`` (in tree order) to ``path`` (.csv or .md), replacing any file
    there only once the new one is complete."""
    path = Path(path)
    suffix = check_target(path, CODEBOOK_FORMATS, "a codebook")
    data = render_csv(codes) if suffix == ".csv" else render_markdown(codes)
    write_atomically(path, data)


def render_csv(codes: list[CodeInfo]) -> bytes:
    """A header of :data:`CSV_COLUMNS`, then one line per code; lists joined by "; "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for code in codes:
        writer.writerow(
            [
                code.path,
                code.name,
                code.description,
                code.color,
                code.excerpts,
                code.sources,
                LIST_SEPARATOR.join(code.themes),
                LIST_SEPARATOR.join(code.memos),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def render_markdown(codes: list[CodeInfo]) -> bytes:
    """``# Codebook``, then a bullet per code indented by its depth (0 = top level):
    the bold name and its description, then, on the next line, its counts, colour and
    themes."""
    lines = [f"# {TITLE}", ""]
    for code in codes:
        indent = "  " * code.depth
        lines.append(f"{indent}- {_entry(code)}\\")  # a hard line break
        details = [f"{plural(code.excerpts, 'excerpt')} in {plural(code.sources, 'source')}"]
        if code.color:
            details.append(f"colour {code.color}")
        if code.themes:
            details.append(f"themes: {LIST_SEPARATOR.join(code.themes)}")
        lines.append(f"{indent}  {md_text(', '.join(details))}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _entry(code: CodeInfo) -> str:
    name = f"**{md_text(code.name)}**"
    if not code.description:
        return name
    description = " ".join(code.description.split())  # one line inside the bullet
    return f"{name} — {md_text(description)}"
