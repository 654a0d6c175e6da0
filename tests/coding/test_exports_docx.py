import io
import re
import zipfile

import pytest
from docx import Document

from coding.models import Quote, QuoteTheme, Theme
from coding.report.exports.docx import FIELDS, write_docx
from coding.report.exports.rows import ExportOptions, build_report
from tests.coding.export_setup import real_names_in, write_up
from tests.coding.report_data import build


@pytest.fixture
def data(project_a, enabler, project_admin, author):
    project_a.report_title = "Messages for national leaders"
    project_a.save()
    return write_up(build(project_a, enabler, project_admin), author)


def docx_bytes(project, **options) -> bytes:
    out = io.BytesIO()
    write_docx(build_report(project=project, options=ExportOptions(**options)), out)
    return out.getvalue()


def test_title_headings_in_authors_order_narrative_and_reach(data):
    document = Document(io.BytesIO(docx_bytes(data.project)))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Messages for national leaders")
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == ["Tailored support", "Blame culture"]
    texts = [text for _, text in paragraphs]
    assert "Support worked when planned with [hospital]." in texts
    assert "Raised by 4 of 5 interviewees in 3 of 3 systems." in texts
    assert texts.index("Tailored support") < texts.index("Blame culture")


def test_headline_quotes_in_quote_style_with_attribution(data):
    document = Document(io.BytesIO(docx_bytes(data.project)))
    paragraphs = document.paragraphs
    quotes = [(i, p.text) for i, p in enumerate(paragraphs) if p.style.name == "Intense Quote"]
    assert [text for _, text in quotes] == [
        "“Support was planned with us, [name] said, not parachuted in.”",
        "“[name]'s practice felt blamed.”",
        "“We were blamed, and [name]'s team needed tailored support.”",
    ]
    assert {paragraphs[i + 1].style.name for i, _ in quotes} == {"Quote"}
    attributions = [paragraphs[i + 1].text for i, _ in quotes]
    assert attributions == [
        "— a director of operations of a CCG",
        "— a GP lead of a primary care organisation",
        "— a chief executive of an acute trust",
    ]


def test_no_real_names_anywhere_in_the_package(data):
    with zipfile.ZipFile(io.BytesIO(docx_bytes(data.project, all_quotes=True))) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", errors="replace")
            assert real_names_in(text.replace("&apos;", "'")) == [], name


def test_no_fields_macros_or_external_links_from_user_text(data, enabler):
    transcript = data.transcripts["T3"]
    payload = '{ HYPERLINK "http://evil.example" } <w:fldSimple w:instr="DDE"/> =cmd|calc'
    transcript.text += payload
    transcript.save()
    quote = Quote.objects.create(
        transcript=transcript, start=len(transcript.text) - len(payload),
        end=len(transcript.text), text=payload, coder=enabler, is_cleared=True,
    )  # fmt: skip
    QuoteTheme.objects.create(content_object=quote, tag=data.themes["B"])
    from coding.report import authoring

    authoring.set_headlines(
        project=data.project, theme=data.themes["B"],
        quote_ids=[data.quotes["q3"].pk, quote.pk], expected=None, user=enabler,
    )  # fmt: skip
    data.themes["B"].name = "DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe"
    data.themes["B"].save()
    package = docx_bytes(data.project, with_contents=True)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = archive.namelist()
        assert not any(name.endswith(".bin") or "vbaProject" in name for name in names)
        instructions = []
        for name in names:
            xml = archive.read(name).decode("utf-8", errors="replace")
            assert "<w:fldSimple" not in xml and "<w:hyperlink" not in xml, name
            assert 'TargetMode="External"' not in xml, name
            instructions += re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", xml)
        # The only fields are the document's own: the footer's page number and the TOC.
        assert {text.strip().replace("&quot;", '"') for text in instructions} == set(FIELDS)
        content_types = archive.read("[Content_Types].xml").decode()
        assert "macroEnabled" not in content_types
        body = archive.read("word/document.xml").decode()
        assert "&lt;w:fldSimple" in body  # the payload is there, as escaped text
    texts = [p.text for p in Document(io.BytesIO(package)).paragraphs]
    assert f"“{payload}”" in texts


def test_control_characters_are_dropped_not_fatal(data, enabler):
    theme = Theme.objects.create(project=data.project, name="Odd\x0bchars")
    from coding.report import authoring

    authoring.save_narrative(
        project=data.project, theme=theme, narrative="Bell\x07 and form\x0cfeed", version=0,
        user=enabler,
    )  # fmt: skip
    texts = [p.text for p in Document(io.BytesIO(docx_bytes(data.project))).paragraphs]
    assert "Oddchars" in texts and "Bell and formfeed" in texts


def test_title_page_page_numbers_contents_and_appendix(data):
    package = docx_bytes(data.project, with_contents=True, with_appendix=True)
    document = Document(io.BytesIO(package))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Messages for national leaders")
    assert paragraphs[1][0] == "Subtitle"
    assert (
        "Normal",
        "Based on 4 interviews with 5 interviewees in 3 local systems.",
    ) in paragraphs
    assert ("TOC Heading", "Contents") in paragraphs
    footer = document.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("Page ")
    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == [
        "Theme", "Eastmoor", "Northfield", "Southvale", "All systems"
    ]  # fmt: skip
    assert [cell.text for cell in table.rows[1].cells][0] == "Tailored support"
    plain = Document(io.BytesIO(docx_bytes(data.project)))
    assert plain.tables == [] and "Contents" not in [p.text for p in plain.paragraphs]


def test_libreoffice_renders_every_heading_and_quote(data, tmp_path):
    """The DOCX opens in LibreOffice (Debian's libreoffice-writer-nogui): converted to PDF,
    every theme heading and every published quote is in its text."""
    import subprocess

    from pypdf import PdfReader

    from coding.report import authoring

    authoring.set_report_contents(
        project=data.project, included_ids=[t.pk for t in data.themes.values()], user=None
    )
    report = build_report(project=data.project, options=ExportOptions(with_contents=True))
    source = tmp_path / "report.docx"
    with open(source, "wb") as out:
        write_docx(report, out)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    reader = PdfReader(tmp_path / "report.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(report.sections) == 4
    for section in report.sections:
        assert section.heading in text
        for quote in section.quotes:
            assert " ".join(quote.text.split()) in text
            assert f"— {quote.attribution}" in text
    assert "Based on 4 interviews with 5 interviewees in 3 local systems." in text
    assert "Page 2" in text  # the footer's page numbers, computed by LibreOffice
