"""Speaker turns and page-header skips found in plain text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cen_themes.errors import ImportFormatError, InputError
from cen_themes.importers.base import Turn
from cen_themes.importers.turns import detect_turns, match_label


def spoken(text: str, speaker_pattern: str | None = None) -> list[tuple[str | None, str]]:
    turns, _ = detect_turns(text, speaker_pattern)
    return [(turn.speaker, text[turn.start : turn.end]) for turn in turns]


@pytest.mark.parametrize(
    ("line", "speaker"),
    [
        ("Interviewer: Hello there.", "Interviewer"),
        ("P01: Hello there.", "P01"),
        ("Participant 3: Hello there.", "Participant 3"),
        ("Dr Okafor: Hello there.", "Dr Okafor"),
        ("Dr. Okafor: Hello there.", "Dr. Okafor"),
        ("NAME: Hello there.", "NAME"),
        ("Q: Hello there.", "Q"),
        ("A: Hello there.", "A"),
        ("[Nurse 1] Hello there.", "Nurse 1"),
        ("[Nurse 1]: Hello there.", "Nurse 1"),
        ("[ Nurse 1 ]: Hello there.", None),  # no room for padding inside the brackets
        ("**Anna:** Hello there.", "Anna"),
        ("**Anna**: Hello there.", "Anna"),
        ("Anna de Vries: Hello there.", "Anna de Vries"),
        ("Mary-Jane O'Neil: Hello there.", "Mary-Jane O'Neil"),
        ("Émile Zoë: Hello there.", "Émile Zoë"),
        ("SU02: Hello there.", "SU02"),
    ],
)
def test_label_forms(line: str, speaker: str | None) -> None:
    text = f"{line}\nOther: Fine.\nThird: Yes.\n"
    turns = spoken(text)
    if speaker is None:
        assert turns[0] == (None, line)
    else:
        assert turns[0] == (speaker, "Hello there.")
    assert turns[-2:] == [("Other", "Fine."), ("Third", "Yes.")]


@pytest.mark.parametrize(
    "line",
    [
        "However, she said: it was fine.",
        "and then: nothing happened",
        "[inaudible] then we left",
        "[laughs] yes",
        "[Laughter] yes",
        "[Crosstalk]",
        "The Five Big Words Here: too many words",
        "10:30 we met again",
        "Note:continued without a space",
        "  Indented: not at the start of the line",
        "See http://example.org for more",
        "**Bold heading**",
    ],
)
def test_not_labels(line: str) -> None:
    text = f"Interviewer: Question?\n{line}\nP01: Answer.\n"
    assert spoken(text) == [("Interviewer", f"Question?\n{line}"), ("P01", "Answer.")]


def test_label_on_a_line_of_its_own() -> None:
    text = "Dan: \n Okay. So now you can stop.\nParticipant: \n Okay.\nDan:\n\n  Thanks.  \n"
    assert spoken(text) == [
        ("Dan", "Okay. So now you can stop."),
        ("Participant", "Okay."),
        ("Dan", "Thanks."),
    ]


def test_fewer_than_two_labels_means_no_speakers() -> None:
    text = "\n  Summary: a long paragraph of prose.\nMore prose follows here.  \n\n"
    assert spoken(text) == [(None, "Summary: a long paragraph of prose.\nMore prose follows here.")]


def test_no_labels_at_all() -> None:
    text = "Dear diary,\nthe clinic was closed again.\n"
    turns, skips = detect_turns(text)
    assert turns == [Turn(0, len(text) - 1, None)]
    assert skips == []


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_blank_text_has_no_turns(text: str) -> None:
    assert detect_turns(text) == ([], [])


def test_preamble_is_a_turn_without_speaker() -> None:
    text = "Interview 4, 12 May\n\nQ: How are you?\nA: Fine.\n"
    assert spoken(text) == [(None, "Interview 4, 12 May"), ("Q", "How are you?"), ("A", "Fine.")]


def test_empty_turns_are_left_out() -> None:
    text = "Dan:\nParticipant: Yes.\nDan: \n\nParticipant: No.\n"
    assert spoken(text) == [("Participant", "Yes."), ("Participant", "No.")]


def test_offsets_are_code_points() -> None:
    text = "😀 preamble\nP01: naïve 😀 yes\nP02: ok"
    turns, _ = detect_turns(text)
    assert turns[1] == Turn(text.index("naïve"), text.index("naïve") + len("naïve 😀 yes"), "P01")


def test_markdown_transcript() -> None:
    text = "# Interview\n\n**Anna:** First.\n\n**Interviewer**: Second\nline two.\n"
    assert spoken(text) == [
        (None, "# Interview"),
        ("Anna", "First."),
        ("Interviewer", "Second\nline two."),
    ]


class TestSpeakerPattern:
    def test_replaces_the_defaults(self) -> None:
        text = ">> ANN << Hello there.\nInterviewer: not a label now\n>> BO << Hi.\n"
        assert spoken(text, r">> (?P<speaker>\w+) << ") == [
            ("ANN", "Hello there.\nInterviewer: not a label now"),
            ("BO", "Hi."),
        ]

    def test_applies_only_at_line_starts(self) -> None:
        text = "ANN - Hello, BO - was here\nBO - Hi.\nANN - Bye."
        assert spoken(text, r"(?P<speaker>[A-Z]+) - ") == [
            ("ANN", "Hello, BO - was here"),
            ("BO", "Hi."),
            ("ANN", "Bye."),
        ]

    def test_with_an_anchor_and_global_flags(self) -> None:
        text = "ann) one\nbo) two\n"
        assert spoken(text, r"(?i)^(?P<speaker>[A-Z]+)\)") == [("ann", "one"), ("bo", "two")]
        verbose = r"""(?x)
            (?P<speaker> [a-z]+ )   # the name
            \)                      # a closing parenthesis"""
        assert spoken(text, verbose) == [("ann", "one"), ("bo", "two")]

    def test_keeps_group_numbers_for_backreferences(self) -> None:
        text = "<b>Ann<b> hi\n<i>Bo<i> yo\n<b>Cy<i> not a label\n"
        assert spoken(text, r"<(\w)>(?P<speaker>\w+)<\1>") == [
            ("Ann", "hi"),
            ("Bo", "yo\n<b>Cy<i> not a label"),
        ]

    def test_needs_a_speaker_group(self) -> None:
        with pytest.raises(InputError, match=r"must contain a \(\?P<speaker>\.\.\.\) group"):
            detect_turns("A: b\nC: d\n", r"^(\w+):")

    def test_invalid_regex(self) -> None:
        with pytest.raises(InputError, match=r"^invalid speaker pattern: .*") as caught:
            detect_turns("A: b\n", r"(?P<speaker>\w+")
        assert not isinstance(caught.value, ImportFormatError)


