"""Real files written by other tools: NVivo's Word and plain-text sources, a MAXQDA PDF."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cen_themes.importers import read_document

from ..conftest import SHARED, corpus

NVIVO = SHARED / "interop" / "samples" / "nvivo12win_oltas0517.qdpx"


@pytest.fixture(scope="module")
def nvivo_sources(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    if not NVIVO.exists():
        pytest.skip(f"{NVIVO} not present: this real-export test needs ../shared/interop")
    folder = tmp_path_factory.mktemp("nvivo")
    with zipfile.ZipFile(NVIVO) as archive:
        for member in archive.namelist():
            if member.lower().startswith("sources/") and member.endswith((".docx", ".txt")):
                (folder / Path(member).name).write_bytes(archive.read(member))
    pairs = [(d, d.with_suffix(".txt")) for d in sorted(folder.glob("*.docx"))]
    assert len(pairs) == 2
    return pairs


def _words(text: str) -> list[str]:
    return [w for w in text.split() if w != "|"]


def test_nvivo_docx_holds_the_same_words_as_nvivo_plain_text(nvivo_sources) -> None:
    for docx_path, txt_path in nvivo_sources:
        from_word = read_document(docx_path)
        from_text = read_document(txt_path)
        assert from_word.format == "docx"
        # NVivo's .txt rendition puts each table cell on a line; ours joins a row with " | "
        assert _words(from_word.text) == _words(from_text.text)
        assert len(_words(from_text.text)) > 60_000


def test_nvivo_plain_text_bom_crlf_and_emoji(nvivo_sources) -> None:
    for _docx, txt_path in nvivo_sources:
        raw = txt_path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
        document = read_document(txt_path)
        expected = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        assert document.text == expected
        assert sum(ord(c) > 0xFFFF for c in document.text) > 500  # emoji kept whole


def test_maxqda_code_system_pdf() -> None:
    path = corpus("pdpilot", "results", "code-system.pdf")
    document = read_document(path)
    assert document.format == "pdf"
    assert document.text.startswith("Code System\n")
    assert "Explainability purposes" in document.text
    assert "Guiding feature engineering" in document.text
