"""interviews.uploads: the gate. Every hostile file is refused before parsing, by name."""

from __future__ import annotations

import resource
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings

from interviews.parsing import ImportRejected
from interviews.parsing.core import Limits
from interviews.uploads import (
    SizeLimitUploadHandler,
    display_name,
    format_of,
    http_status,
    preflight_zip,
    read_upload,
    sniff,
)
from tests.interviews import transcript_files as files

LIMITS = Limits()
DOCX = files.docx_bytes(extras=False)


def refusal(name: str, data: bytes, limits: Limits = LIMITS) -> ImportRejected:
    with pytest.raises(ImportRejected) as refused:
        read_upload(name, data, limits)
    return refused.value


def test_a_good_file_passes_with_its_display_name_and_format():
    upload = read_upload("../../Interview 3.DOCX", DOCX, LIMITS)
    assert upload.display_name == "Interview 3.DOCX"
    assert upload.format == "docx"
    assert upload.parsed.text == files.EXPECTED_TEXT


# --- empty, size, type -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.txt", "empty.docx", "empty.pdf", "empty.vtt"])
def test_empty_file(name):
    error = refusal(name, b"")
    assert error.reason == "is empty"
    assert http_status(error) == 422


def test_file_over_the_size_limit():
    error = refusal("big.txt", b"P01: " + b"a" * 2048, Limits(max_upload_bytes=1024))
    assert error.reason == "is too large (2.0 KiB; the limit is 1.0 KiB)"
    assert http_status(error) == 413


def test_default_limit_is_20_mib():
    data = b"a" * (20 * 1024 * 1024 + 1)
    error = refusal("big.txt", data)
    assert error.reason == "is too large (20.0 MiB; the limit is 20.0 MiB)"


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("photo.txt", files.PNG_BYTES, "a PNG image"),
        ("tool.txt", files.ELF_BYTES, "an ELF executable"),
        ("photo.docx", files.PNG_BYTES, "a PNG image"),
        ("tool.docx", files.ELF_BYTES, "an ELF executable"),
        ("archive.txt", DOCX, "a ZIP archive"),
        ("doc.txt", files.pdf_bytes(), "a PDF document"),
        ("photo.md", files.PNG_BYTES, "a PNG image"),
        ("photo.vtt", files.PNG_BYTES, "a PNG image"),
        ("tool.srt", files.ELF_BYTES, "an ELF executable"),
        ("photo.odt", files.PNG_BYTES, "a PNG image"),
        ("photo.rtf", files.PNG_BYTES, "a PNG image"),
    ],
)
def test_binary_disguised_by_its_extension(name, data, what):
    error = refusal(name, data)
    extension = name.rsplit(".", 1)[1]
    assert f"content does not match .{extension}" in error.reason
    assert what in error.reason
    assert http_status(error) == 415


def test_png_without_a_known_signature_is_caught_by_the_nul_heuristic():
    error = refusal("photo.txt", b"\x89XNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "NUL bytes" in error.reason


def test_nul_bytes_in_text():
    error = refusal("notes.txt", b"Interviewer: hello\x00 there")
    assert "contains NUL bytes" in error.reason


def test_old_word_doc_named_docx():
    error = refusal("old.docx", files.OLE_BYTES)
    assert "old Word .doc" in error.reason


def test_pdf_that_is_not_a_pdf():
    error = refusal("report.pdf", b"Interviewer: I am plain text pretending to be a PDF.")
    assert error.reason == "is not a PDF (content does not match .pdf: it has no PDF header)"
    error = refusal("photo.pdf", files.PNG_BYTES)
    assert "it is a PNG image" in error.reason


def test_pdf_header_with_garbage_is_refused_as_damaged():
    error = refusal("broken.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nthis is not a real PDF body")
    assert "damaged" in error.reason


def test_image_only_pdf():
    assert (
        refusal("scan.pdf", files.image_pdf_bytes()).reason == "has no text layer: run OCR first"
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("old.doc", "is a .doc file, which cannot be imported: save it as .docx"),
        ("macro.docm", "macros are not allowed"),
        ("noextension", "has no file extension"),
        ("tool.exe", "is a .exe file, which cannot be imported (supported: .txt"),
    ],
)
def test_unsupported_extensions(name, reason):
    error = refusal(name, b"P01: hello")
    assert reason in error.reason
    assert http_status(error) == 415


