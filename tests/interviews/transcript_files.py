"""Transcript files for the import tests, generated on the fly (nothing binary is committed).

Every well-formed fixture carries the same passages (smart quotes, an emoji, £ and é),
so each format's test can check that each passage comes out exactly.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
from pathlib import Path

from bench.pdf_accuracy import fix_non_bmp_tounicode

INTERVIEWER = "Interviewer"
SPEAKER = "Jane Smith"
PASSAGES: tuple[tuple[str, str], ...] = (
    (INTERVIEWER, "What would have helped, in your view?"),
    (SPEAKER, "We were told support would come “when things got bad enough”. 😊 It never did."),
    (INTERVIEWER, "And the café?"),
    (SPEAKER, "The café at £3 is not the point; it’s the planning that matters."),
)
EXPECTED_TEXT = "\n\n".join(f"{label}: {body}" for label, body in PASSAGES)
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def plain_text(passages=PASSAGES, separator: str = "\n\n", newline: str = "\n") -> str:
    return separator.replace("\n", newline).join(f"{label}: {body}" for label, body in passages)


def txt_bytes(encoding: str = "utf-8", newline: str = "\n") -> bytes:
    text = plain_text(newline=newline)
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding in {"utf-16-le", "utf-16-be"}:
        bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
        return bom + text.encode(encoding)
    return text.encode(encoding)


def cp1252_bytes() -> bytes:
    """Windows-1252 cannot hold the emoji: the same passages without it."""
    return plain_text(cp1252_passages()).encode("cp1252")


def cp1252_passages() -> tuple[tuple[str, str], ...]:
    return tuple((label, body.replace(" 😊", "")) for label, body in PASSAGES)


def otter_bytes() -> bytes:
    times = ["0:07", "0:15", "1:02", "1:03:04"]
    return (
        "\n\n".join(
            f"{label}  {time}\n{body}" for (label, body), time in zip(PASSAGES, times, strict=True)
        )
        + "\n\nTranscribed by https://otter.ai\n"
    ).encode("utf-8")


def _split(body: str) -> tuple[str, str]:
    """A passage cut into two cues at a space near its middle."""
    middle = body.index(" ", len(body) // 2)
    return body[:middle], body[middle + 1 :]


def _cues() -> list[tuple[str, str, str]]:
    """(speaker, start, text): each of Jane's passages spans two cues."""
    cues = []
    seconds = 3
    for label, body in PASSAGES:
        pieces = _split(body) if label == SPEAKER else (body,)
        for piece in pieces:
            cues.append((label, f"00:00:{seconds:02d}.250", piece))
            seconds += 4
    return cues


def _end(start: str) -> str:
    seconds = int(start[6:8]) + 3
    return f"00:00:{seconds:02d}.000"


def teams_vtt_bytes() -> bytes:
    blocks = ["WEBVTT"]
    for number, (label, start, text) in enumerate(_cues()):
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        blocks.append(
            f"6f5c2b1e-8a4d-4c1e-9f3a-2b7d8e9c0a1f/{number + 12}-0\n"
            f"{start} --> {_end(start)}\n<v {label}>{escaped}</v>"
        )
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def zoom_vtt_bytes() -> bytes:
    blocks = ["WEBVTT"]
    for number, (label, start, text) in enumerate(_cues(), start=1):
        blocks.append(f"{number}\n{start} --> {_end(start)}\n{label}: {text}")
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def srt_bytes() -> bytes:
    blocks = []
    for number, (label, start, text) in enumerate(_cues(), start=1):
        start_srt = start.replace(".", ",")
        end_srt = _end(start).replace(".", ",")
        blocks.append(f"{number}\r\n{start_srt} --> {end_srt}\r\n{label}: {text}")
    return ("\r\n\r\n".join(blocks) + "\r\n").encode("utf-8")


def cue_start_ms() -> list[int]:
    """The start time of each merged caption turn, in ms."""
    starts = []
    previous = None
    for label, start, _text in _cues():
        if label != previous:
            starts.append(int(start[6:8]) * 1000 + 250)
        previous = label
    return starts


