"""Search links and theme suggestions in the browser (Debian Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding.models import Quote, Theme

from .test_coding import drag_over, open_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_search_hit_opens_the_coding_page_with_the_passage_selected(
    page, live_server, login, enabler, transcript
):
    login(page, enabler)
    page.goto(f"{live_server.url}/p/alpha/search/")
    page.get_by_label("Search for").fill('"parachuted in"')
    page.get_by_role("button", name="Search").press("Enter")
    page.get_by_role("link", name=transcript.title).first.click()
    page.wait_for_selector("#transcript[data-ready]", state="attached")
    selected = page.evaluate("() => window.getSelection().toString()")
    assert "parachuted in" in selected
    assert page.page_errors == []


def test_the_dialog_suggests_themes_and_one_press_applies_it(
    page, live_server, login, enabler, transcript, project_a
):
    Theme.objects.create(
        project=project_a, name="Planned support", description="Support planned with us."
    )
    Theme.objects.create(project=project_a, name="Blame culture", description="Blame, fault.")
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, "Support that was planned with us")
    box = page.locator("#qd-suggest")
    button = box.get_by_role("button", name="Apply suggested theme Planned support", exact=False)
    expect(button).to_be_visible()
    expect(box.locator(".hint")).to_contain_text("Ranked on this server")
    button.click()
    page.locator("#qd-themes li", has_text="Planned support").wait_for()
    quote = Quote.objects.get()
    assert [t.name for t in quote.themes.all()] == ["Planned support"]
    assert page.page_errors == []
