"""How much of each source is coded: overlapping excerpts count once."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from cen_themes.db import Project
from cen_themes.services import coding, sources
from cen_themes.services.sources import _covered_by_source


def test_shares_count_overlaps_once(project: Project, tmp_path: Path) -> None:
    for name, text in {"a": "x" * 100, "b": "y" * 50, "c": "z" * 10}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    sources.import_files(project, sorted(tmp_path.glob("*.txt")), coder="ann")
    for source, start, end, code in [
        ("a", 0, 10, "One"),
        ("a", 5, 20, "Two"),  # overlaps the first: 5 more characters... to 20
        ("a", 5, 20, "One"),  # the same span again
        ("a", 50, 60, "One"),
        ("b", 10, 35, "One"),
    ]:
        coding.apply_code(project, source, start, end, code, coder="ann")
    shares = sources.coded_shares(project)
    assert shares == {"a": 0.3, "b": 0.5, "c": 0.0}


def test_merging_agrees_with_counting_every_character() -> None:
    rng = random.Random(7)
    rows, expected = [], {}
    for source in (3, 4, 9):
        covered = set()
        for _ in range(rng.randrange(1, 40)):
            start = rng.randrange(0, 500)
            end = start + rng.randrange(1, 60)
            rows.append((source, start, end))
            covered.update(range(start, end))
        expected[source] = len(covered)
    rows.sort()
    assert _covered_by_source(np.array(rows, dtype=np.int64)) == expected
