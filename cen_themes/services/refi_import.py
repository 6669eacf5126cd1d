"""Bring a REFI-QDA project or codebook in: NVivo, ATLAS.ti, MAXQDA, QualCoder, qc...

The archive is read first (:mod:`cen_themes.importers.refi`), then everything goes in as
one change, so one undo takes the import back and a failure leaves the project as it
was. What becomes what:

- text sources -> sources (a name taken by other content gets " (2)", " (3)"...; a text
  already in the project is that source); users -> coders;
- the code tree -> codes, matched by path (a code at the same path is the same code);
  colours and descriptions where the code is new or has none; ATLAS.ti's "A::B" names
  -> B under A;
- selections with their codings -> excerpts and codings; a selection's description and
  notes -> the excerpt's memo; a selection without codes keeps its note as a memo on
  the source;
- notes -> memos on the project, a source, a code or a theme (a set's member notes),
  signed and dated as the note is; an unattached note: the project's;
- cases' and sources' variables -> attributes; sets of sources -> attributes ("gender:
  male" gives gender=male, any other set name set=NAME); sets of codes -> themes. In a
  file this program wrote, a set is a theme named by its path ("Stigma > Diagnosis"),
  with or without codes.

Importing the same archive again adds nothing: texts, codes, codings, memos, attributes
and themes that are there already are found, not repeated.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from cen_themes import nlp
from cen_themes.bookkeeping.change import Change
from cen_themes.bookkeeping.trees import SEPARATOR, check_name
from cen_themes.bulk.beside import Beside
from cen_themes.db import Project, retried
from cen_themes.errors import CenThemesError, InputError
from cen_themes.importers import Document, detect_turns
from cen_themes.importers.refi import RefiProject, read_refi
from cen_themes.importers.refi_offsets import OWN_ORIGIN
from cen_themes.models import Code, Excerpt, Memo, Source, Theme, ThemeCode
from cen_themes.services.attributes import apply_attributes
from cen_themes.services.codebook import colour_new_codes, normalise_colour
from cen_themes.services.coding import code_spans, write_memo
from cen_themes.services.sources import add_source, content_hash, count_words, infer_kind
from cen_themes.wording import plural


@dataclass
class RefiImportResult:
    """What importing one archive did, in counts, and what could not come in."""

    path: Path
    origin: str
    sources_added: list[str] = field(default_factory=list)
    sources_found: list[str] = field(default_factory=list)  # the same text was there
    codes_created: int = 0
    codings_added: int = 0
    memos_added: int = 0
    attributes_set: int = 0
    themes: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # renamed, merged, read as...
    skipped: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        made = [
            plural(len(self.sources_added), "source"),
            plural(self.codes_created, "new code"),
            plural(self.codings_added, "coding"),
            plural(self.memos_added, "memo"),
        ]
        if self.themes:
            made.append(plural(len(self.themes), "theme"))
        if self.attributes_set:
            made.append(plural(self.attributes_set, "attribute value"))
        found = f"; {len(self.sources_found)} already here" if self.sources_found else ""
        return f"{self.path}: imported {', '.join(made)}{found}"


@dataclass
class RefiReading:
    """A file read, its texts' turns found, and their sentences being found on the
    other core: the project can be opened meanwhile."""

    path: Path
    refi: RefiProject
    documents: list[Document]
    segmenting: Beside[list[list[nlp.SegmentSpan]]]


@contextlib.contextmanager
def reading(path: Path) -> Iterator[RefiReading]:
    """Read a .qdpx, .qde or .qdc file and start segmenting its texts beside; a bad
    file is an InputError naming it."""
    try:
        refi = read_refi(path)
    except CenThemesError as exc:
        raise InputError(f"{path}: {exc}") from None
    documents = [_document(source.text) for source in refi.sources]
    with Beside(nlp.segment_many, documents) as segmenting:
        yield RefiReading(path, refi, documents, segmenting)


@retried
def import_refi(
    project: Project, path: Path, *, coder: str, read: RefiReading | None = None
) -> RefiImportResult:
    """Import one .qdpx, .qde or .qdc file as one change (``read``: the file, already
    being read by :func:`reading`)."""
    if read is None:
        with reading(path) as read:
            return import_refi(project, path, coder=coder, read=read)
    refi, documents = read.refi, read.documents
    segments = read.segmenting.result()
    result = RefiImportResult(path, refi.origin, skipped=list(refi.skipped))
    try:
        with project.change("refi.import", coder) as ch:
            _Importer(ch, refi, result, coder).run(documents, segments)
            ch.summary = f"imported {path.name} (REFI-QDA from {refi.origin or 'an unknown tool'})"
            ch.payload.update(origin=refi.origin, file=path.name)
    except InputError as exc:  # something in the file, found while importing it
        raise InputError(f"{path}: {exc}", title=exc.title) from None
    return result


class _Importer:
    def __init__(self, ch: Change, refi: RefiProject, result: RefiImportResult, coder: str):
        self.ch, self.refi, self.result, self.coder = ch, refi, result, coder
        self.codes: dict[str, int] = {}  # guid -> code
        self.own = refi.origin.lower().startswith(OWN_ORIGIN)  # a file this program wrote
        # memos the project had before this import, by (target kind, target, text): a
        # memo of the file is new once those are used up, so two equal memos both come
        # in, and a second import adds none
        self.memos_here: dict[tuple[str, int | None, str], int] = {}
        self.sources: dict[str, Source] = {}  # guid -> source

    def user(self, guid: str | None) -> str:
        return self.refi.users.get(guid or "", "") or self.coder

    def run(self, documents, segments) -> None:
        self._codes()
        for source, document, spans in zip(self.refi.sources, documents, segments, strict=True):
            self._source(source, document, spans)
        self._codings()
        self._memos()
        self._attributes()
        self._themes()

    # -- sources -----------------------------------------------------------------------
    def _source(self, refi_source, document, spans) -> None:
        session = self.ch.session
        digest = content_hash(document.text)
        same = session.scalar(select(Source).where(Source.content_hash == digest))
        if same is not None:
            self.sources[refi_source.guid] = same
            self.result.sources_found.append(same.name)
            return
        name = _free_name(session, _source_name(refi_source.name))
        if name != refi_source.name:
            self.result.notices.append(
                f"source '{refi_source.name}' is imported as '{name}': the name was taken"
            )
        added = add_source(
            self.ch,
            document,
            spans,
            name=name,
            kind=infer_kind(document),
            attributes={},
            original_filename=f"{self.result.path.name}:{refi_source.guid}",
            digest=digest,
            words=count_words(document.text),
        )
        self.sources[refi_source.guid] = added
        self.result.sources_added.append(name)
        if refi_source.reading:
            self.result.notices.append(f"'{name}': offsets read as {refi_source.reading}")

    # -- codes -------------------------------------------------------------------------
    def _codes(self) -> None:
        paths: dict[str, list[str]] = {}
        atlas = "atlas" in self.refi.origin.lower()
        for code in self.refi.codes:  # parents come first
            names = [_code_name(code.name)]
            if atlas and "::" in code.name:
                names = [_code_name(part) for part in code.name.split("::") if part.strip()] or [
                    _code_name(code.name)
                ]  # a name of colons only is that name
            paths[code.guid] = paths.get(code.parent or "", []) + names
        tree = self.ch.codes
        seen: set[str] = set()
        for code in self.refi.codes:
            path = SEPARATOR.join(paths[code.guid])
            if path.casefold() in seen:
                self.result.notices.append(f"two codes share the path '{path}': they are one here")
            seen.add(path.casefold())
            node, created = tree.ensure_path(path)
            self.codes[code.guid] = node
            self.result.codes_created += len(created)
            row = self.ch.session.get(Code, node)
            assert row is not None
            colour_new_codes(self.ch, created)
            values: dict[str, str] = {}
            if code.color and (node in created or not row.color):
                try:
                    values["color"] = normalise_colour(code.color)
                except InputError:
                    self.result.notices.append(f"code '{path}': colour {code.color!r} ignored")
            if code.description and not row.description:
                values["description"] = code.description
            if values:
                self.ch.update("codes", Code.id == node, values)

    # -- codings and excerpt memos ---------------------------------------------------------
    def _codings(self) -> None:
        groups: dict[tuple[int, str], list[tuple[int, int, int]]] = defaultdict(list)
        memos: dict[tuple[int, int, int], tuple[str, str, datetime | None]] = {}
        unknown = 0
        for refi_source in self.refi.sources:
            source = self.sources[refi_source.guid]
            for selection in refi_source.selections:
                span = (source.id, selection.start, selection.end)
                note = self._selection_note(selection)
                coded = False
                for coding in selection.codings:
                    code = self.codes.get(coding.code)
                    if code is None:
                        unknown += 1
                        continue
                    groups[(code, self.user(coding.user))].append(span)
                    coded = True
                if note and coded:
                    memos[span] = (note, *self._signature(selection))
                elif note:
                    text = source.text[selection.start : selection.end]
                    self._memo("source", source.id, f"On “{_short(text)}” ({selection.start}-"
                               f"{selection.end}): {note}", self.user(selection.user))  # fmt: skip
        if unknown:
            self.result.skipped.append(f"{plural(unknown, 'coding')} of codes the file lacks")
        for (code, user), spans in groups.items():
            _excerpts, added = code_spans(self.ch, spans, code, user)
            self.result.codings_added += len(added)
        for (source_id, start, end), (note, author, at) in memos.items():
            where = (
                (Excerpt.source_id == source_id) & (Excerpt.start == start) & (Excerpt.end == end)
            )
            self.result.memos_added += len(write_memo(self.ch, where, note, author, at))

    def _signature(self, selection) -> tuple[str, datetime | None]:
        """Who wrote a selection's memo, and when: its first note's author and time, or
        whoever made the selection."""
        for guid in selection.notes:
            note = self.refi.notes.get(guid)
            if note is not None and note.text.strip():
                return self.user(note.user or selection.user), note.time
        return self.user(selection.user), None

    def _selection_note(self, selection) -> str:
        parts = [selection.description] if selection.description else []
        parts += [self.refi.notes[n].text for n in selection.notes if n in self.refi.notes]
        return "\n\n".join(p for p in parts if p.strip())

    # -- memos -------------------------------------------------------------------------
    def _memos(self) -> None:
        attached: set[str] = set()
        for guid in self.refi.project_notes:
            attached.add(guid)
            self._note("project", None, guid)
        for code in self.refi.codes:
            for guid in code.notes:
                attached.add(guid)
                self._note("code", self.codes[code.guid], guid)
        for source in self.refi.sources:
            target = self.sources[source.guid].id
            if source.description:
                self._memo("source", target, source.description, self.coder)
            for guid in source.notes:
                attached.add(guid)
                self._note("source", target, guid)
        for source in self.refi.sources:
            for selection in source.selections:
                attached.update(selection.notes)
        for refi_set in self.refi.sets:
            attached.update(refi_set.notes)  # the theme's, or the project's: see _themes
        if self.refi.description:
            self._memo("project", None, self.refi.description, self.coder)
        for guid in self.refi.notes:
            if guid not in attached:  # a free-standing note: the project's
                self._note("project", None, guid)

    def _note(self, on: str, target: int | None, guid: str) -> None:
        note = self.refi.notes.get(guid)
        if note is None or not note.text.strip():
            return
        text = (
            f"{note.name}\n\n{note.text}" if note.name and note.name not in note.text else note.text
        )
        self._memo(on, target, text, self.user(note.user), note.time)

    def _memo(
        self, on: str, target: int | None, text: str, author: str, at: datetime | None = None
    ) -> None:
        text = text.strip()
        key = (on, target, text)
        if key not in self.memos_here:  # before this import wrote any such memo
            self.memos_here[key] = self.ch.session.scalar(
                select(func.count(Memo.id)).where(
                    Memo.target_type == on,
                    Memo.target_id.is_(None) if target is None else Memo.target_id == target,
                    Memo.text == text,
                )
            )
        if self.memos_here[key]:  # the file's memo is one that is here already
            self.memos_here[key] -= 1
        else:
            memo = Memo(target_type=on, target_id=target, text=text, author=author)
            if at is not None:
                memo.created_at = at
            self.ch.add(memo)
            self.result.memos_added += 1

    # -- attributes and themes ---------------------------------------------------------
    def _attributes(self) -> None:
        values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

        def put(source_guid: str, key: str, value: str) -> None:
            if source_guid in self.sources and value not in values[source_guid][key]:
                values[source_guid][key].append(value)

        for source in self.refi.sources:
            for key, value in source.variables.items():
                put(source.guid, key, value)
        for _case, members, variables in self.refi.cases:
            for guid in members:
                for key, value in variables.items():
                    put(guid, key, value)
        for refi_set in self.refi.sets:
            key, sep, value = refi_set.name.partition(":")
            key, value = (
                (key.strip(), value.strip()) if sep and value.strip() else ("set", refi_set.name)
            )
            for guid in refi_set.sources:
                put(guid, key.strip(), value.strip())
        for guid, by_key in values.items():
            joined = {k: "; ".join(v) for k, v in by_key.items() if k.strip()}
            self.result.attributes_set += len(apply_attributes(self.ch, self.sources[guid], joined))

    def _themes(self) -> None:
        tree = self.ch.themes
        for refi_set in self.refi.sets:
            codes = [self.codes[c] for c in refi_set.codes if c in self.codes]
            if not (codes or self.own):
                for guid in refi_set.notes:  # a set of sources: its notes are the project's
                    self._note("project", None, guid)
                continue
            if self.own:
                node, created = tree.ensure_path(refi_set.name)
            else:
                name = _code_name(refi_set.name)
                found = tree.lookup(name)
                node, created = (found, []) if found is not None else tree.ensure_path(name)
            for guid in refi_set.notes:
                self._note("theme", node, guid)
            if refi_set.description:
                self.ch.update(
                    "themes",
                    (Theme.id == node) & (Theme.description == ""),
                    {"description": refi_set.description},
                )
            present = set(
                self.ch.session.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == node))
            )
            new = [c for c in dict.fromkeys(codes) if c not in present]
            self.ch.add(*(ThemeCode(theme_id=node, code_id=c) for c in new))
            if created or new:  # a theme that was here already, as it was, is not news
                self.result.themes.append(tree.path(node))


def _document(text: str) -> Document:
    """A REFI-QDA text (already decoded as a source stores it) with its speaker turns."""
    turns, skips = detect_turns(text)
    return Document(text=text, turns=turns, skips=skips)


def _source_name(name: str) -> str:
    name = " ".join(name.split()) or "untitled"
    return name[:240]


def _free_name(session, name: str) -> str:
    taken = set(session.scalars(select(Source.name)))
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def _code_name(name: str) -> str:
    """A name another tool allowed, as a name here: levels are joined by ' > ', so that
    becomes ' - '; an empty name becomes 'unnamed'."""
    cleaned = " ".join(name.replace(" > ", " - ").split()).strip(">").strip() or "unnamed"
    return check_name(cleaned[:255])


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
