"""Which modules an import loads, seen from a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys


def loaded_after(imports: str, modules: tuple[str, ...]) -> list[str]:
    """Those of ``modules`` in sys.modules after ``import {imports}`` in a new process."""
    script = (
        f"import json, sys, {imports}\n"
        f"print(json.dumps([m for m in {modules!r} if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)
