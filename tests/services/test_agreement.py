"""Inter-coder agreement (units, statistics, disagreements) and reconciling a
disagreement, through the services, against a migrated database.

Both coders' codings are made as the tests' coder and then handed to the second coder,
"bob", in SQL past the program: on PostgreSQL every change is the login's, and this way
the same two-coder project is on both engines.
"""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest

from cen_themes.db import Project
from cen_themes.errors import InputError, NotFoundError
from cen_themes.results.agreement import AgreementStats, Disagreement
from cen_themes.services import agreement, analysis, history, memos, reconcile, sources

from ..conftest import CodedProject, dump_database, raw_sql, who

# Segments (units) of s1, as the segmenter finds them (checked in `hand_worked`):
#   u1 5-24 "I waited for weeks."      u4 66-85 "The nurse was kind."
#   u2 25-47 "Nobody called me back."  u5 86-99 "She listened."
#   u3 48-60 "It was hard."            u6 100-112 "I felt safe."
TEXTS = {
    "s1": "P01: I waited for weeks. Nobody called me back. It was hard.\n"
    "P02: The nurse was kind. She listened. I felt safe.\n",
    "s2": "P03: Waiting is the worst.\nP03: They cared for me.\n",
}
UNITS = [(5, 24), (25, 47), (48, 60), (66, 85), (86, 99), (100, 112)]
A = "tester"  # coder A: the tests' coder (the login, on PostgreSQL)
B = "bob"
# (source, start, end, code, coder)
CODINGS = [
    ("s1", 10, 30, "Waiting", A),  # overlaps u1 and u2
    ("s1", 5, 24, "Waiting", B),  # u1
    ("s1", 50, 55, "Waiting", B),  # inside u3
    ("s1", 66, 99, "Care", A),  # u4 and u5
    ("s1", 66, 85, "Care", B),  # u4
    ("s1", 86, 99, "Care", B),  # u5
    ("s1", 99, 100, "Pause", B),  # the space between u5 and u6: touches neither
    ("s2", 5, 26, "Other", A),  # s2: only A coded it, so it holds no unit
]


def hand_over(project: Project, spans: list[tuple[str, int, int]], to: str = B) -> None:
    """Give the codings on these spans to coder ``to`` (made when new), past the program."""
    if not raw_sql(project, "SELECT id FROM coders WHERE name = :n", n=to):
        raw_sql(project, "INSERT INTO coders (name) VALUES (:n)", n=to)
    for source, start, end in spans:
        raw_sql(
            project,
            "UPDATE codings SET coder_id = (SELECT id FROM coders WHERE name = :to) WHERE "
            "excerpt_id IN (SELECT e.id FROM excerpts e JOIN sources s ON s.id = e.source_id "
            'WHERE s.name = :s AND e.start = :a AND e."end" = :b)',
            to=to,
            s=source,
            a=start,
            b=end,
        )


def build(coded_project: CodedProject, codings=CODINGS) -> tuple[Project, tuple[str, str]]:
    """The project of ``codings``, and its coders (A, B)."""
    project = coded_project(TEXTS, [(s, (a, b), code) for s, a, b, code, _c in codings])
    hand_over(project, [(s, a, b) for s, a, b, _code, c in codings if c == B])
    return project, (who(project, A), B)


@pytest.fixture
def hand_worked(coded_project: CodedProject) -> tuple[Project, tuple[str, str]]:
    project, coders = build(coded_project)
    segments = sources.get_source(project, "s1").segments
    assert [(s.start, s.end) for s in segments] == UNITS
    return project, coders


def close(stats: AgreementStats, percent: float | None, kappa, alpha) -> bool:
    def same(x: float | None, y: float | None) -> bool:
        return x is None if y is None else x is not None and x == pytest.approx(y, abs=1e-12)

    return (
        same(stats.percent_agreement, percent)
        and same(stats.kappa, kappa)
        and same(stats.alpha, alpha)
    )


# -- the statistics, worked by hand ---------------------------------------------------


