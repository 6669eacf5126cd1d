"""Read a transcript or study file into the text a source stores and its speaker turns.

:func:`read_document` picks the reader by the file's extension. Every problem with the
file -- missing, too big, empty, damaged, encrypted, not what its extension says --
raises :class:`~cen_themes.errors.ImportFormatError` with a message that does not name
the file (the caller puts the name in front). No database code lives here.
"""

from __future__ import annotations

import importlib
import stat
from collections.abc import Callable
from pathlib import Path

from cen_themes.errors import ImportFormatError
from cen_themes.importers.base import Document, Turn
from cen_themes.importers.turns import compile_speaker_pattern, detect_turns

__all__ = [
    "MAX_FILE_BYTES",
    "REFI_EXTENSIONS",
    "SUPPORTED_EXTENSIONS",
    "Document",
    "Turn",
    "detect_turns",
    "read_document",
]

MAX_FILE_BYTES = 25 * 1024 * 1024
"""Files bigger than this are refused before they are read."""

Parser = Callable[[bytes, str | None], Document]
"""``parse(data, speaker_pattern) -> Document``: what each format module provides."""

# extension -> (module of this package, parser function). Modules are imported on first
# use, so that importing this package does not load python-docx, odfpy and pypdf.
_PARSERS: dict[str, tuple[str, str]] = {
    ".txt": ("plain", "parse_plain"),
    ".md": ("plain", "parse_markdown"),
    ".docx": ("docx", "parse_docx"),
    ".odt": ("odt", "parse_odt"),
    ".pdf": ("pdf", "parse_pdf"),
    ".vtt": ("captions", "parse_vtt"),
    ".srt": ("captions", "parse_srt"),
}

SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(_PARSERS)
"""The extensions :func:`read_document` reads, lower case, with the dot."""

REFI_EXTENSIONS: tuple[str, ...] = (".qdpx", ".qde", ".qdc")
"""REFI-QDA projects and codebooks: whole projects, read by :mod:`.refi`."""

_MIB = 1024 * 1024


def read_document(path: Path, speaker_pattern: str | None = None) -> Document:
    """Read the file at ``path`` into a :class:`Document`, choosing the reader by its
    (case-insensitive) extension.

    ``speaker_pattern`` is a regex replacing the default speaker-label forms; it must
    have a ``(?P<speaker>...)`` group (else :class:`~cen_themes.errors.InputError`).
    """
    path = Path(path)
    if speaker_pattern is not None:
        compile_speaker_pattern(speaker_pattern)  # a bad pattern fails before any reading
    size = _regular_file_size(path)
    reader = _PARSERS.get(path.suffix.lower())
    if reader is None:
        raise ImportFormatError(_unsupported_message(path.suffix))
    module, function = reader
    parser: Parser = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    if size > MAX_FILE_BYTES:
        raise ImportFormatError(_too_big_message(size))
    if size == 0:
        raise ImportFormatError("file is empty")
    document = parser(_read_bytes(path), speaker_pattern)
    if not document.text or document.text.isspace():
        raise ImportFormatError("file is empty")
    return document


def _regular_file_size(path: Path) -> int:
    try:
        status = path.stat()
    except FileNotFoundError:
        raise ImportFormatError("no such file") from None
    except OSError as exc:
        raise ImportFormatError(f"cannot read the file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(status.st_mode):
        raise ImportFormatError("is a directory, not a file")
    if not stat.S_ISREG(status.st_mode):
        raise ImportFormatError("not a regular file")
    return status.st_size


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, at most one more than the limit (in case it grew since stat)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ImportFormatError(f"cannot read the file ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(_too_big_message(path.stat().st_size))
    return data


def _unsupported_message(suffix: str) -> str:
    kind = f"'{suffix}' files are" if suffix else "files without an extension are"
    return f"{kind} not supported; supported: {', '.join(SUPPORTED_EXTENSIONS)}"


def _too_big_message(size: int) -> str:
    return (
        f"file is {size / _MIB:.1f} MB; the limit is {MAX_FILE_BYTES // _MIB} MB per source"
        " — split it"
    )
