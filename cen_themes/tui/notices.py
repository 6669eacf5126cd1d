"""How the workbench tells the user that something failed: one titled notification.

A :class:`~cen_themes.errors.CenThemesError` is the user's to fix: its own title over
its message. Anything else is a bug: it is named (type and message) under
:data:`BUG_TITLE`, logged with its traceback, and the workbench carries on.
"""

from __future__ import annotations

import traceback
from typing import Protocol

from textual.notifications import SeverityLevel

from cen_themes.errors import CenThemesError

BUG_TITLE = "Unexpected error"
# Seconds an error stays up: long enough to read a path and what is wrong with it.
ERROR_TIMEOUT = 10.0


class Notifies(Protocol):
    """The app, a screen or a widget: anything that can show a notification."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...


def describe(error: BaseException, doing: str = "that") -> tuple[str, str]:
    """The (title, message) of the notification for ``error``, which happened while
    ``doing`` (words such as "the search" or "exporting to out.csv")."""
    if isinstance(error, CenThemesError):
        return error.title, str(error)
    name = type(error).__name__
    what = f"{name}: {error}" if str(error) else name
    return (
        BUG_TITLE,
        f"{doing[:1].upper()}{doing[1:]} failed ({what}). This is a bug; please report it.",
    )


def notify_error(
    where: Notifies, error: BaseException, *, doing: str = "that", note: str = ""
) -> None:
    """Show ``error`` as an error notification, with ``note`` after its message."""
    title, message = describe(error, doing)
    if not isinstance(error, CenThemesError):
        log_bug(where, error)
    # Not markup: a message quotes what the user typed, brackets and all.
    where.notify(message + note, title=title, severity="error", timeout=ERROR_TIMEOUT, markup=False)


def log_bug(where: object, error: BaseException) -> None:
    """The traceback, to the Textual console (``textual console``) for whoever debugs."""
    log = getattr(where, "log", None)
    if log is not None:
        log.error("".join(traceback.format_exception(error)))
