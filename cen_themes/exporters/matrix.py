"""Write a laid-out matrix to a file, the format chosen by the file's extension."""

from __future__ import annotations

from pathlib import Path

from cen_themes.exporters.files import check_target, render, write_atomically
from cen_themes.exporters.layout import Table

# extension -> (module of this package, renderer ``(Table) -> bytes``); modules are
# imported on first use, so that importing the exporters does not load openpyxl.
_RENDERERS: dict[str, tuple[str, str]] = {
    ".csv": ("matrix_csv", "render_csv"),
    ".xlsx": ("matrix_xlsx", "render_xlsx"),
    ".md": ("matrix_md", "render_markdown"),
    ".html": ("matrix_html", "render_html"),
}

MATRIX_FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The extensions :func:`write_matrix` writes."""


def write_matrix(table: Table, path: Path) -> None:
    """Write ``table`` to ``path`` (.csv, .xlsx, .md or .html), replacing any file
    there only once the new one is complete."""
    path = Path(path)
    suffix = check_target(path, MATRIX_FORMATS, "a matrix")
    write_atomically(path, render(_RENDERERS[suffix], table))
