"""The margin stripes by keyboard: one Tab stop for all of them, arrow keys move from
stripe to stripe across turns, focusing a stripe outlines its passage, Enter opens it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding.models import Theme
from tests.browser.test_coding import open_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_stripes_are_reached_and_walked_by_keyboard(
    page, live_server, login, enabler, transcript, project_a, make_quote, assert_accessible
):
    blame = Theme.objects.create(project=project_a, name="Blame culture")
    support = Theme.objects.create(project=project_a, name="Tailored support")
    first = make_quote(transcript, 5, 12, enabler, blame)
    second = make_quote(transcript, 20, 30, enabler, support)
    at = transcript.text.index("Support that")
    later = make_quote(transcript, at, at + 12, enabler, blame)  # the next P01 turn
    login(page, enabler)
    open_page(page, live_server, transcript)
    lists = page.locator("#transcript .turn-stripes[role=listbox]")
    lists.first.wait_for()
    # One Tab stop for every stripe on the page.
    expect(page.locator('#transcript .turn-stripes[tabindex="0"]')).to_have_count(1)

    lists.first.focus()
    active = page.locator('#transcript .stripe[aria-selected="true"]')
    expect(active).to_have_count(1)
    expect(active).to_have_attribute("data-quote", str(first.pk))
    expect(page.locator(f'mark[data-quote-id="{first.pk}"]').first).to_have_class("q outlined")
    assert "Blame culture" in active.get_attribute("aria-label")

    page.keyboard.press("ArrowDown")
    expect(active).to_have_attribute("data-quote", str(second.pk))
    expect(page.locator(f'mark[data-quote-id="{second.pk}"]').first).to_have_class("q outlined")
    expect(page.locator(f'mark[data-quote-id="{first.pk}"]').first).to_have_class("q")
    focused = page.evaluate("document.activeElement.getAttribute('aria-activedescendant')")
    assert focused == active.get_attribute("id")
    expect(page.locator('#transcript .turn-stripes[tabindex="0"]')).to_have_count(1)
    assert_accessible(page, context="coding page, a stripe focused")

    # Past the turn's last stripe, to the next coded turn's first; then back.
    page.keyboard.press("ArrowDown")
    expect(active).to_have_attribute("data-quote", str(later.pk))
    expect(page.locator('#transcript .turn-stripes[tabindex="0"]')).to_have_count(1)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Home")
    expect(active).to_have_attribute("data-quote", str(first.pk))
    page.keyboard.press("Enter")
    expect(page.locator("#quote-dialog")).to_be_visible()
    expect(page.locator("#qd-passage")).to_contain_text(transcript.text[5:12])
    assert page.page_errors == []
