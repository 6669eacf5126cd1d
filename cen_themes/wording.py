"""Words for counts in what the program says."""

from __future__ import annotations

from collections.abc import Iterable


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 coding', '2 codings', '0 codings'; ``many`` where adding 's' is wrong."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """' (did you mean 'su01'?)' for a name that is nowhere: the names equal to it but
    for case first, then up to three close ones, whatever their case; '' when none."""
    import difflib

    wanted = name.strip().casefold()
    folded: dict[str, list[str]] = {}
    for known in names:
        folded.setdefault(known.casefold(), []).append(known)
    close = list(folded.get(wanted, []))
    for key in difflib.get_close_matches(wanted, list(folded), n=3):
        close += [n for n in folded[key] if n not in close]
    close = close[:3]
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
