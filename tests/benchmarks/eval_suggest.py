"""How good are the suggestions? Measured on real answers coded by people.

The corpus (``llmcode_games_as_art/bopp_test.utf8.csv`` in the folder that
``CEN_THEMES_CORPORA`` names, else ``../shared/corpora``) holds 174
answers to "why did you experience this game as art?", each with the codes people gave
it (``human_codes``, separated by ";"). Each answer's ``why_art`` text -- what the codes
describe -- is imported as a source and coded whole with each of its codes.

Protocol, for every code that at least :data:`MIN_ANSWERS` answers have: its answers
are split into :data:`FOLDS` folds (every third answer, in the corpus's order). For each
fold, that fold's codings of the code are removed (``coding.remove_coding``), the
service is asked for the code's top 10 (``suggest.suggest``), and the removal undone.
A suggestion is a hit when its segment belongs to an answer of the held-out fold; the
candidates are every segment not coded with the code (the held-out answers' and those of
every answer without the code). Precision at k is hits in the top k over k (a list
shorter than k counts its missing places as misses). The random baseline is what a
random order of the candidates scores on average: the share of held-out segments among
them. Per code, the folds are averaged; overall is the mean over codes, and the pooled
figure the mean over every fold of every code.

The same folds are also ranked in process on the service's own TF-IDF index (which
gives the service's very ranking, checked on every fold) in other ways: by the plain
mean of the excerpts (without taking away the average segment), by the most similar
single excerpt, and with surface words for terms (no lemmas). For each, the number of
folds where the service's precision is higher and lower.

Run: ``python -m tests.benchmarks.eval_suggest`` (prints the tables; skips when the
corpus is absent). ``--text both`` imports ``experience`` and ``why_art`` together.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select

from cen_themes.db import Project, open_project
from cen_themes.models import Segment, Source
from cen_themes.services import coding, history, similarity, sources, suggest

CORPUS = (
    Path(
        os.environ.get("CEN_THEMES_CORPORA")
        or Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
    )
    / "llmcode_games_as_art"
    / "bopp_test.utf8.csv"
)
MIN_ANSWERS = 3
FOLDS = 3
KS = (5, 10)
CODER = "eval"


@dataclass
class Answer:
    name: str
    text: str
    codes: list[str]


@dataclass
class Scores:
    """Precision at each k, per fold, for one code and one way of ranking."""

    folds: list[dict[int, float]] = field(default_factory=list)

    def mean(self, k: int) -> float:
        return statistics.fmean(f[k] for f in self.folds)


def answers(path: Path, text: str = "why_art") -> list[Answer]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    found = []
    for number, row in enumerate(rows, 1):
        body = row["why_art"] if text == "why_art" else f"{row['experience']}\n\n{row['why_art']}"
        codes = list(dict.fromkeys(c.strip() for c in row["human_codes"].split(";") if c.strip()))
        found.append(Answer(f"answer_{number:03d}", body.strip(), codes))
    return found


def build(folder: Path, rows: list[Answer]) -> tuple[Project, dict[str, str]]:
    """The project: one source per answer, each coded whole with its codes. Returns
    it and each code's name as the project keeps it (by its folded form)."""
    files = []
    for answer in rows:
        path = folder / f"{answer.name}.txt"
        path.write_text(answer.text, encoding="utf-8")
        files.append(path)
    project = open_project(folder / "eval.db")
    report = sources.import_files(project, files, coder=CODER)
    assert not report.failed, report.failed
    with project.read() as session:
        stored = dict(session.execute(select(Source.name, Source.text)).all())
    names: dict[str, str] = {}
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for answer in rows:
        for code in answer.codes:
            key = code.casefold()
            names.setdefault(key, code)
            spans.setdefault(key, []).append((answer.name, 0, len(stored[answer.name])))
    for key, wanted in spans.items():
        coding.apply_code_spans(project, wanted, names[key], coder=CODER)
    return project, names


def folds(members: list[str]) -> list[list[str]]:
    return [members[f::FOLDS] for f in range(FOLDS)]


def evaluate(text: str = "why_art") -> int:
    if not CORPUS.is_file():
        print(f"skipped: the corpus is not here ({CORPUS})")
        return 0
    rows = answers(CORPUS, text)
    with tempfile.TemporaryDirectory() as tmp:
        project, names = build(Path(tmp), rows)
        try:
            return _report(project, rows, names, text)
        finally:
            project.close()


