"""A function run in a forked child gives the same answer as run here, and any way the
child can fail ends in the function running here instead."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cen_themes.bulk import beside

needs_fork = pytest.mark.skipif(
    not beside.can_fork(), reason="forks only on Linux, from a process with one thread"
)


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


@needs_fork
def test_runs_in_a_child_and_returns_its_value() -> None:
    with beside.Beside(_pid_and, 21) as later:
        pid, value = later.result()
    assert value == 42 and pid != os.getpid()


def _nested(value: int) -> tuple[int, int, int]:
    with beside.Beside(_pid_and, value) as inner:
        pid, doubled = inner.result()
    return os.getpid(), pid, doubled


@needs_fork
def test_a_child_can_run_a_beside_of_its_own() -> None:
    """A REFI-QDA import segments in a child, and segmenting splits again."""
    with beside.Beside(_nested, 5) as later:
        outer, inner, value = later.result()
    assert value == 10
    assert len({os.getpid(), outer, inner}) == 3


def test_without_fork_it_runs_here(monkeypatch) -> None:
    monkeypatch.setattr(beside, "can_fork", lambda: False)
    with beside.Beside(_pid_and, 4) as later:
        assert later.result() == (os.getpid(), 8)


def _fails_in_child(parent: int) -> str:
    if os.getpid() != parent:
        raise MemoryError("the child ran out")
    return "done here"


def _dies_in_child(parent: int) -> str:
    if os.getpid() != parent:
        os._exit(3)
    return "done here"


@needs_fork
@pytest.mark.parametrize("function", [_fails_in_child, _dies_in_child])
def test_a_child_that_fails_or_dies_means_running_it_here(function) -> None:
    with beside.Beside(function, os.getpid()) as later:
        assert later.result() == "done here"


def _always_fails() -> None:
    raise ValueError("bad input")


def test_an_error_of_the_function_itself_is_raised_here() -> None:
    with beside.Beside(_always_fails) as later, pytest.raises(ValueError, match="bad input"):
        later.result()


def _sleep_long() -> None:
    import time

    time.sleep(60)


@pytest.mark.slow
@needs_fork
def test_a_child_whose_result_is_never_asked_for_is_stopped() -> None:
    with pytest.raises(RuntimeError), beside.Beside(_sleep_long) as later:
        process = later._process
        assert process is not None and process.is_alive()
        raise RuntimeError("the caller failed first")
    assert not process.is_alive()


@needs_fork
def test_output_written_before_the_fork_is_not_written_twice() -> None:
    script = (
        "import os, sys\n"
        "from cen_themes.bulk import beside\n"
        "sys.stdout.write('once')  # buffered: a pipe is not a terminal\n"
        "with beside.Beside(os.getpid) as later:\n"
        "    assert later.result() != os.getpid()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "once"
