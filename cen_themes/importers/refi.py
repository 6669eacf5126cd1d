"""A REFI-QDA project (.qdpx, or a bare .qde) or codebook (.qdc), read into plain data.

The XML comes from other programs, so it is parsed with a hardened parser (no DTD, no
entities) and read leniently: any namespace or none, attributes in any order, GUIDs in
any case. Text sources come with their stored text (as a source here stores it) and
their selections already turned into code-point offsets of that text
(:mod:`cen_themes.importers.refi_offsets`). What cannot come in -- pictures, PDFs, audio
and video, their selections, a text whose file is missing, links, graphs -- is listed in
``skipped``, in words; the rest still comes. No database code lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element

from cen_themes.errors import ImportFormatError
from cen_themes.importers.archive import Archive
from cen_themes.importers.encoding import decode_text, normalise_newlines
from cen_themes.importers.refi_offsets import Span, to_code_points
from cen_themes.wording import plural

MAX_XML_BYTES = 256 * 1024 * 1024


@dataclass
class RefiCode:
    guid: str
    name: str
    parent: str | None  # the parent code's guid
    color: str = ""
    description: str = ""
    notes: list[str] = field(default_factory=list)  # guids of notes on it


@dataclass
class RefiCoding:
    code: str  # guid
    user: str | None
    time: datetime | None


@dataclass
class RefiSelection:
    guid: str
    start: int  # code points of the source's stored text, end exclusive
    end: int
    codings: list[RefiCoding]
    user: str | None
    description: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    guid: str
    name: str
    text: str  # as a source stores it (decoded, BOM gone, newlines LF)
    selections: list[RefiSelection]
    description: str = ""
    notes: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    reading: str = ""  # how its offsets were read, when that mattered


@dataclass
class RefiNote:
    guid: str
    name: str
    text: str
    user: str | None
    time: datetime | None


@dataclass
class RefiSet:
    name: str
    description: str
    sources: list[str]
    codes: list[str]
    notes: list[str] = field(default_factory=list)  # guids of its member notes


@dataclass
class RefiProject:
    kind: str  # "project" or "codebook"
    name: str
    origin: str
    users: dict[str, str]  # guid -> name
    codes: list[RefiCode]  # parents before children
    sources: list[RefiSource] = field(default_factory=list)
    notes: dict[str, RefiNote] = field(default_factory=dict)
    project_notes: list[str] = field(default_factory=list)  # guids of notes on the project
    description: str = ""
    sets: list[RefiSet] = field(default_factory=list)
    cases: list[tuple[str, list[str], dict[str, str]]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_refi(path: Path) -> RefiProject:
    """Read a .qdpx, .qde or .qdc file; every problem is an ImportFormatError."""
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        with Archive(path) as archive:
            qde = next(
                (n for n in archive.names() if "/" not in n and n.lower().endswith(".qde")),
                None,
            )
            if qde is None:
                raise ImportFormatError("not a REFI-QDA project: no project.qde in the archive")
            return _Reader(archive).project(_parse(archive.read(qde), qde))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"cannot read the file ({exc.strerror or exc})") from None
    if len(data) > MAX_XML_BYTES:
        raise ImportFormatError("is larger than 256 MB")
    root = _parse(data, path.name)
    if _local(root.tag) == "CodeBook":
        return _Reader(None).codebook(root)
    return _Reader(None).project(root)


def _parse(data: bytes, what: str) -> Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ImportFormatError(f"{what} is refused: {exc}") from None
    except ParseError as exc:
        raise ImportFormatError(f"{what} is not well-formed XML ({exc})") from None
    except (LookupError, ValueError) as exc:  # an encoding declared that Python lacks
        raise ImportFormatError(f"{what} cannot be read as XML ({exc})") from None
    if _local(root.tag) not in ("Project", "CodeBook"):
        raise ImportFormatError(
            f"{what} is not REFI-QDA: its root is <{_local(root.tag)}>, not <Project>"
        )
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element | None, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element | None, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _time(value: str | None) -> datetime | None:
    """An ISO 8601 time (one without a zone is UTC), or ``None`` for one that is not,
    or that lies outside the years 1 to 9999 once in UTC ("0001-01-01T00:00:00+01:00"):
    no project could give it back."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _span(selection: Element) -> Span | None:
    """A selection's startPosition and endPosition (a missing one is 0), or ``None``
    when either is not a whole number."""
    try:
        return Span(
            int(selection.get("startPosition", "0") or 0),
            int(selection.get("endPosition", "0") or 0),
        )
    except ValueError:  # not a number, or one of more than 4300 digits
        return None


