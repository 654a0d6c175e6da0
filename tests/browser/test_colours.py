"""Colours in Chromium: stripes and underlines reach 3:1 against the page, a proposed
theme looks different from an accepted one, and hovering a stripe outlines its passage."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding.models import Theme
from tests.browser.test_coding import open_page

pytestmark = pytest.mark.django_db(transaction=True)

CONTRAST = """
(selector) => [...document.querySelectorAll(selector)].map((node) => {
  const style = getComputedStyle(node);
  const raw = node.matches("mark") ? style.borderBottomColor : style.backgroundColor;
  const [r, g, b] = raw.match(/\\d+/g).slice(0, 3).map(Number);
  const lin = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return 1.05 / (l + 0.05);
})
"""


def test_stripes_contrast_proposed_look_and_hover_outline(
    page, live_server, login, enabler, transcript, project_a, make_quote, assert_accessible
):
    pale = Theme.objects.create(project=project_a, name="Pale", colour="#fff59d")
    proposed = Theme.objects.create(project=project_a, name="Idea", is_proposed=True)
    first = make_quote(transcript, 5, 12, enabler, pale)
    make_quote(transcript, 20, 30, enabler, proposed)
    login(page, enabler)
    open_page(page, live_server, transcript)
    page.locator(".turn-stripes[data-precise] .stripe").first.wait_for()
    for ratio in page.evaluate(CONTRAST, "#transcript .stripe:not(.proposed), #transcript mark.q"):
        assert ratio >= 3.0
    mark = page.locator("#transcript mark.q.proposed")
    expect(mark).to_have_count(1)
    assert mark.evaluate("(m) => getComputedStyle(m).borderBottomStyle") == "dashed"
    stripe = page.locator(".stripe.proposed")
    assert "(proposed)" in stripe.first.get_attribute("title")
    assert "repeating-linear-gradient" in stripe.first.evaluate(
        "(s) => getComputedStyle(s).backgroundImage"
    )
    # Each stripe carries its theme's name, or a short label where it is too short.
    label = page.locator(f'.stripe[data-quote="{first.pk}"] .stripe-name')
    assert label.get_attribute("data-name") in ("Pale", "Pal")
    assert label.text_content() == ""  # CSS content: the transcript's text stays exact
    page.locator(f'.stripe[data-quote="{first.pk}"]').hover()
    expect(page.locator(f'mark[data-quote-id="{first.pk}"]').first).to_have_class("q outlined")
    assert_accessible(page, context="coding page with a proposed theme")
    assert page.page_errors == []
