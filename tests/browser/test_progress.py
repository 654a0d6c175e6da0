"""Status and progress in Chromium: a coder marks a transcript done on its coding page,
the progress page shows it, coding again reopens it, and the table filters and sorts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from interviews.models import Transcript
from tests.browser.test_coding import codebook_button, drag_over, open_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_done_shows_on_the_progress_page_and_coding_again_reopens_it(
    page, live_server, login, enabler, transcript, theme, project_a, assert_accessible
):
    Transcript.objects.create(project=project_a, title="Untouched", text="Nobody coded this.")
    login(page, enabler)
    open_page(page, live_server, transcript)
    expect(page.locator("#my-status")).to_have_text("not started")
    drag_over(page, "support would come", open_dialog=False)
    codebook_button(page, "Tailored support").click()
    expect(page.locator("#toast")).to_contain_text("Coded with Tailored support.")
    page.reload()
    expect(page.locator("#my-status")).to_have_text("in progress")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark my coding done").click()
    expect(page.locator("#my-status")).to_have_text("done")

    with page.expect_navigation():
        page.get_by_role("link", name="Where the team stands").first.click()
    table = page.locator("#progress-table")
    row = table.locator("tr", has_text=transcript.title)
    expect(row.locator(".status")).to_have_text("Done")
    expect(row).to_contain_text("enabler_a: 1 quote, done")
    expect(table.locator("tr", has_text="Untouched").locator(".status")).to_have_text(
        "Not started"
    )
    assert_accessible(page, context="the progress page")
    page.get_by_label("Status").select_option("done")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    with page.expect_navigation():
        page.get_by_role("link", name="Participant text coded").click()
    expect(table.locator("th[aria-sort=ascending]")).to_have_text("Participant text coded")
    expect(table.locator("tbody tr")).to_have_count(1)  # the filter is kept
    # The coders' table sorts too, by keyboard, keeping the filter and the other sort.
    coders = page.locator("#coder-table")
    coders.get_by_role("link", name="Done").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(coders.locator("th[aria-sort=ascending]")).to_have_text("Done")
    expect(table.locator("th[aria-sort=ascending]")).to_have_text("Participant text coded")
    expect(table.locator("tbody tr")).to_have_count(1)
    assert_accessible(page, context="the progress page, both tables sorted")

    # Coding there again reopens it.
    open_page(page, live_server, transcript)
    drag_over(page, "It never did.", open_dialog=False)
    codebook_button(page, "Tailored support").click()
    expect(page.locator("#toast")).to_contain_text("Coded with Tailored support.")
    page.reload()
    expect(page.locator("#my-status")).to_have_text("in progress")
    assert page.page_errors == []
