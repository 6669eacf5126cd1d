"""Importing about 1,000,000 words (200 transcripts of 5,000 words) through the real
command line: target at most 10 s wall and 500 MB peak memory on a 2-core machine.

Beside it, in the same run and over the same files, spaCy alone: a blank English
pipeline with the sentencizer, through ``nlp.pipe``, in this process (pipeline built
and ``import spacy`` paid before the clock starts, so it is the strictest yardstick).
The command, which also starts Python, imports spaCy, reads, segments and stores, must
take at most twice as long (issue 16); both figures and their ratio are printed and
kept in ``extra_info``.

Two more figures, for where the time goes: spaCy alone over the same texts line by
line (much faster than whole files: spaCy's tokenizer stops caching the rest of a Doc
once it meets one of its special cases, so long Docs are tokenized slowly), and
``nlp.segment_many`` alone in this process, with a pipeline built afresh each round.

Run: pytest tests/benchmarks/test_bench_import.py --benchmark-enable -s
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from .generate import write_corpus
from .runner import cli, peak_mb

ROUNDS = 3


def _spacy_alone(files: list[Path], rounds: int, by_line: bool = False) -> tuple[float, int]:
    """The fastest of ``rounds`` passes of the texts (or of their lines) through a
    blank English pipeline with the sentencizer, files read inside the clock; and the
    sentences it found."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    best, sentences = float("inf"), 0
    for _ in range(rounds):
        started = time.perf_counter()
        texts = [path.read_text(encoding="utf-8") for path in files]
        if by_line:
            texts = [line for text in texts for line in text.splitlines()]
        sentences = sum(doc.to_array("SENT_START").tolist().count(1) for doc in nlp.pipe(texts))
        best = min(best, time.perf_counter() - started)
    return best, sentences


def _segmenting_alone(files: list[Path], rounds: int) -> float:
    """The fastest of ``rounds`` runs of :func:`nlp.segment_many` over the files, read
    outside the clock, in batches as the command segments them."""
    from cen_themes import nlp
    from cen_themes.importers import read_document
    from cen_themes.services.sources import IMPORT_BATCH

    documents = [read_document(path) for path in files]
    best = float("inf")
    for _ in range(rounds):
        nlp._pipeline = None
        nlp.pipeline()
        started = time.perf_counter()
        for first in range(0, len(documents), IMPORT_BATCH):
            nlp.segment_many(documents[first : first + IMPORT_BATCH])
        best = min(best, time.perf_counter() - started)
    return best


def test_import_one_million_words(benchmark, tmp_path: Path) -> None:
    files = write_corpus(tmp_path / "corpus")
    total_words = sum(len(p.read_text().split()) for p in files)
    spacy_alone, spacy_sentences = _spacy_alone(files, ROUNDS)
    spacy_by_line, _ = _spacy_alone(files, ROUNDS, by_line=True)
    segmenting = _segmenting_alone(files, ROUNDS)
    runs = iter(range(1000))

    def setup():
        return (tmp_path / f"bench-{next(runs)}.db",), {}

    def run(db: Path) -> Path:
        cli("--db", str(db), "import", *map(str, files))
        return db

    db = benchmark.pedantic(run, setup=setup, rounds=ROUNDS, iterations=1)
    peak = peak_mb("import")
    conn = sqlite3.connect(db)
    sources, words = conn.execute("SELECT count(*), sum(words) FROM sources").fetchone()
    segments = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
    conn.close()
    command = benchmark.stats.stats.min
    ratio = command / spacy_alone
    benchmark.extra_info.update(
        words=total_words,
        sources=sources,
        segments=segments,
        peak_rss_mb=round(peak, 1),
        command_s=round(command, 3),
        spacy_alone_s=round(spacy_alone, 3),
        spacy_alone_sentences=spacy_sentences,
        command_over_spacy_alone=round(ratio, 2),
        spacy_alone_by_line_s=round(spacy_by_line, 3),
        segment_many_s=round(segmenting, 3),
    )
    print(
        f"\nimported {sources} sources, {words:,} words, {segments:,} segments; "
        f"peak RSS {peak:.0f} MB\n"
        f"command {command:.2f} s (best of {ROUNDS}), spaCy alone {spacy_alone:.2f} s "
        f"(best of {ROUNDS}, {spacy_sentences:,} sentences): "
        f"{ratio:.2f}x spaCy alone\n"
        f"line by line: spaCy alone {spacy_by_line:.2f} s, nlp.segment_many alone "
        f"{segmenting:.2f} s ({segmenting / spacy_by_line:.2f}x)"
    )
    assert sources == 200 and words == total_words
    assert peak <= 500
    assert command <= 10.0
    assert ratio <= 2.0
