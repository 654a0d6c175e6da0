"""Upload several transcripts at once, see each file's progress and result, review speakers."""

import pytest
from playwright.sync_api import expect

from interviews.models import Participant, Transcript
from tests.interviews import transcript_files as files

pytestmark = pytest.mark.django_db(transaction=True)


def payload(name: str, data: bytes, mime: str = "application/octet-stream") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def test_multi_file_upload_progress_results_and_review(
    page, live_server, login, enabler, project_a
):
    login(page, enabler)
    page.get_by_role("link", name="Alpha study").click()
    page.get_by_role("link", name="Import transcripts").click()
    assert page.get_by_role("heading", name="Import transcripts").is_visible()

    page.set_input_files(
        "#id_files",
        [
            payload("Interview one.docx", files.docx_bytes()),
            payload("photo.txt", files.PNG_BYTES, "text/plain"),
            payload("call.vtt", files.teams_vtt_bytes(), "text/vtt"),
        ],
    )
    status = page.locator("#upload-status")
    # Each file is read by a bounded child process; a machine busy with the rest of the
    # suite can take longer than the default 10 s for three. Then the exact outcome.
    expect(status).to_contain_text("3 of 3 files done", timeout=30_000)
    assert status.inner_text().strip().endswith("3 of 3 files done, 1 refused."), page.locator(
        "#upload-list"
    ).inner_text()

    rows = page.locator("#upload-list li")
    assert rows.count() == 3
    assert page.locator("#upload-list progress").count() == 3
    docx_row, png_row, vtt_row = rows.nth(0), rows.nth(1), rows.nth(2)
    assert docx_row.locator(".file-name").inner_text() == "Interview one.docx"
    assert docx_row.get_attribute("class") == "imported"
    assert "imported: 7 turns, speakers Interviewer, P01" in docx_row.inner_text()
    assert docx_row.locator("progress").evaluate("bar => bar.value") == 100
    assert png_row.get_attribute("class") == "refused"
    assert (
        png_row.locator(".file-result").inner_text()
        == "refused: photo.txt: content does not match .txt: it is a PNG image"
    )
    assert "imported: 4 turns, speakers Interviewer, P02" in vtt_row.inner_text()
    assert Transcript.objects.count() == 2

    docx_row.get_by_role("link", name="Review speakers").click()
    page.get_by_role("heading", name="Review speakers: Interview one").wait_for()
    assert "P01: We were told" in page.locator("#transcript-preview").inner_text()

    jane = page.locator("fieldset[data-speaker]", has_text="Jane Smith")
    interviewer = page.locator("fieldset[data-speaker]", has_text="What would have helped")
    # The page's script hides what does not apply once it has run: wait for it.
    expect(interviewer.locator(".participant-details")).to_be_hidden()
    expect(jane.get_by_label("New pseudonym")).to_be_hidden()
    jane.get_by_label("Jane Smith is").select_option("new")
    jane.get_by_label("New pseudonym").fill("P07")
    jane.get_by_label("Role title").fill("chief executive")
    jane.get_by_label("Organisation type").select_option("acute_trust")
    page.get_by_role("button", name="Save").click()

    page.get_by_text("Speakers saved:").wait_for()
    preview = page.locator("#transcript-preview").inner_text()
    assert "P07: We were told support would come “when things got bad enough”. 😊" in preview
    assert "Jane" not in preview
    assert Participant.objects.get(pseudonym="P07").role_title == "chief executive"
    assert page.page_errors == []


def test_drop_a_file_on_the_drop_zone(page, live_server, login, enabler, project_a):
    login(page, enabler)
    page.goto(f"{live_server.url}/p/alpha/import/")
    data_transfer = page.evaluate_handle(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "dropped.srt", { type: "text/plain" }));
            return transfer;
        }""",
        files.srt_bytes().decode("utf-8"),
    )
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": data_transfer})
    page.locator("#upload-status").get_by_text("1 of 1 files done.").wait_for()
    assert "imported: 4 turns" in page.locator("#upload-list li").inner_text()
    assert Transcript.objects.get().original_name == "dropped.srt"
    assert page.page_errors == []
