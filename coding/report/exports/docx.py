"""The report as a Word document, shaped like the national report, in Word's own styles.

A title page (Title: the report's title; Subtitle: the project and the date; the
"Based on N interviews with M interviewees in S local systems" line), an optional
table of contents, then per theme in the author's order: a heading (Heading 1, or
Heading 2 for a sub-theme under its included parent), the narrative, the "Raised by
14 of 40 interviewees in 9 of 12 systems" line, and the headline quotes in the Intense
Quote style, each followed by its attribution in the Quote style ("— a chief
executive of an acute trust"). The footer numbers the pages; an optional appendix
holds the table of themes by local system.

User text only ever goes into plain runs: python-docx escapes it, so nothing becomes a
field (fldSimple/instrText), a hyperlink or any other active content, and the document
has no external relationships. The only fields are the document's own: PAGE in the
footer and, when asked for, the TOC (its instruction is a constant).
"""

from __future__ import annotations

import datetime
import re
from typing import BinaryIO

from coding.report.exports.rows import Report

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

PAGE_FIELD = "PAGE"
TOC_FIELD = 'TOC \\o "1-2" \\h \\z \\u'
FIELDS = (PAGE_FIELD, TOC_FIELD)  # every field instruction the document may hold


def clean(text: str) -> str:
    """Drop characters XML cannot hold; keep tabs and line breaks (python-docx maps them)."""
    return XML_ILLEGAL.sub("", text)


def write_docx(report: Report, out: BinaryIO) -> None:
    # python-docx (and lxml) load on the first export, not in every server process.
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    document = Document()
    _properties(document, report)
    if report.draft_notice:
        _watermark(document, clean(report.draft_notice))
    _footer(document)
    _title_page(document, report)
    if report.options.with_contents:
        document.add_paragraph("Contents", style="TOC Heading")
        _field(document.add_paragraph(), TOC_FIELD, "Update the field to list the headings.")
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    for section in report.sections:
        document.add_heading(clean(section.heading), level=2 if section.level == 2 else 1)
        for paragraph in section.paragraphs:
            document.add_paragraph(clean(paragraph))
        reach = document.add_paragraph()
        reach.add_run(clean(section.raised_by) + ".").bold = True
        for quote in section.quotes:
            document.add_paragraph(f"“{clean(quote.text)}”", style="Intense Quote")
            attribution = document.add_paragraph(f"— {clean(quote.attribution)}", style="Quote")
            attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if not report.sections:
        document.add_paragraph("Nothing to publish yet.")
    if report.appendix:
        _appendix(document, report.appendix)
    document.save(out)


def _properties(document, report: Report) -> None:
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


def _title_page(document, report: Report) -> None:
    from docx.enum.text import WD_BREAK

    document.add_paragraph(clean(report.title), style="Title")
    generated = report.generated
    document.add_paragraph(f"{generated.day} {generated:%B %Y}", style="Subtitle")
    document.add_paragraph(clean(report.totals_line))
    scope = document.add_paragraph()
    scope.add_run(clean(report.scope) + ".").italic = True
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A field of the document's own (never user text): begin, instruction, result, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if instruction not in FIELDS:
        raise ValueError("Only the document's own fields, never user text.")

    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def _footer(document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for section in document.sections:
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("Page ")
        _field(footer, PAGE_FIELD, "1")


def _appendix(document, table_rows: list[list[str]]) -> None:
    from docx.enum.text import WD_BREAK

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("Appendix: quotes by local system", level=1)
    document.add_paragraph(
        "Quotes of each theme in the report, by the local system of the interview."
    )
    table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
    table.style = "Light Grid Accent 1"
    for row, values in zip(table.rows, table_rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = clean(value)


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