def _refs(element: Element, name: str) -> list[str]:
    """The GUIDs a reference names: targetGUID in a project, guid in a codebook's sets."""
    return [_guid(ref.get("targetGUID") or ref.get("guid")) for ref in _children(element, name)]


class _Reader:
    def __init__(self, archive: Archive | None) -> None:
        self.archive = archive
        self.skipped: list[str] = []

    def codebook(self, root: Element) -> RefiProject:
        codes = self._codes(_child(root, "Codes"))
        sets = self._sets(_child(root, "Sets"))
        return RefiProject(
            "codebook", "", root.get("origin", ""), {}, codes, sets=sets, skipped=self.skipped
        )

    def project(self, root: Element) -> RefiProject:
        origin = root.get("origin", "")
        users = {
            _guid(u.get("guid")): (u.get("name") or "").strip() or "unknown"
            for u in _children(_child(root, "Users"), "User")
        }
        codes = self._codes(_child(_child(root, "CodeBook"), "Codes"))
        variables = {
            _guid(v.get("guid")): (v.get("name") or "").strip()
            for v in _children(_child(root, "Variables"), "Variable")
        }
        notes = {}
        for note in _children(_child(root, "Notes"), "Note"):
            text = _text(note, "PlainTextContent") or self._file_text(note)
            notes[_guid(note.get("guid"))] = RefiNote(
                _guid(note.get("guid")),
                (note.get("name") or "").strip(),
                text,
                _guid(note.get("creatingUser")) or None,
                _time(note.get("creationDateTime")),
            )
        project = RefiProject(
            "project",
            (root.get("name") or "").strip(),
            origin,
            users,
            codes,
            notes=notes,
            project_notes=_refs(root, "NoteRef"),
            description=_text(root, "Description"),
        )
        guids: set[str] = set()
        for element in _child(root, "Sources") or []:
            source = self._source(element, origin, variables)
            if source is not None:
                if source.guid in guids:
                    # a GUID used twice: this text is another source all the same, under
                    # a key no reference can name (references are lower-cased), so its
                    # selections stay with it; references mean the first
                    source.guid = f"Source{len(project.sources) + 1}:{source.guid}"
                guids.add(source.guid)
                project.sources.append(source)
        for case in _children(_child(root, "Cases"), "Case"):
            values = self._values(case, variables)
            project.cases.append(
                ((case.get("name") or "").strip(), _refs(case, "SourceRef"), values)
            )
        project.sets = self._sets(_child(root, "Sets"))
        for kind, what in (("Links", "link"), ("Graphs", "graph")):
            count = len(list(_child(root, kind) or []))
            if count:
                self.skipped.append(f"{plural(count, what)}: no place for them here")
        project.skipped = self.skipped
        return project

    def _codes(self, codes: Element | None) -> list[RefiCode]:
        found: list[RefiCode] = []

        def walk(element: Element, parent: str | None) -> None:
            code = RefiCode(
                _guid(element.get("guid")),
                (element.get("name") or "").strip(),
                parent,
                (element.get("color") or "").strip(),
                _text(element, "Description"),
                _refs(element, "NoteRef"),
            )
            found.append(code)
            for child in _children(element, "Code"):
                walk(child, code.guid)

        for element in _children(codes, "Code"):
            walk(element, None)
        return found

    def _sets(self, sets: Element | None) -> list[RefiSet]:
        return [
            RefiSet(
                (s.get("name") or "").strip(),
                _text(s, "Description"),
                _refs(s, "MemberSource"),
                _refs(s, "MemberCode"),
                _refs(s, "MemberNote"),
            )
            for s in _children(sets, "Set")
        ]

    def _values(self, element: Element, variables: dict[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for value in _children(element, "VariableValue"):
            ref = _child(value, "VariableRef")  # an Element without children is falsy
            name = variables.get(_guid(ref.get("targetGUID"))) if ref is not None else None
            given = next(
                (
                    (child.text or "").strip()
                    for child in value
                    if _local(child.tag).endswith("Value") and _local(child.tag) != "VariableValue"
                ),
                "",
            )
            if name and given:
                values[name] = given
        return values

    def _file_text(self, element: Element) -> str:
        data = self._file(element.get("plainTextPath"))
        return normalise_newlines(decode_text(data)).strip() if data is not None else ""

    def _file(self, path: str | None) -> bytes | None:
        """A file the XML names: internal://NAME is NAME in the archive's sources/;
        a bare name is looked for there too."""
        if not path or self.archive is None:
            return None
        name = path.strip()
        if name.lower().startswith("internal://"):
            name = name[len("internal://") :]
        elif "://" in name:
            return None  # a file outside the archive (relative:// or absolute): not here
        name = name.lstrip("/")
        for candidate in (f"sources/{name}", name):
            found = self.archive.find(candidate)
            if found is not None:
                return self.archive.read(found)
        return None

    def _source(
        self, element: Element, origin: str, variables: dict[str, str]
    ) -> RefiSource | None:
        kind = _local(element.tag)
        guid = _guid(element.get("guid"))
        name = (element.get("name") or "").strip()
        if not name and element.get("plainTextPath"):  # qc names none: its file does
            stem = PurePosixPath(element.get("plainTextPath", "").split("://")[-1]).stem
            name = stem if _guid(stem) != guid else ""
        label = f"'{name}'" if name else guid or "(unnamed)"
        if kind != "TextSource":
            what = kind.removesuffix("Source").lower()
            selections = sum(1 for c in element if _local(c.tag).endswith("Selection"))
            extra = (
                f" and its {selections} selection{'s' if selections != 1 else ''}"
                if selections
                else ""
            )
            self.skipped.append(f"{what} source {label}{extra}: only text sources can come in")
            return None
        data = self._file(element.get("plainTextPath"))
        if data is None:
            content = _child(element, "PlainTextContent")
            data = (content.text or "").encode("utf-8") if content is not None else None
        selections = _children(element, "PlainTextSelection")
        if data is None:
            where = element.get("plainTextPath") or "no plain text"
            extra = f" and its {plural(len(selections), 'selection')}" if selections else ""
            self.skipped.append(
                f"text source {label}{extra}: its text ({where}) is not in the archive"
            )
            return None
        try:
            original = decode_text(data)
        except ImportFormatError as exc:
            self.skipped.append(f"text source {label}: {exc}")
            return None
        text = normalise_newlines(original)
        if not text.strip():
            self.skipped.append(f"text source {label}: its text is empty")
            return None
        readable = [(s, _span(s)) for s in selections]
        selections = [s for s, span in readable if span is not None]
        unreadable = len(readable) - len(selections)
        if unreadable:
            self.skipped.append(
                f"{plural(unreadable, 'selection')} of text source {label}: "
                "its positions are not whole numbers"
            )
        raw = [span for _s, span in readable if span is not None]
        spans, reading, bad = to_code_points(original, raw, origin)
        if bad:
            self.skipped.append(
                f"{plural(bad, 'selection')} of text source {label}: outside its text"
            )
        parsed: list[RefiSelection] = []
        for selection, span in zip(selections, spans, strict=True):
            if span is None:
                continue
            selected_by = _guid(selection.get("creatingUser")) or None
            codings = [
                RefiCoding(
                    _guid(ref.get("targetGUID")),
                    _guid(coding.get("creatingUser")) or selected_by,
                    _time(coding.get("creationDateTime")),
                )
                for coding in _children(selection, "Coding")
                for ref in _children(coding, "CodeRef")
            ]
            parsed.append(
                RefiSelection(
                    _guid(selection.get("guid")),
                    span.start,
                    span.end,
                    codings,
                    selected_by,
                    _text(selection, "Description"),
                    _refs(selection, "NoteRef"),
                )
            )
        whole = [
            RefiCoding(_guid(ref.get("targetGUID")), _guid(c.get("creatingUser")) or None, None)
            for c in _children(element, "Coding")
            for ref in _children(c, "CodeRef")
        ]
        if whole:  # a coding of the whole text: a selection of all of it
            parsed.append(RefiSelection(guid, 0, len(text), whole, None))
        return RefiSource(
            guid,
            name or guid,
            text,
            parsed,
            _text(element, "Description"),
            _refs(element, "NoteRef"),
            self._values(element, variables),
            reading,
        )