def test_sniff_knows_common_signatures():
    assert sniff(b"GIF89a....") == "a GIF image"
    assert sniff(b"\xff\xd8\xff\xe0") == "a JPEG image"
    assert sniff(b"Interviewer: hi") is None


# --- ZIP packages -----------------------------------------------------------------------------


def test_truncated_docx():
    error = refusal("cut.docx", DOCX[: len(DOCX) // 2])
    assert error.reason == "is damaged or truncated (it is not a readable ZIP package)"


def test_docx_with_a_damaged_member():
    data = bytearray(DOCX)
    position = data.find(b"word/document.xml") + 40
    data[position : position + 20] = b"\xff" * 20
    error = refusal("damaged.docx", bytes(data))
    assert "damaged" in error.reason


@pytest.mark.parametrize("declared", [100 * 1024 * 1024, 1000 * 1024 * 1024])
def test_zip_bomb_by_declared_size_is_refused_fast_and_without_decompressing(declared):
    data = files.declared_size_bomb(declared)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    error = refusal("bomb.docx", data)
    elapsed = time.perf_counter() - started
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert "file expands too large" in error.reason
    assert http_status(error) == 413
    assert elapsed < 0.05
    assert grown_kib < 20 * 1024


def test_zip_bomb_by_ratio():
    error = refusal("ratio.docx", files.ratio_bomb())
    assert "file expands too large: a part is compressed" in error.reason
    assert "(the limit is 100:1)" in error.reason


def test_zip_bomb_by_total_declared_size():
    error = refusal("total.docx", files.total_size_bomb())
    assert error.reason == "file expands too large: more than 50.0 MiB uncompressed"


def test_zip_bomb_by_entry_count():
    error = refusal("many.docx", files.many_entries_zip(2_001))
    assert error.reason.startswith("has too many parts (2,001; the limit is 2,000)")


def test_entry_count_at_the_limit_is_not_refused_for_its_count():
    error = refusal("many.docx", files.many_entries_zip(2_000))
    assert "too many parts" not in error.reason


@pytest.mark.parametrize(
    ("doctype", "reference"),
    [(files.XXE_DOCTYPE, b"&xxe;"), (files.LAUGHS_DOCTYPE, b"&lol9;")],
    ids=["xxe", "billion-laughs"],
)
@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_xml_entities_in_docx_and_odt(kind, doctype, reference):
    make = files.hostile_docx if kind == "docx" else files.hostile_odt
    error = refusal(f"hostile.{kind}", make(doctype, reference))
    assert "contains XML entity or DTD declarations" in error.reason


@pytest.mark.parametrize(
    ("doctype", "reference"),
    [(files.XXE_DOCTYPE, b"&xxe;"), (files.LAUGHS_DOCTYPE, b"&lol9;")],
    ids=["xxe", "billion-laughs"],
)
@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_parsers_themselves_never_expand_entities(kind, doctype, reference):
    """Belt and braces: even without the gate, python-docx (lxml, resolve_entities=False)
    and odfpy (defusedxml.sax) resolve no entity into the text."""
    from interviews.parsing.office import parse_docx, parse_odt

    make = files.hostile_docx if kind == "docx" else files.hostile_odt
    parse = parse_docx if kind == "docx" else parse_odt
    started = time.perf_counter()
    try:
        text = parse(make(doctype, reference)).text
    except ImportRejected:
        text = ""
    assert time.perf_counter() - started < 2
    assert "root:" not in text
    assert "lollol" not in text


@pytest.mark.parametrize(
    "member",
    [
        "../../evil.txt",
        "/etc/passwd",
        "word\\..\\..\\evil.xml",
        "C:/windows/x.xml",
        "word/../../x.xml",
    ],
)
def test_unsafe_member_names(member):
    error = refusal("traversal.docx", files.zip_with_names(member, base=DOCX))
    assert error.reason.startswith("contains an unsafe path")
    assert "\x00" not in error.reason


def test_duplicate_member_names():
    error = refusal("dupe.docx", files.zip_with_names("word/document.xml", base=DOCX))
    assert "twice" in error.reason


def test_encrypted_member():
    error = refusal("locked.docx", files.patch_central_directory(DOCX, flags=0x1))
    assert error.reason == "contains encrypted parts: remove the password first"


def test_symlink_member():
    data = files.patch_central_directory(DOCX, external_attr=0o120777 << 16)
    assert refusal("link.docx", data).reason == "contains a symbolic link"


def test_nested_archive_member():
    data = files.rezip(DOCX, add={"word/embeddings/inner.zip": b"PK\x05\x06" + b"\x00" * 18})
    assert refusal("nested.docx", data).reason == "contains a nested archive"


@pytest.mark.parametrize("kind", ["vba", "content-type"])
def test_macros(kind):
    error = refusal("macro.docx", files.macro_docx(kind))
    assert error.reason == "contains macros (macros not allowed)"


def test_odt_with_basic_macros():
    data = files.rezip(files.odt_bytes(), add={"Basic/Standard/Module1.xml": b"<a/>"})
    assert refusal("macro.odt", data).reason == "contains macros (macros not allowed)"


def test_odt_named_docx_and_docx_named_odt():
    assert "name it .odt" in refusal("wrong.docx", files.odt_bytes()).reason
    assert "name it .docx" in refusal("wrong.odt", DOCX).reason


def test_preflight_reads_nothing_when_the_directory_is_bad():
    with pytest.raises(ImportRejected, match="file expands too large"):
        preflight_zip("docx", files.declared_size_bomb(), LIMITS)


# --- text limits ------------------------------------------------------------------------------


def test_extracted_text_limit():
    data = ("P01: " + "word " * 400).encode()
    error = refusal("long.txt", data, Limits(max_text_chars=100))
    assert error.reason.startswith("holds too much text")


def test_hostile_but_valid_text_passes_unchanged():
    text = 'P01: <script>alert(1)</script> <img src=x onerror="alert(2)"> =HYPERLINK("http://x")'
    upload = read_upload("hostile.txt", text.encode(), LIMITS)
    assert upload.parsed.text == text


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\win.ini", "win.ini"),
        ("/abs.txt", "abs.txt"),
        ("a\x00.txt", "a.txt"),
        ("CON.txt", "CON.txt"),
        ("\u202etxt.exe", "txt.exe"),
        ("report\u200b\u2066.txt", "report.txt"),
        ("cafe\u0301.txt", "caf\u00e9.txt"),
        ("😊 interview.txt", "😊 interview.txt"),
        ('"; filename=x.html', '"; filename=x.html'),
        ("..", "unnamed file"),
        ("", "unnamed file"),
        ("  spaced   out  .txt", "spaced out .txt"),
    ],
)
def test_display_names_are_sanitised(raw, shown):
    assert display_name(raw) == shown


