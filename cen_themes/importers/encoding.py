"""Bytes of a text file -> the text a source stores.

:func:`decode_text` finds the encoding; :func:`normalise_newlines` applies the only
changes the stored text allows (a leading BOM removed, CRLF and lone CR turned into LF).
"""

from __future__ import annotations

import codecs
import re

from cen_themes.errors import ImportFormatError

__all__ = ["decode_text", "normalise_newlines"]

BINARY_MESSAGE = "not a text file (binary data)"
UNKNOWN_ENCODING_MESSAGE = "cannot tell the text encoding; save the file as UTF-8 and import again"

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one. The codecs named
# keep the BOM as U+FEFF.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Single-byte encodings of Western European languages. When charset-normalizer names
# one of them (it often guesses cp1250 or cp1257 for short French or German text) and
# the bytes decode cleanly as cp1252, cp1252 -- by far the most common -- is used.
_WESTERN = frozenset(
    {
        "ascii",
        "cp1252",
        "latin_1",
        "iso8859_15",
        "mac_roman",
        "mac_iceland",
        "cp437",
        "cp850",
        "cp858",
        "cp860",
        "cp863",
        "cp865",
        "hp_roman8",
    }
)

# Control characters that do not occur in text (tab, LF, VT, FF, CR and the DOS
# end-of-file mark ^Z are allowed), including the C1 range.
_CONTROL = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")
_MAX_CONTROL_RATIO = 0.01
# The same characters as bytes, for ASCII text: deleting them is faster than the
# regular expression on a large file.
_ASCII_CONTROL = bytes(c for c in range(0x80) if _CONTROL.match(chr(c)))

_HIGH_BYTES = bytes(range(0x80, 0x100))
_FALLBACK_HANDLER = "cen_themes.cp1252_fallback"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read one undecodable byte as cp1252 (latin-1 if undefined)."""
    if not isinstance(exc, UnicodeDecodeError):  # pragma: no cover - decode only
        raise exc
    byte = exc.object[exc.start : exc.start + 1]
    try:
        return byte.decode("cp1252"), exc.start + 1
    except UnicodeDecodeError:
        return byte.decode("latin-1"), exc.start + 1


codecs.register_error(_FALLBACK_HANDLER, _cp1252_fallback)


def decode_text(data: bytes) -> str:
    """Decode the bytes of a text file.

    A BOM (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides; else BOM-less UTF-16 with mostly
    ASCII text is recognised by its NUL bytes; else strict UTF-8; else UTF-8 with a few
    stray single-byte characters (read as cp1252); else charset-normalizer's guess,
    with cp1252 preferred among Western single-byte guesses. The result is the whole
    decoded file: a BOM is still there as U+FEFF and newlines are as they were, for
    :func:`normalise_newlines` to deal with.

    Raises :class:`ImportFormatError` for binary data (NUL bytes outside UTF-16/32, or
    many control characters) and for bytes no encoding explains.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _check_text(_decode_strict(data, encoding))
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return _check_text(_decode_strict(data, utf16))
    if b"\x00" in data:
        raise ImportFormatError(BINARY_MESSAGE)
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    mixed = _utf8_with_stray_bytes(data)
    if mixed is not None:
        return _check_text(mixed)
    return _check_text(_guess_single_encoding(data))


def normalise_newlines(text: str) -> str:
    """Remove a leading BOM and turn CRLF and lone CR into LF; change nothing else."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode_strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFormatError(BINARY_MESSAGE) from None


def _bomless_utf16(data: bytes) -> str | None:
    """Name the UTF-16 byte order of BOM-less, mostly-ASCII UTF-16 data, else None."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    half = len(data) // 2
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    if odd_nuls >= 0.4 * half and even_nuls <= 0.05 * half:
        return "utf-16-le"
    if even_nuls >= 0.4 * half and odd_nuls <= 0.05 * half:
        return "utf-16-be"
    return None


def _utf8_with_stray_bytes(data: bytes) -> str | None:
    """Decode UTF-8 text with a few stray cp1252 bytes (a pasted curly quote), else None.

    Used when there are at least as many UTF-8 multi-byte characters as stray bytes; a
    cp1252 file rarely holds even one valid UTF-8 sequence by chance.
    """
    replaced = data.decode("utf-8", errors="replace")
    strays = replaced.count("\ufffd")
    ascii_bytes = len(data.translate(None, _HIGH_BYTES))
    multibyte_chars = len(replaced) - ascii_bytes - strays
    if multibyte_chars == 0 or multibyte_chars < strays:
        return None
    return data.decode("utf-8", errors=_FALLBACK_HANDLER)


def _guess_single_encoding(data: bytes) -> str:
    from charset_normalizer import from_bytes  # only needed for legacy files: load late

    matches = from_bytes(data)
    candidates = {match.encoding for match in matches}
    if not candidates or candidates & (_WESTERN | {"cp1252"}):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    best = matches.best()
    if best is None:
        raise ImportFormatError(UNKNOWN_ENCODING_MESSAGE)
    return str(best)


def _check_text(text: str) -> str:
    """Refuse decoded text that is mostly not text (an image or archive renamed .txt)."""
    if text.isascii():
        data = text.encode("ascii")
        controls = len(data) - len(data.translate(None, _ASCII_CONTROL))
    else:
        controls = sum(1 for _ in _CONTROL.finditer(text))
    if controls and controls > _MAX_CONTROL_RATIO * len(text):
        raise ImportFormatError(BINARY_MESSAGE)
    return text
