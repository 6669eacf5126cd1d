"""One error hierarchy for everything a user can get wrong.

The command line turns a :class:`CenThemesError` into one line on stderr and exit code 1;
the TUI turns it into a notification. Anything else is a bug and may show a traceback.
"""

from __future__ import annotations


class CenThemesError(Exception):
    """A problem the user can fix: bad input, a missing item, an unusable project."""

    def __init__(self, message: str, title: str = "Error") -> None:
        super().__init__(message)
        self.message = message
        self.title = title

    def __str__(self) -> str:
        return self.message


class InputError(CenThemesError):
    """A file or value given by the user cannot be used."""


class ImportFormatError(InputError):
    """A file cannot be read as the format its extension promises.

    The message says what is wrong with the file, without naming it: the caller
    (which knows the path) puts the name in front.
    """


class NotFoundError(CenThemesError):
    """A source, code, theme or coder that was named does not exist."""


class ProjectError(CenThemesError):
    """The project database cannot be opened or used."""
