"""Over random sequences of every writing operation and undo: the derived tables (the
rollup and the excerpt-to-theme counts) always equal a recomputation from scratch, the
matrices a brute-force count from the base tables, every undo restores the exact
earlier state, and undoing everything gives back the empty project."""

from __future__ import annotations

import sqlite3
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from cen_themes.db import open_project
from cen_themes.errors import CenThemesError
from cen_themes.services import (
    analysis,
    attributes,
    codebook,
    coding,
    coding_import,
    history,
    memos,
    sources,
    themes,
)

pytestmark = pytest.mark.slow  # left out of the quick run (pytest --all runs it)

TEXTS = {
    "su01": "Q: How was it?\nA: The wait was long. Then the team listened. It helped.\n" * 3,
    "st01": "[Facilitator] Risk?\n[Nurse] We fear blame. Caseloads are high. We burn out.\n",
}
MORE_TEXTS = {"fg01": "[Ann] We wait.\n[Bo] We wait and wait. Then help came.\n"}
CODES = ["Waiting", "Stigma", "Stigma > A&E", "Relationships", "Risk", "Risk > Blame"]
NAMES = ["Waiting", "stigma", "Blame", "Hope"]  # new names for renames: some clash
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


def derived_from_scratch(db: Path) -> tuple[set, set]:
    """What theme_rollup and excerpt_themes must hold, computed from the base tables."""
    conn = sqlite3.connect(db)
    try:
        parents = dict(conn.execute("SELECT id, parent_id FROM themes"))
        pairs = set()
        for theme, code in conn.execute("SELECT theme_id, code_id FROM theme_codes"):
            while theme is not None:
                pairs.add((theme, code))
                theme = parents[theme]
        refs: dict[tuple, int] = defaultdict(int)
        for code, excerpt, source in conn.execute(
            "SELECT c.code_id, c.excerpt_id, e.source_id FROM codings c "
            "JOIN excerpts e ON e.id = c.excerpt_id"
        ):
            for theme, brought in pairs:
                if brought == code:
                    refs[(theme, source, excerpt)] += 1
        return pairs, {(*key, n) for key, n in refs.items()}
    finally:
        conn.close()


