"""Importing the importers package is cheap: parser libraries load only when needed."""

from __future__ import annotations

from ..loading import loaded_after


def test_importing_the_package_loads_no_parser_library() -> None:
    """python-docx, odfpy, pypdf and charset-normalizer load only when a file needs them."""
    loaded = loaded_after("cen_themes.importers", ("docx", "odf", "pypdf", "charset_normalizer"))
    assert loaded == []
