"""REFI-QDA files: a whole project as .qdpx, a codebook as .qdc.

A .qdpx is a zip of the project's texts (``sources/GUID.txt``, UTF-8) and
``project.qde``, the XML that refers to them as ``internal://GUID.txt``; a .qdc is the
codebook's XML alone. Both follow the REFI-QDA schemas (Project-mrt2019.xsd and
Codebook.xsd): elements in the schema's order, a list element only when it has members.

The XML is written as it is read, a few hundred kilobytes at a time, so a project of a
million codings is never in memory. The same project gives the same bytes: GUIDs come
from the project, the order is the project's, and the zip's members carry a fixed date.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, TypeVar

from cen_themes.exporters.files import atomic_stream, check_target
from cen_themes.exporters.text import xml_safe
from cen_themes.results.refi import (
    RefiOut,
    RefiOutCode,
    RefiOutNote,
    RefiOutSelection,
    RefiOutSource,
)

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest: the same bytes every time
T = TypeVar("T")
FLUSH_AT = 1 << 18  # characters gathered before they are encoded and written

# XML 1.0 has no place for most control characters, nor for U+FFFE and U+FFFF.
_ATTRIBUTE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_RGB = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


def attribute(value: str) -> str:
    return xml_safe(value, "\ufffd").translate(_ATTRIBUTE)


def text(value: str) -> str:
    return xml_safe(value, "\ufffd").translate(_TEXT)


class _Times:
    """xsd:dateTime in UTC to the second; a bulk import's many rows share one time, so
    each is formatted once."""

    def __init__(self) -> None:
        self._seen: dict[datetime, str] = {}

    def __call__(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        found = self._seen.get(moment)
        if found is None:
            if len(self._seen) > 100_000:
                self._seen.clear()
            found = self._seen[moment] = f' creationDateTime="{moment:%Y-%m-%dT%H:%M:%SZ}"'
        return found


class _Out:
    """Gathers XML text and writes it encoded, in large pieces."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.parts: list[str] = []
        self.size = 0

    def __call__(self, piece: str) -> None:
        self.parts.append(piece)
        self.size += len(piece)
        if self.size >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        self.stream.write("".join(self.parts).encode("utf-8"))
        self.parts.clear()
        self.size = 0