def docx_bytes(*, extras: bool = True, passages=PASSAGES, bold: bool = True) -> bytes:
    """Bold `Name:` labels, a title, a table, and a header and footer to be dropped."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "CONFIDENTIAL header text"
    section.footer.paragraphs[0].text = "Footer page text"
    if extras:
        document.add_paragraph("Interview 7")
    for label, body in passages:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}:").bold = bold
        paragraph.add_run(f" {body}")
    if extras:
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = INTERVIEWER
        table.cell(0, 1).text = "Anything else?"
        table.cell(1, 0).text = SPEAKER
        table.cell(1, 1).text = "No – thank you."
        document.add_paragraph("Ends £ é")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX_EXTRAS_TEXT = (
    "Interview 7\n\n"
    + EXPECTED_TEXT
    + "\n\nInterviewer: Anything else?\n\nJane Smith: No – thank you.\nEnds £ é"
)


def large_docx_bytes(words: int, seed: int = 0) -> bytes:
    """A long interview for the bench: alternating speakers, ~120-word turns."""
    import random

    import docx

    rng = random.Random(seed)
    vocabulary = (
        "system leadership support culture blame target pressure patients discharge flow "
        "community acute trust board partners winter beds ambulance handover shared café "
        "“quoted” £5 naïve"
    ).split()
    document = docx.Document()
    written = 0
    turn = 0
    while written < words:
        size = min(rng.randint(60, 180), words - written)
        paragraph = document.add_paragraph()
        label = INTERVIEWER if turn % 2 == 0 else f"Speaker {turn % 3 + 1}"
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(" " + " ".join(rng.choice(vocabulary) for _ in range(size)))
        written += size
        turn += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(*, table: bool = True) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Interview 7"))
    for label, body in PASSAGES:
        document.text.addElement(P(text=f"{label}: {body}"))
    if table:
        grid = Table(name="Turns")
        grid.addElement(TableColumn(numbercolumnsrepeated=2))
        for label, body in ((INTERVIEWER, "Anything else?"), (SPEAKER, "No – thank you.")):
            row = TableRow()
            for value in (label, body):
                cell = TableCell()
                cell.addElement(P(text=value))
                row.addElement(cell)
            grid.addElement(row)
        document.text.addElement(grid)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


ODT_TEXT = (
    "Interview 7\n\n"
    + EXPECTED_TEXT
    + "\n\nInterviewer: Anything else?\n\nJane Smith: No – thank you."
)


def _rtf_escape(text: str) -> str:
    out = []
    for char in text:
        if char in "\\{}":
            out.append("\\" + char)
        elif ord(char) < 128:
            out.append(char)
        else:
            for unit in struct.unpack("<" + "h" * (len(char.encode("utf-16-le")) // 2),
                                      char.encode("utf-16-le")):  # fmt: skip
                out.append(f"\\u{unit}?")
    return "".join(out)


def rtf_bytes() -> bytes:
    body = "\\par\n".join(_rtf_escape(f"{label}: {text}") + "\\par" for label, text in PASSAGES)
    return (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\n"
        "{\\header\\pard Confidential header\\par}\n"
        "\\f0\\fs22 " + body + "\n}"
    ).encode("ascii")


def pdf_bytes(lines: list[str] | None = None) -> bytes:
    """A text PDF: one passage per line, a page number at the foot."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if not DEJAVU.exists():
        raise RuntimeError(
            f"{DEJAVU} is needed for the PDF fixture (apt-get install fonts-dejavu-core)"
        )
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pageCompression=0)
    page.setFont("DejaVuSans", 10)
    y = 800
    for label, body in PASSAGES if lines is None else [("", line) for line in lines]:
        page.drawString(40, y, f"{label}: {body}" if label else body)
        y -= 28
    page.drawString(290, 30, "1")
    page.showPage()
    page.save()
    return fix_non_bmp_tounicode(buffer.getvalue())


def image_pdf_bytes() -> bytes:
    """A scanned page: an image and no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 380, 100), outline="black", width=3)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawImage(ImageReader(image), 40, 600, width=400, height=120)
    page.showPage()
    page.save()
    return buffer.getvalue()


# --- hostile files -------------------------------------------------------------------------

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
ELF_BYTES = (
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
)
OLE_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def rezip(
    source: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """A copy of a ZIP package with some parts replaced or added."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for entry in original.infolist():
            copy.writestr(
                entry.filename, replace.get(entry.filename, original.read(entry.filename))
            )
        for name, data in (add or {}).items():
            copy.writestr(name, data)
    return out.getvalue()


def patch_central_directory(data: bytes, **fields: int) -> bytes:
    """Rewrite fields of every central-directory entry: uncompressed size, flags, attributes."""
    offsets = {"flags": (8, "<H"), "uncompressed": (24, "<I"), "external_attr": (38, "<I")}
    buffer = bytearray(data)
    position = buffer.find(b"PK\x01\x02")
    while position != -1:
        for name, value in fields.items():
            offset, layout = offsets[name]
            struct.pack_into(layout, buffer, position + offset, value)
        position = buffer.find(b"PK\x01\x02", position + 4)
    return bytes(buffer)


