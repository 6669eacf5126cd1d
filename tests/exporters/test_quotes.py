"""write_quotes(): the quotes report as Markdown, Word and HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from cen_themes.errors import InputError
from cen_themes.exporters import write_quotes
from cen_themes.results import ExcerptView, ThemeInfo, ThemeReport

from .test_study import (
    E1,
    E2,
    E3,
    E4,
    E5,
    E6,
    SCRIPT,
    study_reports,
)

ALL = (E1, E2, E3, E4, E5, E6)
HEADINGS = [
    (1, "Stigma of the diagnosis"),
    (2, "Dismissed at A&E"),
    (1, "Long-term perspective"),
    (1, "Peer support"),
]


def export(tmp_path: Path, name: str, **options: str) -> Path:
    path = tmp_path / name
    write_quotes(study_reports(), path, **options)
    return path


def chain(depth: int) -> list[ThemeReport]:
    """One theme with subthemes nested ``depth`` levels deep."""
    report = None
    for level in reversed(range(depth)):
        info = ThemeInfo(level, f"level {level}", f"level {level}", level, "", [], 0, 0)
        report = ThemeReport(info, [], {}, [report] if report else [])
    assert report is not None
    return [report]


# Markdown


def test_markdown_has_a_heading_per_theme_by_depth(tmp_path: Path) -> None:
    lines = export(tmp_path, "quotes.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Themes and illustrative quotes"
    headings = [line for line in lines if line.startswith("#")]
    assert headings[1:] == [f"{'#' * (level + 1)} {name}" for level, name in HEADINGS]


def test_markdown_theme_sections_hold_description_codes_counts_and_quotes(
    tmp_path: Path,
) -> None:
    text = export(tmp_path, "quotes.md").read_text(encoding="utf-8")
    stigma = text.split("## Stigma of the diagnosis\n")[1].split("### Dismissed")[0]
    assert "How a psychiatric label changes care." in stigma
    assert "Codes: Stigma > Labels" in stigma
    assert "4 excerpts from 3 sources" in stigma
    assert "> “I sat there for six hours.\n> Nobody asked how I was.”\n" in stigma
    assert (
        "> — su02 40–90 · group=service user; setting=primary care · codes: Dismissal at A&E"
        in stigma
    )
    assert "*Memo:* Compare with staff01 on triage." in stigma
    assert "wasting their time \\| again." in stigma
    assert f"“{E1.text}”" in stigma
    assert stigma.index("su01 0–63") < stigma.index("staff01 300–363") < stigma.index("su02")


def test_markdown_escapes_html_and_says_when_a_theme_has_no_excerpts(tmp_path: Path) -> None:
    text = export(tmp_path, "quotes.md", title="Findings | draft").read_text(encoding="utf-8")
    assert text.startswith("# Findings \\| draft\n")
    assert SCRIPT not in text
    assert "\\<script>alert(1)\\</script>" in text
    peer = text.split("## Peer support\n")[1]
    assert "Codes: none" in peer
    assert "No excerpts are coded for this theme yet." in peer


def test_markdown_headings_stop_at_level_six(tmp_path: Path) -> None:
    path = tmp_path / "deep.md"
    write_quotes(chain(7), path)
    headings = [line for line in path.read_text().splitlines() if line.startswith("#")]
    assert [heading.split(" ")[0] for heading in headings] == [
        "#",
        "##",
        "###",
        "####",
        "#####",
        "######",
        "######",
        "######",
    ]


# Word


def test_docx_has_one_heading_per_theme_at_its_level(tmp_path: Path) -> None:
    document = docx.Document(str(export(tmp_path, "quotes.docx")))
    paragraphs = document.paragraphs
    assert (paragraphs[0].style.name, paragraphs[0].text) == (
        "Title",
        "Themes and illustrative quotes",
    )
    headings = [
        (int(p.style.name.removeprefix("Heading ")), p.text)
        for p in paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert headings == HEADINGS


def test_docx_quotes_are_in_the_quote_style_with_a_source_line_under_each(
    tmp_path: Path,
) -> None:
    paragraphs = docx.Document(str(export(tmp_path, "quotes.docx"))).paragraphs
    quotes = [(i, p.text) for i, p in enumerate(paragraphs) if p.style.name == "Quote"]
    assert {text for _, text in quotes} == {f"“{excerpt.text}”" for excerpt in ALL}
    assert len(quotes) == 8  # the subtheme's quotes are in its parent's section too
    for index, _ in quotes:
        assert paragraphs[index + 1].text.startswith("— ")
    lines = [p.text for p in paragraphs]
    assert "— su02 40–90 · group=service user; setting=primary care · codes: Dismissal at A&E" in (
        lines
    )
    assert "Memo: Compare with staff01 on triage." in lines
    assert "No excerpts are coded for this theme yet." in lines
    assert "Codes: Stigma > Labels" in lines


def test_docx_paragraphs_come_in_order_each_in_its_style(tmp_path: Path) -> None:
    document = docx.Document(str(export(tmp_path, "quotes.docx")))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    stigma_sources = [
        "su01 0–63 · group=service user; setting=specialist · codes: Stigma > Labels",
        "su01 120–173 · group=service user; setting=specialist · codes: Dismissal at A&E",
        "staff01 300–363 · group=Staff; setting=specialist · codes: Stigma > Labels",
        "su02 40–90 · group=service user; setting=primary care · codes: Dismissal at A&E",
    ]
    memo = ("Normal", "Memo: Compare with staff01 on triage.")

    def quotes(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
        return [row for text, line in pairs for row in (("Quote", text), ("Normal", f"— {line}"))]

    assert paragraphs == [
        ("Title", "Themes and illustrative quotes"),
        ("Heading 1", "Stigma of the diagnosis"),
        ("Normal", "How a psychiatric label changes care."),
        ("Normal", "Codes: Stigma > Labels"),
        ("Normal", "4 excerpts from 3 sources"),
        *quotes(*zip([f"“{e.text}”" for e in (E1, E2, E4, E3)], stigma_sources, strict=True)),
        memo,
        ("Heading 2", "Dismissed at A&E"),
        ("Normal", "Being sent away from emergency care."),
        ("Normal", "Codes: Dismissal at A&E"),
        ("Normal", "2 excerpts from 2 sources"),
        *quotes((f"“{E2.text}”", stigma_sources[1]), (f"“{E3.text}”", stigma_sources[3])),
        memo,
        ("Heading 1", "Long-term perspective"),
        ("Normal", "Codes: Long-term view"),
        ("Normal", "2 excerpts from 2 sources"),
        *quotes(
            (
                f"“{E6.text}”",
                "staff01 400–451 · group=Staff; setting=specialist · codes: Long-term view",
            ),
            (
                f"“{E5.text}”",
                "su02 200–253 · group=service user; setting=primary care · codes: Long-term view",
            ),
        ),
        ("Heading 1", "Peer support"),
        ("Normal", "Help from people who have been there."),
        ("Normal", "Codes: none"),
        ("Normal", "0 excerpts from 0 sources"),
        ("Normal", "No excerpts are coded for this theme yet."),
    ]
    body = document.element.body
    assert body[-1].tag == qn("w:sectPr")  # the paragraphs all come before the section's end
    assert len(body) == len(paragraphs) + 1


def test_docx_runs_carry_the_source_line_memo_and_empty_theme_formatting(
    tmp_path: Path,
) -> None:
    paragraphs = docx.Document(str(export(tmp_path, "quotes.docx"))).paragraphs
    quote = next(p for p in paragraphs if p.style.name == "Quote")
    assert [(r.bold, r.italic, r.font.size) for r in quote.runs] == [(None, None, None)]
    (line,) = paragraphs[paragraphs.index(quote) + 1].runs
    assert (line.font.size, line.font.color.rgb) == (Pt(9), RGBColor(0x59, 0x59, 0x59))
    memo = next(p for p in paragraphs if p.text.startswith("Memo: "))
    assert [(r.text, r.bold) for r in memo.runs] == [
        ("Memo: ", True),
        ("Compare with staff01 on triage.", None),
    ]
    (none,) = paragraphs[-1].runs
    assert (none.text, none.italic) == ("No excerpts are coded for this theme yet.", True)
    title = paragraphs[0].runs[0]
    assert (title.bold, title.font.size, title.font.color.type) == (None, None, None)


def test_docx_keeps_what_xml_must_escape_and_drops_what_it_cannot_hold(tmp_path: Path) -> None:
    text = " Fish & chips <b>\x0b 😀\tthen\r\nnext\x07 "
    excerpt = ExcerptView(1, "s&<1>", 0, 9, text, ["A & <B>"], ["amira"], "memo\x0b & 😀")
    info = ThemeInfo(1, "T", "Fish & <chips>\x0b 😀", 0, "", ["A & <B>"], 1, 1, ["\x0b"])
    path = tmp_path / "odd.docx"
    write_quotes([ThemeReport(info, [excerpt], {"s&<1>": {"k&": "<v>"}}, [])], path)
    paragraphs = [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs]
    assert paragraphs == [
        ("Title", "Themes and illustrative quotes"),
        ("Heading 1", "Fish & <chips> 😀"),
        ("Normal", "Memo: "),
        ("Normal", "Codes: A & <B>"),
        ("Normal", "1 excerpt from 1 source"),
        ("Quote", "“ Fish & chips <b> 😀\tthen\n\nnext ”"),
        ("Normal", "— s&<1> 0–9 · k&=<v> · codes: A & <B>"),
        ("Normal", "Memo: memo & 😀"),
    ]


def test_docx_headings_stop_at_level_nine(tmp_path: Path) -> None:
    path = tmp_path / "deep.docx"
    write_quotes(chain(11), path, title="Deep")
    paragraphs = docx.Document(str(path)).paragraphs
    headings = [p.style.name for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings == [f"Heading {min(level, 9)}" for level in range(1, 12)]


def test_docx_drops_characters_xml_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "control.docx"
    info = ThemeInfo(1, "Bell\x07", "Bell\x07", 0, "", [], 0, 0)
    write_quotes([ThemeReport(info, [], {}, [])], path)
    assert docx.Document(str(path)).paragraphs[1].text == "Bell"


# HTML


class Outline(HTMLParser):
    """Headings with the number of <section> elements around them, quotes, captions."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[tuple[int, int, str]] = []  # (level, sections open, text)
        self.blockquotes: list[str] = []
        self.captions: list[str] = []
        self._sections = 0
        self._current: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "section":
            self._sections += 1
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption"}:
            self._current = (tag, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._sections -= 1
        elif self._current is not None and tag == self._current[0]:
            text = "".join(self._current[1])
            if tag == "blockquote":
                self.blockquotes.append(text)
            elif tag == "figcaption":
                self.captions.append(text)
            else:
                self.headings.append((int(tag[1]), self._sections, text))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current[1].append(data)


def test_html_nests_subthemes_in_their_theme(tmp_path: Path) -> None:
    page = export(tmp_path, "quotes.html").read_text(encoding="utf-8")
    outline = Outline()
    outline.feed(page)
    assert outline.headings == [
        (1, 0, "Themes and illustrative quotes"),
        (2, 1, "Stigma of the diagnosis"),
        (3, 2, "Dismissed at A&E"),
        (2, 1, "Long-term perspective"),
        (2, 1, "Peer support"),
    ]
    assert {quote.replace("\n", "") for quote in outline.blockquotes} == {
        f"“{excerpt.text}”".replace("\n", "") for excerpt in ALL
    }
    assert (
        "staff01 300–363 · group=Staff; setting=specialist · codes: Stigma > Labels"
        in outline.captions
    )
    assert "No excerpts are coded for this theme yet." in page
    assert "Compare with staff01 on triage." in page


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    page = export(tmp_path, "quotes.html", title=SCRIPT).read_text(encoding="utf-8")
    outline = Outline()
    outline.feed(page)
    assert "<script" not in page.lower()
    assert not {"script", "link", "img", "iframe"} & set(outline.tags)
    assert outline.headings[0][2] == SCRIPT
    assert any(SCRIPT in quote for quote in outline.blockquotes)
    assert "<style>" in page


# errors and atomic writing


@pytest.mark.parametrize("name", ["quotes.pdf", "quotes.doc", "quotes.csv"])
def test_an_unsupported_extension_is_an_input_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match=r"\.md, \.docx or \.html") as raised:
        write_quotes(study_reports(), tmp_path / name)
    assert name in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_quotes(study_reports(), tmp_path / "report" / "quotes.docx")
    assert list(tmp_path.iterdir()) == []


def test_an_export_replaces_an_existing_report_whole(tmp_path: Path) -> None:
    path = tmp_path / "quotes.docx"
    path.write_bytes(b"not a word document" * 1000)
    write_quotes(study_reports(), path)
    assert docx.Document(str(path)).paragraphs[1].text == "Stigma of the diagnosis"
    assert [p.name for p in tmp_path.iterdir()] == ["quotes.docx"]


@pytest.mark.parametrize("name", ["quotes.md", "quotes.docx", "quotes.html"])
def test_every_format_carries_a_themes_memos_before_its_codes(tmp_path: Path, name: str) -> None:
    info = ThemeInfo(1, "Care", "Care", 0, "", ["Kindness"], 0, 0, ["First memo", "Second <b>"])
    path = tmp_path / name
    write_quotes([ThemeReport(info, [], {}, [])], path)
    if name.endswith(".docx"):
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    else:
        text = path.read_text(encoding="utf-8")
    assert "First memo" in text
    assert ("Second &lt;b&gt;" if name.endswith(".html") else "Second") in text
    assert text.index("First memo") < text.index("Second") < text.index("Codes: Kindness")
