"""The small, realistic study the exporter tests share, built by hand from the plain
dataclasses the services return, and checks that it is consistent.

Sources in import order: su01, staff01, su02 (so that grouping by "group" reorders
them). Themes: "Stigma of the diagnosis" (subtheme "... > Dismissed at A&E") and
"Long-term perspective"; the quotes report adds "Peer support", which has no excerpts.
The quotes hold typographic “quotes”, a ``|``, a newline and ``<script>``.
"""

from __future__ import annotations

from cen_themes.results import (
    CodeInfo,
    ExcerptView,
    Matrix,
    MatrixRow,
    SourceColumn,
    ThemeInfo,
    ThemeReport,
)

SOURCES = [
    SourceColumn("su01", {"group": "service user", "setting": "specialist"}),
    SourceColumn("staff01", {"group": "Staff", "setting": "specialist"}),
    SourceColumn("su02", {"group": "service user", "setting": "primary care"}),
]
ATTRIBUTES = {source.name: source.attributes for source in SOURCES}

LABELS = "Stigma > Labels"
DISMISSAL = "Dismissal at A&E"
LONG_TERM = "Long-term view"

STIGMA = "Stigma of the diagnosis"
DISMISSED = "Stigma of the diagnosis > Dismissed at A&E"
LONG_TERM_THEME = "Long-term perspective"
PEER = "Peer support"

SCRIPT = "<script>alert(1)</script>"


def _excerpt(id: int, source: str, start: int, text: str, code: str, memo: str = "") -> ExcerptView:
    return ExcerptView(id, source, start, start + len(text), text, [code], ["amira"], memo)


E1 = _excerpt(
    1, "su01", 0, "When they said “personality disorder” the nurse’s face changed.", LABELS
)
E2 = _excerpt(2, "su01", 120, "At A&E they told me I was wasting their time | again.", DISMISSAL)
E3 = _excerpt(
    3,
    "su02",
    40,
    "I sat there for six hours.\nNobody asked how I was.",
    DISMISSAL,
    memo="Compare with staff01 on triage.",
)
E4 = _excerpt(4, "staff01", 300, f"Someone typed {SCRIPT} into the feedback form.", LABELS)
E5 = _excerpt(5, "su02", 200, "It’s a marathon, not a sprint — recovery takes years.", LONG_TERM)
E6 = _excerpt(6, "staff01", 400, "We need to plan for years, not for the next crisis.", LONG_TERM)


def _row(path: str, depth: int, excerpts: list[list[ExcerptView]]) -> MatrixRow:
    ids = frozenset(excerpt.id for cell in excerpts for excerpt in cell)
    return MatrixRow(
        path=path,
        depth=depth,
        counts=[len(cell) for cell in excerpts],
        n_sources=sum(1 for cell in excerpts if cell),
        n_excerpts=len(ids),
        excerpts=excerpts,
        excerpt_ids=ids,
    )


def study_matrix() -> Matrix:
    """Themes by source (su01, staff01, su02) with the excerpts behind every cell."""
    rows = [
        _row(STIGMA, 0, [[E1, E2], [E4], [E3]]),
        _row(DISMISSED, 1, [[E2], [], [E3]]),
        _row(LONG_TERM_THEME, 0, [[], [E6], [E5]]),
    ]
    return Matrix("themes", list(SOURCES), rows, source_excerpts=[2, 2, 2])


def code_matrix() -> Matrix:
    """Codes by source, built without excerpts."""
    rows = [
        MatrixRow(LABELS, 1, [1, 1, 0], 2, 2),
        MatrixRow(DISMISSAL, 0, [1, 0, 1], 2, 2),
        MatrixRow(LONG_TERM, 0, [0, 1, 1], 2, 2),
    ]
    return Matrix("codes", list(SOURCES), rows, source_excerpts=[2, 2, 2])


def _theme(
    id: int, path: str, description: str, codes: list[str], excerpts: list[ExcerptView]
) -> ThemeInfo:
    return ThemeInfo(
        id=id,
        path=path,
        name=path.split(" > ")[-1],
        depth=path.count(" > "),
        description=description,
        codes=codes,
        excerpts=len(excerpts),
        sources=len({excerpt.source for excerpt in excerpts}),
    )


def study_reports() -> list[ThemeReport]:
    """The quotes report's top-level themes (the first with a subtheme)."""
    dismissed = ThemeReport(
        _theme(2, DISMISSED, "Being sent away from emergency care.", [DISMISSAL], [E2, E3]),
        [E2, E3],
        ATTRIBUTES,
        [],
    )
    stigma_excerpts = [E1, E2, E4, E3]
    stigma = ThemeReport(
        _theme(1, STIGMA, "How a psychiatric label changes care.", [LABELS], stigma_excerpts),
        stigma_excerpts,
        ATTRIBUTES,
        [dismissed],
    )
    long_term = ThemeReport(
        _theme(3, LONG_TERM_THEME, "", [LONG_TERM], [E6, E5]), [E6, E5], ATTRIBUTES, []
    )
    peer = ThemeReport(_theme(4, PEER, "Help from people who have been there.", [], []), [], {}, [])
    return [stigma, long_term, peer]


def study_codes() -> list[CodeInfo]:
    """The codebook in tree order."""
    return [
        CodeInfo(1, "Stigma", "Stigma", 0, "Being seen through a label.", "#d62728", 0, 0, [], []),
        CodeInfo(
            2,
            LABELS,
            "Labels",
            1,
            "Diagnostic labels used to explain distress away.",
            "#ff9896",
            2,
            2,
            [STIGMA],
            ["Check the overlap with 'Dismissal at A&E'."],
        ),
        CodeInfo(
            3,
            DISMISSAL,
            DISMISSAL,
            0,
            "Sent away | not taken seriously\nin emergency care.",
            "#1f77b4",
            2,
            2,
            [DISMISSED, STIGMA],
            ["Mostly service users.", "Staff see it differently."],
        ),
        CodeInfo(4, LONG_TERM, LONG_TERM, 0, "", "", 2, 2, [LONG_TERM_THEME], []),
    ]


def test_the_study_matrix_is_consistent() -> None:
    matrix = study_matrix()
    for row in matrix.rows:
        assert len(row.counts) == len(row.excerpts) == len(matrix.sources)
        assert all(
            excerpt.source == source.name
            for cell, source in zip(row.excerpts, matrix.sources, strict=True)
            for excerpt in cell
        )
    for index in range(len(matrix.sources)):
        ids = {excerpt.id for row in matrix.rows for excerpt in row.excerpts[index]}
        assert matrix.source_excerpts[index] == len(ids)


def test_the_study_quotes_are_tricky() -> None:
    texts = [excerpt.text for excerpt in (E1, E2, E3, E4, E5, E6)]
    assert any("“" in text for text in texts)
    assert any("|" in text for text in texts)
    assert any("\n" in text for text in texts)
    assert any(SCRIPT in text for text in texts)