def test_statistics_worked_by_hand() -> None:
    # Waiting: N = 6 units; A said yes to 2 (u1, u2), B to 2 (u1, u3); they differ on
    # u2 and u3, D = 2.
    #   percent = 100 (6 - 2) / 6 = 66.666...
    #   p_o = 4/6; p_e = (2/6)(2/6) + (4/6)(4/6) = 4/36 + 16/36 = 20/36 = 5/9
    #   kappa = (4/6 - 5/9) / (1 - 5/9) = (1/9) / (4/9) = 0.25
    #   alpha: n = 12 values, n_1 = 4 yes, n_0 = 8 no, o_01 = o_10 = D = 2
    #          alpha = 1 - (n - 1) D / (n_0 n_1) = 1 - 11 * 2 / (8 * 4) = 1 - 22/32 = 0.3125
    assert close(agreement.statistics(6, 2, 2, 2), 200 / 3, 0.25, 0.3125)
    # Care: both said yes to u4 and u5 only: D = 0.
    #   percent 100; p_e = 5/9 as above, kappa = (1 - 5/9) / (1 - 5/9) = 1; alpha = 1 - 0 = 1
    assert close(agreement.statistics(6, 2, 2, 0), 100.0, 1.0, 1.0)
    # Pause: nobody said yes anywhere: p_e = 0 + 1 = 1 (kappa undefined), n_1 = 0
    # (alpha undefined); they agree on every unit, 100 %.
    assert close(agreement.statistics(6, 0, 0, 0), 100.0, None, None)
    # Pooled over the three codes: N = 18, a = 4, b = 4, D = 2.
    #   percent = 100 * 16/18 = 88.888...
    #   p_o = 16/18 = 8/9; p_e = (4/18)^2 + (14/18)^2 = (16 + 196)/324 = 53/81
    #   kappa = (72/81 - 53/81) / (28/81) = 19/28
    #   alpha: n = 36, n_1 = 8, n_0 = 28: 1 - 35 * 2 / (8 * 28) = 1 - 70/224 = 0.6875
    assert close(agreement.statistics(18, 4, 4, 2), 1600 / 18, 19 / 28, 0.6875)
    # One unit, A yes and B no: p_e = 0, kappa = (0 - 0) / 1 = 0; alpha 1 - 1*1/(1*1) = 0.
    assert close(agreement.statistics(1, 1, 0, 1), 0.0, 0.0, 0.0)
    # A always yes, B always no: kappa 0 (no better than chance), alpha below 0.
    assert close(agreement.statistics(4, 4, 0, 4), 0.0, 0.0, 1 - 7 * 4 / (4 * 4))
    # No units at all: nothing is defined.
    assert close(agreement.statistics(0, 0, 0, 0), None, None, None)


def test_kappa_and_alpha_match_independent_computations_on_random_decisions() -> None:
    rng = random.Random(13)
    for _ in range(300):
        n = rng.randint(1, 40)
        p, q = rng.random(), rng.random()
        a = [int(rng.random() < p) for _ in range(n)]
        b = [int(rng.random() < q) for _ in range(n)]
        stats = agreement.statistics(
            n, sum(a), sum(b), sum(x != y for x, y in zip(a, b, strict=True))
        )
        # Cohen's kappa from the 2x2 table
        table = [
            [sum(1 for x, y in zip(a, b, strict=True) if (x, y) == (i, j)) for j in (0, 1)]
            for i in (0, 1)
        ]
        p_o = (table[0][0] + table[1][1]) / n
        p_e = sum((table[i][0] + table[i][1]) / n * (table[0][i] + table[1][i]) / n for i in (0, 1))
        if abs(1 - p_e) < 1e-12:
            assert stats.kappa is None
        else:
            assert stats.kappa == pytest.approx((p_o - p_e) / (1 - p_e), abs=1e-9)
        # Krippendorff's alpha from the package
        if len(set(a + b)) < 2:
            assert stats.alpha is None
        else:
            expected = krippendorff.alpha(
                reliability_data=np.array([a, b], dtype=float), level_of_measurement="nominal"
            )
            assert stats.alpha == pytest.approx(expected, abs=1e-9)
        assert stats.percent_agreement == pytest.approx(
            100 * sum(x == y for x, y in zip(a, b, strict=True)) / n
        )


# -- agreement over a project ---------------------------------------------------------


