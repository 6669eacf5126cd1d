"""PDF (.pdf): the text pypdf extracts, page after page."""

from __future__ import annotations

import io
import logging

from pypdf import PasswordType, PdfReader

from cen_themes.errors import CenThemesError, ImportFormatError
from cen_themes.importers.base import Document
from cen_themes.importers.encoding import normalise_newlines
from cen_themes.importers.turns import detect_turns

__all__ = ["parse_pdf"]

DAMAGED_MESSAGE = "damaged or not a PDF document"
ENCRYPTED_MESSAGE = "PDF is encrypted; remove the password and import again"
NO_TEXT_MESSAGE = "PDF has no extractable text (scanned image?); run OCR first"

# pypdf logs the repairs it makes to slightly broken files as warnings; without a
# handler of its own, Python would print them on stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def parse_pdf(data: bytes, speaker_pattern: str | None = None) -> Document:
    """Read a PDF file's bytes into a :class:`Document`.

    An encrypted PDF is opened with the empty password (files that only restrict
    printing or copying); pages are joined with a newline. NUL characters, which some
    fonts' text maps produce and PostgreSQL cannot store, are dropped. Page headers and
    numbers become skips (see :func:`~cen_themes.importers.turns.detect_turns`).
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        _open_encrypted(reader)
        pages = [page.extract_text() for page in reader.pages]
    except CenThemesError:
        raise
    except Exception as exc:  # pypdf errors, and whatever a broken file makes it raise
        raise ImportFormatError(DAMAGED_MESSAGE) from exc
    text = normalise_newlines("\n".join(pages)).replace("\x00", "")
    if not text.strip():
        raise ImportFormatError(NO_TEXT_MESSAGE)
    turns, skips = detect_turns(text, speaker_pattern)
    return Document(text=text, turns=turns, skips=skips, format="pdf")


def _open_encrypted(reader: PdfReader) -> None:
    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except Exception as exc:  # an unsupported cipher
        raise ImportFormatError(ENCRYPTED_MESSAGE) from exc
    if not opened:
        raise ImportFormatError(ENCRYPTED_MESSAGE)
