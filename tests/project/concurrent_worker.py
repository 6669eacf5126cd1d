"""One writer of tests/project/test_concurrency.py, run as its own process:

    python -m tests.project.concurrent_worker DB ROLE N

ROLE ``coder<k>``: codes N spans of int01 shared by every coder (codes shared0..9,
which they all create) and N of int02 with its own code; ``merger``: N times makes a
code on int03 and merges it into ``merged``; ``themer``: N times adds a theme, gives it
shared codes and renames it; ``bulk``: imports N codings of int02 from a CSV. Prints
the number of services it ran; any error ends it with a traceback and exit 1."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from cen_themes.config import coder_name
from cen_themes.db import open_project
from cen_themes.errors import NotFoundError
from cen_themes.services import codebook, coding, coding_import, themes

SHARED_SPANS = [(i * 7, i * 7 + 5) for i in range(60)]


def main(db: str, role: str, count: int) -> None:
    project = open_project(db)
    who = project.login or role
    if role.startswith("coder"):
        k = int(role[5:])
        for i in range(count):
            start, end = SHARED_SPANS[i % len(SHARED_SPANS)]
            coding.apply_code(project, "int01", start, end, f"shared{i % 10}", coder=who)
            coding.apply_code(
                project, "int02", k * 400 + i * 3, k * 400 + i * 3 + 2, f"own{k}", coder=who
            )
    elif role == "merger":
        for i in range(count):
            coding.apply_code(project, "int03", i * 3, i * 3 + 2, f"m{i}", coder=who)
            codebook.merge_codes(project, [f"m{i}"], "merged", coder=who)
    elif role == "themer":
        for i in range(count):
            themes.add_theme(project, f"T{i}", coder=who)
            for _ in range(600):  # the coders make the shared codes meanwhile
                try:
                    themes.assign_codes(project, f"T{i}", [f"shared{i % 10}"], coder=who)
                    break
                except NotFoundError:
                    time.sleep(0.05)
            else:
                raise SystemExit(f"shared{i % 10} never came")
            themes.rename_theme(project, f"T{i}", f"Theme {i}", coder=who)
    elif role == "bulk":
        rows = "".join(f"int02,{5000 + i * 2},{5001 + i * 2},bulk\n" for i in range(count))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "codings.csv"
            path.write_text("source,start,end,code\n" + rows, encoding="utf-8")
            coding_import.import_codings(project, path, coder=who)
    else:
        raise SystemExit(f"unknown role {role}")
    project.close()
    print(coder_name(None), role, "done")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
