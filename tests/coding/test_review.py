"""The identifier review: flags on the published quotes, one-click decisions, the draft
watermark, and the signed-off final with its hash."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from coding.models import Quote, QuoteRedaction, QuoteTheme, RedactionTerm, ReportSignOff, SafeTerm
from coding.report import authoring
from coding.report.exports import write_export
from coding.report.exports.rows import ExportOptions, build_report
from coding.report.review import INCOMPLETE, NOT_SIGNED, identifier_review
from coding.report.summaries import Filters
from interviews.models import Participant, Transcript

TEXT = (
    "I rang Pete Hargreaves on 15 March 2019 and he said the board had met. "
    "We talked about the discharge plan on the ward."
)


@pytest.fixture
def report_project(project_a, author, enabler, theme):
    participant = Participant.objects.create(project=project_a, pseudonym="P01")
    transcript = Transcript.objects.create(project=project_a, title="T", text=TEXT)
    transcript.participants.add(participant)
    sentences = TEXT.split(". ")
    first = Quote.objects.create(
        transcript=transcript, start=0, end=len(sentences[0]), text=sentences[0], coder=enabler
    )
    start = TEXT.index("We talked")
    second = Quote.objects.create(
        transcript=transcript, start=start, end=len(TEXT), text=TEXT[start:], coder=enabler
    )
    for quote in (first, second):
        QuoteTheme.objects.create(content_object=quote, tag=theme)
    authoring.save_narrative(
        project=project_a, theme=theme, narrative="Blame was common.", version=0, user=author
    )
    authoring.set_headlines(
        project=project_a, theme=theme, quote_ids=[first.pk, second.pk], expected=None,
        user=author,
    )  # fmt: skip
    authoring.set_cleared(
        project=project_a, quote_ids=[first.pk, second.pk], cleared=True, user=author
    )
    return project_a, first, second


def review_of(project):
    return identifier_review(build_report(project=project))


def url(project, name):
    return reverse(f"report:{name}", kwargs={"project_slug": project.slug})


def test_review_flags_names_and_details_in_published_quotes_only(report_project):
    project, first, second = report_project
    review = review_of(project)
    assert review.quotes_checked == 2
    flagged = {
        (item.quote_id, flag.text, flag.kind) for item in review.items for flag in item.flags
    }
    assert (first.pk, "Pete Hargreaves", "person") in flagged
    assert any(q == first.pk and kind == "date" for q, _, kind in flagged)
    assert all(q != second.pk for q, _, _ in flagged)  # plain words: nothing to flag
    assert not review.complete


def test_each_decision_settles_its_flag_and_is_saved(client, report_project, author):
    project, first, _ = report_project
    client.force_login(author)
    review = review_of(project)
    flags = {flag.kind: flag.text for item in review.items for flag in item.flags}
    answer = client.post(
        url(project, "review_decide"),
        {"quote": first.pk, "text": flags["person"], "action": "here", "scope": ""},
    )
    assert answer.status_code == 302
    assert QuoteRedaction.objects.filter(quote=first, term="Pete Hargreaves").exists()
    client.post(
        url(project, "review_decide"),
        {"quote": first.pk, "text": flags["date"], "action": "safe", "scope": ""},
    )
    assert SafeTerm.objects.filter(project=project, term=flags["date"]).exists()
    after = review_of(project)
    remaining = {flag.text for item in after.items for flag in item.flags}
    assert "Pete Hargreaves" not in remaining and flags["date"] not in remaining
    # Redacted in this quote's export, and the stored quote is untouched.
    report = build_report(project=project)
    assert "Pete Hargreaves" not in report.sections[0].quotes[0].text
    first.refresh_from_db()
    assert "Pete Hargreaves" in first.text


def test_redact_everywhere_joins_the_list(client, report_project, author):
    project, first, _ = report_project
    client.force_login(author)
    client.post(
        url(project, "review_decide"),
        {"quote": first.pk, "text": "Hargreaves", "action": "everywhere", "scope": ""},
    )
    assert RedactionTerm.objects.filter(project=project, term="Hargreaves").exists()


@pytest.mark.parametrize(
    "data, status",
    [
        ({"quote": "x", "text": "Pete", "action": "here"}, 400),
        ({"quote": 1, "text": "Pete", "action": "shred"}, 400),
        ({"quote": 1, "text": "P" * 201, "action": "here"}, 400),
        ({"quote": 2**63, "text": "Pete", "action": "here"}, 400),
        ({"quote": 999999, "text": "Pete", "action": "here"}, 404),
    ],
)
def test_bad_decisions_are_refused_and_change_nothing(
    client, report_project, author, data, status
):
    project, *_ = report_project
    client.force_login(author)
    assert client.post(url(project, "review_decide"), data).status_code == status
    assert not QuoteRedaction.objects.exists() and not SafeTerm.objects.exists()


def test_decisions_need_an_author_and_csrf(report_project, enabler, author):
    project, first, _ = report_project
    data = {"quote": first.pk, "text": "Pete", "action": "safe"}
    client = Client()
    client.force_login(enabler)
    assert client.post(url(project, "review_decide"), data).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(author)
    assert strict.post(url(project, "review_decide"), data).status_code == 403
    assert not SafeTerm.objects.exists()


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return " ".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        )


def export(project, fmt) -> bytes:
    out = io.BytesIO()
    write_export(project=project, fmt=fmt, filters=Filters(), options=ExportOptions(), out=out)
    return out.getvalue()


def test_drafts_are_watermarked_until_the_review_is_complete(report_project):
    project, first, _ = report_project
    document = docx_text(export(project, "docx"))
    assert INCOMPLETE in document
    assert "header" in str(zipfile.ZipFile(io.BytesIO(export(project, "docx"))).namelist())
    assert INCOMPLETE in export(project, "html").decode()
    assert INCOMPLETE in export(project, "md").decode()
    for flag in [f for item in review_of(project).items for f in item.flags]:
        SafeTerm.objects.get_or_create(project=project, term=flag.text)
    assert review_of(project).complete
    assert NOT_SIGNED in export(project, "html").decode()
    assert INCOMPLETE not in export(project, "html").decode()


def test_sign_off_is_refused_while_flags_are_open(client, report_project, author):
    project, *_ = report_project
    client.force_login(author)
    answer = client.post(url(project, "review_sign_off"), {"format": "docx"})
    assert answer.status_code == 409
    assert b"open flag" in answer.content
    assert not ReportSignOff.objects.exists()


def test_sign_off_records_who_when_and_the_hash_of_the_final(client, report_project, author):
    project, *_ = report_project
    for flag in [f for item in review_of(project).items for f in item.flags]:
        SafeTerm.objects.get_or_create(project=project, term=flag.text)
    client.force_login(author)
    answer = client.post(url(project, "review_sign_off"), {"format": "html"})
    assert answer.status_code == 200
    content = b"".join(answer.streaming_content)
    record = ReportSignOff.objects.get()
    assert record.signed_by == author and record.format == "html" and record.quotes == 2
    assert record.sha256 == hashlib.sha256(content).hexdigest() == answer["X-Report-SHA256"]
    assert b"DRAFT" not in content
    page = client.get(url(project, "review"))
    assert record.sha256.encode() in page.content


def test_review_page_shows_flags_escaped_and_counts(client, report_project, author):
    project, first, _ = report_project
    # (an update, not a save: saving an edited quote withdraws its clearance)
    Quote.objects.filter(pk=first.pk).update(text="<script>alert(1)</script> Pete Hargreaves said")
    client.force_login(author)
    page = client.get(url(project, "review"))
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.content
    assert b"open flag" in page.content
    assert b'<mark class="flag flag-person">Pete Hargreaves</mark>' in page.content


def test_the_command_signs_off_only_a_complete_review(report_project, author, enabler, tmp_path):
    from django.core.management import CommandError, call_command

    project, *_ = report_project
    target = tmp_path / "final.md"
    with pytest.raises(CommandError, match="open flag"):
        call_command("export_report", project.slug, "--format", "md", "-o", str(target),
                     "--sign-off-as", author.username)  # fmt: skip
    with pytest.raises(CommandError, match="not an author"):
        call_command("export_report", project.slug, "--format", "md", "-o", str(target),
                     "--sign-off-as", enabler.username)  # fmt: skip
    assert not target.exists() and not ReportSignOff.objects.exists()
    for flag in [f for item in review_of(project).items for f in item.flags]:
        SafeTerm.objects.get_or_create(project=project, term=flag.text)
    call_command("export_report", project.slug, "--format", "md", "-o", str(target),
                 "--sign-off-as", author.username)  # fmt: skip
    record = ReportSignOff.objects.get()
    assert record.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert "DRAFT" not in target.read_text()


def test_the_redaction_page_counts_the_sources_and_unmarks_safe_words(
    client, report_project, author
):
    project, *_ = report_project
    Participant.objects.create(project=project, pseudonym="P02", real_name="Jane Smith")
    safe = SafeTerm.objects.create(project=project, term="Will", marked_by=author)
    client.force_login(author)
    page = client.get(url(project, "redactions")).content.decode()
    assert "1 participant real name," in page
    assert "Jane Smith" not in page  # the names stay on the server
    assert "Will" in page
    delete = reverse(
        "report:safe_delete", kwargs={"project_slug": project.slug, "safe_id": safe.pk}
    )
    assert client.post(delete).status_code == 302
    assert not SafeTerm.objects.exists()
    assert client.post(delete).status_code == 404


def test_the_final_report_can_be_signed_off_as_pdf(client, report_project, author):
    from pypdf import PdfReader

    project, *_ = report_project
    for flag in [f for item in review_of(project).items for f in item.flags]:
        SafeTerm.objects.get_or_create(project=project, term=flag.text)
    client.force_login(author)
    answer = client.post(url(project, "review_sign_off"), {"format": "pdf"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    content = b"".join(answer.streaming_content)
    assert ReportSignOff.objects.get().sha256 == hashlib.sha256(content).hexdigest()
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    assert not any("DRAFT" in page for page in pages)
