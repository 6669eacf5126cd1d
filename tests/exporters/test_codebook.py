"""write_codebook(): the codebook as CSV and as a nested Markdown list."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cen_themes.errors import InputError
from cen_themes.exporters import write_codebook

from .test_study import DISMISSED, LONG_TERM_THEME, STIGMA, study_codes


def test_csv_has_one_line_per_code_with_lists_joined(tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    write_codebook(study_codes(), path)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows == [
        ["path", "name", "description", "color", "excerpts", "sources", "themes", "memos"],
        ["Stigma", "Stigma", "Being seen through a label.", "#d62728", "0", "0", "", ""],
        [
            "Stigma > Labels",
            "Labels",
            "Diagnostic labels used to explain distress away.",
            "#ff9896",
            "2",
            "2",
            STIGMA,
            "Check the overlap with 'Dismissal at A&E'.",
        ],
        [
            "Dismissal at A&E",
            "Dismissal at A&E",
            "Sent away | not taken seriously\nin emergency care.",
            "#1f77b4",
            "2",
            "2",
            f"{DISMISSED}; {STIGMA}",
            "Mostly service users.; Staff see it differently.",
        ],
        ["Long-term view", "Long-term view", "", "", "2", "2", LONG_TERM_THEME, ""],
    ]


def test_csv_of_an_empty_codebook_is_the_header(tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    write_codebook([], path)
    assert path.read_text(encoding="utf-8") == (
        "path,name,description,color,excerpts,sources,themes,memos\n"
    )


def test_markdown_is_a_list_nested_by_depth(tmp_path: Path) -> None:
    path = tmp_path / "codebook.md"
    write_codebook(study_codes(), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Codebook"
    assert lines[2:] == [
        "- **Stigma** — Being seen through a label.\\",
        "  0 excerpts in 0 sources, colour #d62728",
        "  - **Labels** — Diagnostic labels used to explain distress away.\\",
        f"    2 excerpts in 2 sources, colour #ff9896, themes: {STIGMA}",
        "- **Dismissal at A&E** — Sent away \\| not taken seriously in emergency care.\\",
        f"  2 excerpts in 2 sources, colour #1f77b4, themes: {DISMISSED}; {STIGMA}",
        "- **Long-term view**\\",
        f"  2 excerpts in 2 sources, themes: {LONG_TERM_THEME}",
    ]


@pytest.mark.parametrize("name", ["codebook.qdc", "codebook.xlsx", "codebook"])
def test_an_unsupported_extension_is_an_input_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match=r"use \.csv or \.md") as raised:
        write_codebook(study_codes(), tmp_path / name)
    assert name in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_codebook(study_codes(), tmp_path / "out" / "codebook.md")
    assert list(tmp_path.iterdir()) == []


def test_an_export_replaces_an_existing_codebook_whole(tmp_path: Path) -> None:
    path = tmp_path / "codebook.md"
    path.write_text("# Old codebook\n" + "- stale\n" * 500)
    write_codebook(study_codes(), path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Codebook\n") and "stale" not in text
