"""The project's own health and team: the check's report, the team's members."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CheckProblem:
    """One thing ``check`` found wrong: a short kind (``excerpt_offsets``) and what
    exactly, naming the row ("excerpt 12 of su01 (40-30): ends before it starts")."""

    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What ``check`` found: its problems (none when the project is sound), and how many
    checks it ran. Of a kind with many problems, the first are listed and the rest
    summed up in one last problem ("... and 980 more of this kind"); ``total`` counts
    them all."""

    problems: list[CheckProblem]
    checks: int
    total: int

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class TeamMember:
    """A login and its role on a team's PostgreSQL project (``owner`` for who made it)."""

    name: str
    role: str
