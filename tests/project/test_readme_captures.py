"""The README's captures of the workbench are what the program shows now: taken from a
fresh demo by ``python -m tests.readme_captures``, which rewrites them."""

from __future__ import annotations

import pytest

from tests import readme_captures

pytestmark = pytest.mark.slow  # builds the demo and drives the workbench


def test_the_readme_captures_are_current() -> None:
    readme = readme_captures.README.read_text(encoding="utf-8")
    names = [m["name"] for m in readme_captures.MARKER.finditer(readme)]
    assert sorted(names) == sorted(readme_captures.CAPTURES)
    taken = readme_captures.captures()
    assert readme_captures.stale(readme, taken) == [], "python -m tests.readme_captures"
    assert "? Help" in taken["sources"] and "su01  (interview)" in taken["reader"]
