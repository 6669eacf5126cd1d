"""How much of each source is coded: overlapping excerpts count once."""

from __future__ import annotations

import random

import numpy as np

from cen_themes.services import sources
from cen_themes.services.sources import _covered_by_source

from ..conftest import CodedProject


def test_shares_count_overlaps_once(coded_project: CodedProject) -> None:
    project = coded_project(
        {"a": "x" * 100, "b": "y" * 50, "c": "z" * 10},
        [
            ("a", (0, 10), "One"),
            ("a", (5, 20), "Two"),  # overlaps the first: 5 more characters... to 20
            ("a", (5, 20), "One"),  # the same span again
            ("a", (50, 60), "One"),
            ("b", (10, 35), "One"),
        ],
        coder="ann",
    )
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
