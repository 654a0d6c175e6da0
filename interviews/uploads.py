"""The gate every uploaded file passes before a parser sees it. Pure functions (no ORM).

`read_upload(filename, data)` checks, in order: the file name and its extension (one
of `interviews.parsing.formats.FORMATS`), the size, emptiness, that the content matches
the format's container (magic numbers, NUL bytes), and for ZIP packages (.docx, .odt)
the entry count, the declared sizes and compression ratios, unsafe names, encryption,
macros, and XML entity declarations, all before anything is decompressed in full. Then
it parses and checks the length of the text.

`SizeLimitUploadHandler` enforces the size limit while Django receives the body.
"""

from __future__ import annotations

import io
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from interviews.parsing import ImportRejected, ParsedTranscript, parse
from interviews.parsing.core import Limits, check_text_length, has_unicode_bom
from interviews.parsing.formats import format_for
from interviews.parsing.package import xml_parts

MAX_DISPLAY_NAME = 120

# (prefix, offset, what it is). Checked against every upload.
SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\x7fELF", 0, "an ELF executable"),
    (b"PK\x03\x04", 0, "a ZIP archive"),
    (b"PK\x05\x06", 0, "an empty ZIP archive"),
    (b"PK\x07\x08", 0, "a ZIP archive"),
    (b"%PDF-", 0, "a PDF document"),
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "an old Office (OLE) file such as a .doc"),
    (b"\x1f\x8b\x08", 0, "a gzip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"BZh91AY&SY", 0, "a bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "an xz archive"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"OggS", 0, "an Ogg media file"),
    (b"fLaC", 0, "a FLAC audio file"),
    (b"ftyp", 4, "an MP4 media file"),
    (b"RIFF", 0, "a RIFF media file (WAV, AVI or WebP)"),
    (b"\xca\xfe\xba\xbe", 0, "a Mach-O or Java class file"),
    (b"\xcf\xfa\xed\xfe", 0, "a Mach-O executable"),
    (b"\x00asm", 0, "a WebAssembly module"),
    (b"SQLite format 3\x00", 0, "an SQLite database"),
    (b"{\\rtf", 0, "an RTF document"),
)
# What `sniff` must find for a format's container (plain text: no signature at all).
EXPECTED = {"zip": "a ZIP archive", "rtf": "an RTF document", "pdf": "a PDF document"}
OOXML_WORD_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
ODT_MIMETYPES = ("application/vnd.oasis.opendocument.text",)


# Everything zipfile may raise on a damaged member while decompressing it.
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)


@dataclass(frozen=True)
class Upload:
    """A file that passed the gate: its display name, format and parsed content."""

    display_name: str
    format: str
    parsed: ParsedTranscript


def limits_from_settings() -> Limits:
    from django.conf import settings

    return Limits(
        max_upload_bytes=getattr(settings, "AEFRONT_MAX_UPLOAD_BYTES", Limits.max_upload_bytes),
        max_text_chars=getattr(settings, "AEFRONT_MAX_TEXT_CHARS", Limits.max_text_chars),
    )


# --- names ----------------------------------------------------------------------------


