"""The report as a Word document, shaped like the national report.

A title, then per theme in the author's order: a heading, the narrative, the
"Raised by 14 of 40 interviewees in 9 of 12 systems" line, and the headline quotes in
the Quote style, each followed by its attribution. User text only ever goes into plain
runs: python-docx escapes it, so nothing becomes a field (fldSimple/instrText), a
hyperlink or any other active content, and the document has no external relationships.
"""

from __future__ import annotations

import datetime
import re
from typing import BinaryIO

from coding.report.exports.rows import Report

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    """Drop characters XML cannot hold; keep tabs and line breaks (python-docx maps them)."""
    return XML_ILLEGAL.sub("", text)


def write_docx(report: Report, out: BinaryIO) -> None:
    # python-docx (and lxml) load on the first export, not in every server process.
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    properties = document.core_properties
    properties.title = clean(report.title)[:250]
    properties.author = "aefront"
    properties.last_modified_by = "aefront"
    properties.comments = ""
    properties.keywords = ""
    properties.subject = ""
    properties.revision = 1
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    properties.created = now
    properties.modified = now

    if report.draft_notice:
        _watermark(document, clean(report.draft_notice))
    document.add_heading(clean(report.title), level=0)
    intro = document.add_paragraph()
    intro.add_run(clean(report.scope) + ". " + clean(report.totals_line)).italic = True

    for section in report.sections:
        document.add_heading(clean(section.heading), level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(clean(paragraph))
        reach = document.add_paragraph()
        reach_run = reach.add_run(clean(section.raised_by) + ".")
        reach_run.bold = True
        reach_run.font.size = Pt(10)
        for quote in section.quotes:
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(f"“{clean(quote.text)}”")
            attribution = document.add_paragraph()
            attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            attribution.add_run(f"— {clean(quote.attribution)}").italic = True

    document.save(out)


DRAFT_RED = (0xB1, 0x0E, 0x1E)


def _watermark(document, notice: str) -> None:
    """The draft notice in every page's header and at the top of the body."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    for section in document.sections:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(notice)
        run.bold = True
        run.font.color.rgb = RGBColor(*DRAFT_RED)
    banner = document.add_paragraph()
    run = banner.add_run(notice)
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(*DRAFT_RED)