def write_qdpx(project: RefiOut, path: Path) -> tuple[int, int]:
    """Write ``project`` as a .qdpx at ``path``, whole or not at all. Returns the
    numbers of sources and selections written."""
    check_target(path, (".qdpx",), "a REFI-QDA project")
    counts = [0, 0]
    with (
        atomic_stream(path) as stream,
        zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        for guid, content in project.texts:
            info = zipfile.ZipInfo(f"sources/{guid}.txt", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode("utf-8"), compresslevel=1)
        info = zipfile.ZipInfo("project.qde", ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            out = _Out(member)
            _write_project(project, out, counts)
            out.flush()
    return counts[0], counts[1]


def write_qdc(project: RefiOut, path: Path) -> None:
    """Write the codes and themes of ``project`` as a .qdc at ``path``."""
    check_target(path, (".qdc",), "a REFI-QDA codebook")
    with atomic_stream(path) as stream:
        out = _Out(stream)
        out('<?xml version="1.0" encoding="utf-8"?>\n')
        out(f'<CodeBook xmlns="{CODEBOOK_NS}" origin="{attribute(project.origin)}">\n')
        _codes(out, project.codes, notes=False)
        _sets(out, project, codebook=True)
        out("</CodeBook>\n")
        out.flush()


def _write_project(project: RefiOut, out: _Out, counts: list[int]) -> None:
    times = _Times()
    out('<?xml version="1.0" encoding="utf-8"?>\n')
    out(
        f'<Project xmlns="{PROJECT_NS}" name="{attribute(project.name)}"'
        f' origin="{attribute(project.origin)}">\n'
    )
    if project.users:
        out("<Users>\n")
        for guid, name in project.users:
            out(f'<User guid="{guid}" name="{attribute(name)}"/>\n')
        out("</Users>\n")
    if project.codes:
        out("<CodeBook>\n")
        _codes(out, project.codes, notes=True)
        out("</CodeBook>\n")
    if project.variables:
        out("<Variables>\n")
        for guid, name in project.variables:
            out(f'<Variable guid="{guid}" name="{attribute(name)}" typeOfVariable="Text"/>\n')
        out("</Variables>\n")
    _list(out, "Sources", project.sources, lambda s: _source(out, s, times, counts))
    _list(out, "Notes", project.notes, lambda n: _note(out, n, times))
    _sets(out, project, codebook=False)
    _refs(out, "NoteRef", project.project_notes)
    out("</Project>\n")


def _sets(out: _Out, project: RefiOut, *, codebook: bool) -> None:
    """Themes as sets of codes. A codebook's schema names a member by ``guid`` and has
    no notes; a project's names it by ``targetGUID`` and adds the theme's memos."""
    if not project.sets:
        return
    ref = "guid" if codebook else "targetGUID"
    out("<Sets>\n")
    for member in project.sets:
        out(f'<Set guid="{member.guid}" name="{attribute(member.name)}">')
        _description(out, member.description)
        out("".join(f'<MemberCode {ref}="{c}"/>' for c in member.codes))
        if not codebook:
            out("".join(f'<MemberNote targetGUID="{n}"/>' for n in member.notes))
        out("</Set>\n")
    out("</Sets>\n")


def _list(out: _Out, tag: str, items: Iterable[T], write: Callable[[T], None]) -> None:
    """``<tag>`` around the items, or nothing at all when there are none (the schema
    wants at least one member in a list element)."""
    opened = False
    for item in items:
        if not opened:
            out(f"<{tag}>\n")
            opened = True
        write(item)
    if opened:
        out(f"</{tag}>\n")


def _codes(out: _Out, codes: list[RefiOutCode], *, notes: bool) -> None:
    out("<Codes>\n")

    def write(code: RefiOutCode) -> None:
        colour = f' color="{code.color}"' if _RGB.fullmatch(code.color) else ""
        out(f'<Code guid="{code.guid}" name="{attribute(code.name)}" isCodable="true"{colour}')
        inner = code.description or (notes and code.notes) or code.children
        if not inner:
            out("/>\n")
            return
        out(">")
        _description(out, code.description)
        if notes:
            _refs(out, "NoteRef", code.notes)
        out("\n")
        for child in code.children:
            write(child)
        out("</Code>\n")

    for code in codes:
        write(code)
    out("</Codes>\n")


def _source(out: _Out, source: RefiOutSource, times: _Times, counts: list[int]) -> None:
    counts[0] += 1
    out(
        f'<TextSource guid="{source.guid}" name="{attribute(source.name)}"'
        f' plainTextPath="internal://{source.guid}.txt"{times(source.time)}>\n'
    )
    for selection in source.selections:
        counts[1] += 1
        _selection(out, selection, times)
    _refs(out, "NoteRef", source.notes)
    for variable, value in source.values:
        out(
            f'<VariableValue><VariableRef targetGUID="{variable}"/>'
            f"<TextValue>{text(value)}</TextValue></VariableValue>\n"
        )
    out("</TextSource>\n")


def _selection(out: _Out, selection: RefiOutSelection, times: _Times) -> None:
    user = f' creatingUser="{selection.user}"' if selection.user else ""
    parts = [
        f'<PlainTextSelection guid="{selection.guid}" startPosition="{selection.start}"'
        f' endPosition="{selection.end}"{user}{times(selection.time)}>'
    ]
    for coding in selection.codings:
        user = f' creatingUser="{coding.user}"' if coding.user else ""
        parts.append(
            f'<Coding guid="{coding.guid}"{user}{times(coding.time)}>'
            f'<CodeRef targetGUID="{coding.code}"/></Coding>'
        )
    parts.extend(f'<NoteRef targetGUID="{n}"/>' for n in selection.notes)
    parts.append("</PlainTextSelection>\n")
    out("".join(parts))


def _note(out: _Out, note: RefiOutNote, times: _Times) -> None:
    user = f' creatingUser="{note.user}"' if note.user else ""
    out(
        f'<Note guid="{note.guid}" name="{attribute(_title(note.text))}"{user}'
        f"{times(note.time)}><PlainTextContent>{text(note.text)}</PlainTextContent></Note>\n"
    )


def _title(memo: str) -> str:
    """A note's name: the start of its first line (a start of the text, so that a
    reader that shows the name above the text does not repeat it)."""
    line = memo.strip().split("\n", 1)[0]
    return line[:60].rstrip()


def _description(out: _Out, description: str) -> None:
    if description:
        out(f"<Description>{text(description)}</Description>")


def _refs(out: _Out, tag: str, guids: list[str]) -> None:
    if guids:
        out("".join(f'<{tag} targetGUID="{g}"/>' for g in guids))
        out("\n")
