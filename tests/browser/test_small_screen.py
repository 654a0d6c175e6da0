"""The coding page at 390 px and by keyboard: the transcript is readable, the codebook is a
drawer, the dialog fits, and the transcript is at most 3 Tab presses away."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding.models import Quote
from interviews.models import SpeakerTurn
from tests.browser.test_coding import codebook_button, drag_over, open_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844}, has_touch=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    yield page
    context.close()


def test_390px_drawer_and_dialog(
    phone, live_server, login, enabler, transcript, theme, participant, assert_accessible
):
    SpeakerTurn.objects.create(
        transcript=transcript, index=0, start=5, end=82, participant=participant
    )
    page = phone
    login(page, enabler)
    open_page(page, live_server, transcript)
    # No sideways scrolling; the text takes most of the width; the speaker sits above it.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    text_width = page.evaluate(
        "document.querySelector('#transcript .turn, #transcript .para').getBoundingClientRect().width"
    )
    assert text_width >= 330
    expect(page.locator("#codebook-list")).to_be_hidden()
    assert_accessible(page, context="coding page at 390 px")

    toggle = page.locator("#drawer-toggle")
    expect(toggle).to_have_text("Codebook and quotes")
    drag_over(page, "support would come", open_dialog=False)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(codebook_button(page, "Tailored support")).to_be_visible()
    assert_accessible(page, context="the codebook drawer at 390 px")
    codebook_button(page, "Tailored support").click()
    expect(page.locator("#toast")).to_contain_text("Coded with Tailored support.")
    assert Quote.objects.get().text == "support would come"
    page.get_by_role("button", name="Close the codebook").click()
    expect(page.locator("#codebook-list")).to_be_hidden()

    page.locator(f'mark[data-quote-id="{Quote.objects.get().pk}"]').first.click()
    dialog = page.get_by_role("dialog", name="Quote")
    dialog.wait_for()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] <= 844
    expect(dialog.get_by_role("button", name="Done", exact=True)).to_be_in_viewport()
    assert_accessible(page, context="the quote dialog at 390 px")
    assert page.page_errors == []


def test_the_transcript_is_at_most_3_tab_presses_away(
    page, live_server, login, enabler, transcript, theme
):
    login(page, enabler)
    open_page(page, live_server, transcript)
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to the transcript")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "transcript"
    # From there, keyboard coding works as usual.
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("window.getSelection().toString().length") == 1
