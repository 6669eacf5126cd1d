"""Slow work off the UI thread, done one way by every screen.

:meth:`ThreadWork.run` calls a function in a Textual thread worker and hands its result
to a callback on the UI thread. Whatever the function raises comes back as a
notification (:func:`~cen_themes.tui.notices.notify_error`): a
:class:`~cen_themes.errors.CenThemesError` under its own title, anything else as a bug,
named; neither is swallowed and neither stops the app. Work of an ``exclusive`` group
replaces the group's earlier work: that says nothing, and its result, should its
thread finish later, is never shown. Work started by a screen ends with the screen
(Textual cancels a closed screen's workers); the app's own outlives them all.

The outcome travels in the worker's :class:`~textual.worker.Worker.StateChanged`
message, which the node (screen or app) passes to :meth:`ThreadWork.deliver`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.worker import Worker, WorkerState

from cen_themes.tui.notices import notify_error

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class Failure:
    """What the function raised, carried to the UI thread as the worker's result (so
    that the worker itself never fails and nobody waiting on it gets an exception)."""

    error: Exception


@dataclass(frozen=True)
class _Job(Generic[ResultT]):
    doing: str
    done: Callable[[ResultT], None]
    failed: Callable[[Exception], None] | None


def _catching(work: Callable[[], ResultT]) -> Callable[[], ResultT | Failure]:
    def run() -> ResultT | Failure:
        try:
            return work()
        except Exception as error:  # shown on the UI thread, see ThreadWork.deliver
            return Failure(error)

    return run


class ThreadWork:
    """The thread workers one node (a screen or the app) has running, and what to do
    with each one's outcome."""

    def __init__(self, node: Screen[Any] | App[Any]) -> None:
        self.node = node
        self._jobs: dict[Worker[Any], _Job[Any]] = {}

    def run(
        self,
        work: Callable[[], ResultT],
        done: Callable[[ResultT], None],
        *,
        doing: str,
        group: str,
        exclusive: bool = True,
        failed: Callable[[Exception], None] | None = None,
    ) -> Worker[ResultT | Failure]:
        """Call ``work()`` in a thread; then ``done(result)`` on the UI thread.

        When ``work`` raises, the user sees it as an error notification (``doing``, in
        words such as "the search", names the work for a bug's notice) and then
        ``failed(error)`` runs, if given. With ``exclusive``, earlier work of ``group``
        is cancelled and its outcome never delivered.
        """
        if exclusive:
            for superseded in [w for w in self._jobs if w.group == group]:
                del self._jobs[superseded]
        worker: Worker[ResultT | Failure] = self.node.run_worker(
            _catching(work),
            name=doing,
            group=group,
            exclusive=exclusive,
            thread=True,
            exit_on_error=False,
        )
        self._jobs[worker] = _Job(doing, done, failed)
        return worker

    def deliver(self, event: Worker.StateChanged) -> None:
        """Hand a finished worker's outcome on; a cancelled or superseded one, or a
        worker started elsewhere, is let go."""
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        job = self._jobs.pop(event.worker, None)
        if job is None or event.state is WorkerState.CANCELLED or event.worker.is_cancelled:
            return
        if event.state is WorkerState.SUCCESS:
            outcome = event.worker.result
            if not isinstance(outcome, Failure):
                job.done(outcome)
                return
            error = outcome.error
        else:  # the catching wrapper itself failed: Textual holds the error
            raised = event.worker.error
            error = raised if isinstance(raised, Exception) else RuntimeError(repr(raised))
        notify_error(self.node, error, doing=job.doing)
        if job.failed is not None:
            job.failed(error)


class RunsThreadWork:
    """Mixed into a screen or the app (before Textual's class): :meth:`run_in_thread`,
    and the one handler that hands each worker's outcome back. The node sets
    ``self._work = ThreadWork(self)`` when it is made."""

    _work: ThreadWork

    def run_in_thread(
        self,
        work: Callable[[], ResultT],
        done: Callable[[ResultT], None],
        *,
        doing: str,
        group: str,
        exclusive: bool = True,
        failed: Callable[[Exception], None] | None = None,
    ) -> Worker[ResultT | Failure]:
        """``work()`` in a thread worker of this node, then ``done(result)`` here; a
        failure is a notification, then ``failed(error)``. A screen's work ends with the
        screen (nothing comes back to a closed one); the app's outlives every screen, for
        work whose outcome the user must hear of anyway (an export)."""
        return self._work.run(
            work, done, doing=doing, group=group, exclusive=exclusive, failed=failed
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self._work.deliver(event)
