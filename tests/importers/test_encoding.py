"""Decoding text files: BOMs, UTF-8, legacy single-byte encodings, binary data."""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cen_themes.errors import ImportFormatError
from cen_themes.importers import encoding
from cen_themes.importers.encoding import decode_text, normalise_newlines

from ..filemakers import PNG_BYTES

SAMPLE = "Interviewer: café — “naïve”\r\nP01: Ja, Grüße… ‘ok’ 😀\rend\n"


def stored(data: bytes) -> str:
    return normalise_newlines(decode_text(data))


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom_decides_the_encoding_and_is_removed(bom: bytes, encoding: str) -> None:
    data = bom + SAMPLE.encode(encoding)
    assert decode_text(data) == "\ufeff" + SAMPLE
    assert stored(data) == "Interviewer: café — “naïve”\nP01: Ja, Grüße… ‘ok’ 😀\nend\n"


def test_utf8_without_bom() -> None:
    assert decode_text(SAMPLE.encode("utf-8")) == SAMPLE


def test_cp1252_comes_back_exactly() -> None:
    assert decode_text("café — “naïve”".encode("cp1252")) == "café — “naïve”"
    text = "Interviewer: déjà vu, façade… it’s “fine”.\r\nP01: Señor Muñoz – «no sé».\r\n"
    assert decode_text(text.encode("cp1252")) == text


def test_latin1_german() -> None:
    text = "Grüße aus München, schön war es.\n"
    assert decode_text(text.encode("latin-1")) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привет, как дела? Это интервью с участником исследования.\n", "cp1251"),
        ("Zażółć gęślą jaźń. Wywiad z uczestnikiem: było bardzo źle.\n", "cp1250"),
    ],
)
def test_non_western_single_byte_encodings_are_not_forced_to_cp1252(
    text: str, encoding: str
) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_utf8_with_a_stray_cp1252_quote() -> None:
    data = "naïve café, she said ".encode() + b"\x93quoted\x94 and ok"
    assert decode_text(data) == "naïve café, she said “quoted” and ok"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(encoding: str) -> None:
    text = "Interviewer: Hello, how are you?\r\nP01: Fine, café.\r\n"
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize(
    "data",
    [
        PNG_BYTES,
        b"some text\x00with a NUL",
        bytes(range(1, 9)) * 50 + b"text",
        b"\x1b\x01\x02 mostly control \x03\x04\x05\x06\x07\x08\x0e\x0f",
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(ImportFormatError, match=r"^not a text file \(binary data\)$"):
        decode_text(data)


def test_a_few_tabs_form_feeds_and_dos_eof_are_text() -> None:
    text = "a\tb\x0cpage two\x0bx\x1a"
    assert decode_text(text.encode()) == text


def test_broken_utf16_after_bom_is_refused() -> None:
    with pytest.raises(ImportFormatError, match="binary data"):
        decode_text(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")  # a lone surrogate


def test_normalise_newlines_changes_only_newlines_and_the_leading_bom() -> None:
    nfd = unicodedata.normalize("NFD", "café")
    text = "\ufeff  lead\r\nCRLF\rCR\n\nLF  \t\r\n\r\n" + nfd + " \ufeff mid  "
    assert normalise_newlines(text) == "  lead\nCRLF\nCR\n\nLF  \t\n\n" + nfd + " \ufeff mid  "


def test_normalise_newlines_removes_one_bom_only() -> None:
    assert normalise_newlines("\ufeff\ufeffx") == "\ufeffx"
    assert normalise_newlines("\r\r\n\n") == "\n\n\n"


# Any text a person could write: no control characters but tab, LF and CR.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cc", "Cs")),
        st.sampled_from("\r\n\t"),
    ),
    max_size=300,
)


def newlines_only(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@given(TEXT)
def test_utf8_round_trip(text: str) -> None:
    assert stored(text.encode("utf-8")) == normalise_newlines(text)


@given(TEXT)
def test_utf8_with_bom_round_trip(text: str) -> None:
    assert stored(codecs.BOM_UTF8 + text.encode("utf-8")) == newlines_only(text)


@given(TEXT, st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32"]))
def test_utf16_and_utf32_with_bom_round_trip(text: str, encoding: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    assert stored(bom + text.encode(encoding)) == newlines_only(text)


@given(TEXT)
def test_normalise_newlines_leaves_no_cr_and_keeps_everything_else(text: str) -> None:
    result = normalise_newlines(text)
    assert "\r" not in result
    body = text.removeprefix("\ufeff")
    assert result.replace("\n", "") == body.replace("\r", "").replace("\n", "")


@pytest.mark.parametrize("code", range(128))
def test_each_ascii_character_is_text_or_control_as_the_rule_says(code: int) -> None:
    """ASCII text is checked by deleting control bytes; the regex decides the rest."""
    data = (chr(code) * 200 + "some text").encode("ascii")
    if encoding._CONTROL.match(chr(code)):
        with pytest.raises(ImportFormatError, match="binary data"):
            decode_text(data)
    else:
        assert decode_text(data) == data.decode("ascii")
