"""The whole product in one run, as its users work: an enabler imports an interview,
maps its speaker to a pseudonym, codes a passage; a report author clears it as a
headline quote and downloads the report, in which the speaker's name is redacted."""

import io
import zipfile

import docx
import pytest

from coding.models import Quote
from interviews.models import Participant, Transcript
from tests.browser.test_coding import apply_theme, close_dialog, drag_over, open_page

pytestmark = pytest.mark.django_db(transaction=True)

PASSAGE = "support would come when things got bad enough, and Smith’s team waited 😊 in vain."


def interview_docx() -> bytes:
    document = docx.Document()
    for label, body in (
        ("Interviewer", "What would have helped?"),
        ("Jane Smith", f"Honestly? We were told {PASSAGE} Nobody came."),
    ):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {body}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_import_code_clear_and_export_with_the_name_redacted(
    page, live_server, login, enabler, author, project_a, theme
):
    login(page, enabler)
    page.goto(f"{live_server.url}/p/alpha/import/")
    page.set_input_files(
        "#id_files",
        [{"name": "Jane interview.docx", "mimeType": "application/octet-stream",
          "buffer": interview_docx()}],
    )  # fmt: skip
    page.locator("#upload-status").get_by_text("1 of 1 files done").wait_for()
    page.get_by_role("link", name="Review speakers").click()

    jane = page.locator("fieldset[data-speaker]", has_text="Jane Smith")
    jane.get_by_label("Jane Smith is").select_option("new")
    jane.get_by_label("New pseudonym").fill("P07")
    jane.get_by_label("Role title").fill("chief executive")
    jane.get_by_label("Organisation type").select_option("acute_trust")
    jane.get_by_label("Keep the spoken name to redact it from exports").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Speakers saved:").wait_for()

    transcript = Transcript.objects.get()
    assert "Jane" not in transcript.text and transcript.text.startswith("Interviewer: ")
    assert Participant.objects.get(pseudonym="P07").real_name == "Jane Smith"

    open_page(page, live_server, transcript)
    drag_over(page, PASSAGE)
    page.get_by_role("dialog").wait_for()
    apply_theme(page, "tailored", "Tailored support")
    close_dialog(page)
    quote = Quote.objects.get()
    assert quote.text == PASSAGE == transcript.text[quote.start : quote.end]

    page.get_by_role("button", name="Log out").click()
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/themes/{theme.pk}/")
    page.wait_for_load_state("load")
    page.click(f"#q{quote.pk} button.add-headline")  # in place: no page load
    page.wait_for_selector(f"#headline-list li[data-id='{quote.pk}']")
    page.click(f"#q{quote.pk} form.inline button")
    page.wait_for_selector(f"#q{quote.pk}.cleared")
    quote.refresh_from_db()
    assert quote.is_cleared

    page.get_by_role("link", name="Preview and download").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download Word (DOCX)").click()
    path = download_info.value.path()
    report = docx.Document(path)
    published = [p.text for p in report.paragraphs if p.style.name == "Intense Quote"]
    assert published == [
        "“support would come when things got bad enough, and [name]’s team waited 😊 in vain.”"
    ]
    texts = "\n".join(p.text for p in report.paragraphs)
    assert "chief executive" in texts and "acute trust" in texts
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            content = archive.read(member).decode("utf-8", "replace")
            assert "Smith" not in content and "P07" not in content, member
    assert page.page_errors == [] and page.dialogs == []