def derived_as_kept(db: Path) -> tuple[set, set]:
    conn = sqlite3.connect(db)
    try:
        return (
            set(conn.execute("SELECT theme_id, code_id FROM theme_rollup")),
            set(conn.execute("SELECT theme_id, source_id, excerpt_id, refs FROM excerpt_themes")),
        )
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
        self.empty = base_tables(self.db)
        self.snapshots: list[dict] = []  # state before each undoable change

    @initialize()
    def import_sources(self) -> None:
        paths = []
        for name, text in TEXTS.items():
            path = self.folder / f"{name}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        for path in paths:
            self._change(lambda path=path: sources.import_files(self.project, [path], coder="ann"))

    @rule(name=st.sampled_from(sorted(MORE_TEXTS)), attrs=st.booleans())
    def import_source(self, name: str, attrs: bool) -> None:
        path = self.folder / f"{name}.txt"
        path.write_text(MORE_TEXTS[name], encoding="utf-8")
        given = {"group": "staff"} if attrs else None
        self._change(
            lambda: sources.import_files(self.project, [path], coder="ann", attributes=given)
        )

    @rule(source=st.sampled_from(sorted(TEXTS)), key=st.sampled_from(["group", "n"]),
          value=st.sampled_from(["staff", "12", "service user"]))  # fmt: skip
    def set_attribute(self, source: str, key: str, value: str) -> None:
        self._change(
            lambda: attributes.set_attributes(self.project, source, {key: value}, coder="bob")
        )

    @rule(value=st.sampled_from(["London", "Leeds"]))
    def import_attributes(self, value: str) -> None:
        csv_file = self.folder / "attributes.csv"
        csv_file.write_text(f"source,region\nsu01,{value}\nst01,\n", encoding="utf-8")
        self._change(lambda: attributes.import_attributes(self.project, csv_file, coder="ann"))

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
        memo = data.draw(st.sampled_from([None, None, "a memo"]))
        self._change(
            lambda: coding.apply_code(
                self.project, source, start, end, code, coder=coder, memo=memo
            )
        )

    @rule(data=st.data(), code=st.sampled_from(CODES), coder=st.sampled_from(CODERS))
    def apply_spans(self, data, code: str, coder: str) -> None:
        """Several spans at once (the search screen's marked hits), old ones included."""
        found = analysis.find_excerpts(self.project)
        spans = [(e.source, e.start, e.end) for e in found[: data.draw(st.integers(0, 2))]]
        for _ in range(data.draw(st.integers(1, 3))):
            source = data.draw(st.sampled_from(sorted(TEXTS)))
            start = data.draw(st.integers(0, len(TEXTS[source]) - 2))
            spans.append((source, start, start + data.draw(st.integers(1, 20))))
        spans = [(s, a, min(b, len(TEXTS[s]))) for s, a, b in spans]
        self._change(lambda: coding.apply_code_spans(self.project, spans, code, coder=coder))

    @rule(on=st.sampled_from(["project", "source", "code", "theme"]), data=st.data())
    def add_memo(self, on: str, data) -> None:
        names = {"project": [None], "source": sorted(TEXTS), "code": CODES, "theme": THEMES}
        target = data.draw(st.sampled_from(names[on]))
        self._change(lambda: memos.add_memo(self.project, on, target, "a note", coder="ann"))

    @rule(data=st.data(), memo=st.sampled_from(["", "note", "other note"]))
    def memo(self, data, memo: str) -> None:
        found = analysis.find_excerpts(self.project)
        if found:
            e = data.draw(st.sampled_from(found))
            self._change(
                lambda: coding.set_memo(self.project, e.source, e.start, e.end, memo, coder="ann")
            )

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

    @rule(code=st.sampled_from([*CODES, "Hope > Kindness"]), described=st.booleans())
    def create_code(self, code: str, described: bool) -> None:
        self._change(
            lambda: codebook.create_code(
                self.project, code, coder="bob", description="d" if described else "",
                colour="teal" if described else None,
            )
        )  # fmt: skip

    @rule(code=st.sampled_from(CODES), name=st.sampled_from(NAMES))
    def rename_code(self, code: str, name: str) -> None:
        self._change(lambda: codebook.rename_code(self.project, code, name, coder="ann"))

    @rule(code=st.sampled_from(CODES), text=st.sampled_from(["", "about it"]))
    def describe_code(self, code: str, text: str) -> None:
        self._change(lambda: codebook.describe_code(self.project, code, text, coder="ann"))

    @rule(code=st.sampled_from(CODES), colour=st.sampled_from(["red", "#123456"]))
    def colour_code(self, code: str, colour: str) -> None:
        self._change(lambda: codebook.colour_code(self.project, code, colour, coder="ann"))

    @rule(code=st.sampled_from(CODES), parent=st.none() | st.sampled_from(CODES))
    def move_code(self, code: str, parent: str | None) -> None:
        self._change(lambda: codebook.move_code(self.project, code, parent, coder="ann"))

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

    @rule(theme=st.sampled_from(THEMES), name=st.sampled_from(["Hope", "care"]))
    def rename_theme(self, theme: str, name: str) -> None:
        self._change(lambda: themes.rename_theme(self.project, theme, name, coder="ann"))

    @rule(theme=st.sampled_from(THEMES), text=st.sampled_from(["", "a finding"]))
    def describe_theme(self, theme: str, text: str) -> None:
        self._change(lambda: themes.describe_theme(self.project, theme, text, coder="ann"))

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
    def derived_tables_equal_a_recomputation(self) -> None:
        assert derived_as_kept(self.db) == derived_from_scratch(self.db)

    @invariant()
    def matrices_match_brute_force(self) -> None:
        for rows in ("themes", "codes"):
            got = {r.path: r.counts for r in analysis.matrix(self.project, rows).rows}  # type: ignore[arg-type]
            assert got == brute_force_matrix(self.db, rows)

    def teardown(self) -> None:
        """Undo everything, each step back to the state before that change."""
        try:
            while self.snapshots:
                history.undo(self.project, coder="bob")
                assert base_tables(self.db) == self.snapshots.pop()
            assert base_tables(self.db) == self.empty
        finally:
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
        given_memos: dict[tuple, str] = {}
        for k, rows in enumerate(imports):
            csv_file = folder / f"import{k}.csv"
            csv_file.write_text(
                "source,start,end,code,coder,memo\n"
                + "".join(f"{s},{a},{b},{c},{coder},{m}\n" for (s, a, b), c, coder, m in rows),
                encoding="utf-8",
            )
            given_memos.update({span: m for span, _c, _coder, m in rows if m})
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
            assert stored == given_memos
        for state in reversed(states):
            history.undo(project, coder="bob")
            assert base_tables(db) == state
    finally:
        project.close()
