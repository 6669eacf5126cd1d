"""Generated transcripts for benchmarks: labelled turns of plausible sentences."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (  # noqa: SIM905 - a sentence of words is easier to edit than a list
    "service support care team crisis therapy waiting list diagnosis label staff nurse "
    "psychologist appointment group session weeks months years discharge referral GP "
    "A&E trust relationship listen believe help understand feel felt worried safe risk "
    "plan housing benefits trauma family children work long term short course access "
    "quality postcode specialist generic community mental health personality disorder "
    "stigma judged attention seeking coordinator continuity change left burnout caseload "
    "supervision reflective practice blame incident inquest positive flexible individual "
    "holistic person whole life recovery hope really just kind of you know I mean um "
    "the a and to of in it that was is were they we she he me my our your their with for"
).split()


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 24))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])


def transcript(rng: random.Random, words: int, participant: str) -> str:
    out: list[str] = [f"Interview {participant}", "Generated for benchmarking", ""]
    count = 0
    speaker = "Interviewer"
    while count < words:
        n = 1 if speaker == "Interviewer" else rng.randint(2, 9)
        turn = " ".join(sentence(rng) for _ in range(n))
        out.append(f"{speaker}: {turn}")
        count += len(turn.split()) + 1
        speaker = participant if speaker == "Interviewer" else "Interviewer"
    return "\n".join(out) + "\n"


def write_corpus(folder: Path, files: int = 200, words: int = 5000, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(files):
        path = folder / f"generated_{i:04d}.txt"
        path.write_text(transcript(rng, words, f"P{i:03d}"), encoding="utf-8")
        paths.append(path)
    return paths


def codebook_paths(categories: int = 50, per_category: int = 9) -> list[str]:
    """500 codes by default: 50 categories, each with 9 child codes."""
    paths = []
    for c in range(categories):
        paths.append(f"Category {c:02d}")
        paths.extend(f"Category {c:02d} > Code {c:02d}.{k}" for k in range(per_category))
    return paths


def write_codings_csv(
    path: Path,
    sources: list[tuple[str, int]],
    rows: int,
    codes: list[str],
    coders: tuple[str, ...] = ("ann", "bob", "cat"),
    seed: int = 11,
) -> None:
    """``rows`` codings of random spans (10-300 characters) with random codes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("source,start,end,code,coder\n")
        for _ in range(rows):
            name, length = sources[rng.randrange(len(sources))]
            start = rng.randrange(length - 10)
            end = min(length, start + rng.randint(10, 300))
            fh.write(
                f"{name},{start},{end},{codes[rng.randrange(len(codes))]},{rng.choice(coders)}\n"
            )


def coded_corpus(folder: Path, files: int, words: int, codings: int, seed: int) -> Path:
    """A project in ``folder``: ``files`` generated transcripts of ``words`` words,
    imported, and ``codings`` random codings of the 500 codes of :func:`codebook_paths`
    brought in by `code import`; its path."""
    from cen_themes.db import open_project
    from cen_themes.services import sources

    from .runner import cli

    paths = write_corpus(folder / "sources", files=files, words=words, seed=seed)
    db = folder / "project.db"
    project = open_project(db)
    sources.import_files(project, paths, coder="gen")
    project.close()
    spans = sorted((p.stem, len(p.read_text(encoding="utf-8"))) for p in paths)
    write_codings_csv(folder / "codings.csv", spans, codings, codebook_paths())
    cli("--db", str(db), "code", "import", str(folder / "codings.csv"))
    return db


LONG_WORDS, LONG_SPANS, LONG_CODES = 200_000, 2_000, 20
COLOURS = ("#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0")


def long_coded_transcript(folder: Path) -> tuple[Path, str]:
    """A project in ``folder`` of one 200,000-word interview, ``long_interview``, with
    2,000 spans coded by 20 coloured codes: its path, and the interview's text."""
    from cen_themes.db import open_project
    from cen_themes.services import codebook, coding, sources

    text = transcript(random.Random(13), LONG_WORDS, "P001")
    path = folder / "long_interview.txt"
    path.write_text(text, encoding="utf-8")
    db = folder / "tui.db"
    project = open_project(db)
    assert not sources.import_files(project, [path], coder="gen").failed
    rng = random.Random(17)
    for c in range(LONG_CODES):
        code = f"Code {c:02d}"
        starts = [rng.randrange(len(text) - 300) for _ in range(LONG_SPANS // LONG_CODES)]
        spans = [("long_interview", s, s + rng.randint(10, 300)) for s in starts]
        coding.apply_code_spans(project, spans, code, coder="gen")
        codebook.colour_code(project, code, COLOURS[c % len(COLOURS)], coder="gen")
    project.close()
    return db, text
