"""A one-action coding rebuilds only the block it lies in: the rest of the transcript's
nodes stay as they were (the speed of bench/coding.py's click-to-stripe row)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding.models import Quote
from tests.browser.test_coding import codebook_button, drag_over, marked_text, open_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_click_coding_replaces_only_its_block(
    page, live_server, login, enabler, transcript, theme, make_quote
):
    start = transcript.text.index("Support that")
    make_quote(transcript, start, start + 7, enabler, theme)  # the theme has its stripe column
    login(page, enabler)
    open_page(page, live_server, transcript)
    page.evaluate(
        """() => { const blocks = document.querySelectorAll("#transcript > .para");
                  window.__kept = [...blocks].slice(1); window.__first = blocks[0]; }"""
    )
    drag_over(page, "support would come", open_dialog=False)  # in the first paragraph
    codebook_button(page, "Tailored support").click()
    expect(page.locator("#toast")).to_contain_text("Coded with Tailored support.")
    quote = Quote.objects.get(text="support would come")
    assert marked_text(page, quote.pk) == "support would come"
    same = page.evaluate(
        """() => { const blocks = [...document.querySelectorAll("#transcript > .para")];
                  return [blocks[0] === window.__first,
                          window.__kept.every((node, n) => node === blocks[n + 1])]; }"""
    )
    assert same == [False, True]  # the first block is new; every other node is untouched
    # The panel and the counts follow. (A theme's first use anywhere adds a stripe column
    # to every block: that edit rebuilds the whole transcript.)
    expect(page.locator("#quote-panel")).to_contain_text("support would come")
    expect(page.locator("#quote-count")).to_have_text("2 quotes")
    assert page.evaluate("document.getElementById('transcript').textContent") == transcript.text
    assert page.page_errors == []
