"""Shapes of real documents (issue 11), each made here: an ODF file with an empty part,
notes in DOCX, ODT and RTF, content controls around cells, two-column and glyph-placed
PDFs, one-off headings, Markdown entities, SRT tags, bold Otter headers, HTML, Teams
.docx, and what is deliberately not imported, reported in one line."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest

from bench.fidelity import pdftotext, word_accuracy
from bench.pdf_accuracy import sentences, tex_like_pdf, two_column_pdf
from interviews.parsing import ImportRejected
from interviews.parsing.core import Limits
from interviews.parsing.pdf import repair_text
from interviews.uploads import read_upload

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def docx(body: str, parts: dict[str, str] | None = None) -> bytes:
    """A minimal Word package: `body` inside w:body, and related parts by kind
    ("footnotes", "endnotes", "comments", "header") holding their XML."""
    parts = parts or {}
    overrides = "".join(
        f'<Override PartName="/word/{kind}.xml" ContentType="{CT}.{kind}+xml"/>' for kind in parts
    )
    rels = "".join(
        f'<Relationship Id="r{n}" Type="{R}/{kind.rstrip("1")}" Target="{kind}.xml"/>'
        for n, kind in enumerate(parts)
    )
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName='
        f'"/word/document.xml" ContentType="{CT}.document.main+xml"/>{overrides}</Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type='
        f'"{R}/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/_rels/document.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http:'
        f'//schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {W}><w:body>{body}'
        "</w:body></w:document>",
        **{f"word/{kind}.xml": xml for kind, xml in parts.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def parsed(name: str, data: bytes):
    return read_upload(name, data, Limits()).parsed


def turns(result) -> list[tuple[str, str]]:
    return [(turn.speaker_label, result.body(turn)) for turn in result.turns]


# --- 1. an empty XML part is not damage ---------------------------------------------


def test_an_odt_with_an_empty_xml_part_imports():
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text="Interviewer: Who wrote this?"))
    document.text.addElement(P(text="Ana: LibreOffice did."))
    buffer = io.BytesIO()
    document.write(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr("Configurations2/accelerator/current.xml", b"")
    assert turns(parsed("libre.odt", out.getvalue())) == [
        ("Interviewer", "Who wrote this?"),
        ("Ana", "LibreOffice did."),
    ]


def test_a_damaged_xml_part_is_still_refused():
    data = docx(p("Interviewer: Hello"), {"comments": "<w:comments"})
    with pytest.raises(ImportRejected, match="cannot be read"):
        parsed("broken.docx", data)


# --- 2. footnotes and endnotes are kept as [Note: …] --------------------------------


NOTES = (
    f'<?xml version="1.0"?><w:footnotes {W}><w:footnote w:type="separator" w:id="-1">'
    f'{p("----")}</w:footnote><w:footnote w:id="1">{p("refers to the 2017 winter plan")}'
    "</w:footnote></w:footnotes>"
)
ENDNOTES = (
    f'<?xml version="1.0"?><w:endnotes {W}><w:endnote w:id="1">{p("[inaudible]")}'
    "</w:endnote></w:endnotes>"
)


def test_docx_footnotes_and_endnotes_are_kept_where_cited():
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Ana: The plan</w:t></w:r><w:r>'
        '<w:footnoteReference w:id="1"/></w:r><w:r><w:t xml:space="preserve"> failed'
        '</w:t></w:r><w:r><w:endnoteReference w:id="1"/></w:r></w:p>'
    ) + p("Interviewer: Why?")
    result = parsed("notes.docx", docx(body, {"footnotes": NOTES, "endnotes": ENDNOTES}))
    assert turns(result)[0] == (
        "Ana",
        "The plan [Note: refers to the 2017 winter plan] failed [Note: [inaudible]]",
    )


def test_rtf_footnotes_are_kept_where_cited():
    source = (
        r"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\f0 Ana: The plan{\super\chftn}"
        r"{\footnote\pard\plain{\super\chftn} refers to the 2017 winter plan\par}"
        r" failed.\par Interviewer: Why?\par}"
    )
    result = parsed("notes.rtf", source.encode("ascii"))
    assert turns(result) == [
        ("Ana", "The plan [Note: refers to the 2017 winter plan] failed."),
        ("Interviewer", "Why?"),
    ]


def test_odt_notes_are_kept_and_not_run_into_the_text():
    from odf.opendocument import OpenDocumentText
    from odf.text import Note, NoteBody, NoteCitation, P

    document = OpenDocumentText()
    paragraph = P(text="Ana: Some text")
    note = Note(noteclass="footnote", id="ftn0")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="[inaudible]"))
    note.addElement(body)
    paragraph.addElement(note)
    paragraph.addText(" and more.")
    document.text.addElement(paragraph)
    buffer = io.BytesIO()
    document.write(buffer)
    assert turns(parsed("notes.odt", buffer.getvalue())) == [
        ("Ana", "Some text [Note: [inaudible]] and more.")
    ]


# --- 3. content controls wherever they sit -------------------------------------------


def sdt(inner: str) -> str:
    return f"<w:sdt><w:sdtPr/><w:sdtContent>{inner}</w:sdtContent></w:sdt>"


def cell(text: str) -> str:
    return f"<w:tc>{p(text)}</w:tc>"


def test_content_controls_around_rows_cells_runs_and_paragraphs_are_read():
    table = (
        "<w:tbl>"
        + sdt(f"<w:tr>{cell('Interviewer')}{cell('Which ward?')}</w:tr>")
        + f"<w:tr>{cell('Ana')}{sdt(cell('Ward 7, the one by A&amp;E'))}</w:tr>"
        + f"<w:tr>{cell('Interviewer')}<w:tc>{sdt(p('And then?'))}</w:tc></w:tr>"
        + "</w:tbl>"
    )
    run = sdt('<w:r><w:t xml:space="preserve">in a run control.</w:t></w:r>')
    body = table + sdt(p("Ana: A body control.")) + f"<w:p><w:r><w:t>Ana: </w:t></w:r>{run}</w:p>"
    result = parsed("controls.docx", docx(body))
    assert turns(result) == [
        ("Interviewer", "Which ward?"),
        ("Ana", "Ward 7, the one by A&E"),
        ("Interviewer", "And then?"),
        ("Ana", "A body control."),
        ("Ana", "in a run control."),
    ]


# --- 4. PDF text: columns, spaces, accents, ligatures, emoji ------------------------


def nfkc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_a_two_column_pdf_keeps_each_paragraph_whole_and_in_order():
    data = two_column_pdf()
    text = nfkc(parsed("columns.pdf", data).text)
    positions = []
    for number in range(16):
        paragraph = nfkc(" ".join(sentences(1 + number, 3)))
        assert paragraph in text
        positions.append(text.index(paragraph))
    assert positions == sorted(positions)
    assert "😊" in text and "ﬁ" not in text and "finance" in text


def test_a_glyph_placed_pdf_gets_its_spaces_and_accents_back():
    data = tex_like_pdf()
    result = parsed("tex.pdf", data)
    for sentence in sentences(2, 40, length=9):
        assert nfkc(sentence) in nfkc(result.text)
    assert "´" not in result.text and "¨" not in result.text
    # Measured against poppler's pdftotext -layout: the bench's row, held here too.
    assert word_accuracy(pdftotext(data), result.text) >= 0.98


def test_repair_text_joins_spacing_accents_and_expands_ligatures():
    assert repair_text("re´sume´ ´etait zu¨rich ofﬁce don`t voila`") == (
        "résumé était zürich office don`t voilà"
    )


# --- 5. a one-off heading ending in a colon is not a speaker --------------------------


@pytest.mark.parametrize("heading", ["ВСТАНОВИВ:", "Background:", "Agenda:", "Summary of day:"])
def test_a_one_off_heading_stays_text(heading):
    text = f"{heading}\n\nInterviewer: First?\n\nAna: Yes.\n\nInterviewer: Second?\n\nAna: No."
    result = parsed("headed.txt", text.encode())
    assert turns(result)[0] == ("", heading)
    assert {label for label, _body in turns(result)} == {"", "Interviewer", "Ana"}


def test_a_one_off_first_cell_is_not_a_speaker_but_a_recurring_one_is():
    table = (
        f"<w:tbl><w:tr>{cell('Agenda item:')}{cell('Winter')}</w:tr>"
        f"<w:tr>{cell('Ward:')}{cell('Seven')}</w:tr></w:tbl>"
    )
    body = table + p("Interviewer: Hello") + p("Sam: Hi") + p("Interviewer: Bye")
    result = parsed("agenda.docx", docx(body))
    assert turns(result)[:2] == [("", "Agenda item: | Winter"), ("", "Ward: | Seven")]
    assert result.speakers == ["Interviewer", "Sam"]


def test_a_label_written_like_the_recurring_ones_is_a_speaker_once():
    text = "Speaker 1: Hi.\n\nSpeaker 2: Hello.\n\nSpeaker 1: Bye.\n\nSpeaker 2: Bye.\n\nSpeaker 3:\nLate!"
    result = parsed("speakers.txt", text.encode())
    assert result.speakers == ["Speaker 1", "Speaker 2", "Speaker 3"]


# --- 7. smaller things -----------------------------------------------------------------


def test_markdown_entities_are_characters():
    result = parsed(
        "ents.md", b"Ana: It&#39;s A&amp;E &quot;again&quot;\n\nInterviewer: Yes&nbsp;ok"
    )
    assert turns(result) == [("Ana", 'It\'s A&E "again"'), ("Interviewer", "Yes\u00a0ok")]


def test_srt_positioning_tags_are_dropped():
    data = b"1\n00:00:01,000 --> 00:00:02,000\n{\\an8}Ana: Up here {\\i1}now{\\i0}\n"
    assert turns(parsed("tags.srt", data)) == [("Ana", "Up here now")]


def test_bold_otter_headers_in_markdown():
    data = b"**Ali**  0:00\nHello there.\n\n**Sam**  0:07\nHi Ali."
    result = parsed("otter.md", data)
    assert turns(result) == [("Ali", "Hello there."), ("Sam", "Hi Ali.")]
    assert [turn.started_at_ms for turn in result.turns] == [0, 7000]


# --- new formats ---------------------------------------------------------------------


def test_html_through_a_parser_without_scripts_styles_or_comments():
    page = (
        b"<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head>"
        b"<body><script>document.write('x')</script><h1>Interview 4</h1><!-- hidden -->"
        b"<p><b>Ali:</b> Caf&eacute; &amp; beds,<br>two lines</p>"
        b"<p>Interviewer: Thanks&#33;</p><noscript>enable js</noscript></body></html>"
    )
    result = parsed("page.html", page)
    assert turns(result) == [
        ("", "Interview 4"),
        ("Ali", "Café & beds,\ntwo lines"),
        ("Interviewer", "Thanks!"),
    ]
    assert parsed("page.htm", page).text == result.text


def _page(charset_tag: bytes, body: bytes) -> bytes:
    return (
        b"<html><head>" + charset_tag + b"<title>T</title></head><body>" + body + b"</body></html>"
    )


@pytest.mark.parametrize(
    ("tag", "codec", "said"),
    [
        (b'<meta charset="koi8-r">', "koi8-r", "Привет, как дела?"),
        (b"<META CHARSET=Shift_JIS>", "shift_jis", "救急外来の待ち時間"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">',
            "iso8859-15",
            "Le budget: 5 € par patient",
        ),
        (b'<meta charset="iso-8859-1">', "cp1252", "“Winter” — beds"),  # read as Windows-1252
    ],
    ids=["koi8-r", "shift_jis", "http-equiv", "latin-1-is-1252"],
)
def test_html_meta_charset_is_honoured_without_a_bom(tag, codec, said):
    data = _page(tag, b"<p>Ali: " + said.encode(codec) + b"</p>")
    result = parsed("page.html", data)
    assert turns(result) == [("Ali", said)]


def test_html_bom_wins_over_meta_charset_and_unknown_labels_are_ignored():
    said = "Café crème"
    with_bom = b"\xef\xbb\xbf" + _page(b'<meta charset="koi8-r">', f"<p>Ali: {said}</p>".encode())
    assert turns(parsed("bom.html", with_bom)) == [("Ali", said)]
    unknown = _page(b'<meta charset="x-no-such">', f"<p>Ali: {said}</p>".encode())
    assert turns(parsed("unknown.html", unknown)) == [("Ali", said)]


def test_html_bytes_that_do_not_match_their_meta_charset_are_refused():
    data = _page(b'<meta charset="utf-8">', b"<p>Ali: caf\xe9</p>")  # Windows-1252 bytes
    assert turns(parsed("guess.html", data)) == [("Ali", "café")]  # UTF-8 declared: as text
    data = _page(b'<meta charset="shift_jis">', b"<p>Ali: \x81\x20</p>")
    with pytest.raises(ImportRejected) as refused:
        read_upload("bad.html", data, Limits())
    bad = data.index(b"\x81")
    assert refused.value.reason == (
        f"is not valid shift_jis text, the charset its <meta> declares (bad bytes at position {bad})"
    )


@pytest.mark.parametrize("time_first", [True, False])
def test_teams_docx_transcripts(time_first):
    def header(name, time):
        return p(time) + p(name) if time_first else p(name) + p(time)

    body = (
        p("Transcript")
        + header("Ali Khan", "0:03")
        + p("Thanks for joining.")
        + header("Sam Jones", "0:09")
        + p("Happy to.")
        + p("It was a hard winter.")
        + header("Ali Khan", "1:02:05")
        + p("Tell me more.")
    )
    result = parsed("teams.docx", docx(body))
    assert turns(result) == [
        ("", "Transcript"),
        ("Ali Khan", "Thanks for joining."),
        ("Sam Jones", "Happy to.\nIt was a hard winter."),
        ("Ali Khan", "Tell me more."),
    ]
    assert [turn.started_at_ms for turn in result.turns] == [None, 3000, 9000, 3725000]


def test_otter_docx_transcripts():
    body = (
        p("Ali  0:00")
        + p("Hello.")
        + p("Sam  0:05")
        + p("Hi.")
        + p("Transcribed by https://otter.ai")
    )
    assert turns(parsed("otter.docx", docx(body))) == [("Ali", "Hello."), ("Sam", "Hi.")]


# --- deliberate skipping, in one line ------------------------------------------------


def test_what_is_not_imported_is_said_in_one_line():
    comments = (
        f'<?xml version="1.0"?><w:comments {W}>'
        + "".join(f'<w:comment w:id="{n}">{p("c")}</w:comment>' for n in range(3))
        + "</w:comments>"
    )
    header = f'<?xml version="1.0"?><w:hdr {W}>{p("Confidential")}</w:hdr>'
    image = (
        '<w:p><w:r><w:drawing><a:graphic xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main"><a:graphicData><pic:pic xmlns:pic="http://schemas.'
        'openxmlformats.org/drawingml/2006/picture"/></a:graphicData></a:graphic>'
        "</w:drawing></w:r></w:p>"
    )
    data = docx(p("Interviewer: Hello") + image, {"comments": comments, "header1": header})
    result = parsed("skips.docx", data)
    assert result.notes == ("1 header, 3 comments and 1 image were not imported",)
    assert parsed("plain.docx", docx(p("Interviewer: Hello"))).notes == ()


# --- 6. RTF is read in a bounded child, like PDF ---------------------------------------


def test_rtf_is_read_in_a_child_process_bounded_in_time():
    """A large text-only RTF, under the RTF byte limit: the child is stopped at the time
    limit and the file refused with the reason, while this process stays free."""
    import time

    body = r"Ana: " + "winter pressure on acute beds " * 60_000
    data = ("{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0 " + body + "\\par}").encode("ascii")
    limits = Limits(office_timeout_s=0.3, max_rtf_bytes=4 * 2**20)
    started = time.monotonic()
    with pytest.raises(ImportRejected, match="took longer than 0.3 s to read") as refused:
        read_upload("big.rtf", data, limits)
    assert refused.value.code == "timeout"
    assert time.monotonic() - started < 5


def test_rtf_and_odt_say_what_they_leave_out():
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentText
    from odf.style import Header, MasterPage, PageLayout
    from odf.text import P

    rtf = (
        r"{\rtf1\ansi{\header Confidential\par}{\footer Page\par}"
        r"Interviewer: Hello{\*\annotation a comment}\par"
        r"{\*\shppict{\pict\pngblip 89504e47}}{\nonshppict{\pict\wmetafile8 0100}}\par}"
    )
    result = parsed("skips.rtf", rtf.encode("ascii"))
    assert turns(result) == [("Interviewer", "Hello")]
    assert result.notes == ("1 header, 1 footer, 1 comment and 1 image were not imported",)

    document = OpenDocumentText()
    layout = PageLayout(name="pm1")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    header = Header()
    header.addElement(P(text="Confidential"))
    master.addElement(header)
    document.masterstyles.addElement(master)
    paragraph = P(text="Interviewer: Hello")
    comment = Annotation()
    comment.addElement(P(text="a comment"))
    paragraph.addElement(comment)
    document.text.addElement(paragraph)
    buffer = io.BytesIO()
    document.write(buffer)
    result = parsed("skips.odt", buffer.getvalue())
    assert turns(result) == [("Interviewer", "Hello")]
    assert result.notes == ("1 header and 1 comment were not imported",)


def test_a_seven_megabyte_text_only_rtf_is_refused_at_once_with_the_reason():
    """The issue's 7 MB RTF (5–11 s in striprtf): refused before striprtf runs, by the
    size bound that keeps an RTF read within the child's time limit."""
    import time

    body = "Ana: " + "winter pressure on acute beds and shared ownership " * 140_000
    data = ("{\\rtf1\\ansi\\f0 " + body + "\\par}").encode("ascii")
    assert len(data) > 7 * 10**6
    started = time.monotonic()
    with pytest.raises(ImportRejected, match=r"too large to read as RTF .*save it as \.docx"):
        read_upload("seven.rtf", data, Limits())
    assert time.monotonic() - started < 3
