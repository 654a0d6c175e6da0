"""Hostile office and RTF files: the worst parse time (three at once) and peak memory.

Every file here is generated (nothing is copied in), small enough to pass the upload
gate's size and ZIP preflight, and built to cost as much as possible after it: many
tiny runs, tables nested deep, huge repeated paragraphs, many paragraphs, wide tables,
and for RTF the largest text, brace and escape soups under the upload limit. Each file
goes through `read_upload` (gate and parse, as an upload does) three times at once;
the time is the slowest of the three, the memory the reader child's peak RSS.

The builders are used by the tests too (tests/interviews/test_office_bounds.py).
"""

from __future__ import annotations

import io
import random
import threading
import time
import zipfile

from bench.table import Row

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
WORDS = (
    "system leadership support culture blame target pressure patients discharge flow "
    "community acute trust board partners winter beds ambulance handover shared cafe"
).split()


def rezip(base: bytes, replace: dict[str, bytes] | None = None,
          add: dict[str, bytes] | None = None) -> bytes:  # fmt: skip
    """`base` with some members replaced and others added, deflated."""
    replace, add = replace or {}, add or {}
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, data in add.items():
            target.writestr(name, data)
    return out.getvalue()


_BASES: dict[str, bytes] = {}


def base_docx() -> bytes:
    if "docx" not in _BASES:
        import docx

        buffer = io.BytesIO()
        document = docx.Document()
        document.add_paragraph("Interviewer: hello")
        document.save(buffer)
        _BASES["docx"] = buffer.getvalue()
    return _BASES["docx"]


def base_odt() -> bytes:
    if "odt" not in _BASES:
        from odf.opendocument import OpenDocumentText
        from odf.text import P

        document = OpenDocumentText()
        document.text.addElement(P(text="Interviewer: hello"))
        buffer = io.BytesIO()
        document.write(buffer)
        _BASES["odt"] = buffer.getvalue()
    return _BASES["odt"]


def docx_with_body(body: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<w:document {W_NS}><w:body>{body}</w:body></w:document>"
    )
    return rezip(base_docx(), replace={"word/document.xml": xml.encode()}, add=extra)


def odt_with_body(body: str) -> bytes:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    return rezip(base_odt(), replace={"content.xml": xml.encode()})


def words(count: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(count))


def rsids(count: int, seed: int = 0) -> list[str]:
    """Random revision ids, as Word writes on runs: they keep the parts from compressing
    past the preflight's 100:1 ratio, so the file reaches the reader."""
    rng = random.Random(seed)
    return [f"{rng.getrandbits(32):08X}" for _ in range(count)]


# --- Word ------------------------------------------------------------------------------


def docx_tiny_runs(runs: int) -> bytes:
    """One paragraph of `runs` one-letter bold runs (4 elements each)."""
    body = "".join(
        f'<w:r w:rsidR="{rsid}"><w:rPr><w:b w:val="0"/></w:rPr><w:t>a</w:t></w:r>'
        for rsid in rsids(runs)
    )
    return docx_with_body("<w:p>" + body + "</w:p>")


def docx_nested_tables(depth: int) -> bytes:
    """A table in a cell of a table… `depth` deep, two cells a row."""
    body = "<w:p><w:r><w:t>deepest</w:t></w:r></w:p>"
    for level in range(depth):
        cell = f"<w:tc><w:p><w:r><w:t>P{level}:</w:t></w:r></w:p></w:tc>"
        body = f"<w:tbl><w:tr>{cell}<w:tc>{body}<w:p/></w:tc></w:tr></w:tbl>"
    return docx_with_body(body + "<w:p/>")