def _report(project: Project, rows: list[Answer], names: dict[str, str], text: str) -> int:
    by_code: dict[str, list[str]] = {}
    for answer in rows:
        for code in answer.codes:
            by_code.setdefault(code.casefold(), []).append(answer.name)
    evaluated = sorted(
        (k for k, members in by_code.items() if len(members) >= MIN_ANSWERS),
        key=lambda k: (-len(by_code[k]), k),
    )
    with project.read() as session:
        segments = similarity.read_segments(session)
        lengths = dict(session.execute(select(Source.name, Source.text)).all())
        total = session.query(Segment).count()
    source_of = np.array([segments.names[int(s)] for s in segments.source_ids])
    text_of = {name: lengths[name] for name in lengths}
    index = similarity.Index(segments)
    surface = similarity.Index(segments, key=str.lower)
    methods: dict[str, Callable[[list[str], np.ndarray], list[int]]] = {
        "same, in process": lambda train, cand: _top(index, train, cand),
        "plain mean": lambda train, cand: _top(index, train, cand, distinct=False),
        "nearest excerpt": lambda train, cand: _nearest(index, train, cand),
        "surface words": lambda train, cand: _top(surface, train, cand),
    }
    service: dict[str, Scores] = {}
    others: dict[str, dict[str, Scores]] = {m: {} for m in methods}
    random: dict[str, Scores] = {}
    for key in evaluated:
        code = names[key]
        service[key], random[key] = Scores(), Scores()
        for m in methods:
            others[m][key] = Scores()
        for held in folds(by_code[key]):
            train = [n for n in by_code[key] if n not in held]
            candidates = ~np.isin(source_of, train)
            relevant = np.isin(source_of, held)
            events = [
                coding.remove_coding(project, name, 0, len(text_of[name]), code, coder=CODER)
                for name in held
            ]
            found = suggest.suggest(project, code, limit=max(KS))
            for _ in events:
                history.undo(project, coder=CODER)
            hits = [s.source in held for s in found]
            service[key].folds.append({k: sum(hits[:k]) / k for k in KS})
            share = relevant[candidates].sum() / candidates.sum()
            random[key].folds.append(dict.fromkeys(KS, float(share)))
            train_texts = [text_of[n] for n in train]
            for m, rank in methods.items():
                top = rank(train_texts, candidates)
                got = [bool(relevant[i]) for i in top]
                others[m][key].folds.append({k: sum(got[:k]) / k for k in KS})
                if m == "same, in process":  # the service ranks as the index does
                    assert [(source_of[i], int(segments.starts[i])) for i in top] == [
                        (s.source, s.start) for s in found
                    ]
    print(
        f"{len(rows)} answers ({text}), {total} segments; {len(evaluated)} codes with at "
        f"least {MIN_ANSWERS} answers; {FOLDS} folds per code\n"
    )
    header = f"{'code':<22} {'answers':>7}  {'P@5':>5} {'P@10':>5}  {'random':>6}"
    print(header)
    print("-" * len(header))
    for key in evaluated:
        print(
            f"{names[key][:22]:<22} {len(by_code[key]):>7}  {service[key].mean(5):>5.2f} "
            f"{service[key].mean(10):>5.2f}  {random[key].mean(5):>6.3f}"
        )
    print("-" * len(header))

    tables = [("suggest (the service)", service), ("random", random)]
    tables += [(m, others[m]) for m in methods if m != "same, in process"]
    for label, table in tables:
        means = [statistics.fmean(table[c].mean(k) for c in evaluated) for k in KS]
        line = "   ".join(f"P@{k} {m:.3f}" for k, m in zip(KS, means, strict=True))
        if table is not service and table is not random:
            line += "   folds where suggest is better/worse: " + ", ".join(
                f"P@{k} {_wins(service, table, evaluated, k)}" for k in KS
            )
        print(f"{label:<22} {line}")
    return 0


def _wins(ours: dict[str, Scores], other: dict[str, Scores], codes: list[str], k: int) -> str:
    pairs = [
        (a[k], b[k]) for c in codes for a, b in zip(ours[c].folds, other[c].folds, strict=True)
    ]
    return f"{sum(a > b for a, b in pairs)}/{sum(a < b for a, b in pairs)}"


def _nearest(index: similarity.Index, train: list[str], candidates: np.ndarray) -> list[int]:
    """Rank by the similarity to the most similar single excerpt."""
    best = np.zeros(index.size)
    for text in train:
        best = np.maximum(best, index.scores(index.profile([text])))
    return similarity.best(best, candidates & (best > 0), max(KS))


def _top(
    index: similarity.Index, train: list[str], candidates: np.ndarray, *, distinct: bool = True
) -> list[int]:
    """Rank by the similarity to the mean of the excerpts (less the average segment,
    as the service does, when ``distinct``)."""
    profile = index.profile(train)
    scores = index.scores(index.distinct(profile) if distinct else profile)
    return similarity.best(scores, candidates & (scores > 0), max(KS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--text", choices=("why_art", "both"), default="why_art")
    return evaluate(parser.parse_args(argv).text)


if __name__ == "__main__":
    sys.exit(main())
