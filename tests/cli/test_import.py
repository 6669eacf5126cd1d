"""`cen-themes import`, `sources`, `show` end to end, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import SAMPLES, Cli, corpus, dump_database


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_import_show_roundtrip_is_exact(cli: Cli, tmp_path: Path) -> None:
    text = "Interviewer: How are things?\r\nP01: Better — “mostly”.\rIt took years.\r\n"
    path = _write(tmp_path / "int01.txt", "\ufeff" + text)
    result = cli("import", path)
    assert result.exit_code == 0, result.stderr
    assert "imported as 'int01'" in result.stdout

    stored = "Interviewer: How are things?\nP01: Better — “mostly”.\nIt took years.\n"
    shown = cli("show", "int01")
    assert shown.exit_code == 0
    assert shown.stdout == stored

    detail = json.loads(cli("show", "int01", "--json").stdout)
    assert detail["name"] == "int01" and detail["text"] == stored
    spans = [(s["speaker"], stored[s["start"] : s["end"]]) for s in detail["segments"]]
    assert spans == [
        ("Interviewer", "How are things?"),
        ("P01", "Better — “mostly”."),
        ("P01", "It took years."),
    ]


def test_sources_json_lists_counts_and_attributes_in_import_order(cli: Cli, tmp_path: Path) -> None:
    b = _write(tmp_path / "b.txt", "Q: One?\nA: Two. Three.\n")
    a = _write(tmp_path / "a.txt", "Plain prose without speakers. Two sentences.\n")
    assert cli("import", b, "--attr", "group=staff", "--attr", "region=London").exit_code == 0
    assert cli("import", a, "--kind", "study").exit_code == 0
    listed = json.loads(cli("sources", "--json").stdout)
    assert listed == [
        {
            "name": "b",
            "kind": "interview",
            "words": 5,
            "segments": 3,
            "excerpts": 0,
            "attributes": {"group": "staff", "region": "London"},
        },
        {
            "name": "a",
            "kind": "study",
            "words": 6,
            "segments": 2,
            "excerpts": 0,
            "attributes": {},
        },
    ]
    table = cli("sources").stdout.splitlines()
    assert table[0].split() == ["name", "kind", "words", "segments", "excerpts", "attributes"]
    assert table[1].startswith("b ") and "group=staff, region=London" in table[1]


def test_identical_content_is_skipped_with_a_note(cli: Cli, tmp_path: Path) -> None:
    first = _write(tmp_path / "one.txt", "Q: Same?\nA: Same.\n")
    copy = _write(tmp_path / "copy.txt", "Q: Same?\nA: Same.\n")
    assert cli("import", first).exit_code == 0
    result = cli("import", copy)
    assert result.exit_code == 0
    assert "already imported as 'one'" in result.stderr
    assert [s["name"] for s in json.loads(cli("sources", "--json").stdout)] == ["one"]


def test_name_clash_is_an_error_unless_renamed(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _write(tmp_path / "a" / "int.txt", "Q: First?\nA: Yes.\n")
    second = _write(tmp_path / "b" / "int.txt", "Q: Second?\nA: No.\n")
    assert cli("import", first).exit_code == 0
    clash = cli("import", second)
    assert clash.exit_code == 1
    assert "a source named 'int' already exists" in clash.stderr
    assert len(clash.stderr.strip().splitlines()) == 1
    renamed = cli("import", second, "--name", "int-2")
    assert renamed.exit_code == 0
    assert [s["name"] for s in json.loads(cli("sources", "--json").stdout)] == ["int", "int-2"]


def test_name_option_with_several_files_is_refused(cli: Cli, tmp_path: Path) -> None:
    a = _write(tmp_path / "a.txt", "One.\n")
    b = _write(tmp_path / "b.txt", "Two.\n")
    result = cli("import", a, b, "--name", "x")
    assert result.exit_code == 1
    assert "--name renames one file" in result.stderr
    assert json.loads(cli("sources", "--json").stdout) == []


def test_bad_attr_is_one_line_and_exit_1(cli: Cli, tmp_path: Path) -> None:
    a = _write(tmp_path / "a.txt", "One.\n")
    result = cli("import", a, "--attr", "novalue")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: attribute 'novalue' is not KEY=VALUE")
    assert len(result.stderr.strip().splitlines()) == 1


def test_speaker_pattern_option(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "t.txt", ">> ANN << Hello there.\n>> BO << Hi. Yes.\n")
    result = cli("import", path, "--speaker-pattern", r"^>> (?P<speaker>\w+) << ")
    assert result.exit_code == 0, result.stderr
    detail = json.loads(cli("show", "t", "--json").stdout)
    assert [(s["speaker"], detail["text"][s["start"] : s["end"]]) for s in detail["segments"]] == [
        ("ANN", "Hello there."),
        ("BO", "Hi."),
        ("BO", "Yes."),
    ]
    bad = cli("import", path, "--name", "t2", "--speaker-pattern", r"^(\w+):")
    assert bad.exit_code == 1 and "speaker" in bad.stderr


def test_unknown_source_for_show(cli: Cli, tmp_path: Path) -> None:
    _write(tmp_path / "interview.txt", "Hello.\n")
    cli("import", tmp_path / "interview.txt")
    result = cli("show", "interveiw")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no source named 'interveiw' (did you mean 'interview'?)"


def test_all_sample_transcripts_import(cli: Cli) -> None:
    files = sorted(
        p for p in SAMPLES.iterdir() if p.suffix in {".txt", ".md", ".docx", ".vtt", ".srt"}
    )
    assert len(files) >= 10
    result = cli("import", *files)
    assert result.exit_code == 0, result.stderr
    listed = json.loads(cli("sources", "--json").stdout)
    assert len(listed) == len(files)
    for source in listed:
        assert 2000 <= source["words"] <= 5500, source
        assert source["segments"] > 50
        assert source["kind"] in {"interview", "focus group"}
    for source in listed:
        detail = json.loads(cli("show", source["name"], "--json").stdout)
        speakers = {s["speaker"] for s in detail["segments"]} - {None}
        assert len(speakers) >= 2, source["name"]


def test_pdpilot_transcripts_from_the_real_study(cli: Cli) -> None:
    folder = corpus("pdpilot", "transcripts_txt")
    files = sorted(folder.glob("P*.txt"))
    result = cli("import", *files, "--attr", "study=PDPilot")
    assert result.exit_code == 0, result.stderr
    detail = json.loads(cli("show", "P1", "--json").stdout)
    assert detail["text"] == (folder / "P1.txt").read_text(encoding="utf-8").replace("\r\n", "\n")
    text = detail["text"]
    speakers = {s["speaker"] for s in detail["segments"]}
    assert {"Dan", "Participant"} <= speakers
    for segment in detail["segments"]:
        piece = text[segment["start"] : segment["end"]]
        assert not piece.startswith(("Dan:", "Participant:"))
        assert "\n2/5\n" not in piece and piece.strip() == piece
    first_answer = next(s for s in detail["segments"] if s["speaker"] == "Participant")
    assert text[first_answer["start"] : first_answer["end"]] == "Okay."


def test_fwp_life_histories_are_long_prose(cli: Cli) -> None:
    folder = corpus("fwp_life_histories", "text")
    files = sorted(folder.glob("*.txt"))
    result = cli("import", *files, "--kind", "life history")
    assert result.exit_code == 0, result.stderr
    listed = json.loads(cli("sources", "--json").stdout)
    assert {s["kind"] for s in listed} == {"life history"}
    for source, path in zip(listed, files, strict=True):
        original = path.read_text(encoding="utf-8")
        assert source["words"] == len(original.split())
        detail = json.loads(cli("show", source["name"], "--json").stdout)
        assert detail["text"] == original
        assert source["segments"] > 40


def test_a_runaway_speaker_pattern_fails_the_file_in_one_line(
    cli: Cli, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cen_themes.importers import turns

    monkeypatch.setattr(turns, "SPEAKER_PATTERN_SECONDS", 0.3)
    path = _write(tmp_path / "long.txt", "word and a wait " * 400 + "\nP1: hello\n")
    before = dump_database(db_path) if db_path.exists() else None
    result = cli("import", path, "--speaker-pattern", r"(?P<speaker>(.*a){12}):")
    assert result.exit_code == 1
    assert "took over 0.3 s" in result.stderr and "simplify it" in result.stderr
    assert "Traceback" not in result.stderr
    if before is not None:
        assert dump_database(db_path) == before


def test_a_refi_qda_project_imports_with_a_summary_and_what_was_left_out(
    cli: Cli, tmp_path: Path
) -> None:
    from ..conftest import SHARED

    path = SHARED / "interop" / "samples" / "atlasti8mac_spec-example_TestProject.qdpx"
    if not path.exists():
        pytest.skip(f"{path} not present: this real-export test needs ../shared/interop")
    result = cli("import", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{path}: imported 0 sources, 14 new codes")
    assert "not imported from atlasti8mac_spec-example_TestProject.qdpx:" in result.stderr
    assert "  picture source 'cornflakes-n-milk.jpg' and its 1 selection" in result.stderr


def test_a_broken_refi_qda_file_is_one_line_and_changes_nothing(
    cli: Cli, tmp_path: Path, db: Path | str
) -> None:
    cli("init")
    before = dump_database(db)
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = cli("import", broken)
    assert result.exit_code == 1
    assert result.stderr == f"error: {broken}: not a REFI-QDA project: not a zip archive\n"
    assert dump_database(db) == before
    elsewhere = tmp_path / "new.db"  # a project that is not there is not made for it
    result = cli("--db", elsewhere, "import", broken)
    assert result.exit_code == 1 and not elsewhere.exists()


def test_transcript_options_with_only_refi_files_are_refused(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    """They would be silently ignored: a REFI-QDA file names its own sources."""
    archive = tmp_path / "p.qdpx"
    archive.write_bytes(b"not read")
    result = cli("import", archive, "--name", "x")
    assert result.exit_code == 1
    assert "apply to transcripts" in result.stderr and result.stderr.count("\n") == 1
    assert not db_path.exists()  # refused before the project is opened
