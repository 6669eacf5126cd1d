"""Take a project out as REFI-QDA: a whole project (.qdpx) or its codebook (.qdc).

What becomes what (the reverse of :mod:`cen_themes.services.refi_import`):

- sources -> text sources, their text a UTF-8 file in the archive; attributes ->
  text variables with a value on each source;
- codes -> the code tree, with colours and descriptions (every code codable);
- excerpts -> selections (code points of the source's text), each coding -> a coding
  by its coder, at its time; coders and memo authors -> users;
- memos -> notes: on the project, a source, a code, an excerpt (the selection's note),
  and on a theme (a member note of the theme's set);
- themes -> sets of codes named by the theme's path ("Stigma > Diagnosis").

Everything is read in one snapshot, and the selections and notes as they are written,
so memory stays small however many codings there are. GUIDs are derived from the
project (its first event) and each row's id and creation time: the same project gives
the same GUIDs, and a row deleted and another made in its place gets a new one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from cen_themes import NAME, __version__
from cen_themes.bookkeeping.trees import Tree
from cen_themes.db import Project
from cen_themes.errors import InputError
from cen_themes.exporters.files import check_target
from cen_themes.exporters.refi import write_qdc, write_qdpx
from cen_themes.models import (
    EPOCH,
    Attribute,
    Code,
    Coder,
    Coding,
    Event,
    Excerpt,
    Memo,
    Source,
    Theme,
    ThemeCode,
)
from cen_themes.results.refi import (
    RefiOut,
    RefiOutCode,
    RefiOutCoding,
    RefiOutNote,
    RefiOutSelection,
    RefiOutSet,
    RefiOutSource,
)
from cen_themes.wording import plural

ORIGIN = f"{NAME} {__version__}"


def export_qdpx(project: Project, out: Path) -> str:
    """The whole project as a REFI-QDA project file."""
    check_target(out, (".qdpx",), "a REFI-QDA project")
    with project.read() as session:
        sources, selections = write_qdpx(_Reading(session, _name(project)).project(), out)
    return f"wrote {out} ({plural(sources, 'source')}, {plural(selections, 'excerpt')})"


def export_qdc(project: Project, out: Path) -> str:
    """The codes and themes as a REFI-QDA codebook."""
    check_target(out, (".qdc",), "a REFI-QDA codebook")
    with project.read() as session:
        book = _Reading(session, _name(project)).codebook()
        if not book.codes:
            raise InputError(f"{out}: the project has no codes; a REFI-QDA codebook needs one")
        write_qdc(book, out)
    return f"wrote {out} ({plural(_count(book.codes), 'code')}, {plural(len(book.sets), 'theme')})"


def _name(project: Project) -> str:
    """The project's name in the file: its file's, or its database's on a server."""
    path = project.path
    if path is not None:
        return path.stem
    return make_url(project.url).database or "project"


def _count(codes: list[RefiOutCode]) -> int:
    return sum(1 + _count(code.children) for code in codes)


class _Guids:
    """A GUID for each row: a name-based (version 5 style) UUID from the project's
    identity, the kind of row, its id and its creation time."""

    def __init__(self, session: Session) -> None:
        first = session.execute(select(Event.id, Event.created_at).order_by(Event.id).limit(1))
        seed = "".join(f"{row[0]}:{_micro(row[1])}" for row in first)
        self._base = hashlib.sha1(f"cen-themes project {seed}".encode())

    def __call__(self, kind: str, key: object, moment: datetime | None = None) -> str:
        digest = self._base.copy()
        digest.update(f"{kind}:{key}:{_micro(moment)}".encode())
        h = digest.hexdigest()
        variant = "89ab"[int(h[16], 16) & 3]
        return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def _micro(moment: datetime | None) -> int:
    if moment is None:
        return 0
    return (moment - EPOCH) // _MICROSECOND


_MICROSECOND = timedelta(microseconds=1)


