"""check: the project's integrity and invariants; exit code 1 listing the problems."""

from __future__ import annotations

import click

from cen_themes.cli.app import State, cli, emit_json, fail_line, pass_state
from cen_themes.services import check as check_service
from cen_themes.wording import plural


@cli.command()
@click.option(
    "--json", "as_json", is_flag=True, help='One JSON document on stdout: {"ok", "problems"}.'
)
@pass_state
def check(state: State, as_json: bool) -> int:
    """Check the project: the database's own integrity check, then the invariants that
    the program keeps (offsets within their texts, every excerpt coded, no orphan rows,
    no cycles in the code or theme trees, the theme roll-up equal to a recomputation,
    the audit trail consistent). Changes nothing.

    Exit code 0 when the project is sound; 1 with a line per problem, "kind: detail",
    on stderr."""
    report = check_service.check_project(state.project())
    if as_json:
        emit_json(
            {
                "ok": report.ok,
                "problems": [{"kind": p.kind, "detail": p.detail} for p in report.problems],
            }
        )
    elif report.ok:
        click.echo(f"ok: no problems found ({plural(report.checks, 'check')})")
    else:
        for problem in report.problems:
            click.echo(f"{problem.kind}: {problem.detail}", err=True)
        fail_line(f"{plural(report.total, 'problem')} found by {plural(report.checks, 'check')}")
    return 0 if report.ok else 1
