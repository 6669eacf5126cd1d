"""Read a text file the user names that is no source: a CSV of attributes or codings.

Decoded like a transcript, so a CSV saved by Excel in any common encoding reads as
well as one written by a script; every problem names the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cen_themes.errors import CenThemesError, InputError
from cen_themes.importers.encoding import decode_text, normalise_newlines


def read_text_file(path: Path) -> str:
    """The file's text, decoded like a transcript (BOM removed, newlines LF).

    Every problem is an InputError that names the file.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = normalise_newlines(decode_text(data))
    except CenThemesError as exc:
        raise InputError(f"{path}: {exc}") from None
    if not text or text.isspace():  # not strip(): that copies the whole text
        raise InputError(f"{path}: file is empty")
    return text


def read_csv(path: Path) -> list[list[str]]:
    """The records of a small CSV with a header row, separated by commas, semicolons
    or tabs (whichever the header uses). The header needs at least two columns."""
    text = read_text_file(path)
    first_line = text.split("\n", 1)[0]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first_line, ",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    if not rows or len(rows[0]) < 2:
        raise InputError(f"{path}: the header needs a source column and at least one attribute")
    return rows
