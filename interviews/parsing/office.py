"""Office documents: Word .docx, OpenDocument .odt and RTF, to paragraphs and turns.

Each is read in a bounded child process (`isolated.run`: CPU time, memory and wall
clock); `_read_docx`, `_read_odt` and `_read_rtf` are what the child runs. A .docx has
the XML elements of the parts it reads counted before any tree is built (`_WordPackage`),
an .odt those of all its XML parts (`package.count_elements`),
and an RTF is refused past `Limits.max_rtf_bytes` once its pictures are cut out.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator

from interviews.parsing import isolated
from interviews.parsing.core import (
    DEFAULT_LIMITS,
    ImportRejected,
    Limits,
    ParsedTranscript,
    check_text_length,
    clean_text,
    finish,
    reading,
    skipped_note,
    text_lines,
)
from interviews.parsing.package import count_elements, start_tags, too_many_elements
from interviews.parsing.turns import (
    Paragraph,
    blocks_from_paragraphs,
    looks_like_label,
    paragraphs_from_lines,
)

# --- tables (Word and OpenDocument) ---------------------------------------------------


def _strip_label(text: str, label: str) -> str:
    match = re.match(r"^\s*" + r"\s*".join(map(re.escape, label.split())) + r"\s*:", text)
    return text[match.end() :] if match else text


_CLOCK = re.compile(r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?")


def _table_paragraphs(rows: Iterable[list[str]]) -> list[Paragraph]:
    """Table rows as paragraphs; a row whose first cell names a speaker is that speaker's turn.

    Other rows become one line of cells separated by " | ". A time column after the
    speaker column is dropped.
    """
    paragraphs = []
    for raw_cells in rows:
        cells = [clean_text(cell).strip() for cell in raw_cells]
        if not any(cells):
            continue
        label = " ".join(cells[0].rstrip(":").split())
        rest = cells[1:]
        if rest and _CLOCK.fullmatch(rest[0]):
            rest = rest[1:]
        if any(rest) and "\n" not in label and looks_like_label(label, lenient=True):
            body = " | ".join(cell for cell in rest if cell)
            written = " | ".join(cell for cell in cells if cell).split("\n")[0]
            paragraphs.append(Paragraph(body.split("\n"), label=label, written=written,
                                        cell=True))  # fmt: skip
        else:
            paragraphs.append(Paragraph(" | ".join(cell for cell in cells if cell).split("\n")))
    return paragraphs


# --- Word .docx -----------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_W_TEXT = {_W + "t": None, _W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n",
           _W + "noBreakHyphen": "-"}  # fmt: skip
# Deleted or moved-away text, text boxes (Word writes them twice: choice and fallback).
_W_SKIP = (_W + "del", _W + "moveFrom", _W + "txbxContent", _MC + "Fallback")
_FALSE = {"0", "false", "off", "none"}


_W_NOTE_REFERENCES = (_W + "footnoteReference", _W + "endnoteReference")


def _docx_runs(paragraph, notes: dict[str, str] | None = None) -> list[tuple[str, bool]]:
    """A w:p's runs in order as (text, bold). python-docx's own accessors use one XPath
    query per element, which is most of the time on a long transcript; this walks the
    lxml tree once, and also keeps text inside tracked insertions (and in content
    controls, whose runs are descendants too). A footnote or endnote reference becomes
    the note's text, `[Note: …]`, where it is cited."""
    skip = next(paragraph.iter(*_W_SKIP), None) is not None
    runs: list[tuple[str, bool]] = []
    for run in paragraph.iter(_W + "r"):
        if skip and any(ancestor.tag in _W_SKIP for ancestor in run.iterancestors()):
            continue
        pieces = []
        for element in run:  # text is a child of its run; deeper runs are visited on their own
            if element.tag in _W_TEXT:
                fixed = _W_TEXT[element.tag]
                pieces.append(element.text or "" if fixed is None else fixed)
            elif element.tag in _W_NOTE_REFERENCES and notes:
                kind = "f" if element.tag == _W + "footnoteReference" else "e"
                note = notes.get(kind + element.get(_W + "id", ""))
                if note:
                    pieces.append(f" [Note: {note}]")
        if not pieces:
            continue
        bold = False
        properties = run.find(_W + "rPr")
        if properties is not None:
            flag = properties.find(_W + "b")
            bold = flag is not None and flag.get(_W + "val", "true").lower() not in _FALSE
        runs.append(("".join(pieces), bold))
    return runs


