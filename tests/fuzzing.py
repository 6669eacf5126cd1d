"""Hypothesis strategies for the fuzz tests: random bytes, damaged copies of valid files
of every importable format, odd REFI-QDA projects and plausible CSVs."""

from __future__ import annotations

import functools
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import docx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from .conftest import SHARED
from .filemakers import text_pdf_bytes, write_odt


def fuzz_settings(examples: int) -> settings:
    """``examples`` per test, or $CEN_THEMES_FUZZ_EXAMPLES for a longer hunt."""
    return settings(
        max_examples=int(os.environ.get("CEN_THEMES_FUZZ_EXAMPLES") or examples),
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


TRANSCRIPT = (
    "Interviewer: How did the diagnosis feel?\n"
    "P01: It felt like exclusion. People looked at me differently.\n"
    "Interviewer: And support?\n"
    "P01: My family helped, and the nurse — Ms Ōkafor — listened. 😊\n"
)

# Values that parsers stumble over: empty, blank, signs, huge, non-digits, unicode
# digits, separators of this program's paths, markup, control characters.
ODD_TEXT = [
    "",
    " ",
    "\t\n",
    "0",
    "-1",
    "-0",
    "+3",
    "1.5",
    "1e3",
    "1_000",
    "0x10",
    " 7 ",
    "٣",
    "①",
    "99999999999999999999999",
    "-99999999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "NaN",
    "inf",
    ">",
    " > ",
    "a > b",
    "a >  > b",
    "A::B",
    "::",
    "-x",
    "--json",
    "'",
    '"',
    "%s",
    "{0}",
    "\\",
    "<b>",
    "&amp;",
    "\u202e",
    "\ufeff",
    "\u200b",
    "😊",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "e\u0301",
    "İ",
    "ß",
    "x" * 300,
    "x > " * 40 + "x",
    "line\nbreak",
    "cr\rhere",
    "tab\there",
    "nul\x00here",
    "bell\x07",
    "\udcff",
]

odd_text = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(max_size=12),
    st.text(st.characters(codec="utf-8"), max_size=40),
)
"""Text for names, values and cells (lone surrogates included: a terminal can pass them)."""

plain_text = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=15)
"""Text as people type it: no control characters."""

cell_text = plain_text | st.sampled_from([t for t in ODD_TEXT if t.isprintable()])
"""A cell of a CSV: text that a spreadsheet holds, odd but printable."""

odd_int_text = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.integers(-5, 400).map(str),
    st.sampled_from(ODD_TEXT),
)
"""Offsets and counts as a user types them: mostly numbers, some not."""


# -- valid files of each format, the seeds of the mutations -------------------------------


def _docx_bytes() -> bytes:
    document = docx.Document()
    for line in TRANSCRIPT.splitlines():
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "P02", "A row of a table."
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "", "Continued."
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _odt_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seed.odt"
        write_odt(path, "Heading", TRANSCRIPT.splitlines(), ["an item"], ["a", "cell"])
        return path.read_bytes()


VTT = (
    "WEBVTT\n\nNOTE made by hand\n\n1\n00:00:01.000 --> 00:00:02.500\n<v Anna Smith>Hello there."
    "</v>\n\n2\n00:00:02.500 --> 00:00:04.000\nBob: Hi, <i>Anna</i> &amp; all.\n\n"
    "00:01:00.000 --> 00:01:02.000 align:start\n<v.loud Bob>Second cue\nover two lines\n"
)
SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,500\r\nAnna: Hello there.\r\n\r\n2\r\n"
    "00:00:02,500 --> 00:00:04,000\r\n<font color=red>Bob:</font> Hi {\\an8}all.\r\n"
)


