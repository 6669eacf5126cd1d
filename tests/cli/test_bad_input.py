"""Bad files get one clear line naming the file, exit code 1, and change nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from ..conftest import Cli, CodedProject, dump_database

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _blank_pdf(password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx_bytes() -> bytes:
    document = docx.Document()
    for i in range(40):
        document.add_paragraph(f"Interviewer: Question {i}?")
        document.add_paragraph(f"P01: Answer number {i}, with some words.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


BAD_FILES = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\n\t \n", "empty"),
    "photo.txt": (PNG, "binary"),
    "truncated.docx": (_docx_bytes()[:2000], "damaged"),
    "notazip.docx": (b"just some text pretending to be Word", "damaged"),
    "truncated.odt": (b"PK\x03\x04garbage", "damaged"),
    "scan.pdf": (_blank_pdf(), "no extractable text"),
    "locked.pdf": (_blank_pdf("secret"), "encrypted"),
    "broken.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n", "PDF"),
    "notes.rtf": (b"{\\rtf1 hello}", "supported"),
    "captions.vtt": (b"1\n00:00:01.000 --> 00:00:02.000\nHello\n", "WEBVTT"),
}


@pytest.fixture
def populated(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project(
        "Q: Is this fine?\nA: It is.\n", name="good", attributes={"good": {"group": "staff"}}
    )
    return cli


@pytest.mark.parametrize("filename", sorted(BAD_FILES))
def test_each_bad_file_is_one_line_exit_1_and_no_change(
    populated: Cli, tmp_path: Path, filename: str
) -> None:
    data, expected = BAD_FILES[filename]
    path = tmp_path / filename
    path.write_bytes(data)
    before = dump_database(populated.db)
    result = populated("import", path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {path}: ")
    assert expected.lower() in lines[0].lower()
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert dump_database(populated.db) == before


def test_directory_and_missing_path(populated: Cli, tmp_path: Path) -> None:
    before = dump_database(populated.db)
    folder = tmp_path / "folder"
    folder.mkdir()
    for path, problem in [(folder, "directory"), (tmp_path / "nope.txt", "no such file")]:
        result = populated("import", path)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            next(line for line in result.stderr.splitlines() if problem in line)
        ]
        assert str(path) in result.stderr
    assert dump_database(populated.db) == before


def test_good_files_import_when_others_fail(populated: Cli, tmp_path: Path) -> None:
    ok1 = tmp_path / "ok1.txt"
    ok1.write_text("Q: One?\nA: Yes.\n", encoding="utf-8")
    ok2 = tmp_path / "ok2.md"
    ok2.write_text("# Notes\n\nSome prose here.\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    photo = tmp_path / "photo.txt"
    photo.write_bytes(PNG)
    result = populated("import", ok1, empty, ok2, photo)
    assert result.exit_code == 1
    assert "2 imported, 0 skipped as already imported, 2 failed" in result.stderr
    assert f"failed: {empty}: " in result.stderr and f"failed: {photo}: " in result.stderr
    names = [s["name"] for s in json.loads(populated("sources", "--json").stdout)]
    assert names == ["good", "ok1", "ok2"]


def test_oversized_file_is_refused_before_reading(populated: Cli, tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # sparse: 100 MB on paper, nothing on disk or in memory
        fh.truncate(100 * 1024 * 1024)
    before = dump_database(populated.db)
    result = populated("import", big)
    assert result.exit_code == 1
    assert "100.0 MB" in result.stderr and "limit is 25 MB" in result.stderr
    assert dump_database(populated.db) == before


def test_unusable_project_path_is_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    result = Cli(notes)("sources")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"error: {notes}: not a cen-themes project (not an SQLite database)"
    )
    assert notes.read_text() == "not a database"


def test_unknown_command_and_option_are_one_line_exit_1(cli: Cli) -> None:
    for args in (["frobnicate"], ["sources", "--jsn"], ["import"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("error: ")