def declared_size_bomb(declared: int = 100 * 1024 * 1024) -> bytes:
    """A .docx whose one member declares `declared` bytes uncompressed (≈ 1 KB on disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>" * 50)
    return patch_central_directory(out.getvalue(), uncompressed=declared)


def ratio_bomb(size: int = 20 * 1024 * 1024) -> bytes:
    """A real docx-shaped bomb: one member of `size` zeros (ratio ≈ 1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"\x00" * size)
    return out.getvalue()


def many_entries_zip(count: int = 2_001) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for number in range(count):
            archive.writestr(f"word/media/x{number}.xml", b"")
    return out.getvalue()


def total_size_bomb(members: int = 60) -> bytes:
    """Many members, each declaring 1 MiB (under the per-member ratio threshold)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(members):
            archive.writestr(f"word/part{number}.xml", b"<a/>")
    return patch_central_directory(out.getvalue(), uncompressed=1024 * 1024)


def zip_with_names(*names: str, base: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as archive:
        warnings.simplefilter("ignore")  # a duplicate name is the point of some fixtures
        if base is not None:
            with zipfile.ZipFile(io.BytesIO(base)) as original:
                for entry in original.infolist():
                    archive.writestr(entry.filename, original.read(entry.filename))
        for name in names:
            info = zipfile.ZipInfo("placeholder")
            info.filename = name  # zipfile would normalise the name in the constructor
            archive.writestr(info, b"x")
    return out.getvalue()


XXE_DOCTYPE = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS_DOCTYPE = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b"]>"
)


def with_doctype(xml: bytes, doctype: bytes, reference: bytes) -> bytes:
    """Insert a DOCTYPE after the XML declaration and an entity reference into the text."""
    declaration_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    xml = xml[:declaration_end] + doctype + xml[declaration_end:]
    return re.sub(rb"(<w:t(?: [^>]*)?>|<text:p[^>]*>)", lambda m: m[1] + reference, xml, count=1)


def hostile_docx(doctype: bytes, reference: bytes) -> bytes:
    source = docx_bytes(extras=False)
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        xml = archive.read("word/document.xml")
    return rezip(source, replace={"word/document.xml": with_doctype(xml, doctype, reference)})


def hostile_odt(doctype: bytes, reference: bytes) -> bytes:
    source = odt_bytes(table=False)
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        xml = archive.read("content.xml")
    doctype = doctype.replace(b"w:document", b"office:document-content")
    return rezip(source, replace={"content.xml": with_doctype(xml, doctype, reference)})


def macro_docx(kind: str = "vba") -> bytes:
    source = docx_bytes(extras=False)
    if kind == "vba":
        return rezip(source, add={"word/vbaProject.bin": OLE_BYTES})
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    return rezip(source, replace={"[Content_Types].xml": types})


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
TRICKY_BODY = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}" xmlns:mc="{MC_NS}"><w:body>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Jane Smith:</w:t></w:r><w:r><w:t xml:space="preserve"> It was </w:t></w:r><w:del w:id="1" w:author="x"><w:r><w:delText>awful</w:delText></w:r></w:del><w:ins w:id="2" w:author="x"><w:r><w:t>fine</w:t></w:r></w:ins><w:r><w:t>, café £3 😊.</w:t></w:r></w:p>
<w:sdt><w:sdtContent><w:p><w:r><w:t>Interviewer: Inside a content control?</w:t></w:r></w:p></w:sdtContent></w:sdt>
<w:p><w:r><w:t>P02: Before the box</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t xml:space="preserve"> and after</w:t><w:tab/><w:t>it.</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>Not bold: still</w:t></w:r><w:r><w:br/><w:t>P02's words</w:t></w:r></w:p>
<w:sectPr/></w:body></w:document>"""
TRICKY_TEXT = (
    "Jane Smith: It was fine, café £3 😊.\n\n"
    "Interviewer: Inside a content control?\n\n"
    "P02: Before the box and after\tit.\nNot bold: still\nP02's words"
)


def tricky_docx_bytes() -> bytes:
    """Tracked changes, a content control, a text box and a soft line break."""
    return rezip(docx_bytes(extras=False), replace={"word/document.xml": TRICKY_BODY.encode()})
