"""Caption files (.vtt, .srt) read into one turn per speaker change."""

from __future__ import annotations

from pathlib import Path

import pytest

from cen_themes.errors import ImportFormatError
from cen_themes.importers import read_document
from cen_themes.importers.base import Document
from cen_themes.importers.captions import parse_srt, parse_vtt

TEAMS_VTT = """WEBVTT

8d41b7e2-5c90-4f3a-a1e6-72c9d04b3f18/14-0
00:00:03.120 --> 00:00:06.385
<v Facilitator (Research Team)>Okay, thanks everyone for joining.</v>

8d41b7e2-5c90-4f3a-a1e6-72c9d04b3f18/15-0
00:00:06.385 --> 00:00:09.000
<v Facilitator (Research Team)>Shall we start?</v>

8d41b7e2-5c90-4f3a-a1e6-72c9d04b3f18/16-0
00:00:09.500 --> 00:00:12.000
<v Priya Sandhu>Yeah, sure &amp; happy to.</v>
"""

ZOOM_VTT = """WEBVTT - Zoom meeting
Kind: captions

NOTE
This is a comment
over two lines

STYLE
::cue { color: white }

REGION
id:fred width:40%

1
00:00:01.000 --> 00:00:04.000 line:90% align:center
John Smith: Hello <i>everyone</i>,
welcome back.

2
00:00:04.500 --> 00:00:06.000
John Smith: <c.yellow>Let's</c> <00:00:05.000>begin.

3
00:01.000 --> 00:02.000
Mary O'Neil: Thanks &lt;3

4
00:00:07.000 --> 00:00:08.000
(music playing)
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
Interviewer: So, how did it start?

2
00:00:04,500 --> 00:00:07,000
Ama Mensah: It started
<font color="#ffffff">slowly</font>, I think.
3
00:00:07,000 --> 00:00:09,000
Ama Mensah: {\\an8}Then all at once.

4
00:00:09,500 --> 00:00:10,000
[Laughs] Right.
"""


def spoken(document: Document) -> list[tuple[str | None, str]]:
    return [(t.speaker, document.text[t.start : t.end]) for t in document.turns]


def test_teams_voice_tags() -> None:
    document = parse_vtt(TEAMS_VTT.encode())
    assert document.format == "vtt"
    assert document.text == (
        "Facilitator (Research Team): Okay, thanks everyone for joining. Shall we start?\n\n"
        "Priya Sandhu: Yeah, sure & happy to.\n"
    )
    assert spoken(document) == [
        ("Facilitator (Research Team)", "Okay, thanks everyone for joining. Shall we start?"),
        ("Priya Sandhu", "Yeah, sure & happy to."),
    ]
    assert document.skips == []


def test_zoom_name_prefixes_blocks_settings_and_tags() -> None:
    document = parse_vtt(ZOOM_VTT.encode())
    assert document.text == (
        "John Smith: Hello everyone, welcome back. Let's begin.\n\n"
        "Mary O'Neil: Thanks <3\n\n"
        "(music playing)\n"
    )
    assert spoken(document) == [
        ("John Smith", "Hello everyone, welcome back. Let's begin."),
        ("Mary O'Neil", "Thanks <3"),
        (None, "(music playing)"),
    ]


def test_several_voices_in_one_cue() -> None:
    data = (
        "WEBVTT\n\n00:00.000 --> 00:02.000\n<v.loud Ann>Stop!</v>\n<v Bo>Why?</v>\n\n"
        "00:02.000 --> 00:03.000\n<v Bo>Tell me.</v>\n"
    )
    assert spoken(parse_vtt(data.encode())) == [("Ann", "Stop!"), ("Bo", "Why? Tell me.")]


def test_srt() -> None:
    document = parse_srt(SRT.encode())
    assert document.format == "srt"
    assert document.text == (
        "Interviewer: So, how did it start?\n\n"
        "Ama Mensah: It started slowly, I think. Then all at once.\n\n"
        "[Laughs] Right.\n"
    )
    assert spoken(document) == [
        ("Interviewer", "So, how did it start?"),
        ("Ama Mensah", "It started slowly, I think. Then all at once."),
        (None, "[Laughs] Right."),
    ]


def test_srt_with_crlf_and_bom_through_read_document(tmp_path: Path) -> None:
    path = tmp_path / "call.srt"
    path.write_bytes(("\ufeff" + SRT).replace("\n", "\r\n").encode("utf-8"))
    document = read_document(path)
    assert document.text.startswith("Interviewer: So, how did it start?\n\n")
    assert "\r" not in document.text


def test_turn_spans_are_exact_and_text_ends_with_a_newline() -> None:
    for document in (parse_vtt(TEAMS_VTT.encode()), parse_vtt(ZOOM_VTT.encode())):
        assert document.text.endswith("\n") and not document.text.endswith("\n\n")
        paragraphs = document.text[:-1].split("\n\n")
        assert len(paragraphs) == len(document.turns)
        for paragraph, turn in zip(paragraphs, document.turns, strict=True):
            words = document.text[turn.start : turn.end]
            assert paragraph == (words if turn.speaker is None else f"{turn.speaker}: {words}")


def test_speaker_pattern_replaces_the_name_prefix() -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\n- ann - hi\n\n2\n00:00:02,000 --> 00:00:03,000\nho\n"
    document = parse_srt(data.encode(), speaker_pattern=r"- (?P<speaker>\w+) - ")
    assert spoken(document) == [("ann", "hi"), (None, "ho")]


def test_vtt_without_header_is_refused() -> None:
    with pytest.raises(ImportFormatError, match=r"^not a WebVTT file \(no WEBVTT header\)$"):
        parse_vtt(b"1\n00:00:01.000 --> 00:00:02.000\nHello\n")
    with pytest.raises(ImportFormatError, match="WEBVTT header"):
        parse_vtt(b"WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nHello\n")


def test_vtt_without_cues_is_refused() -> None:
    with pytest.raises(ImportFormatError, match="has no captions"):
        parse_vtt(b"WEBVTT\n\nNOTE nothing here\n")


@pytest.mark.parametrize(
    "data",
    [b"Just some text, not subtitles.\n", b"1\n\n2\n\n", b"1\n00:00:01,000 --> 00:00:02,000\n\n"],
)
def test_srt_without_cues_is_refused(data: bytes) -> None:
    with pytest.raises(ImportFormatError, match="no subtitle cues"):
        parse_srt(data)