def test_long_names_are_cut_keeping_the_extension():
    name = display_name("x" * 300 + ".docx")
    assert len(name) <= 120
    assert name.endswith("….docx")
    assert format_of(name) == "docx"


def test_bidi_trick_cannot_change_the_format():
    with pytest.raises(ImportRejected, match="is a .exe file"):
        format_of(display_name("\u202etxt.exe"))


# --- the upload handler -----------------------------------------------------------------------


@override_settings(AEFRONT_MAX_UPLOAD_BYTES=1024)
def test_upload_handler_skips_files_past_the_limit_and_records_their_names():
    request = RequestFactory().post(
        "/upload/",
        {
            "files": [
                SimpleUploadedFile("small.txt", b"P01: hi"),
                SimpleUploadedFile("../big\u202e.txt", b"a" * 5000),
            ]
        },
    )
    request.upload_handlers = [SizeLimitUploadHandler(request)] + request.upload_handlers[1:]
    names = [upload.name for upload in request.FILES.getlist("files")]
    assert names == ["small.txt"]
    assert request.oversized_uploads == ["big.txt"]


def test_upload_handler_is_installed_first():
    from django.conf import settings

    assert settings.FILE_UPLOAD_HANDLERS[0] == "interviews.uploads.SizeLimitUploadHandler"
