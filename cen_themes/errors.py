"""One error hierarchy for everything a user can get wrong.

The command line turns a :class:`CenThemesError` into one line on stderr and exit code 1;
the TUI turns it into a notification headed by the error's :attr:`~CenThemesError.title`.
Anything else is a bug and may show a traceback.
"""

from __future__ import annotations

from typing import ClassVar


class CenThemesError(Exception):
    """A problem the user can fix: bad input, a missing item, an unusable project.

    ``title`` heads the notification in the workbench: a few words saying what kind of
    problem this is, the message saying what exactly. Without one, each kind of error
    has its own (:attr:`default_title`).
    """

    default_title: ClassVar[str] = "Cannot continue"

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title if title is not None else self.default_title

    def __str__(self) -> str:
        return self.message


class InputError(CenThemesError):
    """A file or value given by the user cannot be used."""

    default_title = "Cannot do that"


class ImportFormatError(InputError):
    """A file cannot be read as the format its extension promises.

    The message says what is wrong with the file, without naming it: the caller
    (which knows the path) puts the name in front.
    """

    default_title = "Cannot read the file"


class NotFoundError(CenThemesError):
    """A source, code, theme or coder that was named does not exist."""

    default_title = "Not found"


class ProjectError(CenThemesError):
    """The project database cannot be opened or used."""

    default_title = "Project unavailable"


class RefusedError(ProjectError):
    """The database server refused: the login's role on the team does not allow it."""

    default_title = "Not allowed"


class ConflictError(ProjectError):
    """Another writer's change crossed this one (a deadlock, or a serialization
    failure) and the server rolled this one back; running it again is safe."""

    default_title = "Try again"