def refi_xml(
    *,
    codes: str = "",
    sources: str = "",
    users: str = '<User guid="U1" name="Ann"/>',
    extra: str = "",
    origin: str = "fuzz tool",
    root: str = "Project",
) -> bytes:
    """A REFI-QDA project (or, with root='CodeBook', a codebook) around the parts given."""
    namespace = 'xmlns="urn:QDA-XML:project:1.0"'
    if root == "CodeBook":
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook {namespace} origin='
            f"{quoteattr(origin)}><Codes>{codes}</Codes>{extra}</CodeBook>"
        ).encode()
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project {namespace} name="fuzz" '
        f"origin={quoteattr(origin)}><Users>{users}</Users><CodeBook><Codes>{codes}</Codes>"
        f"</CodeBook><Sources>{sources}</Sources>{extra}</Project>"
    ).encode()


_SEED_CODES = (
    '<Code guid="C1" name="Stigma" isCodable="true" color="#FF0000"><Description>Being '
    'marked</Description><Code guid="C2" name="Diagnosis" isCodable="true"/></Code>'
    '<Code guid="C3" name="Support" isCodable="true"/>'
)
_SEED_SELECTIONS = (
    '<PlainTextSelection guid="S1" startPosition="59" endPosition="68" creatingUser="U1">'
    '<Description>why</Description><Coding guid="K1" creatingUser="U1" '
    'creationDateTime="2020-01-02T03:04:05Z"><CodeRef targetGUID="C2"/></Coding>'
    "</PlainTextSelection>"
    '<PlainTextSelection guid="S2" startPosition="132" endPosition="145">'
    '<Coding guid="K2"><CodeRef targetGUID="C3"/></Coding></PlainTextSelection>'
)
_SEED_EXTRA = (
    '<Notes><Note guid="N1" name="a note" creatingUser="U1" creationDateTime="2021-05-06T07:08:09">'
    "<PlainTextContent>A memo.</PlainTextContent></Note></Notes>"
    '<Variables><Variable guid="V1" name="group" typeOfVariable="Text"/></Variables>'
    '<Cases><Case guid="CA1" name="case"><VariableValue><VariableRef targetGUID="V1"/>'
    '<TextValue>staff</TextValue></VariableValue><SourceRef targetGUID="T1"/></Case></Cases>'
    '<Sets><Set guid="SE1" name="gender: female"><MemberSource targetGUID="T1"/></Set>'
    '<Set guid="SE2" name="Theme one"><MemberCode targetGUID="C1"/><MemberNote '
    'targetGUID="N1"/></Set></Sets><NoteRef targetGUID="N1"/>'
)


def _seed_qde(inline: bool) -> bytes:
    body = (
        f"<PlainTextContent>{escape(TRANSCRIPT)}</PlainTextContent>"
        if inline
        else ""  # the text is sources/T1.txt in the archive
    )
    path = "" if inline else ' plainTextPath="internal://T1.txt"'
    source = f'<TextSource guid="T1" name="int01"{path}>{body}{_SEED_SELECTIONS}</TextSource>'
    return refi_xml(codes=_SEED_CODES, sources=source, extra=_SEED_EXTRA)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@functools.cache
