"""Bulk coding from a CSV (`code import`): all rows or none."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.services import codebook, coding
from cen_themes.services.coding_import import import_codings

from ..conftest import Cli, CodedProject, corpus, dump_database, raw_sql, who

TEXTS = {
    "int01": "Q: How was it?\nA: The waiting list was long. I felt dismissed.\n",
    "int02": "Q: And the staff?\nA: Café staff were kind. Naïve of me, maybe.\n",
}


@pytest.fixture
def two_sources(coded_project: CodedProject) -> Project:
    return coded_project(TEXTS, coder="ann")


def at(source: str, phrase: str) -> str:
    start = TEXTS[source].index(phrase)
    return f"{source},{start},{start + len(phrase)}"


def write(tmp_path: Path, lines: list[str], name: str = "codings.csv", **kw) -> Path:
    path = tmp_path / name
    newline, encoding = kw.get("newline", "\n"), kw.get("encoding", "utf-8")
    data = (newline.join(lines) + newline).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if kw.get("bom") else b"") + data)
    return path


def codings(project: Project) -> list[tuple]:
    """(source, text, code path, coder, memo) of every coding, sorted."""
    paths = {c.id: c.path for c in codebook.list_codes(project)}
    rows = raw_sql(
        project,
        'SELECT s.name, substr(s.text, e.start + 1, e."end" - e.start), c.code_id, k.name,'
        " e.memo FROM codings c JOIN excerpts e ON e.id = c.excerpt_id"
        " JOIN sources s ON s.id = e.source_id JOIN coders k ON k.id = c.coder_id",
    )
    return sorted((s, t, paths[code], k, m) for s, t, code, k, m in rows)


def test_header_with_coder_and_memo_columns(two_sources: Project, tmp_path) -> None:
    path = write(
        tmp_path,
        [
            "source,start,end,code,coder,memo",
            f"{at('int01', 'waiting list')},Access > Waiting,bob,long wait",
            f"{at('int01', 'I felt dismissed.')},Stigma,,",
            f'{at("int02", "Café staff were kind.")},Staff > Kindness,cat,"said, warmly"',
        ],
    )
    result = import_codings(two_sources, path, coder=who(two_sources, "ann"))
    counts = (result.rows, result.codings_added, result.duplicates, result.excerpts_added)
    assert counts == (3, 3, 0, 3)
    created = ["Access", "Access > Waiting", "Staff", "Staff > Kindness", "Stigma"]
    assert sorted(result.codes_created) == created
    assert result.summary.startswith("imported 3 codings from codings.csv")
    assert codings(two_sources) == [
        ("int01", "I felt dismissed.", "Stigma", who(two_sources, "ann"), ""),
        ("int01", "waiting list", "Access > Waiting", "bob", "long wait"),
        ("int02", "Café staff were kind.", "Staff > Kindness", "cat", "said, warmly"),
    ]


def test_headerless_file_and_default_coder(two_sources: Project, tmp_path) -> None:
    path = write(
        tmp_path, [f"{at('int01', 'waiting list')},Waiting", f"{at('int02', 'Naïve')},Self"]
    )
    assert import_codings(two_sources, path, coder=who(two_sources, "dee")).codings_added == 2
    dee = who(two_sources, "dee")
    assert codings(two_sources) == [
        ("int01", "waiting list", "Waiting", dee, ""),
        ("int02", "Naïve", "Self", dee, ""),
    ]


def test_header_columns_in_any_order_and_case(two_sources: Project, tmp_path) -> None:
    start = TEXTS["int01"].index("waiting list")
    path = write(
        tmp_path, ["Source,Code,End,Start,Coder", f"int01,Waiting,{start + 12},{start},eve"]
    )
    import_codings(two_sources, path, coder=who(two_sources, "ann"))
    assert codings(two_sources) == [("int01", "waiting list", "Waiting", "eve", "")]


def test_existing_codes_are_reused_and_duplicates_collapse(two_sources: Project, tmp_path) -> None:
    ann = who(two_sources, "ann")
    first = TEXTS["int01"].index("waiting list")
    coding.apply_code(
        two_sources, "int01", first, first + 12, "Access > Waiting", coder=who(two_sources, "ann")
    )
    path = write(
        tmp_path,
        [
            "source,start,end,code,coder",
            f"{at('int01', 'waiting list')},Access > Waiting,{ann}",  # already in the project
            f"{at('int01', 'waiting list')},Waiting,{ann}",  # the same, by its unique name
            f"{at('int01', 'waiting list')},Waiting,bob",  # a second coder: same excerpt
            f"{at('int01', 'dismissed')},Stigma,{ann}",
            f"{at('int01', 'dismissed')},Stigma,{ann}",  # a repeated row
        ],
    )
    result = import_codings(two_sources, path, coder=who(two_sources, "ann"))
    assert (result.rows, result.codings_added, result.duplicates) == (5, 2, 3)
    assert (result.excerpts_added, result.codes_created) == (1, ["Stigma"])
    assert codings(two_sources) == sorted(
        [
            ("int01", "dismissed", "Stigma", ann, ""),
            ("int01", "waiting list", "Access > Waiting", ann, ""),
            ("int01", "waiting list", "Access > Waiting", "bob", ""),
        ]
    )


def test_memo_of_an_existing_excerpt_is_updated(two_sources: Project, tmp_path) -> None:
    first = TEXTS["int01"].index("waiting list")
    coding.apply_code(
        two_sources,
        "int01",
        first,
        first + 12,
        "Waiting",
        coder=who(two_sources, "ann"),
        memo="old",
    )
    path = write(
        tmp_path, ["source,start,end,code,memo", f"{at('int01', 'waiting list')},Delay,new"]
    )
    import_codings(two_sources, path, coder=who(two_sources, "ann"))
    assert {row[4] for row in codings(two_sources)} == {"new"}


GOOD = [
    "source,start,end,code",
    "int01,0,2,Greeting",
    "int02,0,3,Greeting",
]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("int03,0,5,X", "no source named 'int03'"),
        ("INT01,0,5,X", "no source named 'INT01'"),
        ("int01,5,5,X", "5-5 is not a span of 'int01'"),
        ("int01,9,4,X", "9-4 is not a span of 'int01'"),
        ("int01,-1,4,X", "-1-4 is not a span of 'int01'"),
        (f"int01,0,{len(TEXTS['int01']) + 1},X", "is not a span of 'int01'"),
        ("int01,a,5,X", "start and end must be whole numbers"),
        ("int01,1.5,5,X", "start and end must be whole numbers"),
        ("int01,,5,X", "start and end must be whole numbers"),
        ("int01,0,99999999999999999999,X", "0-99999999999999999999 is not a span of 'int01'"),
        ("int01,-99999999999999999999,5,X", "-99999999999999999999-5 is not a span"),
        ("int01,99999999999999999999,a,X", "start and end must be whole numbers"),
        ("int01,0,5,  ", "the code is empty"),
        ("int01,0,5,", "the code is empty"),
        ("int01,0,5,A >  > B", "'A >  > B' is not a code path: one of its levels is empty"),
        ("int01,0,5,A > ", "code name 'A >' may not begin or end with '>'"),
        ("int01,0,5, > ", "code name '>' may not begin or end with '>'"),
        ("int01,0,5", "needs at least source,start,end,code"),
    ],
)
def test_a_bad_row_anywhere_writes_nothing(
    two_sources: Project, db: Path | str, tmp_path: Path, row: str, message: str
) -> None:
    path = write(tmp_path, [*GOOD, row, "int01,3,5,Late"])
    before = dump_database(db)
    with pytest.raises(InputError) as caught:
        import_codings(two_sources, path, coder=who(two_sources, "ann"))
    assert str(caught.value).startswith(f"{path}, line 4: ")
    assert re.search(message, str(caught.value)), str(caught.value)
    assert dump_database(db) == before


def test_line_numbers_count_blank_lines_and_headerless_files(two_sources, tmp_path) -> None:
    path = write(tmp_path, ["int01,0,2,Greeting", "", "int01,0,2,Greeting", "int09,0,2,X"])
    with pytest.raises(InputError, match=r", line 4: no source named 'int09'"):
        import_codings(two_sources, path, coder=who(two_sources, "ann"))


def test_an_ambiguous_code_name_names_the_file_and_line(
    two_sources: Project, db: Path | str, tmp_path: Path
) -> None:
    coding.apply_code(two_sources, "int01", 0, 2, "Access > Waiting", coder=who(two_sources, "ann"))
    coding.apply_code(two_sources, "int01", 0, 2, "Stigma > Waiting", coder=who(two_sources, "ann"))
    path = write(tmp_path, [*GOOD, "int01,3,5,Waiting"])
    before = dump_database(db)
    with pytest.raises(InputError) as caught:
        import_codings(two_sources, path, coder=who(two_sources, "ann"))
    assert "ambiguous" in str(caught.value)
    assert str(caught.value).startswith(f"{path}, line 4: "), str(caught.value)
    assert dump_database(db) == before


@pytest.mark.parametrize(
    "lines",
    [[], ["source,start,end,code"], ["", "  ", ""]],
    ids=["empty", "header-only", "blank-lines"],
)
def test_a_file_without_codings_is_an_error(two_sources, db, tmp_path, lines) -> None:
    path = tmp_path / "codings.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    before = dump_database(db)
    with pytest.raises(InputError, match=re.escape(str(path))):
        import_codings(two_sources, path, coder=who(two_sources, "ann"))
    assert dump_database(db) == before


@pytest.mark.parametrize(
    "style",
    [
        {"bom": True},
        {"newline": "\r\n"},
        {"bom": True, "newline": "\r\n"},
        {"encoding": "cp1252", "newline": "\r\n"},
        {"encoding": "cp1252"},
    ],
    ids=["bom", "crlf", "bom-crlf", "cp1252-crlf", "cp1252"],
)
def test_bom_crlf_and_windows_1252(two_sources: Project, tmp_path, style) -> None:
    lines = [
        "source,start,end,code,coder,memo",
        f"{at('int02', 'Café staff were kind.')},Kindness > Café “drop-in”,Zoë,naïve — “quoted”",
        f"{at('int01', 'waiting list')},Délai,,",
    ]
    import_codings(two_sources, write(tmp_path, lines, **style), coder=who(two_sources, "ann"))
    assert codings(two_sources) == [
        ("int01", "waiting list", "Délai", who(two_sources, "ann"), ""),
        ("int02", "Café staff were kind.", "Kindness > Café “drop-in”", "Zoë", "naïve — “quoted”"),
    ]


def test_cli_import_and_its_one_line_errors(cli: Cli, db: Path | str, tmp_path: Path) -> None:
    for name, text in TEXTS.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
        assert cli("import", tmp_path / f"{name}.txt").exit_code == 0
    good = write(tmp_path, [f"{at('int01', 'waiting list')},A > B"], name="good.csv")
    result = cli("code", "import", good)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (
        "imported 1 coding from good.csv (0 already there, 1 new excerpt, 2 new codes)"
    )
    (excerpt,) = json.loads(cli("excerpts", "--json").stdout)
    assert excerpt["coders"] == ["tester"] and excerpt["codes"] == ["A > B"]
    if cli.login is None:  # another coder (on PostgreSQL: another login)
        assert cli("code", "import", good, "--coder", "zoe").exit_code == 0
        (excerpt,) = json.loads(cli("excerpts", "--json").stdout)
        assert excerpt["coders"] == ["tester", "zoe"]
    bad = write(tmp_path, ["int01,0,3,X", "int01,0,x,Y"], name="bad.csv")
    before = dump_database(db)
    for args in (("code", "import", bad), ("code", "import", tmp_path / "missing.csv")):
        failed = cli(*args)
        assert failed.exit_code == 1 and len(failed.stderr.strip().splitlines()) == 1
        assert "Traceback" not in failed.stderr
    assert cli("code", "import", bad).stderr.strip() == (
        f"error: {bad}, line 2: start and end must be whole numbers"
    )
    assert dump_database(db) == before


def _locate(text: str, segment: str) -> tuple[int, int] | None:
    words = segment.split()
    if not words:
        return None
    found = re.search(r"\s+".join(map(re.escape, words)), text)
    return (found.start(), found.end()) if found else None


def test_real_maxqda_codings_from_pdpilot(cli: Cli, tmp_path: Path) -> None:
    folder = corpus("pdpilot", "transcripts_txt")
    segments = corpus("pdpilot", "coded_segments.csv")
    result = cli("import", *sorted(folder.glob("P*.txt")))
    assert result.exit_code == 0, result.stderr
    texts = {
        s["name"]: json.loads(cli("show", s["name"], "--json").stdout)["text"]
        for s in json.loads(cli("sources", "--json").stdout)
    }
    with segments.open(encoding="utf-8", newline="") as handle:
        coded = list(csv.DictReader(handle))
    rows = []
    for row in coded:
        where = _locate(texts.get(row["document"], ""), row["segment"])
        if where is not None:
            rows.append((row["document"], *where, row["code_path"]))
    assert len(rows) >= 0.8 * len(coded), "most MAXQDA segments should be found verbatim"
    out = tmp_path / "pdpilot_codings.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "start", "end", "code"])
        writer.writerows(rows)
    result = cli("code", "import", out, "--coder", who(cli, "maxqda"))
    assert result.exit_code == 0, result.stderr
    spans = {(s, a, b, code) for s, a, b, code in rows}
    expected = Counter(code for _s, _a, _b, code in spans)
    listed = {c["path"]: c for c in json.loads(cli("code", "list", "--json").stdout)}
    assert {p: c["excerpts"] for p, c in listed.items() if c["excerpts"]} == dict(expected)
    for path, entry in listed.items():
        assert entry["sources"] == len({s for s, _a, _b, code in spans if code == path})
    assert set(expected) <= set(listed)
    excerpts = json.loads(cli("excerpts", "--json").stdout)
    assert len(excerpts) == len({(s, a, b) for s, a, b, _code in spans})
    for excerpt in excerpts:
        assert excerpt["text"] == texts[excerpt["source"]][excerpt["start"] : excerpt["end"]]
    assert json.loads(cli("log", "--json").stdout)[-1]["kind"] == "coding.import"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("source,start,end", "the header has no 'code' column"),
        ("source,start,code", "the header has no 'end' column"),
        ("source,start,end,code,note", "unknown column 'note'"),
    ],
)
def test_header_problems_name_the_file(two_sources, db, tmp_path, header, message) -> None:
    path = write(tmp_path, [header, "int01,0,2,Greeting"])
    before = dump_database(db)
    with pytest.raises(InputError, match=re.escape(f"{path}: {message}")):
        import_codings(two_sources, path, coder=who(two_sources, "ann"))
    assert dump_database(db) == before


@pytest.mark.parametrize("rows", [1, 40_000])  # the row-by-row reader, and the fast one
def test_a_row_with_more_fields_than_columns_is_refused_not_cut(
    two_sources: Project, db: Path | str, tmp_path, rows: int
) -> None:
    good = [f"{at('int01', 'long')},Waiting,ann,memo" for _ in range(rows - 1)]
    path = write(
        tmp_path,
        [
            "source,start,end,code,coder,memo",
            *good,
            f"{at('int01', 'dismissed')},Heard,ann,one, two",
        ],
    )
    before = dump_database(db)
    with pytest.raises(InputError, match=rf"line {rows + 1}: 7 fields, but the columns are"):
        import_codings(two_sources, path, coder=who(two_sources, "ann"))
    assert dump_database(db) == before
    # a trailing empty field (a spreadsheet's habit) is no extra field
    path = write(tmp_path, ["source,start,end,code", f"{at('int01', 'long')},Waiting,"])
    assert import_codings(two_sources, path, coder=who(two_sources, "ann")).codings_added == 1
