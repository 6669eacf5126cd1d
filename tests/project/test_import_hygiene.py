"""The domain never imports the UI: everything outside cli/ and tui/ loads without
Textual, Rich or click (DESIGN.md, "Layers")."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import cen_themes

from ..loading import loaded_after

UI_PACKAGES = ("textual", "rich", "click")


def _domain_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(cen_themes.__path__, "cen_themes."):
        top = info.name.split(".")[1]
        if top in {"cli", "tui", "__main__", "migrations", "sample_transcripts"}:
            continue
        names.append(info.name)
    return names


def test_domain_modules_exist() -> None:
    modules = _domain_modules()
    for expected in ("cen_themes.models", "cen_themes.db", "cen_themes.services.sources"):
        assert expected in modules


def test_domain_does_not_import_the_ui() -> None:
    modules = _domain_modules()
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print([p for p in {UI_PACKAGES!r} if p in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_domain_does_not_load_spacy_until_needed() -> None:
    assert loaded_after("cen_themes.services.sources, cen_themes.nlp", ("spacy",)) == []


def test_start_up_does_not_load_numpy_or_regex() -> None:
    """Both cost start-up time that only bulk imports, coverage and user patterns need
    (the workbench must be interactive within a second)."""
    assert loaded_after("cen_themes.cli, cen_themes.tui.app", ("numpy", "regex")) == []


def test_the_commands_load_no_xml_reader_numpy_or_spacy_until_a_command_needs_them() -> None:
    """Every command's start-up pays for what the command line imports: reading
    REFI-QDA files (defusedxml, numpy) is only for `import FILE.qdpx`."""
    assert loaded_after("cen_themes.cli.commands", ("numpy", "defusedxml", "spacy")) == []
