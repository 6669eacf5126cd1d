"""A plain (non-editable) install works: migrations and samples ship inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ..conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("cen_themes-*.whl")
    return built


def test_wheel_holds_migrations_samples_and_entry_point(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cen_themes/migrations/env.py" in names
    assert "cen_themes/migrations/script.py.mako" in names
    migrations = {p.name for p in (REPO / "migrations" / "versions").glob("*.py")}
    assert {f"cen_themes/migrations/versions/{m}" for m in migrations} <= names
    samples = {p.name for p in (REPO / "sample_transcripts").iterdir() if p.is_file()}
    assert {f"cen_themes/sample_transcripts/{s}" for s in samples} <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "cen-themes = cen_themes.cli:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_unpacked_wheel_creates_a_project_from_its_own_migrations(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import sys, cen_themes.db as db, cen_themes.migrate as m, cen_themes.resources as r;"
        "p = db.open_project(sys.argv[1]);"
        "print(m.migrations_dir()); print(r.sample_transcripts()); print(p.created)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "p.db")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    migrations, samples, created = result.stdout.split()
    assert Path(migrations) == site / "cen_themes" / "migrations"
    assert Path(samples) == site / "cen_themes" / "sample_transcripts"
    assert created == "True"