def _bold_label(runs: list[tuple[str, bool]]) -> str | None:
    """The label of a paragraph that opens with bold text ending in a colon ("**Jane:**")."""
    bold: list[str] = []
    after = ""
    for text, is_bold in runs:
        if is_bold and not after:
            bold.append(text)
            continue
        after = text
        break
    candidate = "".join(bold).strip()
    if candidate.endswith(":"):
        candidate = candidate[:-1]
    elif not after.lstrip().startswith(":"):
        return None
    candidate = " ".join(candidate.split())
    if candidate and looks_like_label(candidate, lenient=True):
        return candidate
    return None


def _docx_paragraph(element, notes: dict[str, str]) -> Paragraph | None:
    runs = _docx_runs(element, notes)
    text = clean_text("".join(text for text, _bold in runs))
    if not text.strip():
        return None
    label = _bold_label(runs)
    written = None
    if label:
        written, text = text, _strip_label(text, label)
    return Paragraph(text.split("\n"), label=label, written=written)


_W_WRAPPERS = (_W + "sdt", _W + "customXml", _W + "smartTag")


def _docx_children(element, *tags: str) -> Iterator:
    """`element`'s children with one of `tags`, looking through content controls
    (w:sdt/w:sdtContent) and custom XML wrappers wherever they sit: body, table, row,
    cell."""
    for child in element:
        if child.tag in tags:
            yield child
        elif child.tag in _W_WRAPPERS:
            content = child.find(_W + "sdtContent") if child.tag == _W + "sdt" else child
            if content is not None:
                yield from _docx_children(content, *tags)


def _docx_rows(table, notes: dict[str, str]) -> list[list[str]]:
    return [
        [_docx_cell_text(cell, notes) for cell in _docx_children(row, _W + "tc")]
        for row in _docx_children(table, _W + "tr")
    ]


def _docx_cell_text(cell, notes: dict[str, str]) -> str:
    lines = []
    for child in _docx_children(cell, _W + "p", _W + "tbl"):
        if child.tag == _W + "p":
            lines.append("".join(text for text, _bold in _docx_runs(child, notes)))
        else:
            # Direct rows and cells only: each nested table is read once, by its own cell
            # (iter() would visit a table nested n deep 2^n times).
            lines.extend(" | ".join(row) for row in _docx_rows(child, notes))
    return "\n".join(line for line in lines if line.strip())


def _docx_blocks(container, notes: dict[str, str]) -> Iterator[Paragraph]:
    """Body paragraphs and tables in order (content controls are looked into)."""
    for child in _docx_children(container, _W + "p", _W + "tbl"):
        if child.tag == _W + "p":
            paragraph = _docx_paragraph(child, notes)
            if paragraph is not None:
                yield paragraph
        else:
            yield from _table_paragraphs(_docx_rows(child, notes))


