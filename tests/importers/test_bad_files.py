"""Every bad file becomes one ImportFormatError with a clear message, never a traceback."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from pypdf import PdfWriter

from cen_themes.errors import ImportFormatError, InputError
from cen_themes.importers import MAX_FILE_BYTES, read_document

from ..filemakers import (
    PNG_BYTES,
    text_pdf_bytes,
    write_docx,
    write_encrypted_pdf,
    write_image_only_pdf,
    write_odt,
)


def error_for(path: Path, speaker_pattern: str | None = None) -> str:
    with pytest.raises(ImportFormatError) as caught:
        read_document(path, speaker_pattern)
    message = str(caught.value)
    assert path.name not in message  # the caller names the file
    assert "\n" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert error_for(tmp_path / "nope.txt") == "no such file"


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert error_for(folder) == "is a directory, not a file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_not_opened(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    assert error_for(pipe) == "not a regular file"  # reading it would block forever


@pytest.mark.parametrize("name", ["notes.rtf", "data.xlsx", "README"])
def test_unknown_extension_lists_the_supported_ones(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("hello")
    message = error_for(path)
    assert "not supported" in message
    assert message.endswith("supported: .txt, .md, .docx, .odt, .pdf, .vtt, .srt")


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.docx", "empty.pdf", "e.vtt"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert error_for(path) == "file is empty"


@pytest.mark.parametrize("data", [b"  \n\n\t \r\n", "\ufeff \u00a0\n".encode()])
def test_only_whitespace_is_empty(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(data)
    assert error_for(path) == "file is empty"


def test_documents_without_text_are_empty(tmp_path: Path) -> None:
    assert error_for(write_docx(tmp_path / "blank.docx", ["", "  "])) == "file is empty"
    assert error_for(write_odt(tmp_path / "blank.odt", paragraphs=[""])) == "file is empty"


@pytest.mark.parametrize("name", ["photo.txt", "photo.md", "photo.vtt", "photo.srt"])
def test_binary_data_in_a_text_format(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(PNG_BYTES)
    assert error_for(path) == "not a text file (binary data)"


def test_too_big_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    tracemalloc.start()
    try:
        message = error_for(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "file is 100.0 MB; the limit is 25 MB per source — split it"
    assert peak < 1024 * 1024


def test_just_under_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    line = b"Interviewer: Tell me more about that.\nP01: Well, it was hard. " + b"x" * 400 + b"\n"
    path.write_bytes(line * (MAX_FILE_BYTES // len(line)))
    assert path.stat().st_size > MAX_FILE_BYTES - len(line)
    assert len(read_document(path).turns) > 100_000


@pytest.mark.parametrize("extension", [".docx", ".odt"])
def test_truncated_office_documents(tmp_path: Path, extension: str) -> None:
    whole = tmp_path / f"whole{extension}"
    if extension == ".docx":
        write_docx(whole, [f"P{i:02d}: answer {i}" for i in range(200)])
    else:
        write_odt(whole, paragraphs=[f"P{i:02d}: answer {i}" for i in range(200)])
    path = tmp_path / f"cut{extension}"
    path.write_bytes(whole.read_bytes()[:2000])
    assert error_for(path).startswith("damaged or not a")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("text.docx", "damaged or not a Word document"),
        ("text.odt", "damaged or not an OpenDocument text document"),
        ("text.pdf", "damaged or not a PDF document"),
    ],
)
def test_plain_text_with_an_office_extension(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text("Just some text pretending to be something else.")
    assert error_for(path) == expected


def test_odt_renamed_docx_and_docx_renamed_odt(tmp_path: Path) -> None:
    odt = write_odt(tmp_path / "a.odt", paragraphs=["Hello."])
    docx_file = write_docx(tmp_path / "b.docx", ["Hello."])
    (tmp_path / "a.docx").write_bytes(odt.read_bytes())
    (tmp_path / "b.odt").write_bytes(docx_file.read_bytes())
    assert error_for(tmp_path / "a.docx") == "damaged or not a Word document"
    assert error_for(tmp_path / "b.odt") == "damaged or not an OpenDocument text document"


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "locked.pdf", [["Q: Secret?", "A: Yes."]], "secret", "o")
    assert error_for(path) == "PDF is encrypted; remove the password and import again"


def test_encrypted_pdf_with_the_default_cipher(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "locked.pdf"
    path.write_bytes(out.getvalue())
    assert error_for(path) == "PDF is encrypted; remove the password and import again"


def test_image_only_pdf(tmp_path: Path) -> None:
    path = write_image_only_pdf(tmp_path / "scan.pdf")
    assert error_for(path) == "PDF has no extractable text (scanned image?); run OCR first"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n",
        text_pdf_bytes([["Q: a", "A: b"]])[:200],
        b"%PDF-1.4\n" + bytes(range(256)) * 4,
    ],
)
def test_damaged_pdf(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    assert error_for(path) == "damaged or not a PDF document"


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("cen_themes.importers.docx.docx.Document", "x.docx"),
        ("cen_themes.importers.odt.load", "x.odt"),
        ("cen_themes.importers.pdf.PdfReader", "x.pdf"),
    ],
)
def test_any_library_exception_becomes_an_import_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, name: str
) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RecursionError("deep inside the parser")

    monkeypatch.setattr(target, explode)
    path = tmp_path / name
    path.write_bytes(b"anything")
    with pytest.raises(ImportFormatError, match=r"^damaged or not a") as caught:
        read_document(path)
    assert isinstance(caught.value.__cause__, RecursionError)


def test_bad_speaker_pattern_fails_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "missing.txt"  # does not exist: the pattern is checked first
    with pytest.raises(InputError, match="speaker pattern must contain"):
        read_document(path, r"^(\w+):")
    with pytest.raises(InputError, match="invalid speaker pattern"):
        read_document(path, r"(?P<speaker>[")


def test_pdf_repairs_print_nothing_on_stderr(tmp_path: Path) -> None:
    """pypdf logs what it repairs; without a handler Python would print it on stderr."""
    data = text_pdf_bytes([["Q: a?", "A: b."]])
    path = tmp_path / "bad_xref.pdf"  # every xref offset wrong: pypdf finds the objects
    path.write_bytes(re.sub(rb"\d{10} 00000 n", b"0000000001 00000 n", data))
    script = (
        "import sys\n"
        "from cen_themes.importers import read_document\n"
        "print(read_document(sys.argv[1]).text, end='')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    assert result.stdout == "Q: a?\nA: b.\n"
    assert result.stderr == ""
