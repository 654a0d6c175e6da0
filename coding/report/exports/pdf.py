"""The report as a PDF, with the same content and order as the DOCX, written by ReportLab.

Why ReportLab rather than WeasyPrint or LibreOffice: it is pure Python (no pango, no
office suite on the server), already pinned, and writes from the `Report` directly, so
the PDF holds exactly what the preview shows. A title page, then per theme a heading,
the narrative, the reach line and the headline quotes with their attribution; page
numbers in every footer and, on a draft, the review's notice in every page's header
and across every page.

User text only goes into `Paragraph`s after XML escaping, so nothing in it becomes
ReportLab markup (links, images, fonts); the file has no links, actions or scripts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from coding.report.exports.rows import Report

NHS_BLUE = colors.HexColor("#005eb8")
DARK_BLUE = colors.HexColor("#003087")
GREY = colors.HexColor("#505a5f")
DRAFT_RED = colors.HexColor("#b10e1e")
# Characters no PDF text string should carry (controls, lone surrogates).
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# DejaVu (Debian's fonts-dejavu-core) covers more scripts; Vera ships inside ReportLab.
FONT_FILES = {
    "dejavu": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
    "vera": ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf"),
}
FONT_DIRS = {
    "dejavu": Path("/usr/share/fonts/truetype/dejavu"),
    "vera": Path(reportlab.__file__).parent / "fonts",
}


def _fonts() -> tuple[str, str, str]:
    """Register (once) and return the regular, bold and italic font names."""
    for family, files in FONT_FILES.items():
        paths = [FONT_DIRS[family] / name for name in files]
        if not all(path.exists() for path in paths):
            continue
        names = (f"{family}", f"{family}-bold", f"{family}-italic")
        registered = pdfmetrics.getRegisteredFontNames()
        for name, path in zip(names, paths, strict=True):
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(path)))
        return names
    return ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique")


def text(value: str) -> str:
    """User text as ReportLab paragraph markup: escaped, line breaks kept."""
    return escape(ILLEGAL.sub("", value)).replace("\n", "<br/>")


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, italic = _fonts()
    body = ParagraphStyle("Body", fontName=regular, fontSize=10.5, leading=15, spaceAfter=6)
    return {
        "title": ParagraphStyle(
            "Title", parent=body, fontName=bold, fontSize=24, leading=30, textColor=NHS_BLUE,
            spaceAfter=18,
        ),
        "scope": ParagraphStyle("Scope", parent=body, fontName=italic, textColor=GREY),
        "heading": ParagraphStyle(
            "Heading1", parent=body, fontName=bold, fontSize=15, leading=19,
            textColor=DARK_BLUE, spaceBefore=14, spaceAfter=6, keepWithNext=True,
        ),
        "subheading": ParagraphStyle(
            "Heading2", parent=body, fontName=bold, fontSize=12.5, leading=16,
            textColor=DARK_BLUE, spaceBefore=10, spaceAfter=4, keepWithNext=True,
        ),
        "body": body,
        "reach": ParagraphStyle("Reach", parent=body, fontName=bold, fontSize=9.5),
        "quote": ParagraphStyle(
            "Quote", parent=body, fontName=italic, leftIndent=1 * cm, rightIndent=0.5 * cm,
            borderPadding=(0, 0, 0, 6), spaceBefore=6, spaceAfter=2, keepWithNext=True,
        ),
        "attribution": ParagraphStyle(
            "Attribution", parent=body, fontName=italic, alignment=TA_RIGHT, textColor=GREY,
            fontSize=9.5,
        ),
        "draft": ParagraphStyle(
            "Draft", parent=body, fontName=bold, fontSize=13, textColor=DRAFT_RED, spaceAfter=12
        ),
    }  # fmt: skip


def _story(report: Report, styles: dict[str, ParagraphStyle]) -> list:
    story: list = []
    if report.draft_notice:
        story.append(Paragraph(text(report.draft_notice), styles["draft"]))
    story.append(Paragraph(text(report.title), styles["title"]))
    story.append(Paragraph(text(report.totals_line), styles["body"]))
    story.append(Paragraph(text(report.scope + "."), styles["scope"]))
    story.append(
        Paragraph(f"Prepared on {report.generated.day} {report.generated:%B %Y}.", styles["scope"])
    )
    story.append(PageBreak())
    for section in report.sections:
        style = styles["subheading" if section.level == 2 else "heading"]
        story.append(Paragraph(text(section.heading), style))
        for paragraph in section.paragraphs:
            story.append(Paragraph(text(paragraph), styles["body"]))
        story.append(Paragraph(text(section.raised_by + "."), styles["reach"]))
        for quote in section.quotes:
            story.append(Paragraph(text(f"“{quote.text}”"), styles["quote"]))
            story.append(Paragraph(text(f"— {quote.attribution}"), styles["attribution"]))
    if not report.sections:
        story.append(Paragraph("Nothing to publish yet.", styles["body"]))
    return story


def _page_decorator(notice: str, font: str, bold: str):
    """Draws every page's footer (page number) and, on a draft, its header and mark."""

    def decorate(canvas, document) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(width / 2, 1.2 * cm, f"Page {document.page}")
        if notice:
            canvas.setFillColor(DRAFT_RED)
            canvas.setFont(bold, 10)
            canvas.drawCentredString(width / 2, height - 1.2 * cm, notice)
            canvas.setFillColor(colors.Color(0.69, 0.05, 0.12, alpha=0.12))
            canvas.setFont(bold, 40)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, "DRAFT")
        canvas.restoreState()

    return decorate


def write_pdf(report: Report, out: BinaryIO) -> None:
    styles = _styles()
    regular, bold, _ = _fonts()
    title = ILLEGAL.sub("", report.title)[:250]
    document = SimpleDocTemplate(
        out, pagesize=A4, title=title, author="aefront", creator="aefront", subject="",
        keywords="", leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2.2 * cm,
        bottomMargin=2.2 * cm, lang="en-GB",
    )  # fmt: skip
    decorate = _page_decorator(ILLEGAL.sub("", report.draft_notice), regular, bold)
    document.build(_story(report, styles), onFirstPage=decorate, onLaterPages=decorate)
