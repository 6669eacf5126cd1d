"""suggest: uncoded segments that read like a code's excerpts."""

from __future__ import annotations

import click

from cen_themes.cli.app import State, cli, emit_json, note, pass_state, write_stdout
from cen_themes.services.suggest import DEFAULT_LIMIT, suggest


@cli.command("suggest")
@click.argument("code")
@click.option("--limit", type=click.IntRange(min=1), default=DEFAULT_LIMIT, show_default=True,
              help="At most this many suggestions.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_state
def suggest_(state: State, code: str, limit: int, as_json: bool) -> None:
    """Uncoded segments most like CODE's excerpts, best first.

    A segment (a sentence) is suggested when no excerpt with CODE overlaps it and
    nobody rejected it for CODE in the workbench. The score is the cosine similarity
    (0 to 1) of its words, as lemmas weighted by TF-IDF, to the mean of CODE's
    excerpts less the average segment. CODE is a full path or a unique name and
    needs at least one excerpt.
    Offsets are ready for `code apply`.
    """
    found = suggest(state.project(), code, limit=limit)
    if as_json:
        emit_json(
            [
                {
                    "source": s.source,
                    "start": s.start,
                    "end": s.end,
                    "text": s.text,
                    "score": round(s.score, 4),
                }
                for s in found
            ]
        )
        return
    if not found:
        note("no suggestions: every segment that shares a word with the code's excerpts is "
             "coded with it or rejected")  # fmt: skip
        return
    out = []
    for s in found:
        out.append(f"{s.score:.3f}  {s.source} {s.start}-{s.end}")
        out.append(f"  “{' '.join(s.text.split())}”")
    write_stdout("\n".join(out) + "\n")
