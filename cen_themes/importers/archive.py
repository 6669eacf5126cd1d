"""A REFI-QDA project archive (.qdpx), opened as something that came from elsewhere.

A .qdpx is a zip of XML and text files written by another program, or by anyone. So:
every member's name must stay inside the archive (no absolute path, no ``..``, no
link); the archive may hold only so many members, so many bytes once uncompressed,
and no member may compress better than any real text does (a zip bomb); a member is
read in pieces and given up on as soon as it outgrows what its header promised or the
limits allow. Every problem is an :class:`~cen_themes.errors.ImportFormatError` that
does not name the archive (the caller does).
"""

from __future__ import annotations

import lzma
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from cen_themes.errors import ImportFormatError

MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all members together, uncompressed
MAX_MEMBER_BYTES = 256 * 1024 * 1024  # the project XML or one source, uncompressed
MAX_RATIO = 200  # uncompressed / compressed: plain text and XML stay far below this
_CHUNK = 1024 * 1024


class Archive:
    """The members of a .qdpx, checked, to read by name (case-insensitively: tools
    write ``sources/`` or ``Sources/``, ``project.qde`` or ``Project.qde``)."""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ImportFormatError("not a REFI-QDA project: not a zip archive") from None
        except NotImplementedError as exc:  # a zip of a version this reader does not know
            raise ImportFormatError(f"cannot be unpacked ({exc})") from None
        except OSError as exc:
            raise ImportFormatError(f"cannot read the file ({exc.strerror or exc})") from None
        members = self._zip.infolist()
        if len(members) > MAX_MEMBERS:
            self.close()
            raise ImportFormatError(f"holds {len(members)} files, more than {MAX_MEMBERS}")
        total = 0
        self._by_name: dict[str, zipfile.ZipInfo] = {}
        for info in members:
            name = _checked_name(info)
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                self.close()
                raise ImportFormatError("unpacks to more than 1 GB: refused as a zip bomb")
            if not info.is_dir():
                self._by_name.setdefault(name.casefold(), info)

    def names(self) -> list[str]:
        return [info.filename for info in self._by_name.values()]

    def find(self, name: str) -> str | None:
        """The member of this name, any case, or ``None``."""
        info = self._by_name.get(name.casefold())
        return info.filename if info is not None else None

    def read(self, name: str) -> bytes:
        """A member's bytes, read in pieces within the limits."""
        info = self._by_name[name.casefold()]
        limit = min(info.file_size, MAX_MEMBER_BYTES)
        if info.file_size > MAX_MEMBER_BYTES:
            raise ImportFormatError(f"{info.filename} is larger than 256 MB")
        if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFormatError(
                f"{info.filename} compresses {info.file_size // max(info.compress_size, 1)}"
                " to 1: refused as a zip bomb"
            )
        pieces: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as stream:
                while piece := stream.read(_CHUNK):
                    size += len(piece)
                    if size > limit:
                        raise ImportFormatError(
                            f"{info.filename} unpacks to more than its header says"
                        )
                    pieces.append(piece)
        except (
            zipfile.BadZipFile,
            EOFError,
            OSError,
            NotImplementedError,
            zlib.error,
            lzma.LZMAError,
        ) as exc:  # damaged compressed data, or a method not supported
            raise ImportFormatError(f"{info.filename} cannot be unpacked ({exc})") from None
        except RuntimeError as exc:  # an encrypted member
            raise ImportFormatError(f"{info.filename} cannot be unpacked ({exc})") from None
        return b"".join(pieces)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _checked_name(info: zipfile.ZipInfo) -> str:
    """The member's name, refused when it could point outside the archive."""
    raw = info.filename
    name = raw.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or (parts and (":" in parts[0])) or ".." in parts:
        raise ImportFormatError(f"a member's name leaves the archive: {raw!r}")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ImportFormatError(f"a member is a link: {raw!r}")
    return name