def docx_repeated_paragraphs(paragraphs: int, size: int = 2_000) -> bytes:
    """The same long paragraph again and again (text past the limit, cheap to zip)."""
    text = words(size // 8)
    return docx_with_body(
        "".join(
            f'<w:p w:rsidR="{rsid}"><w:r><w:t>Participant: {rsid} {text}</w:t></w:r></w:p>'
            for rsid in rsids(paragraphs)
        )
    )


def docx_many_paragraphs(paragraphs: int) -> bytes:
    """Many short paragraphs, each a turn."""
    body = "".join(
        f'<w:p w:rsidR="{rsid}"><w:r><w:t>P{index % 7}: {words(6, index % 50)}</w:t></w:r></w:p>'
        for index, rsid in enumerate(rsids(paragraphs))
    )
    return docx_with_body(body)


def docx_wide_table(cells: int) -> bytes:
    """One table of `cells` cells in rows of 50."""
    ids = iter(rsids(cells))
    rows = "".join(
        "<w:tr>"
        + "".join(
            f'<w:tc><w:p w:rsidR="{next(ids)}"><w:r><w:t>x</w:t></w:r></w:p></w:tc>'
            for _ in range(50)
        )  # fmt: skip
        + "</w:tr>"
        for _ in range(cells // 50)
    )
    return docx_with_body(f"<w:tbl>{rows}</w:tbl>")


def docx_hidden_xml_part(doctype: bytes) -> bytes:
    """The main part moved to word/evil.dat, declared XML in [Content_Types].xml only and
    named by the package relationship; word/document.xml stays as a clean decoy."""
    base = base_docx()
    source = zipfile.ZipFile(io.BytesIO(base))
    types = source.read("[Content_Types].xml").replace(
        b'PartName="/word/document.xml"', b'PartName="/word/evil.dat"'
    )
    rels = source.read("_rels/.rels").replace(b"word/document.xml", b"word/evil.dat")
    document = source.read("word/document.xml")
    document = document.replace(b"?>", b"?>" + doctype, 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            name = info.filename
            if name == "word/document.xml":
                target.writestr("word/evil.dat", document)
                target.writestr(name, document.replace(b"hello", b"decoy").replace(doctype, b""))
            elif name == "[Content_Types].xml":
                target.writestr(name, types)
            elif name == "_rels/.rels":
                target.writestr(name, rels)
            else:
                target.writestr(name, source.read(info))
    return out.getvalue()


# --- OpenDocument -----------------------------------------------------------------------


def odt_tiny_spans(spans: int) -> bytes:
    body = "".join(f'<text:span text:class-names="{rsid}">a</text:span>' for rsid in rsids(spans))
    return odt_with_body("<text:p>" + body + "</text:p>")


def odt_nested_lists(depth: int) -> bytes:
    body = "<text:p>deepest</text:p>"
    for _ in range(depth):
        body = f"<text:list><text:list-item>{body}</text:list-item></text:list>"
    return odt_with_body(body)


def odt_repeated_paragraphs(paragraphs: int, size: int = 2_000) -> bytes:
    text = words(size // 8)
    return odt_with_body(
        "".join(f"<text:p>Participant: {rsid} {text}</text:p>" for rsid in rsids(paragraphs))
    )


# --- RTF --------------------------------------------------------------------------------

RTF_HEAD = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\n"


def rtf_text(size: int) -> bytes:
    """Plain paragraphs of speaker turns, `size` bytes."""
    paragraphs = []
    written = 0
    for rsid in rsids(size // 400 + 1):
        paragraph = f"\\pard\\f0\\fs22{{\\b Participant:}} {rsid} {words(60)}\\par\n"
        paragraphs.append(paragraph)
        written += len(paragraph)
        if written > size:
            break
    return (RTF_HEAD + "".join(paragraphs) + "}").encode("ascii")


def rtf_braces(size: int) -> bytes:
    """Empty groups: the most tokens per byte."""
    return (RTF_HEAD + "{}" * (size // 2) + "}").encode("ascii")


def rtf_escapes(size: int) -> bytes:
    r"""\u escapes and hex escapes, one character each."""
    unit = "\\u233?\\'e9"
    return (RTF_HEAD + unit * (size // len(unit)) + "}").encode("ascii")


def rtf_picture(size: int) -> bytes:
    """A picture of `size` bytes of hex, then a line of text."""
    picture = "{\\pict\\pngblip " + "".join(rsids(size // 8)) + "}"
    return (RTF_HEAD + picture + "\\par P1: after the picture\\par}").encode("ascii")


# --- the sets -----------------------------------------------------------------------------

MIB = 1024 * 1024


# make bench-small reads these only (each quick to build and to read): for Word and
# OpenDocument, depth and text size just under and past their bounds; for RTF, the size
# bound and a large picture.
SMALL_SET = {"nested-tables-80.docx", "nested-tables-200.docx",
             "repeated-paragraphs-4.7m-chars.docx", "repeated-paragraphs-6m-chars.docx",
             "nested-lists-120.odt", "text-19mib.rtf", "picture-15mib.rtf"}  # fmt: skip


def office_set(small: bool = False) -> list[tuple[str, bytes]]:
    """Each kind of cost just under its bound (read) and past it (refused)."""
    files = [
        ("tiny-runs-118k-472k-elements.docx", docx_tiny_runs, 118_000),
        ("tiny-runs-500k-2m-elements.docx", docx_tiny_runs, 500_000),
        ("nested-tables-80.docx", docx_nested_tables, 80),
        ("nested-tables-200.docx", docx_nested_tables, 200),
        ("repeated-paragraphs-4.7m-chars.docx", docx_repeated_paragraphs, 2_400),
        ("repeated-paragraphs-6m-chars.docx", docx_repeated_paragraphs, 3_000),
        ("many-paragraphs-150k.docx", docx_many_paragraphs, 150_000),
        ("wide-table-95k-cells.docx", docx_wide_table, 95_000),
        ("wide-table-200k-cells.docx", docx_wide_table, 200_000),
        ("tiny-spans-78k.odt", odt_tiny_spans, 78_000),
        ("tiny-spans-450k.odt", odt_tiny_spans, 450_000),
        ("nested-lists-120.odt", odt_nested_lists, 120),
        (
            "repeated-paragraphs-5m-chars.odt",
            lambda n: odt_repeated_paragraphs(n, size=600),
            9_000,
        ),
    ]
    return [(name, build(n)) for name, build, n in files if not small or name in SMALL_SET]


def rtf_set(small: bool = False) -> list[tuple[str, bytes]]:
    files = [
        ("text-2.9mib.rtf", rtf_text, int(2.9 * MIB)),
        ("text-19mib.rtf", rtf_text, 19 * MIB),
        ("braces-2.9mib.rtf", rtf_braces, int(2.9 * MIB)),
        ("escapes-2.9mib.rtf", rtf_escapes, int(2.9 * MIB)),
        ("picture-15mib.rtf", rtf_picture, 15 * MIB),
    ]
    return [(name, build(n)) for name, build, n in files if not small or name in SMALL_SET]


def three_at_once(name: str, data: bytes) -> tuple[float, float, str]:
    """(slowest seconds, highest reader peak MiB, outcome) of three concurrent uploads."""
    from interviews.parsing import ImportRejected
    from interviews.parsing.isolated import observed
    from interviews.uploads import read_upload

    results: list[tuple[float, float, str]] = []
    barrier = threading.Barrier(3)

    def one() -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            upload = read_upload(name, data)
            outcome = f"accepted, {len(upload.parsed.text):,} characters"
        except ImportRejected as refusal:
            outcome = f"refused: {refusal.reason}"
        elapsed = time.perf_counter() - started
        peak = (getattr(observed, "peak_kib", None) or 0) / 1024
        results.append((elapsed, peak, outcome))

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return max(r[0] for r in results), max(r[1] for r in results), results[0][2]


def worst(files: list[tuple[str, bytes]], verbose: bool) -> tuple[float, float]:
    import sys

    slowest = peak = 0.0
    for name, data in files:
        seconds, mib, outcome = three_at_once(name, data)
        if verbose:
            print(
                f"  {name} ({len(data) / MIB:,.2f} MiB): {seconds:.2f} s, {mib:,.0f} MiB, "
                f"{outcome[:110]}",
                file=sys.stderr,
            )
        slowest, peak = max(slowest, seconds), max(peak, mib)
    return slowest, peak


def measure(options) -> list[Row]:
    office, rtf = office_set(options.small), rtf_set(options.small)
    office_s, office_mib = worst(office, verbose=True)
    rtf_s, rtf_mib = worst(rtf, verbose=True)
    return [
        Row(f"worst office parse (s), {len(office)} files", office_s, "s", 5),
        Row(f"worst office peak memory (MiB), {len(office)} files", office_mib, "MiB", 500),
        Row(f"worst RTF parse (s), {len(rtf)} files", rtf_s, "s", 5),
        Row(f"worst RTF peak memory (MiB), {len(rtf)} files", rtf_mib, "MiB", 500),
    ]
