"""How much of each source is coded: overlapping excerpts count once."""

from __future__ import annotations

import random

import pytest

from cen_themes.services import sources

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


def test_merging_agrees_with_counting_every_character(coded_project: CodedProject) -> None:
    """Random spans, nested, touching and repeated, against a count of the characters
    any of them covers."""
    rng = random.Random(7)
    texts = {name: name[1] * 600 for name in ("s3", "s4", "s9")}  # not the same content
    spans, expected = [], {}
    for name in texts:
        covered: set[int] = set()
        for _ in range(rng.randrange(1, 40)):
            start = rng.randrange(0, 500)
            end = start + rng.randrange(1, 60)
            spans.append((name, (start, end), rng.choice(["One", "Two"])))
            covered.update(range(start, end))
        expected[name] = len(covered) / 600
    project = coded_project(texts, spans, coder="ann")
    shares = sources.coded_shares(project)
    assert shares == pytest.approx(expected)
