"""Over random sequences of codings, merges, theme changes and undos, the matrix always
equals a brute-force count from the base tables, and every undo restores the exact
earlier state."""

from __future__ import annotations

import sqlite3
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from cen_themes.db import open_project
from cen_themes.errors import CenThemesError
from cen_themes.services import (
    analysis,
    codebook,
    coding,
    coding_import,
    history,
    sources,
    themes,
)

TEXTS = {
    "su01": "Q: How was it?\nA: The wait was long. Then the team listened. It helped.\n" * 3,
    "st01": "[Facilitator] Risk?\n[Nurse] We fear blame. Caseloads are high. We burn out.\n",
}
CODES = ["Waiting", "Stigma", "Stigma > A&E", "Relationships", "Risk", "Risk > Blame"]
THEMES = ["Access", "Care", "Staff"]
CODERS = ["ann", "bob"]


def base_tables(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table but the audit trail, for exact-state comparisons."""
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT IN ('events', 'alembic_version') ORDER BY name"
            )
        ]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names}
    finally:
        conn.close()


def brute_force_matrix(db: Path, rows: str) -> dict[str, list[int]]:
    """Distinct excerpts per row and source, straight from the base tables."""
    conn = sqlite3.connect(db)
    try:
        sources_ = [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY id")]
        codings = conn.execute(
            "SELECT c.code_id, c.excerpt_id, e.source_id FROM codings c "
            "JOIN excerpts e ON e.id = c.excerpt_id"
        ).fetchall()
        table = "themes" if rows == "themes" else "codes"
        nodes = {i: (n, p) for i, n, p in conn.execute(f"SELECT id, name, parent_id FROM {table}")}
        assigned = defaultdict(set)
        if rows == "themes":
            for theme_id, code_id in conn.execute("SELECT theme_id, code_id FROM theme_codes"):
                assigned[theme_id].add(code_id)
    finally:
        conn.close()

    def path(node: int) -> str:
        name, parent = nodes[node]
        return name if parent is None else f"{path(parent)} > {name}"

    def below(node: int) -> set[int]:
        found = {node}
        for child, (_n, parent) in nodes.items():
            if parent == node:
                found |= below(child)
        return found

    result = {}
    for node in nodes:
        brought = set().union(*(assigned[t] for t in below(node))) if rows == "themes" else {node}
        per_source = defaultdict(set)
        for code_id, excerpt_id, source_id in codings:
            if code_id in brought:
                per_source[source_id].add(excerpt_id)
        result[path(node)] = [len(per_source[s]) for s in sources_]
    return result


class Analysis(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="cen-props-"))
        self.db = self.folder / "p.db"
        self.project = open_project(self.db)
        self.snapshots: list[dict] = []  # state before each undoable change

    @initialize()
    def import_sources(self) -> None:
        paths = []
        for name, text in TEXTS.items():
            path = self.folder / f"{name}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        sources.import_files(self.project, paths, coder="ann")
        self.snapshots = []

    def _change(self, action) -> None:
        before = base_tables(self.db)
        events = len(history.log(self.project))
        try:
            action()
        except CenThemesError:
            assert base_tables(self.db) == before  # a refused change leaves no trace
            return
        if len(history.log(self.project)) > events:
            self.snapshots.append(before)

    @rule(
        source=st.sampled_from(sorted(TEXTS)),
        data=st.data(),
        code=st.sampled_from(CODES),
        coder=st.sampled_from(CODERS),
    )
    def apply(self, source: str, data, code: str, coder: str) -> None:
        length = len(TEXTS[source])
        start = data.draw(st.integers(0, length - 1))
        end = data.draw(st.integers(start + 1, min(length, start + 40)))
        self._change(lambda: coding.apply_code(self.project, source, start, end, code, coder=coder))

    @rule(data=st.data(), size=st.integers(1, 8))
    def import_csv(self, data, size: int) -> None:
        """A bulk import: spans already coded (so duplicates and new codes on old
        excerpts), new spans, repeated rows, and now and then a memo."""
        found = analysis.find_excerpts(self.project)
        lines = ["source,start,end,code,coder,memo"]
        for _ in range(size):
            if found and data.draw(st.booleans()):
                e = data.draw(st.sampled_from(found))
                source, start, end = e.source, e.start, e.end
            else:
                source = data.draw(st.sampled_from(sorted(TEXTS)))
                start = data.draw(st.integers(0, len(TEXTS[source]) - 1))
                end = data.draw(st.integers(start + 1, min(len(TEXTS[source]), start + 40)))
            code = data.draw(st.sampled_from(CODES))
            coder = data.draw(st.sampled_from(CODERS))
            memo = data.draw(st.sampled_from(["", "", "a memo"]))
            lines.append(f"{source},{start},{end},{code},{coder},{memo}")
            if data.draw(st.integers(0, 4)) == 0:
                lines.append(lines[-1])
        csv_file = self.folder / "codings.csv"
        csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self._change(lambda: coding_import.import_codings(self.project, csv_file, coder="ann"))

    @rule(data=st.data())
    def remove(self, data) -> None:
        found = analysis.find_excerpts(self.project)
        if not found:
            return
        excerpt = data.draw(st.sampled_from(found))
        code = data.draw(st.sampled_from(excerpt.codes))
        self._change(
            lambda: coding.remove_coding(
                self.project, excerpt.source, excerpt.start, excerpt.end, code, coder="ann"
            )
        )

    @rule(
        codes=st.lists(st.sampled_from(CODES), min_size=1, max_size=2), into=st.sampled_from(CODES)
    )
    def merge(self, codes: list[str], into: str) -> None:
        self._change(lambda: codebook.merge_codes(self.project, codes, into, coder="ann"))

    @rule(code=st.sampled_from(CODES))
    def delete_code(self, code: str) -> None:
        self._change(lambda: codebook.delete_code(self.project, code, coder="ann", force=True))

    @rule(name=st.sampled_from(THEMES), parent=st.none() | st.sampled_from(THEMES))
    def add_theme(self, name: str, parent: str | None) -> None:
        self._change(lambda: themes.add_theme(self.project, name, coder="ann", parent=parent))

    @rule(theme=st.sampled_from(THEMES), codes=st.lists(st.sampled_from(CODES), min_size=1))
    def assign(self, theme: str, codes: list[str]) -> None:
        self._change(lambda: themes.assign_codes(self.project, theme, codes, coder="ann"))

    @rule(theme=st.sampled_from(THEMES), code=st.sampled_from(CODES))
    def unassign(self, theme: str, code: str) -> None:
        self._change(lambda: themes.unassign_codes(self.project, theme, [code], coder="ann"))

    @rule(theme=st.sampled_from(THEMES), parent=st.none() | st.sampled_from(THEMES))
    def move_theme(self, theme: str, parent: str | None) -> None:
        self._change(lambda: themes.move_theme(self.project, theme, parent, coder="ann"))

    @rule(theme=st.sampled_from(THEMES))
    def delete_theme(self, theme: str) -> None:
        self._change(lambda: themes.delete_theme(self.project, theme, coder="ann", force=True))

    @precondition(lambda self: bool(self.snapshots))
    @rule()
    def undo(self) -> None:
        expected = self.snapshots.pop()
        history.undo(self.project, coder="bob")
        assert base_tables(self.db) == expected

    @invariant()
    def matrices_match_brute_force(self) -> None:
        for rows in ("themes", "codes"):
            got = {r.path: r.counts for r in analysis.matrix(self.project, rows).rows}  # type: ignore[arg-type]
            assert got == brute_force_matrix(self.db, rows)

    def teardown(self) -> None:
        self.project.close()


Analysis.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_analysis_state_machine = Analysis.TestCase


_span = st.sampled_from(sorted(TEXTS)).flatmap(
    lambda s: st.integers(0, len(TEXTS[s]) - 2).flatmap(
        lambda a: st.tuples(st.just(s), st.just(a), st.integers(a + 1, min(len(TEXTS[s]), a + 30)))
    )
)
_csv_row = st.tuples(
    _span, st.sampled_from(CODES), st.sampled_from(CODERS), st.sampled_from(["", "", "m1", "m2"])
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    assigned=st.lists(st.tuples(st.sampled_from(THEMES), st.sampled_from(CODES)), max_size=8),
    nested=st.booleans(),
    imports=st.lists(st.lists(_csv_row, min_size=1, max_size=12), min_size=1, max_size=3),
)
def test_bulk_imports_keep_the_matrix_and_undo_exact(assigned, nested, imports) -> None:
    """Codings imported in bulk, into themes already built (subthemes included), count
    exactly as the brute force says, memos land on their spans (the last one given
    wins), and undoing each import restores the state."""
    folder = Path(tempfile.mkdtemp(prefix="cen-props-import-"))
    db = folder / "p.db"
    project = open_project(db)
    try:
        paths = []
        for name, body in TEXTS.items():
            (folder / f"{name}.txt").write_text(body, encoding="utf-8")
            paths.append(folder / f"{name}.txt")
        sources.import_files(project, paths, coder="ann")
        for code in CODES:
            codebook.create_code(project, code, coder="ann")
        for theme in THEMES:
            parent = THEMES[0] if nested and theme != THEMES[0] else None
            themes.add_theme(project, theme, coder="ann", parent=parent)
        for theme, code in assigned:
            path = theme if not nested or theme == THEMES[0] else f"{THEMES[0]} > {theme}"
            themes.assign_codes(project, path, [code], coder="ann")
        states = []
        memos: dict[tuple, str] = {}
        for k, rows in enumerate(imports):
            csv_file = folder / f"import{k}.csv"
            csv_file.write_text(
                "source,start,end,code,coder,memo\n"
                + "".join(f"{s},{a},{b},{c},{coder},{m}\n" for (s, a, b), c, coder, m in rows),
                encoding="utf-8",
            )
            memos.update({span: m for span, _c, _coder, m in rows if m})
            before, events = base_tables(db), len(history.log(project))
            coding_import.import_codings(project, csv_file, coder="ann")
            if len(history.log(project)) > events:  # all duplicates: nothing to undo
                states.append(before)
            for kind in ("themes", "codes"):
                got = {r.path: r.counts for r in analysis.matrix(project, kind).rows}  # type: ignore[arg-type]
                assert got == brute_force_matrix(db, kind)
            with sqlite3.connect(db) as conn:
                stored = {
                    (s, a, b): m
                    for s, a, b, m in conn.execute(
                        'SELECT s.name, e.start, e."end", e.memo FROM excerpts e '
                        "JOIN sources s ON s.id = e.source_id WHERE e.memo != ''"
                    )
                }
            assert stored == memos
        for state in reversed(states):
            history.undo(project, coder="bob")
            assert base_tables(db) == state
    finally:
        project.close()
