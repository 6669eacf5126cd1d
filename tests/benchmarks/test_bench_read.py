"""Reading stays linear: multi-megabyte transcripts and adversarial text read fast.

The limits are several times the times measured on a developer machine, so that they
catch quadratic behaviour rather than a slow runner.
Run: pytest tests/benchmarks/test_bench_read.py --benchmark-enable
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cen_themes.importers import read_document

SIX_MB = 6 * 1024 * 1024

BLOCK = (
    "Interviewer: So tell me about the first time you went to the clinic — what happened?\r\n"
    "P01: Well, I was nervous… The nurse said: “wait here”. I waited for an hour, it was a "
    "café-like room, and nobody told me anything. [laughs] Then Dr Okafor came in.\r\n"
    "2/5\r\n"
)


def six_mb_transcript() -> str:
    return BLOCK * (SIX_MB // len(BLOCK.encode()))


def test_six_mb_utf8_transcript(benchmark, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(six_mb_transcript().encode("utf-8"))
    document = benchmark.pedantic(read_document, args=(path,), rounds=3)
    assert len(document.turns) > 40_000 and len(document.skips) > 20_000
    assert benchmark.stats.stats.min < 2.0


def test_six_mb_cp1252_transcript(benchmark, tmp_path: Path) -> None:
    text = six_mb_transcript()
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    document = benchmark.pedantic(read_document, args=(path,), rounds=3)
    assert document.text == text.replace("\r\n", "\n")
    assert benchmark.stats.stats.min < 4.0


ADVERSARIAL: dict[str, Callable[[], str]] = {
    "one_line.txt": lambda: "word " * (SIX_MB // 5),
    "spaces.txt": lambda: "x" + " " * SIX_MB + "\nA: a\nB: b\n" + " \n" * 1000,
    "capitals.txt": lambda: "Aa Bb Cc Dd Ee Ff Gg Hh Ii\n" * (SIX_MB // 27),
    "brackets.txt": lambda: "[Aa Bb Cc\n**Dd Ee:\n" * (SIX_MB // 20),
    "numbers.txt": lambda: "1/2 3\n12345678901234567890\nPage 4 of\n" * (SIX_MB // 45),
    "labels.txt": lambda: "A: b\n" * (SIX_MB // 20),  # 300,000 one-word turns
    "tags.vtt": lambda: "WEBVTT\n\n00:00.000 --> 00:01.000\n" + "<v <c.x <i " * (SIX_MB // 12),
    "cues.srt": lambda: "1\n00:00:01,000 --> 00:00:02,000\nAnn: hi <i>there</i>\n\n" * 100_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_text_is_linear(benchmark, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(ADVERSARIAL[name](), encoding="utf-8")
    benchmark.pedantic(read_document, args=(path,), rounds=1)
    assert benchmark.stats.stats.min < 4.0, name
