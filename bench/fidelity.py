"""Whether an import kept a file's text: word accuracy against an independent extraction.

`reference_text(name, data)` reads a file without aefront's parsers: `pdftotext -layout`
(poppler-utils) for PDF, the raw XML text of a .docx (document, footnotes, endnotes) or
an .odt (content.xml's body), the caption lines of .vtt/.srt, the decoded text of
.txt/.md (entities unescaped), Python's own HTML parser for .html, and striprtf's plain
text for .rtf. Parts that the importer deliberately skips and reports (headers,
footers, comments; Word's text boxes) are left out of the reference too.

`word_accuracy(reference, candidate)` compares the two as multisets of words (NFKC,
case-folded, punctuation ignored): the words found in both over the larger count, so a
lost word and a garbled one ("protégésthatgoontohave") both lower it.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
import unicodedata
import zipfile
from collections import Counter
from html.parser import HTMLParser

_WORD = re.compile(r"\w+")


def words(text: str) -> Counter:
    return Counter(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def word_accuracy(reference: str, candidate: str) -> float:
    """Shared words over the larger word count (1.0: the same words, as often)."""
    expected, found = words(reference), words(candidate)
    total = max(sum(expected.values()), sum(found.values()))
    if total == 0:
        return 1.0
    return sum((expected & found).values()) / total


def word_recall(reference: str, candidate: str, ignore: frozenset[str] = frozenset()) -> float:
    """The share of the reference's words that the candidate holds (nothing lost: 1.0).

    Only words with a letter count (page numbers and cue times are layout), and not the
    words in `ignore` (speaker names: a caption file repeats them on every cue, a
    transcript once a turn)."""

    def counted(text: str) -> Counter:
        return Counter(
            {
                word: count
                for word, count in words(text).items()
                if word not in ignore and any(char.isalpha() for char in word)
            }
        )

    expected, found = counted(reference), counted(candidate)
    total = sum(expected.values())
    return 1.0 if total == 0 else sum((expected & found).values()) / total


# --- independent extraction -------------------------------------------------------------


def pdftotext(data: bytes) -> str:
    completed = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        timeout=60,
        check=True,
    )
    return completed.stdout.decode("utf-8")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DOCX_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")


def _docx_text(data: bytes) -> str:
    from lxml import etree

    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        for part in _DOCX_PARTS:
            if part not in names:
                continue
            root = etree.fromstring(archive.read(part))
            for element in root.iter(_W + "t", _W + "tab", _W + "br", _W + "p"):
                skipped = any(
                    ancestor.tag in (_W + "txbxContent", _MC + "Fallback", _W + "del")
                    for ancestor in element.iterancestors()
                )
                if skipped:
                    continue
                if element.tag == _W + "t":
                    out.append(element.text or "")
                else:
                    out.append("\n" if element.tag != _W + "tab" else " ")
    return "".join(out)


_ODF = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
}
# Comments are reported, not imported; text boxes of an .odt are imported.
_ODF_SKIP = {"{%s}annotation" % _ODF["office"], "{%s}tracked-changes" % _ODF["text"]}
_ODF_APART = {"{%s}%s" % (_ODF["text"], name) for name in
              ("p", "h", "note", "note-citation", "note-body", "list-item")}  # fmt: skip
_ODF_SPACE = {"{%s}%s" % (_ODF["text"], name) for name in ("s", "tab", "line-break")}


def _odt_text(data: bytes) -> str:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("content.xml"))
    body = root.find("{%s}body" % _ODF["office"])
    out: list[str] = []

    def walk(element) -> None:
        if element.tag in _ODF_SKIP:
            out.append(" ")
        else:
            if element.tag in _ODF_SPACE or element.tag in _ODF_APART:
                out.append(" ")
            out.append(element.text or "")
            for child in element:
                walk(child)
            if element.tag in _ODF_APART:
                out.append(" ")
        out.append(element.tail or "")

    if body is not None:
        walk(body)
    return "".join(out)


_TIMING = re.compile(r"-->")
_CAPTION_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")


def _caption_text(data: bytes) -> str:
    """The lines after each timing line, up to a blank line (headers and ids left out)."""
    out = []
    in_cue = False
    for line in _decoded(data).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _TIMING.search(line):
            in_cue = True
        elif not line.strip():
            in_cue = False
        elif in_cue:
            out.append(html.unescape(_CAPTION_TAG.sub("", line)))
    return "\n".join(out)


def _decoded(data: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):  # fmt: skip
        if data.startswith(bom):
            return data[len(bom) :].decode(codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in {"script", "style", "head", "template", "noscript"}:
            self.hidden += 1
        self.out.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in {"script", "style", "head", "template", "noscript"}:
            self.hidden = max(0, self.hidden - 1)
        self.out.append(" ")

    def handle_data(self, data) -> None:
        if not self.hidden:
            self.out.append(data)


def _html_text(data: bytes) -> str:
    parser = _HTMLText()
    parser.feed(_decoded(data))
    parser.close()
    return "".join(parser.out)


def _rtf_text(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    return rtf_to_text(data.decode("cp1252", "replace"), errors="ignore")


def reference_text(name: str, data: bytes) -> str:
    """The file's text read without aefront's parsers (see the module docstring)."""
    extension = name.rsplit(".", 1)[-1].lower()
    if extension == "pdf":
        return pdftotext(data)
    if extension == "docx":
        return _docx_text(data)
    if extension == "odt":
        return _odt_text(data)
    if extension in {"vtt", "srt"}:
        return _caption_text(data)
    if extension in {"html", "htm"}:
        return _html_text(data)
    if extension == "rtf":
        return _rtf_text(data)
    text = _decoded(data)
    return html.unescape(text) if extension == "md" else text
