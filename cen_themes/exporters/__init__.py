"""Files made from what the services return: matrices, quotes reports, codebooks.

Pure functions from the dataclasses of :mod:`cen_themes.results` to files; no
database code. The format follows the file's extension; an unsupported extension, a
missing folder or an unwritable path is an :class:`~cen_themes.errors.InputError`.
Every file is written to a temporary file in its folder and then renamed over the
target, so a failed export leaves the previous file untouched.
"""

from __future__ import annotations

from cen_themes.exporters.codebook import CODEBOOK_FORMATS, write_codebook
from cen_themes.exporters.layout import Cell, Column, Row, Table, layout
from cen_themes.exporters.matrix import MATRIX_FORMATS, write_matrix
from cen_themes.exporters.quotes import QUOTES_FORMATS, write_quotes

__all__ = [
    "CODEBOOK_FORMATS",
    "MATRIX_FORMATS",
    "QUOTES_FORMATS",
    "Cell",
    "Column",
    "Row",
    "Table",
    "layout",
    "write_codebook",
    "write_matrix",
    "write_quotes",
]
