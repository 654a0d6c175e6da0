"""Two coders in two browser contexts, each on an app server of its own (bench/live.py's
Cluster: two uvicorn processes, one database, one Redis): one codes, the other sees the
quote and who is here without a reload; axe stays green on the live coding page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bench.live import Cluster
from tests.browser.test_coding import apply_theme, close_dialog, drag_over

A, B = 0, 1


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with Cluster(tmp_path_factory.mktemp("live-browser")) as running:
        yield running


def coder_page(chromium_browser, cluster, server: int, user: str):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    page.goto(cluster.url(server, "/accounts/login/"))
    page.fill("#id_username", user)
    page.fill("#id_password", cluster.password)
    page.click("button[type=submit]")
    page.wait_for_url(cluster.url(server, "/"))
    seed = cluster.seed
    page.goto(cluster.url(server, f"/p/{seed['slug']}/transcripts/{seed['transcript']}/"))
    page.wait_for_selector("#transcript[data-ready]", state="attached")
    expect(page.locator("#live-status")).to_contain_text("Live:")
    return context, page


def test_one_coder_codes_and_the_other_sees_it_without_a_reload(
    chromium_browser, cluster, assert_accessible
):
    alice_context, alice = coder_page(chromium_browser, cluster, A, "alice")
    bob_context, bob = coder_page(chromium_browser, cluster, B, "bob")
    try:
        expect(alice.locator("#live-presence")).to_contain_text("bob")
        expect(bob.locator("#live-presence")).to_contain_text("alice")
        navigations = []
        bob.on("framenavigated", lambda frame: navigations.append(frame.url))

        drag_over(alice, "Passage number 7 of")
        apply_theme(alice, "Supp", "Support")
        # While alice's dialog is open on the saved quote, bob reads what she edits.
        expect(bob.locator("#live-presence")).to_contain_text("editing")
        close_dialog(alice)

        mark = bob.locator("#transcript mark")
        expect(mark.first).to_have_text("Passage number 7 of", timeout=3000)
        expect(bob.locator("#quote-panel")).to_contain_text("Passage number 7 of")
        expect(bob.locator("#quote-count")).to_have_text("1 quote")
        assert navigations == []  # no reload
        assert_accessible(bob, context="live coding page with another coder here")
        assert alice.page_errors == [] and bob.page_errors == []
    finally:
        alice_context.close()
        bob_context.close()


def test_the_summary_page_offers_a_refresh_when_quotes_are_coded_elsewhere(
    chromium_browser, cluster, assert_accessible
):
    """A report page open on server B hears that a coder on server A coded a passage:
    "1 new quote in this project since you opened it", with a refresh link."""
    alice_context, alice = coder_page(chromium_browser, cluster, A, "alice")
    bob_context, bob = coder_page(chromium_browser, cluster, B, "bob")
    try:
        bob.goto(cluster.url(B, f"/p/{cluster.seed['slug']}/report/"))
        notice = bob.locator("#live-notice")
        expect(notice).to_be_hidden()
        navigations = []
        bob.on("framenavigated", lambda frame: navigations.append(frame.url))
        drag_over(alice, "Passage number 12 of")
        apply_theme(alice, "Supp", "Support")
        close_dialog(alice)
        expect(notice).to_contain_text("new quote", timeout=5000)
        expect(notice).to_contain_text("in this project since you opened it")
        expect(notice.get_by_role("link", name="Refresh to see them")).to_be_visible()
        assert navigations == []
        assert_accessible(bob, context="summary page with the live notice")
    finally:
        alice_context.close()
        bob_context.close()
