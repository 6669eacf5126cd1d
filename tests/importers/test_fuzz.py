"""Every reader, fed random bytes and damaged files: it returns what it promises or
raises the program's own error (the one the command line turns into a line), never
anything else."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cen_themes.errors import CenThemesError
from cen_themes.importers import Document, read_document
from cen_themes.importers.refi import RefiProject, read_refi
from cen_themes.textfiles import read_csv

from ..fuzzing import (
    IMPORT_SUFFIXES,
    any_import_file,
    csv_file,
    damaged_file,
    fuzz_settings,
    odd_refi_project,
)
from ..fuzzing import odd_text as odd_text_strategy

pytestmark = pytest.mark.slow  # left out of the quick run (pytest --all runs it)

FUZZ = fuzz_settings(60)
TRANSCRIPTS = (".txt", ".md", ".docx", ".odt", ".pdf", ".vtt", ".srt")
REFI = (".qde", ".qdc", ".qdpx")


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _write(folder: Path, suffix: str, data: bytes) -> Path:
    path = folder / f"fuzzed{suffix}"
    path.write_bytes(data)
    return path


def assert_sound_document(document: Document) -> None:
    text = document.text
    assert text and not text.isspace()
    assert "\r" not in text and not text.startswith("\ufeff")
    end = 0
    for turn in document.turns:
        assert end <= turn.start < turn.end <= len(text), turn
        end = turn.end
    for start, stop in document.skips:
        assert any(t.start <= start < stop <= t.end for t in document.turns), (start, stop)


def assert_sound_refi(project: RefiProject) -> None:
    assert project.kind in ("project", "codebook")
    times = [note.time for note in project.notes.values()]
    guids = [source.guid for source in project.sources]
    assert len(set(guids)) == len(guids), guids  # selections go with their own text
    for source in project.sources:
        assert source.text and "\r" not in source.text
        for selection in source.selections:
            assert 0 <= selection.start < selection.end <= len(source.text), selection
            times += [coding.time for coding in selection.codings]
    for time in times:  # a time the project can store and give back: one in UTC
        if time is not None:
            (time if time.tzinfo else time.replace(tzinfo=UTC)).astimezone(UTC)


def read_any(path: Path, speaker_pattern: str | None = None) -> None:
    """Read ``path`` as its extension says; only the program's own errors may escape."""
    try:
        if path.suffix.lower() in REFI:
            assert_sound_refi(read_refi(path))
        else:
            assert_sound_document(read_document(path, speaker_pattern))
    except CenThemesError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip(), message


@FUZZ
@given(
    suffix=st.sampled_from((*IMPORT_SUFFIXES, ".TXT", ".QDPX", ".rtf", "")),
    data=st.binary(max_size=4096),
)
def test_random_bytes(folder: Path, suffix: str, data: bytes) -> None:
    read_any(_write(folder, suffix, data))


@FUZZ
@given(suffix=st.sampled_from(TRANSCRIPTS), data=st.data())
def test_damaged_transcripts(folder: Path, suffix: str, data: st.DataObject) -> None:
    read_any(_write(folder, suffix, data.draw(damaged_file(suffix))))


@FUZZ
@given(suffix=st.sampled_from(REFI), data=st.data())
def test_damaged_refi_files(folder: Path, suffix: str, data: st.DataObject) -> None:
    read_any(_write(folder, suffix, data.draw(damaged_file(suffix))))


@FUZZ
@given(data=odd_refi_project())
def test_odd_refi_projects(folder: Path, data: bytes) -> None:
    suffix = ".qdpx" if data.startswith(b"PK") else ".qde"
    read_any(_write(folder, suffix, data))


SPEAKER_PATTERNS = [
    r"(?P<speaker>\w+):",
    r"(?P<speaker>)",
    r"(?P<speaker>.*)",
    r"(?P<speaker>\s*)",
    r"(?x)(?P<speaker>[A-Z]+) # comment",
    r"(?i)(?P<speaker>p\d+)\s*-",
    r"(?P<speaker>\w+)\1",
    r"^$(?P<speaker>)",
    r"(?P<speaker>(a|aa)+)",
    r"(\w+):",
    r"(?P<speaker>",
    r"[",
    "",
]


@FUZZ
@given(
    suffix=st.sampled_from((".txt", ".md", ".vtt", ".srt", ".docx")),
    pattern=st.sampled_from(SPEAKER_PATTERNS) | odd_text_strategy,
    data=st.data(),
)
def test_speaker_patterns(folder: Path, suffix: str, pattern: str, data: st.DataObject) -> None:
    read_any(_write(folder, suffix, data.draw(damaged_file(suffix))), pattern)


@FUZZ
@given(file=any_import_file())
def test_any_file_under_any_extension(folder: Path, file: tuple[str, bytes]) -> None:
    read_any(_write(folder, *file))


@FUZZ
@given(
    data=st.data(),
    header=st.none() | st.lists(odd_text_strategy, max_size=5),
    rows=st.lists(st.lists(odd_text_strategy, max_size=6), max_size=6),
)
def test_csv_reader(
    folder: Path, data: st.DataObject, header: list[str] | None, rows: list[list[str]]
) -> None:
    path = _write(folder, ".csv", data.draw(csv_file(header, rows)))
    try:
        records = read_csv(path)
    except CenThemesError as exc:
        assert str(path) in str(exc)
    else:
        assert len(records[0]) >= 2
