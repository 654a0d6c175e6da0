"""In-vivo coding in Chromium: V (or the codebook's button) names a new theme by the
selected words, and it is proposed only after the confirmation step."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding.models import Quote, Theme
from tests.browser.test_coding import close_dialog, drag_over, open_page

# Selects exactly `needle` in #transcript (for a passage next to a highlight, where a
# drag's end can land a word further).
SELECT = """
(needle) => {
  const root = document.getElementById("transcript");
  const at = root.textContent.indexOf(needle);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  const point = (u16) => {
    walker.currentNode = root;
    seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (u16 <= seen + node.data.length) return [node, u16 - seen];
      seen += node.data.length;
    }
  };
  const [a, i] = point(at);
  const [z, j] = point(at + needle.length);
  getSelection().setBaseAndExtent(a, i, z, j);
}
"""

pytestmark = pytest.mark.django_db(transaction=True)


def test_v_proposes_a_theme_named_by_the_selection(
    page, live_server, login, enabler, transcript, theme, assert_accessible
):
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, "parachuted in.", open_dialog=False)
    page.keyboard.press("v")
    page.get_by_role("dialog", name="Code passage").wait_for()
    combobox = page.get_by_role("combobox", name="Theme")
    expect(combobox).to_have_value("parachuted in")  # the full stop dropped
    option = page.get_by_role("option", name="Propose new theme “parachuted in”?")
    expect(option).to_be_visible()
    assert not Theme.objects.filter(name="parachuted in").exists()  # nothing yet
    assert_accessible(page, context="in-vivo coding: the confirmation")
    combobox.press("Enter")
    page.locator("#qd-themes li", has_text="parachuted in").wait_for()
    close_dialog(page)
    made = Theme.objects.get(name="parachuted in")
    assert made.is_proposed and made.proposed_by == enabler
    quote = Quote.objects.get()
    assert quote.text == "parachuted in." and list(quote.themes.all()) == [made]

    # The button does the same; a close existing name is offered first.
    page.evaluate(SELECT, "Support that was planned")
    page.get_by_role("button", name="In-vivo: a theme named by the selected words").click()
    expect(combobox).to_have_value("Support that was planned")
    expect(
        page.get_by_role("option", name="Propose new theme “Support that was planned”?")
    ).to_be_visible()
    close_dialog(page)
    assert not Theme.objects.filter(name="Support that was planned").exists()
    assert page.evaluate("document.getElementById('transcript').textContent") == transcript.text
    assert page.page_errors == []


def test_in_vivo_is_refused_where_only_admins_add_themes(
    page, live_server, login, enabler, transcript, theme, project_a
):
    project_a.enablers_can_propose_themes = False
    project_a.save()
    login(page, enabler)
    open_page(page, live_server, transcript)
    expect(
        page.get_by_role("button", name="In-vivo: a theme named by the selected words")
    ).to_have_count(0)
    drag_over(page, "parachuted in.", open_dialog=False)
    page.keyboard.press("v")
    expect(page.locator("#toast")).to_contain_text("Only an admin can add themes")
    expect(page.locator("#quote-dialog")).to_be_hidden()
