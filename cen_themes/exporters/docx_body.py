"""Paragraphs and runs for the Word writers, each at a cost that does not grow with
the document.

python-docx's ``Document.add_paragraph(text, style)`` looks the style up by its name
(a scan of every style in the document, each read as an enumeration) and inserts the
paragraph before the body's closing ``w:sectPr`` by searching the body's children for
it, so a report's time grows with the square of its paragraphs; a run's text is then
built one character at a time. :class:`BodyWriter` writes the same XML: it resolves
each style name and each run format once, into ``w:pPr`` and ``w:rPr`` templates made
by python-docx itself and copied onto each paragraph and run, splits the text into
``w:t``, ``w:tab`` and ``w:br`` as python-docx does, and puts each paragraph before the
``w:sectPr`` it keeps a reference to.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, RGBColor
from docx.text.run import Run

from cen_themes.exporters.text import xml_safe

_BREAKS = re.compile("([\t\r\n])")  # a tab, or a line break (python-docx's reading)
_R, _T, _TAB, _BR = (qn(tag) for tag in ("w:r", "w:t", "w:tab", "w:br"))
_SPACE = qn("xml:space")


def clean(text: str) -> str:
    """``text`` without the control characters XML cannot hold."""
    return xml_safe(text)


@dataclass(frozen=True, slots=True)
class RunFormat:
    """A run's direct formatting; None leaves a property as the style has it."""

    bold: bool | None = None
    italic: bool | None = None
    size: Length | None = None
    color: RGBColor | None = None


PLAIN = RunFormat()


class BodyWriter:
    """Appends paragraphs at the end of ``document``'s body, before its section
    properties, as ``document.add_paragraph`` would."""

    def __init__(self, document: Document) -> None:
        self._document = document
        self._body = document.element.body
        self._end = self._body.sectPr  # the paragraphs go before it, when there is one
        self._paragraph_properties: dict[str, BaseOxmlElement | None] = {}
        self._run_properties: dict[RunFormat, BaseOxmlElement | None] = {}

    def paragraph(
        self, text: str = "", style: str | None = None, run: RunFormat = PLAIN
    ) -> BaseOxmlElement:
        """A new last paragraph (``w:p``) in the paragraph style named ``style`` (the
        default style for None), holding ``text`` in one run formatted ``run`` when
        ``text`` is not empty."""
        paragraph = OxmlElement("w:p")
        if style is not None:
            properties = self._paragraph_template(style)
            if properties is not None:
                paragraph.append(copy.deepcopy(properties))
        text = clean(text)
        if text:
            self.run(paragraph, text, run)
        if self._end is not None:
            self._end.addprevious(paragraph)
        else:
            self._body.append(paragraph)
        return paragraph

    def heading(self, text: str, level: int) -> BaseOxmlElement:
        """A heading as ``document.add_heading``: the Title style at level 0."""
        if not 0 <= level <= 9:
            raise ValueError(f"a heading's level is 0 to 9, not {level}")
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def run(self, paragraph: BaseOxmlElement, text: str, run: RunFormat = PLAIN) -> BaseOxmlElement:
        """A new last run (``w:r``) of ``paragraph`` holding ``text`` (a tab as
        ``w:tab``, each line break as ``w:br``), formatted ``run``."""
        element = _append(paragraph, _R)
        properties = self._run_template(run)
        if properties is not None:
            element.append(copy.deepcopy(properties))
        text = clean(text)
        if text:
            _append_text(element, text)
        return element

    def _paragraph_template(self, style: str) -> BaseOxmlElement | None:
        """The ``w:pPr`` python-docx gives a paragraph of the style named ``style``."""
        if style not in self._paragraph_properties:
            style_id = self._document.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
            scratch = OxmlElement("w:p")
            scratch.style = style_id
            self._paragraph_properties[style] = scratch.pPr
        return self._paragraph_properties[style]

    def _run_template(self, run: RunFormat) -> BaseOxmlElement | None:
        """The ``w:rPr`` python-docx gives a run formatted ``run``."""
        if run not in self._run_properties:
            scratch = Run(OxmlElement("w:r"), None)  # type: ignore[arg-type]
            if run.bold is not None:
                scratch.bold = run.bold
            if run.italic is not None:
                scratch.italic = run.italic
            if run.size is not None:
                scratch.font.size = run.size
            if run.color is not None:
                scratch.font.color.rgb = run.color
            self._run_properties[run] = scratch._r.rPr
        return self._run_properties[run]


def _append_text(run: BaseOxmlElement, text: str) -> None:
    """python-docx's run text: each stretch without a tab or line break in a ``w:t``
    (spaces kept when it starts or ends with one), a tab as ``w:tab``, ``\\r`` and
    ``\\n`` each a ``w:br``."""
    for piece in _BREAKS.split(text):
        if not piece:
            continue
        if piece == "\t":
            _append(run, _TAB)
        elif piece in ("\r", "\n"):
            _append(run, _BR)
        else:
            element = _append(run, _T)
            element.text = piece
            if len(piece.strip()) < len(piece):
                element.set(_SPACE, "preserve")


def _append(parent: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    """A new last child of ``parent``, with the tag ``tag`` (in Clark notation)."""
    child = parent.makeelement(tag, {})
    parent.append(child)
    return child