class TestSkips:
    def test_page_headers_inside_turns(self) -> None:
        text = (
            "1/3\nInterview\nDan: \n First part\n2/3\nsecond part.\n"
            "Participant: \n Yes.\nPage 4\nPage 5 of 12\n  \n17\nDan: \n Fine.\n"
        )
        turns, skips = detect_turns(text)
        assert [text[start:end] for start, end in skips] == [
            "1/3",
            "2/3",
            "Page 4",
            "Page 5 of 12",
            "17",
        ]
        for start, end in skips:
            assert any(t.start <= start < end <= t.end for t in turns)

    def test_header_with_spaces_and_case(self) -> None:
        text = "Q: a\nPAGE 2   \n3 / 9\nA: b\n"
        _, skips = detect_turns(text)
        assert [text[s:e] for s, e in skips] == ["PAGE 2   ", "3 / 9"]  # whole lines

    def test_a_number_that_is_a_whole_turn_is_an_answer(self) -> None:
        text = "Q: How many?\nA:\n12\nQ: And pages?\n2/5\n"
        turns, skips = detect_turns(text)
        assert ("A", "12") in [(t.speaker, text[t.start : t.end]) for t in turns]
        assert [text[s:e] for s, e in skips] == ["2/5"]

    def test_numbers_within_a_line_are_not_skips(self) -> None:
        text = "Q: Was it 2/5 or\n12 times?\nA: 3 times. Page 4 said so.\n"
        assert detect_turns(text)[1] == []


def test_match_label() -> None:
    assert match_label("John Smith:  hello") == ("John Smith", len("John Smith:  "))
    assert match_label("hello: there") is None
    assert match_label("[Laughs] ok") is None
    assert match_label("ANN) hi", r"(?P<speaker>[A-Z]+)\)") == ("ANN", 5)
    assert match_label("ANN) hi", r"(?P<speaker>[a-z]*)") is None  # an empty match


# --- properties -------------------------------------------------------------------------

SPEAKERS = ["Interviewer", "P01", "Participant 3", "Dr Okafor", "Q", "NURSE", "Anna de Vries"]
NAMES = st.sampled_from(SPEAKERS)
LABEL_FORMS = st.sampled_from(
    ["{}: ", "{}:\n ", "[{}] ", "[{}]: ", "**{}:** ", "**{}**: ", "{}:\n"]
)
BODY = st.text(
    alphabet=st.sampled_from([*"abc xyz.,!?:;'\"-\t\n/0123456789[]*", "é", "😀", "Ω", "\u00a0"]),
    max_size=40,
)


@st.composite
def transcripts(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A text of labelled lines and prose lines, and where its labels are.

    Prose lines start with "so " and line breaks in them are followed by a space, so the
    only labels are those drawn.
    """
    parts: list[str] = ["so " + draw(BODY).replace("\n", "\n ") + "\n"]
    labels: list[tuple[int, int]] = []
    position = len(parts[0])
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        if draw(st.booleans()):
            label = draw(LABEL_FORMS).format(draw(NAMES))
            labels.append((position, position + len(label)))
        else:
            label = "so "
        chunk = label + draw(BODY).replace("\n", "\n ") + "\n"
        parts.append(chunk)
        position += len(chunk)
    return "".join(parts), labels


@given(transcripts())
def test_turns_are_ordered_disjoint_trimmed_and_exclude_labels(
    case: tuple[str, list[tuple[int, int]]],
) -> None:
    text, labels = case
    turns, skips = detect_turns(text)
    previous_end = 0
    for turn in turns:
        assert previous_end <= turn.start < turn.end <= len(text)
        piece = text[turn.start : turn.end]
        assert piece == piece.strip()
        previous_end = turn.end
    if len(labels) >= 2:
        assert {t.speaker for t in turns} <= {None, *SPEAKERS}
        for label_start, label_end in labels:
            assert all(turn.end <= label_start or turn.start >= label_end for turn in turns)
    else:
        assert {t.speaker for t in turns} <= {None}
    for start, end in skips:
        assert any(t.start <= start < end <= t.end for t in turns)


@given(st.text(max_size=200))
def test_any_text_gives_valid_turns(text: str) -> None:
    turns, skips = detect_turns(text)
    ends = [0]
    for turn in turns:
        assert ends[-1] <= turn.start < turn.end <= len(text)
        assert not text[turn.start].isspace() and not text[turn.end - 1].isspace()
        ends.append(turn.end)
    assert all(any(t.start <= s < e <= t.end for t in turns) for s, e in skips)
    assert skips == sorted(skips)