_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _docx_related(package: _WordPackage, kind: str) -> list:
    """The root elements of the main part's related parts of one kind ("footnotes")."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return [etree.fromstring(blob, parser) for blob in package.related[kind]]


def _docx_notes(document) -> dict[str, str]:
    """Footnotes and endnotes by id, as one line of text each (separators left out)."""
    notes: dict[str, str] = {}
    for kind, tag in (("footnotes", "footnote"), ("endnotes", "endnote")):
        for root in _docx_related(document, kind):
            for note in root.iter(_W + tag):
                if note.get(_W + "type") in {"separator", "continuationSeparator",
                                             "continuationNotice"}:  # fmt: skip
                    continue
                text = " ".join(
                    "".join(text for text, _bold in _docx_runs(paragraph))
                    for paragraph in note.iter(_W + "p")
                )
                if text.strip():
                    notes.setdefault(kind[0] + note.get(_W + "id", ""), " ".join(text.split()))
    return notes


_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
_V = "{urn:schemas-microsoft-com:vml}"


def _docx_skipped(document, body) -> dict[str, int]:
    """What a .docx holds that is not imported: headers, footers, comments, text boxes
    and images, counted."""
    with_text = {
        kind: sum(1 for root in _docx_related(document, kind) if "".join(root.itertext()).strip())
        for kind in ("header", "footer")
    }
    comments = sum(
        1 for root in _docx_related(document, "comments") for _ in root.iter(_W + "comment")
    )
    boxes = sum(
        1
        for box in body.iter(_W + "txbxContent")
        if not any(ancestor.tag == _MC + "Fallback" for ancestor in box.iterancestors())
    )
    images = sum(1 for _ in body.iter(_PIC + "pic")) + sum(
        1
        for image in body.iter(_V + "imagedata")
        if not any(ancestor.tag == _MC + "Fallback" for ancestor in image.iterancestors())
    )
    return {"header": with_text["header"], "footer": with_text["footer"],
            "comment": comments, "text box": boxes, "image": images}  # fmt: skip


def _count_package(data: bytes, limit: int) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        count_elements(archive, limit)


_TOO_DEEP = "is nested too deeply to read (more than 255 levels of XML)"


def _too_deep(error: Exception) -> bool:
    return "Excessive depth" in str(error)


def parse_docx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """Word .docx: body paragraphs and tables in order; headers and footers are dropped."""
    return isolated.run(_read_docx, data, limits, kind="a Word .docx document")


_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_DOCX_RELATED = ("footnotes", "endnotes", "header", "footer", "comments")  # what is read


class _WordPackage:
    """A .docx read from its ZIP: the main part's tree, parsed as python-docx parses it
    (`docx.oxml.parser.parse_xml`, its element classes), and the bytes of the parts the
    main part relates to that are read (`related`: notes, headers, footers, comments).

    docx.Document() would decompress every part and parse each one it knows (styles,
    numbering, settings, theme…), which on a long transcript costs more than the text;
    nothing else of a package is needed here. Every part read is counted first
    (`start_tags`): past `max_elements` together, nothing is parsed. Targets resolve as
    python-docx resolves them (relative to the part, no %-decoding).
    """

    def __init__(self, data: bytes, max_elements: int) -> None:
        from docx.oxml.parser import parse_xml

        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.max_elements = max_elements
        self.counted = 0
        main = next(iter(self._targets("", _RELATIONSHIPS + "officeDocument")), None)
        if main is None:
            raise ValueError("the package names no main part")
        if self._content_type(main) != _WORD_MAIN:
            raise ValueError("the main part is not a Word document")
        blob = self._read(main)
        self.related = {
            kind: [self._read(name) for name in self._targets(main, _RELATIONSHIPS + kind)]
            for kind in _DOCX_RELATED
        }
        self.body = parse_xml(blob).body

    def _read(self, name: str) -> bytes:
        blob = self.archive.read(name)
        self.counted += start_tags(blob)
        if self.counted > self.max_elements:
            raise too_many_elements(self.max_elements)
        return blob

    def _targets(self, source: str, reltype: str) -> list[str]:
        """Names of the parts `source` ("" for the package) relates to with `reltype`."""
        from lxml import etree

        folder, name = posixpath.split(source)
        try:
            blob = self._read(posixpath.join(folder, "_rels", name + ".rels"))
        except KeyError:
            return []
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        found = []
        for item in etree.fromstring(blob, parser).iter(_PACKAGE_RELATIONSHIPS + "Relationship"):
            if item.get("Type") != reltype or item.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join("/" + folder, item.get("Target", "")))
            found.append(target.lstrip("/"))
        return found

    def _content_type(self, name: str) -> str:
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        types = etree.fromstring(self._read("[Content_Types].xml"), parser)
        for item in types.iter(_CONTENT_TYPES + "Override"):
            if item.get("PartName", "").lstrip("/").lower() == name.lower():
                return item.get("ContentType", "")
        extension = posixpath.splitext(name)[1].lstrip(".").lower()
        for item in types.iter(_CONTENT_TYPES + "Default"):
            if item.get("Extension", "").lower() == extension:
                return item.get("ContentType", "")
        return ""


def _read_docx(data: bytes, limits: Limits) -> ParsedTranscript:
    with reading("Word .docx document"):
        from lxml.etree import XMLSyntaxError

        try:
            document = _WordPackage(data, limits.max_docx_elements)
            notes = _docx_notes(document)
        except XMLSyntaxError as error:
            if _too_deep(error):
                raise ImportRejected(_TOO_DEEP, "too_complex") from None
            raise
        body = document.body
        paragraphs: list[Paragraph] = []
        chars = 0
        for paragraph in _docx_blocks(body, notes):
            chars += sum(len(line) for line in paragraph.lines)
            check_text_length(chars, limits)
            paragraphs.append(paragraph)
        skipped = skipped_note(_docx_skipped(document, body))
    return finish(
        blocks_from_paragraphs(paragraphs), limits=limits, encoding="docx", notes=skipped
    )


# --- OpenDocument .odt -----------------------------------------------------------------

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"


def _odf_text(element, skipped: dict[str, int]) -> str:
    """A paragraph's text as odfpy's teletype reads it (spaces, tabs, line breaks), but
    a note (text:note) becomes `[Note: …]` where it is cited, and comments
    (office:annotation) and images are counted in `skipped`, not read."""
    from odf.element import Node

    result = []
    for child in element.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            result.append(child.data)
            continue
        if child.nodeType != Node.ELEMENT_NODE:
            continue
        namespace, name = child.qname
        if (namespace, name) == (_ODF_TEXT, "line-break"):
            result.append("\n")
        elif (namespace, name) == (_ODF_TEXT, "tab"):
            result.append("\t")
        elif (namespace, name) == (_ODF_TEXT, "s"):
            result.append(" " * int(child.getAttribute("c") or 1))
        elif (namespace, name) == (_ODF_TEXT, "note"):
            body = " ".join(
                _odf_text(part, skipped)
                for part in child.childNodes
                if part.nodeType == Node.ELEMENT_NODE and part.qname == (_ODF_TEXT, "note-body")
            )
            if body.strip():
                result.append(f" [Note: {' '.join(body.split())}]")
        elif (namespace, name) == (_ODF_OFFICE, "annotation"):
            skipped["comment"] = skipped.get("comment", 0) + 1
        elif (namespace, name) == (_ODF_OFFICE, "annotation-end"):
            continue
        elif (namespace, name) == (_ODF_DRAW, "image"):
            skipped["image"] = skipped.get("image", 0) + 1
        elif namespace == _ODF_TEXT and name in {"p", "h"}:
            # A paragraph inside this one (a frame's text box, a caption): its own line.
            result.append("\n" + _odf_text(child, skipped) + "\n")
        else:
            result.append(_odf_text(child, skipped))
    return "".join(result)


def _odf_children(element, skipped: dict[str, int]) -> Iterator[Paragraph]:
    from odf.element import Node

    for child in element.childNodes:
        if child.nodeType != Node.ELEMENT_NODE:
            continue
        namespace, name = child.qname
        if namespace == _ODF_TEXT and name in {"p", "h"}:
            text = clean_text(_odf_text(child, skipped))
            if text.strip():
                yield Paragraph(text.split("\n"))
        elif namespace == _ODF_TEXT and name in {"list", "list-item", "list-header", "section"}:
            yield from _odf_children(child, skipped)
        elif namespace == _ODF_TABLE and name == "table":
            rows = []
            for row in child.getElementsByType(_odf_table_row()):
                cells = [
                    cell
                    for cell in row.childNodes
                    if cell.nodeType == Node.ELEMENT_NODE
                    and cell.qname == (_ODF_TABLE, "table-cell")
                ]
                rows.append(["\n".join(_lines_of(_odf_children(cell, skipped))) for cell in cells])
            yield from _table_paragraphs(rows)


def _lines_of(paragraphs: Iterable[Paragraph]) -> Iterator[str]:
    for paragraph in paragraphs:
        yield from paragraph.lines


def _odf_table_row():
    from odf.table import TableRow

    return TableRow


def parse_odt(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """OpenDocument text: paragraphs, headings, lists and tables of the body, in order."""
    return isolated.run(_read_odt, data, limits, kind="an OpenDocument .odt document")


def _read_odt(data: bytes, limits: Limits) -> ParsedTranscript:
    with reading("OpenDocument .odt document"):
        from odf.opendocument import load

        _count_package(data, limits.max_odt_elements)
        document = load(io.BytesIO(data))
        paragraphs: list[Paragraph] = []
        chars = 0
        skipped: dict[str, int] = {"header": 0, "footer": 0}
        for paragraph in _odf_children(document.text, skipped):
            chars += sum(len(line) for line in paragraph.lines)
            check_text_length(chars, limits)
            paragraphs.append(paragraph)
        for kind in ("header", "footer"):
            skipped[kind] = sum(
                1
                for found in document.getElementsByType(_odf_style(kind))
                if "".join(_lines_of(_odf_children(found, {}))).strip()
            )
    return finish(
        blocks_from_paragraphs(paragraphs), limits=limits, encoding="odt",
        notes=skipped_note(skipped),
    )  # fmt: skip


def _odf_style(kind: str):
    from odf.style import Footer, Header

    return Header if kind == "header" else Footer


# --- RTF -------------------------------------------------------------------------------

_RTF_DATA_GROUP = re.compile(
    r"\{\\(?:\*\\)?(?:pict|shppict|nonshppict|object|objdata|datastore|themedata"
    r"|colorschememapping|latentstyles|rsidtbl|listtable|stylesheet)(?![a-z])"
)
_RTF_BRACE = re.compile(r"\\[\\{}]|[{}]")


def _drop_rtf_data_groups(source: str) -> str:
    """Cut pictures, embedded objects and other data groups out before striprtf, which
    would otherwise walk their (often megabytes of) hex one character at a time. They
    hold no text."""
    pieces = []
    position = 0
    for start in _RTF_DATA_GROUP.finditer(source):
        if start.start() < position:
            continue
        depth = 0
        end = None
        for brace in _RTF_BRACE.finditer(source, start.start()):
            token = brace.group()
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if depth == 0:
                    end = brace.end()
                    break
        if end is None:
            break
        pieces.append(source[position : start.start()])
        position = end
    pieces.append(source[position:])
    return "".join(pieces)


_RTF_FOOTNOTE = re.compile(r"\{\\(?:\*\\)?footnote(?![a-z])")
_RTF_PARAGRAPH = re.compile(r"\\(?:par|line|sect)(?![a-z])")


def _rtf_notes_inline(source: str) -> str:
    """Each `{\\footnote …}` group as plain text `[Note: …]` where it is cited (striprtf
    would drop the group); its paragraph marks become spaces."""
    pieces = []
    position = 0
    for start in _RTF_FOOTNOTE.finditer(source):
        if start.start() < position:
            continue
        depth = 0
        end = None
        for brace in _RTF_BRACE.finditer(source, start.start()):
            if brace.group() == "{":
                depth += 1
            elif brace.group() == "}":
                depth -= 1
                if depth == 0:
                    end = brace.end()
                    break
        if end is None:
            break
        inner = _RTF_PARAGRAPH.sub(" ", source[start.end() : end - 1])
        pieces.append(source[position : start.start()] + "{ [Note: " + inner + "]}")
        position = end
    pieces.append(source[position:])
    return "".join(pieces)


_RTF_SKIPPED = {
    "header": re.compile(r"\{\\header[lrf]?(?![a-z])"),
    "footer": re.compile(r"\{\\footer[lrf]?(?![a-z])"),
    "comment": re.compile(r"\{\\\*\\annotation(?![a-z])"),
    "image": re.compile(r"\\pict(?![a-z])"),
}
_RTF_PICTURE_COPY = re.compile(r"\\nonshppict(?![a-z])")


def _rtf_skipped(source: str) -> dict[str, int]:
    """What striprtf leaves out, counted: headers, footers, comments, pictures (a
    picture written twice, for old readers in \\nonshppict, counted once)."""
    counts = {kind: len(pattern.findall(source)) for kind, pattern in _RTF_SKIPPED.items()}
    counts["image"] = max(0, counts["image"] - len(_RTF_PICTURE_COPY.findall(source)))
    return counts


def parse_rtf(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """Rich Text Format: striprtf's plain text, then speaker lines."""
    return isolated.run(_read_rtf, data, limits, kind="an RTF document")