def display_name(raw: str) -> str:
    """A file name safe to show and log: no path, no control or bidi characters, ≤ 120 chars.

    The file itself is stored under a generated name; this is only what people see.
    """
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: controls (NUL...), Cf: format (bidi overrides, zero-width), Cs/Co/Cn: no glyph.
    name = "".join(
        " " if unicodedata.category(char) in {"Zl", "Zp"} else char
        for char in name
        if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "unnamed file"
    if len(name) > MAX_DISPLAY_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            name = stem[: MAX_DISPLAY_NAME - len(extension) - 2] + "…." + extension
        else:
            name = name[: MAX_DISPLAY_NAME - 1] + "…"
    return name


def format_of(name: str) -> str:
    """The import format named by a (display) file name's extension ("docx"), or refuse."""
    stem, dot, extension = name.rpartition(".")
    return format_for(extension if dot and stem else "").extension


# --- content sniffing -------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """What the first bytes say the file is ("a PNG image"), or None for no known signature."""
    for signature, offset, what in SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            return what
    return None


def check_content(kind: str, data: bytes, limits: Limits) -> None:
    """Refuse a file whose bytes do not match its extension's container."""
    container = format_for(kind).container
    if not data:
        raise ImportRejected("is empty", "empty")
    if len(data) > limits.max_upload_bytes:
        raise too_large(len(data), limits)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    found = sniff(data) or (sniff(head) if head is not data else None)
    if container == "pdf":
        if b"%PDF-" not in data[:1024]:
            what = f"it is {found}" if found else "it has no PDF header"
            raise ImportRejected(f"is not a PDF (content does not match .pdf: {what})", "mismatch")
        return
    expected = EXPECTED.get(container)
    if container == "zip":
        if found != expected:
            if found and found.startswith("an old Office"):
                raise ImportRejected(
                    "is an old Word .doc file or a password-protected document "
                    f"(content does not match .{kind}): save it as an unprotected .{kind}",
                    "mismatch",
                )
            what = f"it is {found}" if found else "it is not a ZIP package"
            raise ImportRejected(f"content does not match .{kind}: {what}", "mismatch")
        return
    if container == "rtf":
        if found != expected:
            what = f"it is {found}" if found else "it does not start with {\\rtf"
            raise ImportRejected(f"content does not match .rtf: {what}", "mismatch")
    elif found is not None:
        raise ImportRejected(f"content does not match .{kind}: it is {found}", "mismatch")
    if b"\x00" in data and not has_unicode_bom(data):
        raise ImportRejected(
            f"content does not match .{kind}: it contains NUL bytes, so it is binary data, "
            "not text (UTF-16 text needs a byte-order mark; or save it as UTF-8)",
            "nul",
        )


# --- ZIP packages (.docx, .odt) -------------------------------------------------------


def format_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KiB"
    return f"{size / (1024 * 1024):,.1f} MiB"


def _shown(name: str) -> str:
    """A member name as it may be shown: paths kept, control and bidi characters removed."""
    kept = "".join(
        char for char in name if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    return repr(kept[:80] + ("…" if len(kept) > 80 else ""))


def preflight_zip(kind: str, data: bytes, limits: Limits) -> None:
    """Check a .docx/.odt package before anything in it is decompressed in full."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.LargeZipFile, *ZIP_READ_ERRORS):
        raise ImportRejected("is damaged or truncated (it is not a readable ZIP package)",
                             "damaged") from None  # fmt: skip
    with archive:
        if len(entries) > limits.zip_max_entries:
            raise ImportRejected(
                f"has too many parts ({len(entries):,}; the limit is "
                f"{limits.zip_max_entries:,}): file expands too large",
                "zip_bomb",
            )
        names: set[str] = set()
        total = 0
        for entry in entries:
            _check_entry(entry, names, limits)
            total += entry.file_size
            if total > limits.zip_max_total_bytes:
                raise ImportRejected(
                    f"file expands too large: more than {format_size(limits.zip_max_total_bytes)} "
                    "uncompressed",
                    "zip_bomb",
                )
        if kind == "docx":
            _check_docx_package(archive, names)
        else:
            _check_odt_package(archive, names)
        # Every XML part by what the package declares, not only by name (a main part
        # named word/evil.dat is still XML); the prolog, where a DTD would be, of each.
        for entry in xml_parts(archive):
            check_xml(archive, entry, full=False)


def _check_entry(entry: zipfile.ZipInfo, names: set[str], limits: Limits) -> None:
    name = entry.filename
    path = PurePosixPath(name)
    if (
        "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or ".." in path.parts
        or (len(name) > 1 and name[1] == ":")
    ):
        raise ImportRejected(f"contains an unsafe path ({_shown(name)})", "unsafe_path")
    if name in names:
        raise ImportRejected(f"contains the part {_shown(name)} twice", "damaged")
    names.add(name)
    if entry.flag_bits & 0x1:
        raise ImportRejected("contains encrypted parts: remove the password first", "encrypted")
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise ImportRejected("contains a symbolic link", "unsafe_path")
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ImportRejected("uses an unsupported compression method", "damaged")
    lowered = name.lower()
    if lowered.rsplit("/", 1)[-1] in {"vbaproject.bin", "vbadata.xml"} or "/vba" in lowered:
        raise ImportRejected("contains macros (macros not allowed)", "macros")
    if lowered.endswith((".zip", ".jar", ".docm", ".xlsm", ".pptm", ".dotm")):
        raise ImportRejected("contains a nested archive", "nested")
    if (
        entry.file_size > limits.zip_ratio_min_member_bytes
        and entry.file_size > limits.zip_max_ratio * max(entry.compress_size, 1)
    ):
        ratio = entry.file_size // max(entry.compress_size, 1)
        raise ImportRejected(
            f"file expands too large: a part is compressed {ratio:,}:1 "
            f"(the limit is {limits.zip_max_ratio}:1)",
            "zip_bomb",
        )


def _check_docx_package(archive: zipfile.ZipFile, names: set[str]) -> None:
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        if "mimetype" in names:
            raise ImportRejected(
                "is an OpenDocument file, not a Word .docx: name it .odt", "mismatch"
            )
        raise ImportRejected("is not a Word .docx document (no word/document.xml)", "mismatch")
    types = _read_small(archive, "[Content_Types].xml")
    lowered = types.lower()
    if b"macroenabled" in lowered or b"vbaproject" in lowered:
        raise ImportRejected("contains macros (macros not allowed)", "macros")
    if OOXML_WORD_MAIN.encode() not in types:
        raise ImportRejected(
            "is not a Word .docx document (its main part is not a Word document)", "mismatch"
        )


def _check_odt_package(archive: zipfile.ZipFile, names: set[str]) -> None:
    if "mimetype" not in names or "content.xml" not in names:
        if "word/document.xml" in names:
            raise ImportRejected("is a Word .docx file, not an .odt: name it .docx", "mismatch")
        raise ImportRejected("is not an OpenDocument .odt document", "mismatch")
    mimetype = _read_small(archive, "mimetype").strip().decode("ascii", "replace")
    if mimetype not in ODT_MIMETYPES:
        raise ImportRejected(
            f"is not an OpenDocument text document (it is {_shown(mimetype)})",
            "mismatch",
        )
    for name in names:
        lowered = name.lower()
        if lowered.startswith("basic/") or lowered.startswith("scripts/"):
            raise ImportRejected("contains macros (macros not allowed)", "macros")


def _read_small(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes:
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except ZIP_READ_ERRORS:
        raise ImportRejected("is damaged or truncated", "damaged") from None


def _blank_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """A small part of white space only: nothing to parse, nothing hidden in it."""
    if entry.file_size > 4096:
        return False
    try:
        return not archive.read(entry).strip()
    except ZIP_READ_ERRORS:
        return False


class _RootReached(Exception):
    """Raised by _StopAtRoot: the prolog, where a DTD would be, has been read."""


class _StopAtRoot:
    """A parser target that stops at the first start tag."""

    def start(self, tag, attributes) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


def check_xml(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, *, full: bool) -> None:
    """Refuse DTDs and entity declarations (XXE, billion laughs), parsing with defusedxml.

    A DTD can only come before the root element, so for most parts it is enough to parse
    up to the first start tag, 2 KiB at a time; `full` parses the whole part (for parts
    whose readers would not report a malformed document clearly). An empty part, or
    one of white space only, is not damage: there is nothing in it to read.
    """
    from xml.etree.ElementTree import ParseError
    from xml.sax import SAXException
    from xml.sax.handler import ContentHandler

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser
    from defusedxml.sax import parse as sax_parse

    if entry.file_size == 0:
        return  # an empty part (LibreOffice writes Configurations2/…/current.xml so) holds nothing
    try:
        with archive.open(entry) as member:
            if full:
                sax_parse(member, ContentHandler(), forbid_dtd=True)
            else:
                parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
                while chunk := member.read(2048):
                    parser.feed(chunk)
                parser.close()  # no root element at all: a ParseError
    except _RootReached:
        return
    except DefusedXmlException:
        raise ImportRejected(
            "contains XML entity or DTD declarations, which are not allowed "
            "(possible XXE or entity-expansion attack)",
            "xml_entities",
        ) from None
    except (ParseError, SAXException, LookupError, UnicodeError, *ZIP_READ_ERRORS):
        if _blank_part(archive, entry):
            return
        raise ImportRejected(
            f"is damaged or truncated (the part {_shown(entry.filename)} cannot be read)",
            "damaged",
        ) from None


# --- the whole gate ---------------------------------------------------------------------


def too_large(size: int | None, limits: Limits) -> ImportRejected:
    """The refusal of a file over the upload limit (`size` None: not known, it was skipped)."""
    limit = format_size(limits.max_upload_bytes)
    shown = f"{format_size(size)}; " if size is not None else ""
    return ImportRejected(f"is too large ({shown}the limit is {limit})", "too_large")


def read_upload(filename: str, data: bytes, limits: Limits | None = None) -> Upload:
    """Check and parse one uploaded file. Raises ImportRejected with a readable reason."""
    limits = limits or limits_from_settings()
    name = display_name(filename)
    kind = format_of(name)
    check_content(kind, data, limits)
    if format_for(kind).container == "zip":
        preflight_zip(kind, data, limits)
    parsed = parse(kind, data, limits)
    check_text_length(parsed.text, limits)
    return Upload(display_name=name, format=kind, parsed=parsed)


STATUS_FOR_CODE = {"too_large": 413, "zip_bomb": 413, "unsupported": 415, "mismatch": 415,
                   "busy": 503}  # fmt: skip


def http_status(error: ImportRejected) -> int:
    return STATUS_FOR_CODE.get(error.code, 422)


RECORDING_UPLOAD = "imports:attach_recording"


def is_recording_upload(path_info: str) -> bool:
    """Whether this path is the recording upload (its own, larger, limit)."""
    from django.urls import Resolver404, resolve

    try:
        return resolve(path_info).view_name == RECORDING_UPLOAD
    except Resolver404:
        return False


def upload_limit(request) -> int:
    """The most one uploaded file of this request may hold, in bytes."""
    from django.conf import settings

    if request is not None and is_recording_upload(request.path_info):
        return settings.AEFRONT_MAX_RECORDING_BYTES
    return limits_from_settings().max_upload_bytes


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops receiving any uploaded file past AEFRONT_MAX_UPLOAD_BYTES (for a recording,
    AEFRONT_MAX_RECORDING_BYTES).

    The file is skipped (not kept in memory or /tmp) and its name is recorded in
    `request.oversized_uploads`, so the view can refuse it by name.
    """

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.limit = upload_limit(request)
        self.received = 0
        if request is not None and not hasattr(request, "oversized_uploads"):
            request.oversized_uploads = []

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = start + len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                self.request.oversized_uploads.append(display_name(self.file_name or ""))
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
