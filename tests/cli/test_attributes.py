"""Source attributes from the command line and from a CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import SAMPLES, Cli, CodedProject, dump_database


@pytest.fixture
def two_sources(cli: Cli, coded_project: CodedProject) -> Cli:
    coded_project({name: f"Q: Who is {name}?\nA: Me.\n" for name in ("int01", "int02")})
    return cli


def _attributes(cli: Cli) -> dict[str, dict[str, str]]:
    return {s["name"]: s["attributes"] for s in json.loads(cli("sources", "--json").stdout)}


def test_attrs_set_adds_and_overwrites(two_sources: Cli) -> None:
    result = two_sources("attrs", "set", "int01", "group=service user", "region=London")
    assert result.exit_code == 0, result.stderr
    assert two_sources("attrs", "set", "int01", "region=Wales").exit_code == 0
    assert _attributes(two_sources) == {
        "int01": {"group": "service user", "region": "Wales"},
        "int02": {},
    }


def test_attrs_import_csv_with_bom_semicolons_and_empty_cells(
    two_sources: Cli, tmp_path: Path
) -> None:
    csv_file = tmp_path / "attrs.csv"
    csv_file.write_bytes(
        "\ufeffsource;group;region\r\nint01;staff;North East\r\nint02;service user;\r\n".encode()
    )
    result = two_sources("attrs", "import", csv_file)
    assert result.exit_code == 0, result.stderr
    assert _attributes(two_sources) == {
        "int01": {"group": "staff", "region": "North East"},
        "int02": {"group": "service user"},
    }


def test_attrs_import_windows_1252(two_sources: Cli, tmp_path: Path) -> None:
    csv_file = tmp_path / "attrs.csv"
    csv_file.write_bytes("source,setting\nint01,Café “drop-in” service\n".encode("cp1252"))
    assert two_sources("attrs", "import", csv_file).exit_code == 0
    assert _attributes(two_sources)["int01"] == {"setting": "Café “drop-in” service"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("source,group\nint01,staff\nint99,staff\n", "line 3: no source named 'int99'"),
        ("source\nint01\n", "at least one attribute"),
        ("source,group,group\nint01,a,b\n", "names an attribute twice"),
        ("source,,region\nint01,a,b\n", "column 2 of the header has no name"),
        ("source,group\nint01,a,b,c\n", "line 2: 4 cells but the header has 2"),
        ("", "file is empty"),
    ],
)
def test_bad_attribute_csv_changes_nothing(
    two_sources: Cli, tmp_path: Path, content: str, message: str
) -> None:
    csv_file = tmp_path / "attrs.csv"
    csv_file.write_text(content, encoding="utf-8")
    before = dump_database(two_sources.db)
    result = two_sources("attrs", "import", csv_file)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert str(csv_file) in result.stderr and message in result.stderr
    assert dump_database(two_sources.db) == before


def test_attrs_set_unknown_source_and_bad_pair(two_sources: Cli) -> None:
    before = dump_database(two_sources.db)
    unknown = two_sources("attrs", "set", "int03", "a=b")
    assert unknown.exit_code == 1 and "no source named 'int03'" in unknown.stderr
    bad = two_sources("attrs", "set", "int01", "novalue")
    assert bad.exit_code == 1 and "'novalue' is not KEY=VALUE" in bad.stderr
    assert dump_database(two_sources.db) == before


def test_sample_attributes_cover_every_sample(cli: Cli) -> None:
    files = sorted(p for p in SAMPLES.iterdir() if p.is_file() and p.suffix != ".csv")
    assert cli("import", *files).exit_code == 0
    result = cli("attrs", "import", SAMPLES / "attributes.csv")
    assert result.exit_code == 0, result.stderr
    attributes = _attributes(cli)
    assert len(attributes) == len(files) >= 10
    for name, values in attributes.items():
        assert values["group"] in {"service user", "staff"}, name
        assert values["setting"] in {"specialist", "generic"}, name
        assert values["region"], name
    groups = [v["group"] for v in attributes.values()]
    assert groups.count("staff") >= 4 and groups.count("service user") >= 4
