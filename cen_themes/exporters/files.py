"""Checking an export's target, rendering it, and writing it atomically.

Every exporter checks the target first, renders the whole file in memory, then
:func:`write_atomically` puts it in a temporary file in the target's folder and renames
it over the target, so that a failed export never leaves a half-written file nor
clobbers the previous one.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from cen_themes.errors import InputError


def check_target(path: Path, formats: Sequence[str], what: str) -> str:
    """Return the lower-case suffix of ``path`` after checking that it is one of
    ``formats`` and that the file can be written there (``what`` names the export in
    the message, e.g. "a matrix")."""
    suffix = path.suffix.lower()
    if suffix not in formats:
        given = f"'{path.suffix}'" if path.suffix else "a file without extension"
        raise InputError(f"{path}: cannot export {what} as {given}; use {_or_list(formats)}")
    folder = path.parent
    if not folder.exists():
        raise InputError(f"{path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InputError(f"{path}: {folder} is not a folder")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError(f"{path}: the file is read-only")
    return suffix


def render(renderer: tuple[str, str], content: object) -> bytes:
    """Call ``renderer``, a (module of this package, function) pair, on ``content``."""
    module, function = renderer
    call: Callable[[object], bytes] = getattr(
        importlib.import_module(f"cen_themes.exporters.{module}"), function
    )
    return call(content)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and :func:`os.replace`.

    A symbolic link at ``path`` is written through; an existing file keeps its
    permissions. Any OS error becomes an :class:`InputError` naming ``path``, and the
    temporary file is removed.
    """
    with atomic_stream(path) as stream:
        stream.write(data)


@contextlib.contextmanager
def atomic_stream(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream to a temporary file beside ``path``, renamed over ``path`` when
    the block ends without error (and removed when it does not): for a file too large
    to render in memory first. OS errors are reported as by :func:`write_atomically`."""
    target = Path(os.path.realpath(path))
    temporary = target.parent / f".cen-themes-{secrets.token_hex(8)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    try:
        with os.fdopen(descriptor, "wb", buffering=1 << 20) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            shutil.copymode(target, temporary)
        os.replace(temporary, target)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
        raise


def _or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
