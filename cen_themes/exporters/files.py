"""Checking an export's target, rendering it, and writing it atomically.

Every exporter checks the target first, renders the whole file in memory, then
:func:`write_atomically` puts it in a temporary file in the target's folder and renames
it over the target, so that a failed export never leaves a half-written file nor
clobbers the previous one.

An export killed part-way (SIGKILL, a power cut) cannot remove its temporary file. The
writer holds a lock (``flock``) on it that goes with its process however that ends, so
the next export into the same folder removes every such file that nobody holds.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from cen_themes.errors import InputError

try:
    import fcntl
except ImportError:  # Windows: no flock, so leftovers are left alone
    fcntl = None  # type: ignore[assignment]

_TEMPORARY = re.compile(r"\.cen-themes-[0-9a-f]{16}\.part")


def check_target(path: Path, formats: Sequence[str], what: str) -> str:
    """Return the lower-case suffix of ``path`` after checking that it is one of
    ``formats`` and that the file can be written there (``what`` names the export in
    the message, e.g. "a matrix")."""
    suffix = path.suffix.lower()
    if suffix not in formats:
        given = f"'{path.suffix}'" if path.suffix else "a file without extension"
        raise InputError(f"{path}: cannot export {what} as {given}; use {_or_list(formats)}")
    folder = path.parent
    try:
        if not folder.exists():
            raise InputError(f"{path}: the folder {folder} does not exist")
        if not folder.is_dir():
            raise InputError(f"{path}: {folder} is not a folder")
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not a file")
        if path.exists() and not os.access(path, os.W_OK):
            raise InputError(f"{path}: the file is read-only")
    except OSError as exc:  # a name too long, a loop of links, no permission to look
        raise InputError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
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
    remove_leftovers(target.parent)
    try:
        temporary, descriptor = _new_temporary(target.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    # The lock lives as long as any descriptor of the file: this one keeps it until the
    # file has its name (the stream's own is closed before).
    keeper = os.dup(descriptor)
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
    finally:
        os.close(keeper)


def _new_temporary(folder: Path) -> tuple[Path, int]:
    """A new hidden file in ``folder``, open for writing and locked by this process."""
    for _attempt in range(3):
        temporary = folder / f".cen-themes-{secrets.token_hex(8)}.part"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        if fcntl is None:
            return temporary, descriptor
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another export is removing it as a leftover
            os.close(descriptor)
            continue
        except OSError:  # no locks on this file system: nobody can take it for a leftover
            return temporary, descriptor
        # Another export may have taken it for a leftover between its creation and
        # the lock: then the name is gone, or names another file.
        if _same_file(temporary, descriptor):
            return temporary, descriptor
        os.close(descriptor)
    raise OSError(f"could not make a temporary file in {folder}")


def remove_leftovers(folder: Path) -> None:
    """Remove the temporary files that exports killed part-way left in ``folder``:
    those no process holds locked. Best effort: what cannot be removed stays."""
    if fcntl is None:
        return
    try:
        names = [name for name in os.listdir(folder) if _TEMPORARY.fullmatch(name)]
    except OSError:
        return
    for name in names:
        path = folder / name
        try:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while in use
            if _same_file(path, descriptor):
                path.unlink()
        except OSError:
            pass
        finally:
            os.close(descriptor)


def _same_file(path: Path, descriptor: int) -> bool:
    try:
        named, held = os.stat(path, follow_symlinks=False), os.fstat(descriptor)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