def _read_rtf(data: bytes, limits: Limits) -> ParsedTranscript:
    source = None
    for codec in ("ascii", "utf-8", "cp1252"):
        try:
            source = data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    if source is None:
        raise ImportRejected("is not a valid RTF document (unexpected bytes)", "damaged")
    if not source.lstrip("\ufeff \t\r\n").startswith("{\\rtf"):
        raise ImportRejected("is not an RTF document (it does not start with {\\rtf)", "mismatch")
    with reading("RTF document"):
        from striprtf.striprtf import rtf_to_text

        skipped = skipped_note(_rtf_skipped(source))
        source = _rtf_notes_inline(_drop_rtf_data_groups(source))
        if len(source) > limits.max_rtf_bytes:
            # striprtf reads about 3 MB a second on one core: past this, three at once
            # would not be answered within the time limit.
            raise ImportRejected(
                f"is too large to read as RTF ({len(source) / 2**20:,.1f} MiB of text and "
                f"formatting once pictures are removed; the limit is "
                f"{limits.max_rtf_bytes / 2**20:,.0f} MiB): save it as .docx",
                "too_large",
            )
        text = rtf_to_text(source, errors="strict")
    text = re.sub(r"\[Note:[ \t]+([^\]\n]*?)[ \t]*\]", r"[Note: \1]", text)
    paragraphs = paragraphs_from_lines(text_lines(text))
    return finish(blocks_from_paragraphs(paragraphs), limits=limits, encoding="rtf", notes=skipped)