class _Reading:
    def __init__(self, session: Session, name: str) -> None:
        self.session, self.name = session, name
        self.guid = _Guids(session)
        self.users: dict[str, str] = {}  # name -> guid
        self.memos = session.execute(
            select(
                Memo.id, Memo.target_type, Memo.target_id, Memo.text, Memo.author, Memo.created_at
            ).order_by(Memo.id)
        ).all()
        self.memos_on: dict[tuple[str, int | None], list[str]] = defaultdict(list)
        for memo in self.memos:
            self.memos_on[(memo.target_type, memo.target_id)].append(self._memo_guid(memo))

    def _memo_guid(self, memo) -> str:
        return self.guid("memo", memo.id, memo.created_at)

    def user(self, name: str | None) -> str | None:
        if not name:
            return None
        found = self.users.get(name)
        if found is None:
            found = self.users[name] = self.guid("user", name)
        return found

    # -- the codebook ------------------------------------------------------------------
    def codebook(self) -> RefiOut:
        codes, code_guids = self._codes()
        return RefiOut(self.name, ORIGIN, [], codes, [], self._sets(code_guids), [])

    def _codes(self) -> tuple[list[RefiOutCode], dict[int, str]]:
        """The code tree, and each code's GUID in tree order."""
        rows = {
            row.id: row
            for row in self.session.execute(
                select(Code.id, Code.name, Code.color, Code.description, Code.created_at)
            )
        }
        tree = Tree(self.session, Code, "code")
        # in tree order: the sets list their codes in this order too
        guids = {node: self.guid("code", node, rows[node].created_at) for node in tree.ordered()}

        def build(node: int) -> RefiOutCode:
            row = rows[node]
            return RefiOutCode(
                guids[node],
                row.name,
                row.color,
                row.description,
                self.memos_on.get(("code", node), []),
                [build(child) for child in tree.children(node)],
            )

        return [build(node) for node in tree.children(None)], guids

    def _sets(self, code_guids: dict[int, str]) -> list[RefiOutSet]:
        tree = Tree(self.session, Theme, "theme")
        themes = {
            row.id: row
            for row in self.session.execute(select(Theme.id, Theme.description, Theme.created_at))
        }
        members: dict[int, list[int]] = defaultdict(list)
        for theme, code in self.session.execute(select(ThemeCode.theme_id, ThemeCode.code_id)):
            members[theme].append(code)
        order = {code: n for n, code in enumerate(code_guids)}  # the code tree's order
        return [
            RefiOutSet(
                self.guid("theme", node, themes[node].created_at),
                tree.path(node),
                themes[node].description,
                [code_guids[c] for c in sorted(members.get(node, []), key=order.__getitem__)],
                self.memos_on.get(("theme", node), []),
            )
            for node in tree.ordered()
        ]

    # -- the project ----------------------------------------------------------------------
    def project(self) -> RefiOut:
        codes, code_guids = self._codes()
        sets = self._sets(code_guids)
        sources = self.session.execute(
            select(Source.id, Source.name, Source.imported_at).order_by(Source.id)
        ).all()
        source_guids = {s.id: self.guid("source", s.id, s.imported_at) for s in sources}
        keys = sorted(set(self.session.scalars(select(Attribute.key))))
        variables = {key: self.guid("variable", key) for key in keys}
        values: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for source_id, key, value in self.session.execute(
            select(Attribute.source_id, Attribute.key, Attribute.value).order_by(
                Attribute.source_id, Attribute.key
            )
        ):
            values[source_id].append((variables[key], value))
        coders = {row.id: row.name for row in self.session.execute(select(Coder.id, Coder.name))}
        for name in sorted(coders.values()):
            self.user(name)
        for memo in self.memos:
            self.user(memo.author)
        for author in self.session.scalars(
            select(Excerpt.memo_author).where(Excerpt.memo != "").distinct()
        ):
            self.user(author)
        users = sorted(self.users.items(), key=itemgetter(0))
        return RefiOut(
            self.name,
            ORIGIN,
            [(guid, name) for name, guid in users],
            codes,
            [(guid, key) for key, guid in variables.items()],
            sets,
            self.memos_on.get(("project", None), []),
            texts=self._texts(source_guids),
            sources=self._sources(sources, source_guids, values, code_guids, coders),
            notes=self._notes(),
        )

    def _texts(self, guids: dict[int, str]) -> Iterator[tuple[str, str]]:
        for source_id, guid in guids.items():
            text = self.session.scalar(select(Source.text).where(Source.id == source_id))
            yield guid, text or ""

    def _sources(self, sources, guids, values, code_guids, coders) -> Iterator[RefiOutSource]:
        rows = self.session.execute(
            select(
                Excerpt.source_id,
                Excerpt.id,
                Excerpt.start,
                Excerpt.end,
                Excerpt.created_at,
                Excerpt.memo != "",
                Coding.id,
                Coding.code_id,
                Coding.coder_id,
                Coding.created_at,
            )
            .outerjoin(Coding, Coding.excerpt_id == Excerpt.id)
            .order_by(Excerpt.source_id, Excerpt.start, Excerpt.end, Excerpt.id, Coding.id)
            .execution_options(yield_per=10_000)
        )
        by_source = groupby(rows, key=itemgetter(0))
        pending = next(by_source, None)
        for source in sources:
            selections: Iterator[RefiOutSelection] = iter(())
            if pending is not None and pending[0] == source.id:
                selections = self._selections(pending[1], code_guids, coders)
            yield RefiOutSource(
                guids[source.id],
                source.name,
                source.imported_at,
                self.memos_on.get(("source", source.id), []),
                values.get(source.id, []),
                selections,
            )
            if pending is not None and pending[0] == source.id:
                pending = next(by_source, None)

    def _selections(self, rows, code_guids, coders) -> Iterator[RefiOutSelection]:
        guid, coder_guids = self.guid, {c: self.user(name) for c, name in coders.items()}
        for (excerpt, start, end, created, memo), codings in groupby(
            rows, key=itemgetter(1, 2, 3, 4, 5)
        ):
            out = [
                RefiOutCoding(guid("coding", c[6], c[9]), code_guids[c[7]], coder_guids[c[8]], c[9])
                for c in codings
                if c[6] is not None
            ]
            yield RefiOutSelection(
                guid("excerpt", excerpt, created),
                start,
                end,
                out[0].user if out else None,
                created,
                out,
                [guid("excerpt memo", excerpt, created)] if memo else [],
            )

    def _notes(self) -> Iterator[RefiOutNote]:
        for memo in self.memos:
            yield RefiOutNote(
                self._memo_guid(memo), memo.text, self.user(memo.author), memo.created_at
            )
        rows = self.session.execute(
            select(
                Excerpt.id, Excerpt.created_at, Excerpt.memo, Excerpt.memo_author, Excerpt.memo_at
            )
            .where(Excerpt.memo != "")
            .order_by(Excerpt.source_id, Excerpt.start, Excerpt.end, Excerpt.id)
            .execution_options(yield_per=10_000)
        )
        for excerpt, created, text, author, at in rows:
            yield RefiOutNote(
                self.guid("excerpt memo", excerpt, created), text, self.user(author), at
            )