def test_hand_worked_project(hand_worked: tuple[Project, tuple[str, str]]) -> None:
    project, coders = hand_worked
    report = agreement.agreement(project, coders, disagreements=True)
    assert report.coders == coders
    assert report.units == 6  # s1's segments: s2 was coded by A alone
    by_code = {row.code: row for row in report.codes}
    assert list(by_code) == ["Waiting", "Care", "Pause"]  # tree order; not Other (s2 only)
    assert all(row.units == 6 for row in report.codes)
    assert close(by_code["Waiting"].stats, 200 / 3, 0.25, 0.3125)
    assert close(by_code["Care"].stats, 100.0, 1.0, 1.0)
    assert close(by_code["Pause"].stats, 100.0, None, None)
    assert close(report.overall, 1600 / 18, 19 / 28, 0.6875)
    assert report.disagreements == [
        Disagreement("s1", 25, 47, "Waiting", coders[0]),
        Disagreement("s1", 48, 60, "Waiting", B),
    ]
    # the same with the coders the other way round: the statistics are symmetric
    turned = agreement.agreement(project, (B, coders[0]), disagreements=True)
    assert turned.coders == (B, coders[0])
    assert [(r.code, r.stats) for r in turned.codes] == [(r.code, r.stats) for r in report.codes]
    assert turned.disagreements == report.disagreements
    assert agreement.agreement(project, coders).disagreements == []  # only when asked


def test_one_code_counts_its_own_codings_only(coded_project: CodedProject) -> None:
    project, coders = build(coded_project, [*CODINGS, ("s1", 25, 47, "Waiting > Silence", B)])
    report = agreement.agreement(project, coders, code="Waiting", disagreements=True)
    assert [row.code for row in report.codes] == ["Waiting"]
    assert close(report.codes[0].stats, 200 / 3, 0.25, 0.3125)  # u2 by B's child code: no
    assert report.overall == report.codes[0].stats
    child = agreement.agreement(project, coders, code="Silence", disagreements=True)
    assert [row.code for row in child.codes] == ["Waiting > Silence"]
    assert child.disagreements == [Disagreement("s1", 25, 47, "Waiting > Silence", B)]
    # a code nobody used in the common sources: every decision is no
    other = agreement.agreement(project, coders, code="Other")
    assert (other.units, other.codes[0].code) == (6, "Other")
    assert close(other.overall, 100.0, None, None)


def test_alpha_on_a_random_project_matches_the_package(coded_project: CodedProject) -> None:
    """Random spans of three codes by two coders over two sources; the decisions are
    worked out here unit by unit, and alpha per code and pooled compared with the
    package's."""
    rng = random.Random(5)
    texts = {
        name: "\n".join(
            f"P0{t % 2}: " + " ".join(f"Sentence {name} {t} {k} is here." for k in range(4))
            for t in range(6)
        )
        + "\n"
        for name in ("r1", "r2")
    }
    lengths = {name: len(text) for name, text in texts.items()}
    planned: dict[tuple[str, int, int], tuple[str, str]] = {}
    for _ in range(60):
        name = rng.choice(sorted(texts))
        start = rng.randrange(lengths[name] - 2)
        end = min(lengths[name], start + rng.randint(1, 60))
        planned.setdefault((name, start, end), (rng.choice(["X", "Y", "Z"]), rng.choice("AB")))
    project = coded_project(texts, [(s, (a, b), code) for (s, a, b), (code, _c) in planned.items()])
    hand_over(project, [span for span, (_code, c) in planned.items() if c == "B"])
    coders = (who(project, A), B)
    report = agreement.agreement(project, coders)

    units = [
        (name, seg.start, seg.end)
        for name in ("r1", "r2")
        for seg in sources.get_source(project, name).segments
    ]
    assert report.units == len(units)
    pooled: list[list[int]] = [[], []]
    by_code = {row.code: row.stats for row in report.codes}
    assert set(by_code) == {code for code, _c in planned.values()}
    for code in sorted(by_code):
        decisions = [
            [
                int(
                    any(
                        s == name and a < end and b > start and c == (code, side)
                        for (s, a, b), c in planned.items()
                    )
                )
                for name, start, end in units
            ]
            for side in "AB"
        ]
        pooled[0] += decisions[0]
        pooled[1] += decisions[1]
        expected = krippendorff.alpha(
            reliability_data=np.array(decisions, dtype=float), level_of_measurement="nominal"
        )
        assert by_code[code].alpha is not None
        assert by_code[code].alpha == pytest.approx(expected, abs=1e-9), code
    expected = krippendorff.alpha(
        reliability_data=np.array(pooled, dtype=float), level_of_measurement="nominal"
    )
    assert report.overall.alpha == pytest.approx(expected, abs=1e-9)


