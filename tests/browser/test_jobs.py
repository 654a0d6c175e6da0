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
