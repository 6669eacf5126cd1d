"""`export matrix --as-of`: the matrix as it stood at a moment, rebuilt from the trail.

The proof: a scripted history of imports, codings, bulk codings, merges, renames, theme
moves, attribute changes and undos, with the matrix exported at checkpoints along the
way; at the end, the matrix exported `--as-of` each checkpoint must be those files,
byte for byte, as rows of themes and of codes, grouped by an attribute too.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cen_themes.db import Project

from ..conftest import Cli, dump_database

ONE = (
    "Interviewer: How was it?\nP01: The waiting list was long. I felt judged. Then it got better.\n"
)
TWO = "Interviewer: And you?\nP02: Nobody listened. The label stuck. Later a nurse believed me.\n"
THREE = "Interviewer: Anything else?\nP03: I waited two years. The team was kind.\n"
EXPORTS = {
    "themes.csv": (),
    "codes.csv": ("--rows", "codes"),
    "grouped.md": ("--group-by", "group"),
}


def at(text: str, words: str) -> tuple[str, str]:
    start = text.index(words)
    return str(start), str(start + len(words))


def run(cli: Cli, *args: object) -> None:
    result = cli(*map(str, args))
    assert result.exit_code == 0, (args, result.stderr)


def export(cli: Cli, out: Path, *options: str) -> bytes:
    """The matrix file the export wrote, or the error it gave."""
    result = cli("export", "matrix", "--out", str(out), *options)
    return out.read_bytes() if result.exit_code == 0 else result.stderr.encode()


def test_as_of_each_checkpoint_is_the_export_taken_then(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    files = {}
    for name, text in {"int01": ONE, "int02": TWO, "int03": THREE}.items():
        files[name] = tmp_path / f"{name}.txt"
        files[name].write_text(text, encoding="utf-8")
    checkpoints: list[tuple[str, dict[str, bytes]]] = []

    def checkpoint() -> None:
        time.sleep(0.01)  # the changes before it and after it are apart in time
        moment = datetime.now(UTC)
        taken = {}
        for name, options in EXPORTS.items():
            out = tmp_path / f"then-{len(checkpoints)}-{name}"
            taken[name] = export(cli, out, *options)
        checkpoints.append((moment.isoformat(), taken))
        time.sleep(0.01)

    checkpoint()  # before anything: an empty matrix
    run(cli, "import", files["int01"], files["int02"])
    run(cli, "attrs", "set", "int01", "group=service user")
    run(cli, "code", "apply", "int01", *at(ONE, "The waiting list was long."), "Access > Waiting")
    run(cli, "code", "apply", "int01", *at(ONE, "I felt judged."), "Stigma > Judged")
    run(cli, "theme", "add", "Access to care")
    run(cli, "theme", "assign", "Access to care", "Access")
    checkpoint()
    csv_file = tmp_path / "codings.csv"
    csv_file.write_text(
        "source,start,end,code\n"
        f"int02,{','.join(at(TWO, 'Nobody listened.'))},Stigma > Not heard\n"
        f"int02,{','.join(at(TWO, 'The label stuck.'))},Stigma > Judged\n"
        f"int02,{','.join(at(TWO, 'Later a nurse believed me.'))},Relationships > Believed\n",
        encoding="utf-8",
    )
    run(cli, "code", "import", csv_file)
    run(cli, "theme", "add", "Stigma of the diagnosis")
    run(cli, "theme", "add", "Not being heard", "--parent", "Stigma of the diagnosis")
    run(cli, "theme", "assign", "Stigma of the diagnosis", "Stigma > Judged")
    run(cli, "theme", "assign", "Not being heard", "Stigma > Not heard")
    run(cli, "attrs", "set", "int02", "group=staff")
    checkpoint()
    run(cli, "code", "merge", "Stigma > Not heard", "--into", "Stigma > Judged")
    run(cli, "code", "rename", "Judged", "Judged and unheard")
    run(cli, "theme", "move", "Not being heard", "--to", "Access to care")
    run(cli, "import", files["int03"])
    run(cli, "attrs", "set", "int01", "group=staff")
    run(cli, "code", "apply", "int03", *at(THREE, "I waited two years."), "Access > Waiting")
    checkpoint()
    run(cli, "code", "remove", "int01", *at(ONE, "I felt judged."))
    run(cli, "theme", "unassign", "Access to care", "Access")
    run(cli, "undo")  # the unassignment
    run(cli, "theme", "delete", "Stigma of the diagnosis", "--force")
    run(cli, "code", "apply", "int03", *at(THREE, "The team was kind."), "Relationships")
    checkpoint()  # now

    assert len({tuple(taken.values()) for _m, taken in checkpoints}) == len(checkpoints)
    for number, (moment, taken) in enumerate(checkpoints):
        for name, options in EXPORTS.items():
            out = tmp_path / f"as-of-{number}-{name}"
            assert export(cli, out, *options, "--as-of", moment) == taken[name], (number, name)
    # Before any source had the attribute, grouping by it was refused, then as now.
    assert checkpoints[0][1]["grouped.md"] == b"error: no source has the attribute 'group'\n"


def test_a_date_alone_is_the_moment_it_begins(cli: Cli, project: Project, tmp_path: Path) -> None:
    source = tmp_path / "int01.txt"
    source.write_text(ONE, encoding="utf-8")
    run(cli, "import", source)
    run(cli, "code", "apply", "int01", *at(ONE, "I felt judged."), "Judged")
    today = datetime.now(UTC).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    for moment, expected in [(today.isoformat(), "0"), (tomorrow, "1")]:
        out = tmp_path / f"{moment}.csv"
        run(cli, "export", "matrix", "--rows", "codes", "--out", out, "--as-of", moment)
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines[1:] == (
            [f"Judged,{expected},{expected},{expected}"] if expected == "1" else []
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "last week"], "error: --as-of 'last week' is not an ISO 8601 date"),
        (["--as-of", "2026-02-30"], "error: --as-of '2026-02-30' is not an ISO 8601 date"),
        (["--as-of", "2026-01-01", "--cells", "quotes"], "error: --as-of rebuilds the counts"),
    ],
)
def test_bad_moments_are_one_line_and_write_nothing(
    cli: Cli, project: Project, db: Path | str, tmp_path: Path, args: list[str], message: str
) -> None:
    before = dump_database(db)
    out = tmp_path / "m.csv"
    result = cli("export", "matrix", "--out", str(out), *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert not out.exists()
    html = cli("export", "matrix", "--out", str(tmp_path / "m.html"), "--as-of", "2026-01-01")
    assert html.exit_code == 1 and "--as-of rebuilds the counts" in html.stderr
    assert dump_database(db) == before