def test_units_are_the_sources_both_coders_coded(coded_project: CodedProject) -> None:
    project, coders = build(
        coded_project, [("s1", 5, 24, "Waiting", A), ("s2", 5, 26, "Waiting", B)]
    )
    report = agreement.agreement(project, coders, disagreements=True)
    assert (report.units, report.codes, report.disagreements) == (0, [], [])
    assert report.overall == AgreementStats(None, None, None)


def test_unknown_or_repeated_coders_are_one_line_errors(
    hand_worked: tuple[Project, tuple[str, str]],
) -> None:
    project, coders = hand_worked
    with pytest.raises(NotFoundError, match=r"^no coder named 'Bob' \(did you mean 'bob'\?\)$"):
        agreement.agreement(project, (coders[0], "Bob"))
    with pytest.raises(InputError, match="two different coders"):
        agreement.agreement(project, (B, B))
    with pytest.raises(NotFoundError, match="no code named 'Nope'"):
        agreement.agreement(project, coders, code="Nope")


def test_a_disagreement_as_the_screen_shows_it(
    hand_worked: tuple[Project, tuple[str, str]],
) -> None:
    project, coders = hand_worked
    view = agreement.disagreement_view(
        project, coders, Disagreement("s1", 25, 47, "Waiting", coders[0])
    )
    text = TEXTS["s1"]
    # the unit and A's span 10-30, widened to whole segments: u1 and u2
    assert (view.offset, view.text) == (5, text[5:47])
    assert (view.sides[0].coder, view.sides[0].spans) == (coders[0], [(10, 30)])
    assert (view.sides[1].coder, view.sides[1].spans, view.sides[1].other_codes) == (B, [], [])
    care = agreement.disagreement_view(project, coders, Disagreement("s1", 86, 99, "Care", B))
    assert care.sides[0].spans == [(66, 99)] and care.sides[1].spans == [(86, 99)]
    assert care.sides[1].other_codes == []


# -- reconciling -----------------------------------------------------------------------


def codings_of(project: Project) -> set[tuple[str, int, int, str, str]]:
    return set(
        raw_sql(
            project,
            'SELECT s.name, e.start, e."end", k.name, c.name FROM codings g '
            "JOIN excerpts e ON e.id = g.excerpt_id JOIN sources s ON s.id = e.source_id "
            "JOIN codes k ON k.id = g.code_id JOIN coders c ON c.id = g.coder_id",
        )
    )


def test_accepting_the_side_that_gave_the_code_copies_its_span(
    hand_worked: tuple[Project, tuple[str, str]],
) -> None:
    project, coders = hand_worked
    before = codings_of(project)
    found = Disagreement("s1", 25, 47, "Waiting", coders[0])
    summary = reconcile.decide(project, coders, found, "a", coder=coders[0])
    assert summary == (
        f"reconciled Waiting on s1 25-47 as {coders[0]} read it: bob takes {coders[0]}'s "
        "coding (1 span)"
    )
    assert codings_of(project) == before | {("s1", 10, 30, "Waiting", B)}
    report = agreement.agreement(project, coders, disagreements=True)
    # B now has 10-30 too: u1 and u2 agree; u3 is still B's alone
    assert report.disagreements == [Disagreement("s1", 48, 60, "Waiting", B)]
    last = history.log(project)[-1]
    assert (last.kind, last.summary) == ("reconcile.accept", summary)
    history.undo(project, coder=coders[0])
    assert codings_of(project) == before