def seeds() -> dict[str, list[bytes]]:
    """Valid files of every importable extension (the real REFI-QDA exports of
    ../shared/interop among them, when present)."""
    text = TRANSCRIPT.encode("utf-8")
    found: dict[str, list[bytes]] = {
        ".txt": [text, b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"), TRANSCRIPT.encode("utf-16")],
        ".md": [b"# Notes\n\n**Anna:** one\n\n**Bob**: two\n" + text],
        ".docx": [_docx_bytes()],
        ".odt": [_odt_bytes()],
        ".pdf": [
            text_pdf_bytes([["Interviewer: Hello?", "P01: Yes, hello."], ["2/5", "P01: More."]])
        ],
        ".vtt": [VTT.encode("utf-8")],
        ".srt": [SRT.encode("cp1252")],
        ".qde": [_seed_qde(inline=True)],
        ".qdc": [refi_xml(codes=_SEED_CODES, root="CodeBook")],
        ".qdpx": [zip_bytes({"project.qde": _seed_qde(inline=False), "sources/T1.txt": text})],
    }
    samples = SHARED / "interop" / "samples"
    if samples.is_dir():
        for path in sorted(samples.iterdir()):
            suffix = path.suffix.lower()
            if suffix in found and path.stat().st_size < 100_000:  # the small ones: fast
                found[suffix].append(path.read_bytes())
    return found


# -- mutations ------------------------------------------------------------------------------

_XML_ATTRIBUTE = re.compile(rb'(\s[\w:.-]+=)("[^"]*"|\'[^\']*\')')
_XML_TEXT = re.compile(rb">([^<]+)<")
_XML_JUNK = [
    b"",
    b"<",
    b"&",
    b"&bogus;",
    b"&#0;",
    b"&#x1F600;",
    b"]]>",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b'<!ENTITY lol "lol">',
    b"<?pi data?>",
    b"<!-- c -->",
    b"<![CDATA[x]]>",
    b"<Code/>",
    b'<Code guid="C1" name="dup"/>',
    b'<PlainTextSelection startPosition="1" endPosition="0"/>',
    b"<TextSource/>",
    b"<Sources/>",
    b"\xff\xfe",
    b"\x00",
]


@st.composite
def _bytes_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return draw(st.binary(max_size=64))
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate", "overwrite"]))
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            where = draw(st.integers(0, len(out) - 1))
            out[where] ^= 1 << draw(st.integers(0, 7))
        return bytes(out)
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    end = draw(st.integers(at, min(len(data), at + 512)))
    if kind == "delete":
        return data[:at] + data[end:]
    if kind == "duplicate":
        return data[:end] + data[at:end] * draw(st.integers(1, 4)) + data[end:]
    return data[:at] + draw(st.binary(min_size=end - at, max_size=end - at)) + data[end:]


@st.composite
def _xml_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """Well-formed-looking XML with odd content: attribute values and texts replaced,
    junk markup put in, elements repeated or dropped."""
    kind = draw(st.sampled_from(["attribute", "text", "junk", "bytes"]))
    if kind == "attribute":
        matches = list(_XML_ATTRIBUTE.finditer(data))
        if matches:
            for match in draw(st.lists(st.sampled_from(matches), min_size=1, max_size=4)):
                value = quoteattr(_xml_safe(draw(odd_text))).encode()
                data = data.replace(match.group(0), match.group(1) + value, 1)
            return data
    if kind == "text":
        matches = list(_XML_TEXT.finditer(data))
        if matches:
            match = draw(st.sampled_from(matches))
            value = escape(_xml_safe(draw(odd_text))).encode()
            return data[: match.start(1)] + value + data[match.end(1) :]
    if kind == "junk":
        tags = [m.start() for m in re.finditer(rb"<", data)] or [0]
        at = draw(st.sampled_from(tags))
        return data[:at] + draw(st.sampled_from(_XML_JUNK)) + data[at:]
    return draw(_bytes_mutation(data))


def _xml_safe(text: str) -> str:
    """Text as an XML attribute or element can hold it (no controls, no surrogates)."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or (c >= " " and not 0xD800 <= ord(c) <= 0xDFFF and c != "\ufffe")
    )


@st.composite
def _zip_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """A zip (docx, odt, qdpx) with one member damaged, dropped, added or renamed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
    except Exception:  # a seed that is no zip: damage its bytes instead
        return draw(_bytes_mutation(data))
    names = sorted(members)
    kind = draw(st.sampled_from(["member", "drop", "add", "rename", "empty"]))
    if kind == "member" and names:
        name = draw(st.sampled_from(names))
        content = members[name]
        if name.lower().endswith((".xml", ".qde", ".rels")) or content.lstrip().startswith(b"<"):
            members[name] = draw(_xml_mutation(content))
        else:
            members[name] = draw(_bytes_mutation(content))
    elif kind == "drop" and names:
        del members[draw(st.sampled_from(names))]
    elif kind == "add":
        name = draw(
            st.sampled_from(["project.qde", "Project.QDE", "sources/x.txt", "a/../../b", "/abs"])
            | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1)
        )
        members[name] = draw(st.binary(max_size=200) | st.sampled_from(_XML_JUNK))
    elif kind == "rename" and names:
        old = draw(st.sampled_from(names))
        members[draw(st.sampled_from([old.upper(), old.lower(), "x/" + old, old + ".bak"]))] = (
            members.pop(old)
        )
    else:
        members = {}
    return zip_bytes(members)


