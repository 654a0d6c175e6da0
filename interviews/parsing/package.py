"""ZIP packages (.docx, .odt): which parts are XML, and how many elements they hold.

A part is XML when the package says so, whatever its name: `[Content_Types].xml`
(an Override or Default whose content type ends in `+xml` or `/xml`) for Office Open
XML, `META-INF/manifest.xml` (a media type ending in `/xml` or `+xml`) for
OpenDocument; and every `*.xml` or `*.rels` part, and every part that opens with an
XML declaration, is XML too. The upload gate checks each of them for DTDs and
entities (`interviews.uploads`), and the OpenDocument reader counts their elements before
building a tree (`count_elements`); the Word reader counts those of the parts it parses
(`start_tags`).
"""

from __future__ import annotations

import zipfile
import zlib
from posixpath import splitext
from urllib.parse import unquote

from interviews.parsing.core import ImportRejected

CONTENT_TYPES = "[Content_Types].xml"
ODF_MANIFEST = "META-INF/manifest.xml"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
_DECLARATION_BYTES = 64
_CHUNK = 1024 * 1024


def is_xml_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.endswith("+xml") or media.endswith("/xml")


def _small(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes | None:
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
            RuntimeError, NotImplementedError):  # fmt: skip
        return None


def _parse_safely(data: bytes | None):
    """The root of a small XML part, or None if it is unreadable or declares a DTD (which
    the gate refuses on its own: the part is named *.xml)."""
    if data is None:
        return None
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        return fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError, LookupError):
        return None


def declared_xml_parts(archive: zipfile.ZipFile) -> set[str]:
    """Names of the parts that the package's own index declares as XML."""
    names = {info.filename for info in archive.infolist()}
    by_lower = {name.lower(): name for name in names}
    declared: set[str] = set()
    types = _parse_safely(_small(archive, CONTENT_TYPES)) if CONTENT_TYPES in names else None
    if types is not None:
        xml_extensions = {
            item.get("Extension", "").lower().lstrip(".")
            for item in types.iter(_CT + "Default")
            if is_xml_type(item.get("ContentType", ""))
        }
        for name in names:
            if splitext(name)[1].lower().lstrip(".") in xml_extensions - {""}:
                declared.add(name)
        for item in types.iter(_CT + "Override"):
            if is_xml_type(item.get("ContentType", "")):
                part = unquote(item.get("PartName", "")).lstrip("/").lower()
                if part in by_lower:
                    declared.add(by_lower[part])
    manifest = _parse_safely(_small(archive, ODF_MANIFEST)) if ODF_MANIFEST in names else None
    if manifest is not None:
        for item in manifest.iter(_MANIFEST + "file-entry"):
            if is_xml_type(item.get(_MANIFEST + "media-type", "")):
                part = item.get(_MANIFEST + "full-path", "").lstrip("/")
                if part in names:
                    declared.add(part)
    return declared


def _opens_as_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    head = _small(archive, info.filename, _DECLARATION_BYTES) or b""
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<?xml") or head.startswith(b"<\x00?\x00x\x00m\x00l")


def xml_parts(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Every XML part of the package, in the archive's order (see the module docstring)."""
    declared = declared_xml_parts(archive)
    found = []
    for info in archive.infolist():
        if not info.filename or info.is_dir():
            continue
        name = info.filename
        if (
            name in declared
            or name.lower().endswith((".xml", ".rels"))
            or _opens_as_xml(archive, info)
        ):
            found.append(info)
    return found


def start_tags(blob: bytes) -> int:
    """At least as many as the elements an XML part holds: its `<` not followed by `/`
    (comments and CDATA can only add to it)."""
    return blob.count(b"<") - blob.count(b"</")


def too_many_elements(limit: int) -> ImportRejected:
    return ImportRejected(
        f"has more than {limit:,} XML elements, the limit for a document "
        "(it is too complex to read)",
        "too_complex",
    )


def count_elements(archive: zipfile.ZipFile, limit: int) -> int:
    """The elements of every XML part together, refused past `limit`.

    Counted on the bytes as they are decompressed, before any tree is built: each
    element has one start tag, so the number of `<` not followed by `/` is never less
    than the number of elements (comments and CDATA can only add to it).
    """
    total = 0
    for info in xml_parts(archive):
        previous = b""
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                total += chunk.count(b"<") - (previous + chunk).count(b"</")
                previous = chunk[-1:]
                if total > limit:
                    raise too_many_elements(limit)
    return total
