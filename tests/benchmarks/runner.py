"""Run the real command line in a child process and keep its peak memory.

Two figures per command:

- peak RSS of the command's own process: the kernel's high-water mark for its memory
  (``VmHWM``). Not ``ru_maxrss``: on Linux that keeps, across ``exec``, the RSS of the
  process that started the command, here pytest with a generated corpus in memory
  (a 146 MB import read as 280 MB after the analysis benchmarks);
- on request, the peak proportional set size (PSS) of that process and any process it
  starts (``code import`` parses half of a large file in a forked child), sampled
  every 20 ms from /proc: pages the processes share are counted once between them, so
  this is the memory the command takes from the machine. Linux only; 0 elsewhere.
  Reading a process's PSS walks its page tables under its memory lock: it slows a
  command that allocates fast by some 0.15 s in 4, so timed runs do not sample.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

# Runs `cen-themes ARGS` and writes the process's peak RSS to stderr at exit.
_RUNNER = """
import atexit, resource, sys

def peak_kb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

atexit.register(lambda: sys.stderr.write(f"\\nPEAK_KB={peak_kb()}\\n"))
from cen_themes.cli import run  # the console script's own entry point and exit
sys.argv = ["cen-themes", *sys.argv[1:]]
run()
"""
_peaks: dict[str, float] = {}
_total_peaks: dict[str, float] = {}


def cli(*args: str, sample_pss: bool = False) -> subprocess.CompletedProcess:
    """`cen-themes ARGS` in a child process; its peaks are kept under the command name."""
    process = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    total = {"peak": 0}
    sampler = threading.Thread(target=_sample_pss, args=(process, total), daemon=True)
    if sample_pss:
        sampler.start()
    stdout, stderr = process.communicate()
    if sampler.is_alive():
        sampler.join()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args, stdout, stderr)
    peak_kb = int(stderr.rsplit("PEAK_KB=", 1)[1].split()[0])
    command = next(a for a in args if not a.startswith("-") and "/" not in a)
    _peaks[command] = max(_peaks.get(command, 0.0), peak_kb / 1024)
    _total_peaks[command] = max(_total_peaks.get(command, 0.0), total["peak"] / 1024)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def peak_mb(command: str) -> float:
    """The largest peak RSS of the runs of this command (e.g. "import"), in MB."""
    return _peaks[command]


def total_peak_mb(command: str) -> float:
    """The largest sampled PSS of this command's processes together, in MB."""
    return _total_peaks[command]


def _sample_pss(process: subprocess.Popen, total: dict[str, int]) -> None:
    while process.poll() is None:
        pids = [process.pid, *_children(process.pid)]
        total["peak"] = max(total["peak"], sum(_pss_kb(pid) for pid in pids))
        time.sleep(0.02)


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
