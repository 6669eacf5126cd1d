"""Reconciling two coders' disagreements, one decision at a time.

A disagreement is a unit (a segment) that one coder gave a code and the other did not
(:mod:`cen_themes.services.agreement`). Each decision on one is ONE change, so it is in
the log and ``undo`` takes it back:

- **accept a side** (``"a"`` or ``"b"``, kind ``reconcile.accept``): the other coder's
  coding of the code on the unit is made to match the accepted coder's.

  - The accepted coder gave the code: the other coder gets the same coding on each of
    the accepted coder's excerpts with that code that overlap the unit, the whole span
    as the accepted coder marked it (so the neighbouring units it covers agree too).
  - The accepted coder did not: the other coder's codings of the code on their
    excerpts that overlap the unit are removed (whole: an excerpt is one span); an
    excerpt left without codings goes with its last one, as ``code remove`` does.

- **keep both** (``"keep"``, kind ``reconcile.keep``): both readings stand and no
  coding changes; the decision is recorded as a memo on the source that names the
  unit, the code and who gave it, so that the reconciliation can be read back (and
  undone) like any other change.

A decision is checked against the project as it is now: a unit on which the coders
agree by then (someone else reconciled it, or an earlier decision's span covered it)
is refused with one line, and nothing changes.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from cen_themes.db import Project, retried
from cen_themes.errors import InputError
from cen_themes.models import Coding, Excerpt, Memo
from cen_themes.results.agreement import Disagreement
from cen_themes.services.agreement import find_coders
from cen_themes.services.coding import code_spans
from cen_themes.services.sources import find_source
from cen_themes.wording import plural

Choice = Literal["a", "b", "keep"]
CHOICES: tuple[Choice, ...] = ("a", "b", "keep")


@retried
def decide(
    project: Project,
    coders: tuple[str, str] | list[str],
    found: Disagreement,
    choice: Choice,
    *,
    coder: str,
) -> str:
    """Settle the disagreement ``found`` between ``coders`` (A, B) as ``choice`` says
    (see the module's docstring), recorded as ``coder``'s change. Returns its summary."""
    if choice not in CHOICES:
        raise InputError(f"a decision is one of {', '.join(CHOICES)}, not {choice!r}")
    names = (coders[0].strip(), coders[1].strip())
    kind = "reconcile.keep" if choice == "keep" else "reconcile.accept"
    with project.change(kind, coder) as ch:
        ids = find_coders(ch.session, names)
        source = find_source(ch.session, found.source)
        code_id = ch.codes.find(found.code)
        path = ch.codes.path(code_id)
        unit = f"{source.name} {found.start}-{found.end}"
        rows = ch.session.execute(
            select(Coding.id, Coding.coder_id, Excerpt.id, Excerpt.start, Excerpt.end)
            .join(Excerpt, Excerpt.id == Coding.excerpt_id)
            .where(
                Coding.source_id == source.id,
                Coding.code_id == code_id,
                Coding.coder_id.in_(ids),
                Excerpt.start < found.end,
                Excerpt.end > found.start,
            )
            .order_by(Excerpt.start, Excerpt.end)
        ).all()
        gave = [any(r[1] == who for r in rows) for who in ids]
        if gave[0] == gave[1]:
            state = "both coders gave it" if gave[0] else "neither coder gives it"
            raise InputError(f"{unit} is no longer a disagreement on '{path}': {state}")
        giver = 0 if gave[0] else 1
        if choice == "keep":
            text = (
                f"Reconciled '{path}' at {found.start}-{found.end}: kept both readings "
                f"({names[giver]} gave it, {names[1 - giver]} did not)"
            )
            ch.add(Memo(target_type="source", target_id=source.id, text=text, author=coder))
            ch.summary = (
                f"reconciled {path} on {unit}: kept both {names[0]}'s and {names[1]}'s readings"
            )
            return ch.summary
        chosen = 0 if choice == "a" else 1
        other = 1 - chosen
        if chosen == giver:
            spans = [(source.id, s, e) for _c, who, _e, s, e in rows if who == ids[chosen]]
            _excerpts, added = code_spans(ch, spans, code_id, names[other])
            ch.summary = (
                f"reconciled {path} on {unit} as {names[chosen]} read it: {names[other]} "
                f"takes {names[chosen]}'s coding ({plural(len(added), 'span')})"
            )
            return ch.summary
        codings = [c for c, who, _e, _s, _end in rows if who == ids[other]]
        excerpts = sorted({e for _c, who, e, _s, _end in rows if who == ids[other]})
        ch.delete("codings", Coding.id.in_(codings))
        still = set(
            ch.session.scalars(select(Coding.excerpt_id).where(Coding.excerpt_id.in_(excerpts)))
        )
        empty = [e for e in excerpts if e not in still]
        if empty:
            ch.delete("excerpts", Excerpt.id.in_(empty))
        ch.summary = (
            f"reconciled {path} on {unit} as {names[chosen]} read it: {names[other]}'s "
            f"coding removed ({plural(len(codings), 'coding')})"
        )
        return ch.summary
