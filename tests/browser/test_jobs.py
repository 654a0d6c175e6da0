"""The jobs page: a job started from the exchange page lands there with its download, and
a running job's progress moves on the page without a reload."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aefront.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


def test_progress_moves_in_place_and_the_file_is_offered(
    page, live_server, login, enabler, project_a, assert_accessible
):
    login(page, enabler)
    running = Job.objects.create(
        project=project_a, user=enabler, kind="embed", state="running",
        heartbeat_at=timezone.now(), done=1, total=3, step="Embedding quotes",
    )  # fmt: skip
    page.goto(f"{live_server.url}/p/alpha/jobs/")
    row = page.locator(f"#job-{running.pk}")
    assert "1 of 3" in row.inner_text()
    assert_accessible(page, context="jobs page with a running job")
    page.evaluate("window.__same_page = true")

    Job.objects.filter(pk=running.pk).update(
        done=2, step="Embedding passages", heartbeat_at=timezone.now()
    )
    expect(row).to_contain_text("2 of 3 · Embedding passages", timeout=8_000)
    assert row.locator("progress").get_attribute("value") is not None
    assert row.locator("progress").evaluate("bar => bar.value") == 66
    Job.objects.filter(pk=running.pk).update(
        state="done", done=3, finished_at=timezone.now(), summary="4 quotes embedded"
    )
    row.get_by_text("4 quotes embedded").wait_for(timeout=8_000)
    assert row.get_by_role("button", name="Cancel").count() == 0
    assert page.evaluate("window.__same_page") is True  # never reloaded


def test_an_export_started_on_the_exchange_page_is_downloaded_from_the_jobs_page(
    page, live_server, login, project_admin, project_a, assert_accessible
):
    login(page, project_admin)
    page.goto(f"{live_server.url}/p/alpha/exchange/")
    page.get_by_role("button", name="Export in the background").click()
    page.wait_for_url("**/p/alpha/jobs/")
    link = page.get_by_role("link", name="Download alpha.qdpx")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "alpha.qdpx"
    assert_accessible(page, context="jobs page with a finished job")


def test_a_zip_of_transcripts_is_imported_in_the_background_by_keyboard(
    page, live_server, login, enabler, project_a, assert_accessible, tmp_path
):
    import zipfile

    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("one.txt", "Interviewer: How was winter?\n\nP01: Hard, for everyone.\n")
        zipped.writestr("notes.exe", b"MZ\x90\x00")
    login(page, enabler)
    page.goto(f"{live_server.url}/p/alpha/import/")
    page.get_by_label("A .zip of transcript files").set_input_files(str(archive))
    assert_accessible(page, context="upload page with the archive form")
    page.get_by_role("button", name="Import the archive in the background").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/alpha/jobs/")
    expect(page.get_by_text("batch.zip: 1 imported, 1 refused")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download alpha-import.csv").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "one.txt,imported" in text and "notes.exe,refused" in text
    assert_accessible(page, context="jobs page after an archive import")

    # A file that is not a zip is refused on the upload page, by name, with the reason.
    page.goto(f"{live_server.url}/p/alpha/import/")
    (tmp_path / "fake.zip").write_text("not a zip")
    page.get_by_label("A .zip of transcript files").set_input_files(str(tmp_path / "fake.zip"))
    page.get_by_role("button", name="Import the archive in the background").click()
    expect(page.get_by_role("alert")).to_contain_text("fake.zip: not a .zip archive")
    assert_accessible(page, context="upload page with a refused archive")
