"""Run one CPU-bound Python function on the second core while the caller works.

Threads cannot do this for pure-Python work (the GIL), so the function runs in a
forked child, which sees the caller's memory as it was (nothing is copied or pickled
on the way in) and sends its result back through a pipe.

Forking is only done where it is safe and cheap: on Linux, from a process with no
other threads. Anywhere else, or when the child fails for any reason, the function
simply runs in this process when its result is asked for: the same answer, later.
The child never touches the caller's open files or database connections; it leaves
with ``os._exit``, so no finaliser or ``atexit`` handler of the caller runs twice, and
multiprocessing flushes standard output before forking, so nothing is printed twice.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Beside(Generic[T]):
    """``function(*args)``, started in a child now; :meth:`result` waits for it. Use
    it in a ``with`` block, which stops the child if the result is never asked for."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._function, self._args = function, args
        self._process = None
        if not can_fork():
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        # Not a daemon: a child may use a Beside of its own (segmenting, inside a child
        # that reads and segments a REFI-QDA file). The with block reaps it.
        self._process = context.Process(target=_child, args=(self._receive, send, function, args))
        try:
            self._process.start()
        except OSError:  # no memory or processes left for a child: run it here
            self._process = None
        finally:
            send.close()

    def __enter__(self) -> Beside[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop a child whose result nobody asked for (the caller failed first)."""
        if self._process is not None:
            process, self._process = self._process, None
            process.terminate()
            process.join()
            self._receive.close()

    def result(self) -> T:
        if self._process is not None:
            process, self._process = self._process, None
            try:
                done, value = self._receive.recv()
            except (EOFError, OSError):  # the child died without an answer
                done, value = False, None
            finally:
                self._receive.close()
                process.join()
            if done:
                return value
        return self._function(*self._args)


def _child(receive, send, function: Callable[..., Any], args: tuple) -> None:
    # Only the parent reads: with the child's copy of the reading end closed, a parent
    # that died (killed mid-import) makes the send fail, and the child ends, instead of
    # blocking forever with the project file open.
    receive.close()
    try:
        answer = (True, function(*args))
    except BaseException:  # the parent runs it again itself, and sees the error there
        answer = (False, None)
    with contextlib.suppress(OSError):
        send.send(answer)
    send.close()