def test_accepting_the_side_that_did_not_removes_the_coding(
    hand_worked: tuple[Project, tuple[str, str]],
) -> None:
    project, coders = hand_worked
    before_rows = dump_database(project)
    before = codings_of(project)
    found = Disagreement("s1", 48, 60, "Waiting", B)
    summary = reconcile.decide(project, coders, found, "a", coder=coders[0])
    assert summary == (
        f"reconciled Waiting on s1 48-60 as {coders[0]} read it: bob's coding removed (1 coding)"
    )
    assert codings_of(project) == before - {("s1", 50, 55, "Waiting", B)}
    # the excerpt 50-55 had no other coding: it went with it
    assert raw_sql(project, "SELECT count(*) FROM excerpts WHERE start = 50")[0][0] == 0
    assert agreement.agreement(project, coders, disagreements=True).disagreements == [
        Disagreement("s1", 25, 47, "Waiting", coders[0])
    ]
    history.undo(project, coder=coders[0])
    assert codings_of(project) == before
    # what undo leaves differs only in the trail (and the excerpt's new id)
    assert {r for r in dump_database(project) if r[0] not in ("events", "excerpts", "codings")} == {
        r for r in before_rows if r[0] not in ("events", "excerpts", "codings")
    }


def test_accepting_b_where_b_gave_the_code(hand_worked: tuple[Project, tuple[str, str]]) -> None:
    project, coders = hand_worked
    reconcile.decide(
        project, coders, Disagreement("s1", 48, 60, "Waiting", B), "b", coder=coders[0]
    )
    assert ("s1", 50, 55, "Waiting", coders[0]) in codings_of(project)
    reconcile.decide(project, coders, Disagreement("s1", 25, 47, "Waiting", coders[0]), "b",
                     coder=coders[0])  # fmt: skip
    # A's 10-30 went; with it A's Waiting on u1 too (an excerpt is one span), which B
    # also has: u1 is now B's alone
    assert ("s1", 10, 30, "Waiting", coders[0]) not in codings_of(project)
    assert agreement.agreement(project, coders, disagreements=True).disagreements == [
        Disagreement("s1", 5, 24, "Waiting", B)
    ]


def test_keeping_both_records_the_decision_and_changes_no_coding(
    hand_worked: tuple[Project, tuple[str, str]],
) -> None:
    project, coders = hand_worked
    before = codings_of(project)
    found = Disagreement("s1", 25, 47, "Waiting", coders[0])
    summary = reconcile.decide(project, coders, found, "keep", coder=coders[0])
    assert codings_of(project) == before
    last = history.log(project)[-1]
    assert (last.kind, last.summary) == ("reconcile.keep", summary)
    (memo,) = memos.list_memos(project, "source")
    assert (memo.target, memo.author) == ("s1", coders[0])
    assert memo.text == (
        f"Reconciled 'Waiting' at 25-47: kept both readings ({coders[0]} gave it, bob did not)"
    )
    history.undo(project, coder=coders[0])
    assert memos.list_memos(project, "source") == []
    assert history.log(project)[-2].undone_by is not None


def test_a_decision_that_is_no_longer_a_disagreement_changes_nothing(
    hand_worked: tuple[Project, tuple[str, str]],
) -> None:
    project, coders = hand_worked
    found = Disagreement("s1", 25, 47, "Waiting", coders[0])
    reconcile.decide(project, coders, found, "a", coder=coders[0])
    before = dump_database(project)
    for choice in ("a", "b", "keep"):
        with pytest.raises(InputError, match=r"^s1 25-47 is no longer a disagreement on "
                           r"'Waiting': both coders gave it$"):  # fmt: skip
            reconcile.decide(project, coders, found, choice, coder=coders[0])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="neither coder gives it"):
        reconcile.decide(project, coders, Disagreement("s1", 100, 112, "Care", B), "a",
                         coder=coders[0])  # fmt: skip
    with pytest.raises(InputError, match="a decision is one of a, b, keep"):
        reconcile.decide(project, coders, found, "both", coder=coders[0])  # type: ignore[arg-type]
    assert dump_database(project) == before


def test_the_fixture_hands_the_second_coder_their_codings(coded_project: CodedProject) -> None:
    project, _coders = build(coded_project)
    assert {(v.start, v.end) for v in analysis.find_excerpts(project, coder=B)} == {
        (5, 24), (50, 55), (66, 85), (86, 99), (99, 100)
    }  # fmt: skip
