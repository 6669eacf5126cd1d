"""Exports as a researcher asks for them, from the command line or the workbench alike.

Each checks the target first (a format the export has, a folder that exists, a file
that can be written), reads what that format needs (an HTML matrix carries its
excerpts), and writes the file whole or not at all. Each returns what it wrote, in
words, for the caller to show.
"""

from __future__ import annotations

from pathlib import Path

from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.exporters import (
    CODEBOOK_FORMATS,
    MATRIX_FORMATS,
    QUOTES_FORMATS,
    layout,
    write_codebook,
    write_matrix,
    write_quotes,
)
from cen_themes.exporters.files import check_target
from cen_themes.results import CellsKind, RowsKind
from cen_themes.services import analysis, codebook
from cen_themes.wording import plural


def export_excerpts(
    project: Project,
    out: Path,
    *,
    code: str | None = None,
    theme: str | None = None,
    source: str | None = None,
    coder: str | None = None,
) -> str:
    """One row per coding (.csv or .xlsx), narrowed as :func:`analysis.coding_rows`."""
    from cen_themes.exporters.codings import CODINGS_FORMATS, write_codings

    check_target(out, CODINGS_FORMATS, "the codings")
    table = analysis.coding_rows(project, code=code, theme=theme, source=source, coder=coder)
    write_codings(table, out)
    return f"wrote {plural(len(table.rows), 'coding')} to {out}"


def export_matrix(
    project: Project,
    out: Path,
    rows: RowsKind = "themes",
    *,
    cells: CellsKind = "count",
    group_by: str | None = None,
    transpose: bool = False,
    as_of: str | None = None,
) -> str:
    """The theme-by-source (or code-by-source) matrix; ``as_of`` (an ISO 8601 date or
    date-time), as it stood then, rebuilt from the audit trail (counts only)."""
    suffix = check_target(out, MATRIX_FORMATS, "a matrix")
    if as_of is not None:
        from cen_themes.services.as_of import matrix_as_of, parse_moment

        moment = parse_moment(as_of)
        if cells == "quotes" or suffix == ".html":
            raise InputError(
                "--as-of rebuilds the counts, not the excerpts' texts: "
                "use --cells count or presence, and .csv, .xlsx or .md"
            )
        data = matrix_as_of(project, moment, rows)
    else:
        data = analysis.matrix(
            project,
            rows,
            with_excerpts=cells == "quotes" or suffix == ".html",
            with_source_totals=transpose,
        )
    write_matrix(layout(data, cells, group_by, transpose), out)
    return (
        f"wrote {out} ({plural(len(data.rows), rows.rstrip('s'))} x "
        f"{plural(len(data.sources), 'source')})"
    )


def export_quotes(project: Project, out: Path, *, limit: int | None = None) -> str:
    """The quotes report: per theme and subtheme, its codes and excerpts."""
    check_target(out, QUOTES_FORMATS, "a quotes report")
    reports = analysis.theme_reports(project, limit=limit)
    write_quotes(reports, out)
    return f"wrote {out} ({len(reports)} top-level themes)"


def export_qdpx(project: Project, out: Path) -> str:
    """The whole project as REFI-QDA (.qdpx), for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from cen_themes.services import refi_export  # its writer is only loaded when used

    return refi_export.export_qdpx(project, out)


def export_codebook(project: Project, out: Path) -> str:
    """The codebook with descriptions, colours, counts and themes; as .qdc, REFI-QDA's
    codebook (codes and themes)."""
    if out.suffix.lower() == ".qdc":
        from cen_themes.services import refi_export  # its writer is only loaded when used

        return refi_export.export_qdc(project, out)
    check_target(out, (*CODEBOOK_FORMATS, ".qdc"), "a codebook")
    codes = codebook.list_codes(project)
    write_codebook(codes, out)
    return f"wrote {out} ({plural(len(codes), 'code')})"


def export_cooccurrence(project: Project, out: Path, rows: RowsKind = "codes") -> str:
    """The code-by-code (or theme-by-theme) co-occurrence matrix (the rule:
    :mod:`cen_themes.services.cooccurrence`)."""
    from cen_themes.exporters.cooccurrence import COOCCURRENCE_FORMATS, write_cooccurrence
    from cen_themes.services.cooccurrence import cooccurrence

    check_target(out, COOCCURRENCE_FORMATS, "a co-occurrence matrix")
    data = cooccurrence(project, rows)
    write_cooccurrence(data, out)
    return f"wrote {out} (co-occurrence of {plural(len(data.paths), rows.rstrip('s'))})"
