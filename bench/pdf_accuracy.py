"""PDF word accuracy: aefront's PDF text against `pdftotext -layout`, on PDFs made here.

The fixtures (ReportLab, DejaVu fonts) have the shapes that garble extraction:
`two_column_pdf` is a justified two-column journal page with ligature glyphs (ﬁ, ﬂ),
accents and emoji; `tex_like_pdf` places every glyph on its own, with no space
characters between words (as TeX and tightly justified layouts do) and accents drawn
as a base letter with a spacing accent over it. The tests use the same fixtures.
"""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

from bench.table import Row

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
VOCABULARY = (
    "the board agreed that winter pressure on acute beds needs shared ownership across "
    "partners ﬁnance ﬂow ofﬁce café naïve protégés déjà señora Zürich résumé discharge "
    "handover ambulance community 😊 ☕ leadership culture blame target patients trust"
).split()


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if not DEJAVU.exists():
        raise RuntimeError(f"{DEJAVU} is needed (apt-get install fonts-dejavu-core)")
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    return "DejaVuSans"


def fix_non_bmp_tounicode(pdf: bytes) -> bytes:
    """ReportLab writes non-BMP code points (😊) into ToUnicode CMaps as <1F60A>, which is
    not UTF-16BE: rewrite them as surrogate pairs, keeping every stream's length."""

    def surrogate(match: re.Match) -> bytes:
        code = int(match[2], 16) - 0x10000
        return match[1] + b"<%04X%04X>" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))

    out = []
    for chunk in re.split(rb"(\d+ beginbfchar.*?endbfchar)", pdf, flags=re.S):
        head = re.match(rb"(\d+) beginbfchar", chunk)
        if head:
            count = int(head[1])
            new = re.sub(rb"(<[0-9A-F]{2}> )<([0-9A-F]{5,6})>", surrogate, chunk)
            grow = len(new) - len(chunk)
            while grow > 0:
                unused = list(re.finditer(rb"\n<[0-9A-F]{2}> <0000>", new))[-1]
                new = new[: unused.start()] + new[unused.end() :]
                grow -= unused.end() - unused.start()
                count -= 1
            new = b"%d beginbfchar" % count + new[len(head[0]) :]
            new = new.replace(b"endbfchar", b" " * (len(chunk) - len(new)) + b"endbfchar")
            chunk = new
        out.append(chunk)
    return b"".join(out)


def sentences(seed: int, count: int, length: int = 14) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(VOCABULARY) for _ in range(length)).capitalize() + "."
        for _ in range(count)
    ]


def two_column_pdf(seed: int = 1, paragraphs: int = 16) -> bytes:
    """A justified two-column page: each column's paragraphs must stay in reading order."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    font = _font()
    buffer = io.BytesIO()
    width, height = A4
    document = BaseDocTemplate(buffer, pagesize=A4, pageCompression=0)
    gap, margin = 24, 50
    column = (width - 2 * margin - gap) / 2
    frames = [
        Frame(margin, margin, column, height - 2 * margin, id="left"),
        Frame(margin + column + gap, margin, column, height - 2 * margin, id="right"),
    ]
    document.addPageTemplates([PageTemplate(id="two", frames=frames)])
    style = ParagraphStyle("body", fontName=font, fontSize=9, leading=11, alignment=TA_JUSTIFY,
                           spaceAfter=6)  # fmt: skip
    story = [Paragraph(" ".join(sentences(seed + n, 3)), style) for n in range(paragraphs)]
    document.build(story)
    return fix_non_bmp_tounicode(buffer.getvalue())


# Spacing accents drawn over a base letter, as TeX's \' and \" do.
_SPACING = {"é": ("e", "´"), "ü": ("u", "¨"), "ñ": ("n", "˜"), "ï": ("i", "¨"), "à": ("a", "`")}


def tex_like_pdf(seed: int = 2, lines: int = 40) -> bytes:
    """Every glyph placed on its own; words apart by position only; accents overlaid."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font = _font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pageCompression=0)
    size = 10
    y = 800
    for sentence in sentences(seed, lines, length=9):
        x = 50.0
        for word in sentence.split():
            for char in word:
                base, accent = _SPACING.get(char, (char, ""))
                page.setFont(font, size)
                page.drawString(x, y, base)
                advance = stringWidth(base, font, size)
                if accent:
                    page.drawString(x + (advance - stringWidth(accent, font, size)) / 2, y + 1,
                                    accent)  # fmt: skip
                x += advance
            x += size * 0.3  # the gap between words: no space character
        y -= 18
    page.showPage()
    page.save()
    return fix_non_bmp_tounicode(buffer.getvalue())


FIXTURES = {"two-column page": two_column_pdf, "glyph-placed page (TeX-like)": tex_like_pdf}


def aefront_pdf_text(data: bytes) -> str:
    from interviews.parsing.core import DEFAULT_LIMITS
    from interviews.parsing.pdf import extract_pdf_pages

    return "\n".join(extract_pdf_pages(data, DEFAULT_LIMITS))


def measure(options) -> list[Row]:
    from bench.fidelity import pdftotext, word_accuracy

    rows = []
    for name, make in FIXTURES.items():
        data = make()
        accuracy = word_accuracy(pdftotext(data), aefront_pdf_text(data))
        rows.append(Row(f"PDF word accuracy vs pdftotext: {name}", accuracy * 100, "%", 98, "min"))
    return rows
