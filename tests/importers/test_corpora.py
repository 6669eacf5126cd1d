"""Real transcripts from the corpora folder (``CEN_THEMES_CORPORA``, else
../shared/corpora; skipped when it is absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cen_themes.importers import read_document

from ..conftest import CORPORA, corpus

PAGE_HEADER = re.compile(r"^\d+/\d+$", re.MULTILINE)


def pdpilot_files() -> list[Path]:
    return sorted((CORPORA / "pdpilot" / "transcripts_txt").glob("P*.txt"))


@pytest.mark.parametrize("name", [p.name for p in pdpilot_files()] or ["P1.txt"])
def test_pdpilot_transcript(name: str) -> None:
    path = corpus("pdpilot", "transcripts_txt", name)
    original = path.read_text(encoding="utf-8")
    document = read_document(path)
    assert document.text == original.replace("\r\n", "\n")
    text = document.text

    speakers = {turn.speaker for turn in document.turns}
    expected = {None, "Dan", "Participant"}
    if name == "P5.txt":
        expected.add("Particpant")  # the transcript misspells the label once (line 726)
    assert speakers == expected
    assert document.turns[0].speaker is None  # "1/N\nInterview" before the first label
    assert all(t.speaker is not None for t in document.turns[1:])

    previous_end = 0
    for turn in document.turns:
        piece = text[turn.start : turn.end]
        assert previous_end <= turn.start < turn.end
        assert piece == piece.strip()
        assert not piece.startswith(("Dan:", "Participant:", "Particpant:"))
        previous_end = turn.end

    headers = [(m.start(), m.end()) for m in PAGE_HEADER.finditer(text)]
    assert len(headers) >= 5
    assert set(headers) <= set(document.skips)
    for start, end in document.skips:
        assert any(t.start <= start < end <= t.end for t in document.turns)
        assert text[start:end].replace("/", "").isdigit()


def test_pdpilot_first_exchange() -> None:
    path = corpus("pdpilot", "transcripts_txt", "P1.txt")
    document = read_document(path)
    turns = [(t.speaker, document.text[t.start : t.end]) for t in document.turns[:3]]
    assert turns == [
        (None, "1/5\nInterview"),
        (
            "Dan",
            "Okay. So now you can stop sharing your screen and then we'll just end up with a "
            "few questions that I have for you.",
        ),
        ("Participant", "Okay."),
    ]
    assert document.skips[0] == (0, 3)


def fwp_files() -> list[Path]:
    return sorted((CORPORA / "fwp_life_histories" / "text").glob("*.txt"))


@pytest.mark.parametrize("name", [p.name for p in fwp_files()] or ["interview_0001_001.txt"])
def test_fwp_life_history_is_prose_without_speakers(name: str) -> None:
    path = corpus("fwp_life_histories", "text", name)
    original = path.read_text(encoding="utf-8")
    document = read_document(path)
    assert document.text == original
    assert len(document.turns) == 1
    (turn,) = document.turns
    assert turn.speaker is None
    assert document.text[turn.start : turn.end] == original.strip()
