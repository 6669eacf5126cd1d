"""Words for counts in what the program says."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 coding', '2 codings', '0 codings'; ``many`` where adding 's' is wrong."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
