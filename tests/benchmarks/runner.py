"""Run the real command line in a child process and keep its own peak memory."""

from __future__ import annotations

import subprocess
import sys

# Runs `cen-themes ARGS` and writes the process's peak RSS to stderr at exit.
_RUNNER = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "f'\\nPEAK_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'))\n"
    "from cen_themes.cli import main\n"
    "main(sys.argv[1:])\n"
)
_peaks: dict[str, float] = {}


def cli(*args: str) -> subprocess.CompletedProcess:
    """`cen-themes ARGS` in a child process; its peak RSS is kept under the command name."""
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, *args], capture_output=True, text=True, check=True
    )
    peak_kb = int(done.stderr.rsplit("PEAK_KB=", 1)[1].split()[0])
    command = next(a for a in args if not a.startswith("-") and "/" not in a)
    _peaks[command] = max(_peaks.get(command, 0.0), peak_kb / 1024)
    return done


def peak_mb(command: str) -> float:
    """The largest peak RSS of the runs of this command (e.g. "import"), in MB."""
    return _peaks[command]
