"""The idle warning: two minutes before the sign-out, on a page with unsaved work, with a
"Stay signed in" that extends the session; and the draft survives the sign-out."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

from aefront import session_timeout

pytestmark = pytest.mark.django_db(transaction=True)


def test_warning_stay_signed_in_and_the_draft_kept(page, live_server, login, author, theme,
                                                   settings):  # fmt: skip
    settings.AEFRONT_IDLE_TIMEOUT = 123  # the warning comes 3 s after the page loads
    login(page, author)
    url = f"{live_server.url}/p/alpha/report/themes/{theme.pk}/"
    page.goto(url)
    warning = page.locator("#idle-warning")

    page.fill("#id_narrative", "Blame travels down from the region.")
    warning.wait_for(state="visible", timeout=8_000)
    assert "signed out in 2 minutes" in warning.inner_text()

    session = Session.objects.get()
    before = session.get_decoded()[session_timeout.LAST_SEEN]
    with page.expect_response("**/accounts/keepalive/") as answer:
        page.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 200
    assert answer.value.json()["expires_in"] == 123
    warning.wait_for(state="hidden")
    assert Session.objects.get().get_decoded()[session_timeout.LAST_SEEN] > before

    # Signed out (here: the session ends) before saving: the text comes back after sign-in.
    Session.objects.all().delete()
    page.goto(url)
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", author.get_username())
    page.fill("#id_password", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_url(url)
    assert page.input_value("#id_narrative") == "Blame travels down from the region."
    assert page.locator(".draft-restored").is_visible()
    assert page.page_errors == []


def test_the_coding_pages_memo_warns_and_its_draft_comes_back(
    page, live_server, login, enabler, transcript, theme, make_quote, settings
):
    settings.AEFRONT_IDLE_TIMEOUT = 123
    start = transcript.text.index("support would")
    quote = make_quote(transcript, start, start + len("support would"), enabler, theme)
    login(page, enabler)
    page.goto(f"{live_server.url}{transcript.get_absolute_url()}")
    page.wait_for_selector("#transcript[data-ready]", state="attached")
    page.click(f'mark[data-quote-id="{quote.pk}"]')
    page.get_by_label("Memo").fill("Help promised, never came")

    page.locator("#idle-warning").wait_for(state="visible", timeout=8_000)

    page.reload()  # unsaved: the memo is not in the database, but kept in the browser
    page.wait_for_selector("#transcript[data-ready]", state="attached")
    page.click(f'mark[data-quote-id="{quote.pk}"]')
    assert page.get_by_label("Memo").input_value() == "Help promised, never came"
    page.get_by_role("button", name="Save memo").click()
    page.wait_for_function("() => !localStorage.length")  # saved: the draft is dropped
    quote.refresh_from_db()
    assert quote.memo == "Help promised, never came"
    assert page.page_errors == []


def test_no_warning_without_unsaved_work(page, live_server, login, author, theme, settings):
    settings.AEFRONT_IDLE_TIMEOUT = 121
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/themes/{theme.pk}/")
    page.wait_for_timeout(2_500)
    assert page.locator("#idle-warning").is_hidden()


def test_keepalive_needs_a_session_and_a_post(client, author):
    assert client.post("/accounts/keepalive/").status_code == 302  # to the login page
    client.force_login(author)
    assert client.get("/accounts/keepalive/").status_code == 405
    assert client.post("/accounts/keepalive/").json()["expires_in"] == 30 * 60
