"""Start-up: each small command's whole run, as a user starts it (the console script,
a fresh interpreter), against a bare ``python -c pass`` timed in the same run.

Target: --help, --version, sources, show and the small exports within 0.3 s of the
bare interpreter. The figure that counts is ``above_python_s`` in each result's extra
info: the command's median less the interpreter's median.

Run: pytest tests/benchmarks/test_bench_startup.py --benchmark-enable -s
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_transcripts"
RUNS = 15


def _command() -> list[str]:
    """The installed console script beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("cen-themes")
    if script.exists():
        return [str(script)]
    found = shutil.which("cen-themes")
    return [found] if found else [sys.executable, "-m", "cen_themes"]


def _median_run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    where = tmp_path_factory.mktemp("startup")
    env = {**os.environ, "CEN_THEMES_DB": str(where / "study.db")}
    transcripts = sorted(str(p) for p in SAMPLES.iterdir() if p.suffix != ".csv" and p.is_file())
    subprocess.run([*_command(), "import", *transcripts], cwd=where, env=env, check=True)
    subprocess.run(
        [*_command(), "code", "import", str(SAMPLES / "codings.csv")],
        cwd=where,
        env=env,
        check=True,
    )
    return where, env


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("sources",),
        ("show", "su01"),
        ("log",),
        ("code", "list"),
        ("export", "codebook", "--out", "codebook.csv"),
        ("export", "matrix", "--out", "matrix.csv"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_start_up(benchmark, demo: tuple[Path, dict[str, str]], args: tuple[str, ...]) -> None:
    where, env = demo
    argv = [*_command(), *args]
    bare = _median_run([sys.executable, "-c", "pass"], where, env)
    command = _median_run(argv, where, env)
    benchmark.pedantic(
        lambda: subprocess.run(argv, cwd=where, env=env, capture_output=True, check=True),
        rounds=5,
        iterations=1,
    )
    above = command - bare
    benchmark.extra_info.update(
        python_s=round(bare, 3), command_s=round(command, 3), above_python_s=round(above, 3)
    )
    print(f"\n{' '.join(args)}: {command:.3f} s, {above:.3f} s above python -c pass")
