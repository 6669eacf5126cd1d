"""Co-occurrence: codes (or themes) that meet on overlapping excerpts or in one segment,
counted as pairs of excerpts; the cells' pairs; the sweep against the rule itself."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from cen_themes.db import Project
from cen_themes.errors import NotFoundError
from cen_themes.services import coding, themes
from cen_themes.services.cooccurrence import (
    ExcerptSpan,
    cooccurrence,
    cooccurrence_pairs,
    related_pairs,
)

from ..conftest import CodedProject, raw_sql, several_coders, who

TEXTS = {
    # segments: "I waited for weeks." 5-24, "The nurse was kind." 25-44,
    # "Waiting is the worst." 50-71, "They cared for me." 72-90
    "a": "P01: I waited for weeks. The nurse was kind.\n"
    "P02: Waiting is the worst. They cared for me.\n",
    "b": "P03: Nobody listened. I felt judged.\n",
}
CODINGS = [
    ("a", "I waited", "Access > Waiting"),  # e1
    ("a", "for weeks.", "Care"),  # e2: e1's segment, no overlap
    ("a", "The nurse", "Care"),  # e3: two codes on one excerpt
    ("a", "The nurse", "Kind"),
    ("a", "nurse was kind", "Access > Waiting"),  # e4: overlaps e3
    ("a", "They cared", "Kind"),  # e5: alone in its segment
    ("b", "Nobody listened.", "Access > Waiting"),  # f1
    ("b", "I felt judged.", "Care"),  # f2: another segment
]


@pytest.fixture
def coded(coded_project: CodedProject) -> Project:
    project = coded_project(TEXTS, CODINGS)
    login = who(project, "tester")
    themes.add_theme(project, "Barriers", coder=login)
    themes.add_theme(project, "Support", coder=login)
    themes.add_theme(project, "Staff", parent="Support", coder=login)
    themes.assign_codes(project, "Barriers", ["Access > Waiting"], coder=login)
    themes.assign_codes(project, "Support", ["Care"], coder=login)
    themes.assign_codes(project, "Support > Staff", ["Kind"], coder=login)
    return project


def test_code_cells_count_pairs_of_excerpts(coded: Project) -> None:
    data = cooccurrence(coded, "codes")
    assert data.rows_kind == "codes"
    assert data.paths == ["Access", "Access > Waiting", "Care", "Kind"]
    assert data.depths == [0, 1, 0, 0]
    assert data.counts == [
        [0, 0, 0, 0],
        [0, 3, 2, 1],  # Waiting: with Care in e1/e2 (a segment) and e4/e3 (an overlap)
        [0, 2, 3, 1],  # Care: with Kind on e3 itself
        [0, 1, 1, 2],
    ]


def test_theme_cells_roll_up_codes_and_subthemes(coded: Project) -> None:
    data = cooccurrence(coded, "themes")
    assert data.paths == ["Barriers", "Support", "Support > Staff"]
    assert data.depths == [0, 0, 1]
    assert data.counts == [
        [3, 2, 1],  # e4/e3 counts once, though e3 is Support's through two codes
        [2, 4, 2],  # Support: Care's excerpts and Staff's (e3 once)
        [1, 2, 2],  # a theme and its subtheme meet on every excerpt of the subtheme
    ]


def test_pairs_of_a_cell_first_carries_the_row(coded: Project) -> None:
    pairs = cooccurrence_pairs(coded, "codes", "Waiting", "Care")
    assert [(p.source, p.first.text, p.second.text, p.link) for p in pairs] == [
        ("a", "I waited", "for weeks.", "segment"),
        ("a", "nurse was kind", "The nurse", "overlap"),
    ]
    assert pairs[1].second.codes == ["Care", "Kind"]
    assert (pairs[0].first.start, pairs[0].first.end) == (5, 13)
    flipped = cooccurrence_pairs(coded, "codes", "Care", "Access > Waiting")
    assert [(p.first.text, p.second.text) for p in flipped] == [
        ("for weeks.", "I waited"),
        ("The nurse", "nurse was kind"),
    ]
    same = cooccurrence_pairs(coded, "codes", "Care", "Kind")
    assert [(p.first.text, p.link) for p in same] == [("The nurse", "same")]
    assert same[0].first == same[0].second


def test_the_diagonal_lists_the_excerpts_of_the_row(coded: Project) -> None:
    pairs = cooccurrence_pairs(coded, "codes", "Kind", "Kind")
    assert [(p.first.text, p.second.text, p.link) for p in pairs] == [
        ("The nurse", "The nurse", "same"),
        ("They cared", "They cared", "same"),
    ]
    staff = cooccurrence_pairs(coded, "themes", "Support", "Staff")
    assert [(p.first.text, p.link) for p in staff] == [
        ("The nurse", "same"),
        ("They cared", "same"),
    ]
    assert cooccurrence_pairs(coded, "codes", "Access", "Care") == []


def test_unknown_rows_and_empty_projects(coded: Project, project: Project) -> None:
    with pytest.raises(NotFoundError, match="no code named 'Nothing'"):
        cooccurrence_pairs(coded, "codes", "Nothing", "Care")
    with pytest.raises(NotFoundError, match="no theme named 'Care'"):
        cooccurrence_pairs(coded, "themes", "Care", "Support")
    with pytest.raises(ValueError, match="rows must be one of"):
        cooccurrence(coded, "sources")  # type: ignore[arg-type]


def test_an_empty_project(project: Project) -> None:
    for rows in ("codes", "themes"):
        data = cooccurrence(project, rows)  # type: ignore[arg-type]
        assert (data.paths, data.counts) == ([], [])


@several_coders
def test_an_excerpt_coded_by_two_coders_counts_once(coded_project: CodedProject) -> None:
    project = coded_project(
        TEXTS,
        [
            ("a", "I waited", "Waiting", "ann"),
            ("a", "I waited", "Waiting", "bob"),
            ("a", "I waited", "Care", "bob"),
            ("a", "for weeks.", "Care", "ann"),
        ],
    )
    data = cooccurrence(project)
    assert data.paths == ["Waiting", "Care"]
    assert data.counts == [[1, 2], [2, 2]]
    assert len(cooccurrence_pairs(project, "codes", "Waiting", "Care")) == 2


def test_a_coding_removed_leaves_the_cells(coded: Project) -> None:
    start = TEXTS["a"].index("The nurse")
    coding.remove_coding(coded, "a", start, start + 9, "Kind", coder=who(coded, "tester"))
    data = cooccurrence(coded)
    assert data.counts[2][3] == data.counts[3][2] == 0
    assert data.counts[3][3] == 1
    assert cooccurrence_pairs(coded, "codes", "Care", "Kind") == []


# -- the rule itself, against the sweep ---------------------------------------------------


def _overlap(one: tuple[int, int], other: tuple[int, int]) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def brute_force(project: Project, rows: str) -> dict[tuple[str, str], int]:
    """Every cell by the rule, read from the plain tables: all pairs of excerpts of a
    source, checked against every segment."""
    excerpts = {
        e: (s, start, end)
        for e, s, start, end in raw_sql(project, 'SELECT id, source_id, start, "end" FROM excerpts')
    }
    segments: dict[int, list[tuple[int, int]]] = {}
    for s, start, end in raw_sql(project, 'SELECT source_id, start, "end" FROM segments'):
        segments.setdefault(s, []).append((start, end))
    if rows == "codes":
        carried = raw_sql(
            project,
            "SELECT DISTINCT c.excerpt_id, codes.name FROM codings c"
            " JOIN codes ON codes.id = c.code_id",
        )
    else:
        carried = raw_sql(
            project,
            "SELECT excerpt_id, themes.name FROM excerpt_themes"
            " JOIN themes ON themes.id = excerpt_themes.theme_id",
        )
    labels: dict[int, set[str]] = {}
    for e, name in carried:
        labels.setdefault(e, set()).add(name)
    cells: dict[tuple[str, str], int] = {}

    def add(x: str, y: str) -> None:
        cells[x, y] = cells.get((x, y), 0) + 1

    for names in labels.values():
        for x in names:
            add(x, x)
        for x, y in combinations(sorted(names), 2):
            add(x, y)
            add(y, x)
    for a, b in combinations(sorted(labels), 2):
        (sa, *span_a), (sb, *span_b) = excerpts[a], excerpts[b]
        if sa != sb:
            continue
        related = _overlap(span_a, span_b) or any(
            _overlap(span_a, seg) and _overlap(span_b, seg) for seg in segments.get(sa, [])
        )
        if not related:
            continue
        joined = {
            (x, y) for x in labels[a] for y in labels[b] if x != y for x, y in ((x, y), (y, x))
        }
        for x, y in joined:
            add(x, y)
    return cells


def test_random_codings_agree_with_the_rule(coded_project: CodedProject) -> None:
    rng = random.Random(13)
    sentences = ["I waited.", "The nurse was kind to me.", "Nobody listened at all!", "Ok."]
    texts = {
        f"s{i}": "".join(
            f"P0{i}: " + " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4))) + "\n"
            for _turn in range(5)
        )
        for i in range(3)
    }
    names = ["Waiting", "Care", "Kind", "Heard"]
    codings = []
    for _ in range(60):
        source = rng.choice(list(texts))
        start = rng.randrange(len(texts[source]) - 2)
        end = min(len(texts[source]), start + rng.randint(1, 25))
        codings.append((source, (start, end), rng.choice(names)))
    project = coded_project(texts, codings)
    # segments that overlap each other, as another tool's import may leave them
    first = raw_sql(project, 'SELECT id, source_id, start, "end" FROM segments ORDER BY id')[0]
    raw_sql(
        project,
        'INSERT INTO segments (source_id, start, "end", speaker, turn)'
        " VALUES (:s, :start, :end, NULL, 0)",
        s=first[1],
        start=first[2] + 2,
        end=first[3] + 30,
    )
    login = who(project, "tester")
    themes.add_theme(project, "Felt", coder=login)
    themes.add_theme(project, "Unheard", parent="Felt", coder=login)
    themes.assign_codes(project, "Felt", ["Care", "Kind"], coder=login)
    themes.assign_codes(project, "Felt > Unheard", ["Heard", "Waiting"], coder=login)
    for rows in ("codes", "themes"):
        data = cooccurrence(project, rows)  # type: ignore[arg-type]
        want = brute_force(project, rows)
        leaf = [path.split(" > ")[-1] for path in data.paths]
        got = {
            (x, y): n
            for x, line in zip(leaf, data.counts, strict=True)
            for y, n in zip(leaf, line, strict=True)
            if n
        }
        assert got == want
        assert sum(want.values()) > 40  # the random project does co-occur
        for i, x in enumerate(data.paths):
            for j, y in enumerate(data.paths):
                assert data.counts[i][j] == data.counts[j][i]
                pairs = cooccurrence_pairs(project, rows, x, y)  # type: ignore[arg-type]
                assert len(pairs) == data.counts[i][j]
                assert len({(p.first.id, p.second.id) for p in pairs}) == len(pairs)
                for p in pairs:
                    assert (
                        leaf[i] in {c.split(" > ")[-1] for c in p.first.codes} or rows == "themes"
                    )
                    assert p.link == (
                        "same"
                        if p.first.id == p.second.id
                        else "overlap"
                        if _overlap((p.first.start, p.first.end), (p.second.start, p.second.end))
                        else "segment"
                    )


def test_the_sweep_finds_exactly_the_related_pairs() -> None:
    rng = random.Random(5)
    for _trial in range(300):
        excerpts = []
        for i in range(rng.randint(0, 25)):
            start = rng.randrange(199)
            excerpts.append(ExcerptSpan(i + 1, start, rng.randint(start + 1, min(200, start + 30))))
        segments = []
        for _ in range(rng.randint(0, 15)):
            start = rng.randrange(199)
            segments.append((start, rng.randint(start + 1, min(200, start + 40))))
        want = {
            (a.id, b.id)
            for a, b in combinations(excerpts, 2)
            if _overlap((a.start, a.end), (b.start, b.end))
            or any(
                _overlap((a.start, a.end), s) and _overlap((b.start, b.end), s) for s in segments
            )
        }
        found = list(related_pairs(excerpts, segments))
        assert len(found) == len(set(found))
        assert set(found) == want
