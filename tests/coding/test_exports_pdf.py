import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from coding.report import authoring
from coding.report.exports import Source, write_export
from coding.report.exports.pdf import write_pdf
from coding.report.exports.rows import ExportOptions, build_report
from coding.report.review import INCOMPLETE, NOT_SIGNED
from coding.report.summaries import Filters
from tests.coding.export_setup import real_names_in, write_up
from tests.coding.report_data import add_bulk_quotes, build


@pytest.fixture
def data(project_a, enabler, project_admin, author):
    project_a.report_title = "Messages for national leaders"
    project_a.save()
    return write_up(build(project_a, enabler, project_admin), author)


def pdf_of(project, final: bool = False, **options) -> bytes:
    out = io.BytesIO()
    write_export(
        project=project, fmt="pdf", filters=Filters(), options=ExportOptions(**options), out=out,
        final=final,
    )  # fmt: skip
    return out.getvalue()


def pages_of(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_title_page_then_every_heading_and_included_quote(data):
    report = build_report(project=data.project)
    pages = pages_of(pdf_of(data.project))
    assert "Messages for national leaders" in pages[0]
    assert "Based on 4 interviews with 5 interviewees in 3 local systems." in pages[0]
    body = " ".join(pages[1:])
    assert body.index("Tailored support") < body.index("Blame culture")  # the author's order
    for section in report.sections:
        assert section.heading in body
        assert f"{section.raised_by}." in body
        for quote in section.quotes:
            assert f"“{quote.text}”" in body
            assert f"— {quote.attribution}" in body
    assert "Support worked when planned with [hospital]." in body
    assert "Page 2" in pages[1]


def test_a_draft_is_watermarked_on_every_page_and_the_final_is_not(data, author):
    authoring.save_narrative(
        project=data.project, theme=data.themes["B"], version=1, user=author,
        narrative="\n\n".join(f"Paragraph {n} about support." for n in range(120)),
    )  # fmt: skip
    notice = Source(data.project, Filters(), ExportOptions()).report().draft_notice
    assert notice in (INCOMPLETE, NOT_SIGNED)
    pages = pages_of(pdf_of(data.project))
    assert len(pages) >= 3
    assert all(notice in page for page in pages)
    assert "Blame culture" in pages[-1]  # no blank page at the end
    final = pages_of(pdf_of(data.project, final=True))
    assert not any("DRAFT" in page for page in final)


def test_user_text_is_never_markup_and_the_file_has_no_actions(data, author):
    authoring.save_narrative(
        project=data.project, theme=data.themes["B"], version=1, user=author,
        narrative='<a href="javascript:alert(1)">click</a> <img src="x"/> & <b>bold</b>\x07',
    )  # fmt: skip
    content = pdf_of(data.project)
    body = " ".join(pages_of(content))
    assert '<a href="javascript:alert(1)">click</a> <img src="x"/> & <b>bold</b>' in body
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert not {"/OpenAction", "/AA", "/Names", "/AcroForm"} & set(catalog)
    for page in reader.pages:
        assert not {"/Annots", "/AA"} & set(page)  # no links, no actions


def test_pseudonyms_only_and_metadata_redacted(data):
    data.project.report_title = "Report for Jane Smith"
    data.project.save()
    content = pdf_of(data.project, all_quotes=True)
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == "Report for [name]"
    assert reader.metadata.author == "aefront"
    assert real_names_in(" ".join(pages_of(content))) == []


def test_pdf_of_an_empty_report():
    from coding.report.exports.rows import Report

    report = Report(
        title="Empty", scope="All interviews", sections=[], not_included=[],
        options=ExportOptions(), filters=Filters(), generated=__import__("datetime").date.today(),
    )  # fmt: skip
    out = io.BytesIO()
    write_pdf(report, out)
    assert "Nothing to publish yet." in " ".join(pages_of(out.getvalue()))


def test_query_count_is_the_same_for_a_small_and_a_large_project(data, enabler):
    themes = [data.themes["A"], data.themes["B"]]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            pdf_of(data.project, all_quotes=True)
        return len(captured.captured_queries)

    small = queries()
    add_bulk_quotes(data.transcripts["T3"], enabler, themes, 500)
    assert queries() == small
