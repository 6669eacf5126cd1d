"""search: keyword in context across the sources."""

from __future__ import annotations

import click

from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.cli.codes import CODER_HELP
from cen_themes.results import SearchHit
from cen_themes.services.autocode import SCOPES, autocode
from cen_themes.services.search import DEFAULT_CONTEXT, one_line, search


@cli.command("search")
@click.argument("query")
@click.option("--lemma", is_flag=True,
              help="Match every form and spelling: 'stigmatise' finds 'stigmatized'.")  # fmt: skip
@click.option("--regex", is_flag=True, help="QUERY is a Python regular expression (case counts).")
@click.option("--word", is_flag=True, help="Whole words only: 'stigma' misses 'stigmatising'.")
@click.option("--source", metavar="SOURCE", help="Search only SOURCE.")
@click.option("--context", type=click.IntRange(min=0), default=DEFAULT_CONTEXT, show_default=True,
              help="Characters of text shown either side of a match.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def search_(
    state: State,
    query: str,
    lemma: bool,
    regex: bool,
    word: bool,
    source: str | None,
    context: int,
    as_json: bool,
) -> None:
    """Every match of QUERY in the sources, keyword in context.

    Plain QUERY matches text literally, ignoring case, inside words too unless
    --word. --lemma matches every inflection and both British and American
    spellings ('behaviour' finds 'behaviors'). Offsets are 0-based code points, end
    exclusive, ready for `code apply`.
    """
    hits = search(
        state.project(), query, lemma=lemma, regex=regex, word=word, context=context, source=source
    )
    if as_json:
        emit_json(
            [
                {
                    "source": h.source,
                    "start": h.start,
                    "end": h.end,
                    "match": h.match,
                    "left": h.left,
                    "right": h.right,
                }
                for h in hits
            ]
        )
        return
    if not hits:
        note("no matches")
        return
    write_stdout(keyword_in_context(hits))
    sources = len({h.source for h in hits})
    note(
        f"{len(hits)} match{'' if len(hits) == 1 else 'es'} "
        f"in {sources} source{'' if sources == 1 else 's'}"
    )


def keyword_in_context(hits: list[SearchHit]) -> str:
    """One line per hit: the matches in one column, the text before them right-aligned."""
    rows = [
        (h.source, f"{h.start}-{h.end}", one_line(h.left), one_line(h.match), one_line(h.right))
        for h in hits
    ]
    header = ("source", "offsets", "before", "match", "after")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(row: tuple[str, ...]) -> str:
        source, offsets, left, match, right = row
        return "  ".join(
            [
                source.ljust(widths[0]),
                offsets.rjust(widths[1]),
                left.rjust(widths[2]),
                match.ljust(widths[3]),
                right,
            ]
        ).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)]) + "\n"


@cli.command("autocode")
@click.argument("query", required=False)
@click.option("--code", "code_path", required=True, metavar="CODE",
              help="The code to apply (a path; created when new).")  # fmt: skip
@click.option("--lemma", is_flag=True, help="Match every form and spelling, as `search --lemma`.")
@click.option("--regex", is_flag=True, help="QUERY is a Python regular expression.")
@click.option("--word", is_flag=True, help="Whole words only.")
@click.option("--speaker", metavar="NAME",
              help="Code every turn of this speaker (no QUERY): 'Interviewer', 'P03'.")  # fmt: skip
@click.option("--scope", type=click.Choice(SCOPES),
              help="Code each hit itself, its sentence or its speaker turn "
              "[default: hit; turn with --speaker].")  # fmt: skip
@click.option("--source", metavar="SOURCE", help="Only in SOURCE.")
@click.option("--coder", help=CODER_HELP)
@pass_state
def autocode_(
    state: State,
    query: str | None,
    code_path: str,
    lemma: bool,
    regex: bool,
    word: bool,
    speaker: str | None,
    scope: str | None,
    source: str | None,
    coder: str | None,
) -> None:
    """Code every hit of QUERY, or every turn of a speaker, with CODE.

    All of it is one change: one `undo` takes it back. Spans coded already are
    left as they are.

    \b
      cen-themes autocode stigmatise --lemma --scope sentence --code "Stigma"
      cen-themes autocode --speaker Interviewer --code "Interviewer"
    """
    result = autocode(
        state.project(),
        code_path,
        coder=state.coder(coder),
        query=query,
        lemma=lemma,
        regex=regex,
        word=word,
        speaker=speaker,
        scope=scope,
        source=source,
    )
    note(result.summary)