@st.composite
def _text_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """A text file re-encoded, its newlines changed, or odd text put in."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return draw(_bytes_mutation(data))
    kind = draw(st.sampled_from(["encoding", "newlines", "insert"]))
    if kind == "encoding":
        encoding = draw(
            st.sampled_from(
                [
                    "utf-16-le",
                    "utf-16-be",
                    "utf-32",
                    "cp1252",
                    "latin-1",
                    "cp437",
                    "shift_jis",
                    "koi8-r",
                    "gb18030",
                    "mac_roman",
                    "utf-8-sig",
                    "utf-7",
                ]
            )
        )
        return text.encode(encoding, errors="replace")
    if kind == "newlines":
        return text.replace(
            "\n", draw(st.sampled_from(["\r\n", "\r", "\n\n", "\u2028", ""]))
        ).encode()
    at = draw(st.integers(0, len(text)))
    odd = draw(odd_text | st.sampled_from(["Interviewer:", "\nP99: ", "[Laughter]", "**X:**"]))
    return (text[:at] + odd + text[at:]).encode("utf-8", errors="surrogatepass")


@st.composite
def damaged_file(draw: st.DrawFn, suffix: str) -> bytes:
    """A valid file of this kind, damaged in a way its format invites."""
    data = draw(st.sampled_from(seeds()[suffix]))
    if suffix in (".docx", ".odt", ".qdpx"):
        mutate = draw(st.sampled_from([_zip_mutation, _bytes_mutation]))
    elif suffix in (".qde", ".qdc"):
        mutate = draw(st.sampled_from([_xml_mutation, _xml_mutation, _bytes_mutation]))
    elif suffix == ".pdf":
        mutate = _bytes_mutation
    else:
        mutate = draw(st.sampled_from([_text_mutation, _bytes_mutation]))
    return draw(mutate(data))


IMPORT_SUFFIXES = (".txt", ".md", ".docx", ".odt", ".pdf", ".vtt", ".srt", ".qde", ".qdc", ".qdpx")


@st.composite
def any_import_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """(suffix, bytes) of a file to import: random bytes, or a damaged valid file, or an
    odd REFI-QDA project, under an extension it may or may not deserve."""
    suffix = draw(st.sampled_from(IMPORT_SUFFIXES))
    how = draw(st.sampled_from(["random", "damaged", "damaged", "damaged", "refi", "other"]))
    if how == "random":
        return suffix, draw(st.binary(max_size=2048))
    if how == "refi":
        return draw(st.sampled_from([".qde", ".qdpx"])), draw(odd_refi_project())
    if how == "other":  # a valid file of another kind under this extension
        return suffix, draw(st.sampled_from(seeds()[draw(st.sampled_from(IMPORT_SUFFIXES))]))
    return suffix, draw(damaged_file(suffix))


# -- REFI-QDA projects built from odd parts --------------------------------------------------

_GUIDS = ["C1", "C2", "C3", "c1", "{C1}", "", "T1", "U1", "missing"]
_TIMES = [
    "2020-01-02T03:04:05Z",
    "2020-01-02T03:04:05",
    "2020-01-02T03:04:05+14:00",
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-12:00",
    "2020-02-30T00:00:00Z",
    "yesterday",
    "",
    "2020-01-02",
]


def _element(tag: str, attributes: dict[str, str | None], *children: str) -> str:
    """``<tag a="v"...>children</tag>``, leaving out attributes that are None."""
    given = "".join(
        f" {name}={quoteattr(_xml_safe(value))}"
        for name, value in attributes.items()
        if value is not None
    )
    return f"<{tag}{given}>{''.join(children)}</{tag}>"


def _texts(tag: str) -> st.SearchStrategy[str]:
    """An element holding odd text, or nothing."""
    return st.just("") | odd_text.map(lambda t: _element(tag, {}, escape(_xml_safe(t))))


def _maybe(values: list[str]) -> st.SearchStrategy[str | None]:
    """An attribute value: missing, one of ``values``, or odd."""
    return st.none() | st.sampled_from(values) | odd_text


def _note_ref(targets: list[str]) -> st.SearchStrategy[str]:
    return st.just("") | st.sampled_from(targets).map(lambda g: f'<NoteRef targetGUID="{g}"/>')


@st.composite
def _refi_code(draw: st.DrawFn, depth: int = 0) -> str:
    children = draw(st.lists(_refi_code(depth + 1), max_size=2)) if depth < 2 else []
    return _element(
        "Code",
        {
            "guid": draw(_maybe(_GUIDS)),
            "name": draw(_maybe(["Stigma", "A::B", "Support"])),
            "color": draw(_maybe(["#FF0000", "#abc", "red", ""])),
            "isCodable": "true",
        },
        draw(_texts("Description")),
        draw(_note_ref(["N1"])),
        *children,
    )


@st.composite
def _refi_selection(draw: st.DrawFn) -> str:
    codings = [
        _element(
            "Coding",
            {
                "guid": draw(odd_text),
                "creatingUser": draw(_maybe(["U1", "U2", "", "u1"])),
                "creationDateTime": draw(_maybe(_TIMES)),
            },
            _element("CodeRef", {"targetGUID": draw(_maybe(_GUIDS))}),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    position = st.none() | st.integers(-5, 200).map(str) | odd_int_text
    return _element(
        "PlainTextSelection",
        {
            "guid": draw(odd_text),
            "startPosition": draw(position),
            "endPosition": draw(position),
            "creatingUser": draw(_maybe(["U1", "U9"])),
        },
        draw(_texts("Description")),
        draw(_note_ref(["N1", "N2", ""])),
        *codings,
    )


@st.composite
def _refi_source(draw: st.DrawFn, in_archive: bool) -> str:
    kind = draw(st.sampled_from(["TextSource"] * 4 + ["PictureSource", "PDFSource"]))
    text = draw(
        st.sampled_from([TRANSCRIPT, TRANSCRIPT.replace("\n", "\r\n"), "", " ", "a"])
        | st.text(max_size=200)
    )
    content = _element("PlainTextContent", {}, escape(_xml_safe(text)))
    paths = ["internal://T1.txt", "x.txt"]
    if in_archive:
        paths += ["T1.txt", "relative://T1.txt", "internal://missing.txt", "internal://../x"]
        if draw(st.booleans()):
            content = ""  # the text is the archive's file, or missing
    whole = _element(
        "Coding", {"guid": "W1"}, _element("CodeRef", {"targetGUID": draw(_maybe(_GUIDS))})
    )
    value = _element(
        "VariableValue",
        {},
        '<VariableRef targetGUID="V1"/>',
        _element("TextValue", {}, escape(_xml_safe(draw(odd_text)))),
    )
    return _element(
        kind,
        {
            "guid": draw(_maybe(["T1", "T2", "t1", ""])),
            "name": draw(_maybe(["int01", "study02", "new"])),
            "plainTextPath": draw(st.none() | st.sampled_from(paths)),
        },
        draw(_texts("Description")),
        content,
        *draw(st.lists(_refi_selection(), max_size=4)),
        whole if draw(st.booleans()) else "",
        value if draw(st.booleans()) else "",
        draw(_note_ref(["N1"])),
    )


@st.composite
def _refi_extra(draw: st.DrawFn) -> str:
    """Notes, variables, cases, sets, links and a description."""
    notes = [
        _element(
            "Note",
            {
                "guid": draw(_maybe(["N1", "N2", ""])),
                "name": draw(_maybe(["a note"])),
                "creatingUser": draw(_maybe(["U1", "U9"])),
                "creationDateTime": draw(_maybe(_TIMES)),
                "plainTextPath": draw(st.none() | st.sampled_from(["internal://n.txt", "T1.txt"])),
            },
            draw(_texts("PlainTextContent")),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    members = st.sampled_from(
        [("MemberSource", "T1"), ("MemberSource", "T2"), ("MemberCode", "C1"),
         ("MemberCode", "C2"), ("MemberNote", "N1"), ("MemberCode", "x")]
    ).map(lambda m: f'<{m[0]} targetGUID="{m[1]}"/>')  # fmt: skip
    sets = [
        _element(
            "Set",
            {"guid": draw(odd_text), "name": draw(_maybe(["g: v", "set", ":", "a:", " > "]))},
            draw(_texts("Description")),
            *draw(st.lists(members, max_size=3)),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    variable = _element(
        "Variable", {"guid": "V1", "name": draw(odd_text), "typeOfVariable": "Text"}
    )
    case = _element(
        "Case",
        {"guid": "CA1", "name": draw(odd_text)},
        '<VariableValue><VariableRef targetGUID="V1"/>',
        _element("TextValue", {}, escape(_xml_safe(draw(odd_text)))),
        "</VariableValue>",
        f'<SourceRef targetGUID="{draw(st.sampled_from(_GUIDS))}"/>',
    )
    return "".join(
        [
            _element("Notes", {}, *notes),
            _element("Variables", {}, variable),
            _element("Cases", {}, case),
            _element("Sets", {}, *sets),
            draw(_note_ref(["N1", "N2", "x"])),
            draw(st.sampled_from(["", "<Links><Link/></Links><Graphs><Graph/></Graphs>"])),
            draw(_texts("Description")),
        ]
    )


@st.composite
def odd_refi_project(draw: st.DrawFn) -> bytes:
    """A REFI-QDA project of odd parts: a bare .qde or (half the time) a .qdpx around
    it, with the text files its sources name, or not."""
    archive = draw(st.booleans())
    users = [
        _element("User", {"guid": draw(_maybe(["U1", "U2", "u1"])), "name": draw(_maybe(["Ann"]))})
        for _ in range(draw(st.integers(0, 2)))
    ]
    xml = refi_xml(
        codes="".join(draw(st.lists(_refi_code(), max_size=4))),
        sources="".join(draw(st.lists(_refi_source(archive), max_size=3))),
        users="".join(users),
        extra=draw(_refi_extra()),
        origin=draw(st.sampled_from(["fuzz", "ATLAS.ti 23", "NVivo 14", "cen-themes 1.0", ""])),
    )
    if not archive:
        return xml
    texts = [TRANSCRIPT.encode(), TRANSCRIPT.encode("utf-16"), b"", b"\xff\x00\x01"]
    return zip_bytes(
        {"project.qde": xml, "sources/T1.txt": draw(st.sampled_from(texts)), "sources/n.txt": b"a"}
    )


# -- plausible CSVs ---------------------------------------------------------------------------


def csv_cell(value: str, delimiter: str, quote: bool) -> str:
    if quote or any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_file(draw: st.DrawFn, header: list[str] | None, rows: list[list[str]]) -> bytes:
    """The rows (after the header, if any) as a CSV in a random dialect and encoding."""
    delimiter = draw(st.sampled_from([","] * 6 + [";", "\t", "|"]))
    quote = draw(st.booleans())
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    records = ([header] if header is not None else []) + rows
    text = newline.join(delimiter.join(csv_cell(v, delimiter, quote) for v in r) for r in records)
    if draw(st.booleans()):
        text += newline
    encoding = draw(st.sampled_from(["utf-8"] * 5 + ["utf-8-sig", "utf-16", "cp1252"]))
    data = text.encode(
        encoding, errors="surrogatepass" if encoding.startswith("utf-8") else "replace"
    )
    if draw(st.integers(0, 9)) == 0:  # now and then, damaged on top
        data = draw(_bytes_mutation(data))
    return data
