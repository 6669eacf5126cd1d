"""Importing the importers package is cheap: parser libraries load only when needed."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_package_loads_no_parser_library() -> None:
    """python-docx, odfpy, pypdf and charset-normalizer load only when a file needs them."""
    script = (
        "import sys, cen_themes.importers\n"
        "print([m for m in ('docx', 'odf', 'pypdf', 'charset_normalizer') if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
