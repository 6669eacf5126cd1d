"""agreement: how far two coders agree, per code and overall."""

from __future__ import annotations

import click

from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.cli.tables import text_table
from cen_themes.results.agreement import AgreementReport, AgreementStats
from cen_themes.services import agreement as agreement_service
from cen_themes.wording import plural

UNDEFINED = "-"  # a statistic with nothing to measure (no variation)


def _stats_json(stats: AgreementStats) -> dict[str, float | None]:
    return {
        "percent_agreement": stats.percent_agreement,
        "kappa": stats.kappa,
        "alpha": stats.alpha,
    }


def report_json(report: AgreementReport, disagreements: bool) -> dict[str, object]:
    """The ``agreement --json`` document (DESIGN.md)."""
    out: dict[str, object] = {
        "coders": list(report.coders),
        "units": report.units,
        "overall": _stats_json(report.overall),
        "codes": [
            {"code": row.code, "units": row.units, **_stats_json(row.stats)} for row in report.codes
        ],
    }
    if disagreements:
        out["disagreements"] = [
            {"source": d.source, "start": d.start, "end": d.end, "code": d.code, "coder": d.coder}
            for d in report.disagreements
        ]
    return out


def _cells(stats: AgreementStats) -> tuple[str, str, str]:
    percent = stats.percent_agreement
    return (
        UNDEFINED if percent is None else f"{percent:.1f}",
        UNDEFINED if stats.kappa is None else f"{stats.kappa:.3f}",
        UNDEFINED if stats.alpha is None else f"{stats.alpha:.3f}",
    )


def report_text(report: AgreementReport, disagreements: bool) -> str:
    """The table (a row per code, then the pooled row) and the disagreements."""
    a, b = report.coders
    header = ("code", "units", "% agreement", "kappa", "alpha")
    rows = [(row.code, str(row.units), *_cells(row.stats)) for row in report.codes]
    rows.append(("overall (all codes)", str(report.units), *_cells(report.overall)))
    for column in (2, 3, 4):  # numbers right-aligned under their heading
        width = max(len(r[column]) for r in [header, *rows])
        rows = [(*r[:column], r[column].rjust(width), *r[column + 1 :]) for r in rows]
    out = [
        f"{a} and {b}: {plural(report.units, 'unit')} (segments of the sources both coded), "
        f"{plural(len(report.codes), 'code')}",
        "",
        text_table(header, rows).rstrip("\n"),
    ]
    if disagreements:
        out += ["", f"{plural(len(report.disagreements), 'disagreement')}:"]
        if report.disagreements:
            listed = [
                (d.source, f"{d.start}-{d.end}", d.code, d.coder) for d in report.disagreements
            ]
            out.append(text_table(("source", "unit", "code", "given by"), listed).rstrip("\n"))
    return "\n".join(out) + "\n"


@cli.command()
@click.option("--coders", nargs=2, required=True, metavar="A B",
              help="The two coders to compare, by name.")  # fmt: skip
@click.option("--code", "code_path", metavar="CODE",
              help="Only this code (full path or unique name; its own codings).")  # fmt: skip
@click.option("--disagreements", "with_disagreements", is_flag=True,
              help="List every unit one coder gave a code and the other did not.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def agreement(
    state: State,
    coders: tuple[str, str],
    code_path: str | None,
    with_disagreements: bool,
    as_json: bool,
) -> None:
    """Inter-coder agreement of two coders: percent agreement, Cohen's kappa and
    Krippendorff's alpha per code and overall, over the segments of the sources both
    coded ("-" or null where a statistic is undefined)."""
    report = agreement_service.agreement(
        state.project(), coders, code=code_path, disagreements=with_disagreements
    )
    if as_json:
        emit_json(report_json(report, with_disagreements))
        return
    if not report.units:
        note(f"{coders[0]} and {coders[1]} have coded no source in common: nothing to compare")
    write_stdout(report_text(report, with_disagreements))
