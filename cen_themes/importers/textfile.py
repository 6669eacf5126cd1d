"""Read a small text file the user names (a CSV of attributes or codings)."""

from __future__ import annotations

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
