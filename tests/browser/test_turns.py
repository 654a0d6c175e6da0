"""Selections that respect speakers, in Chromium: a drag across a question and its
answer asks first, then saves one quote per participant turn (the default), or the
selection shortened to one turn; nothing is saved on Cancel; the server refuses what
the page would not send."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from coding.models import Quote
from interviews.models import SpeakerTurn
from tests.browser.test_coding import codebook_button, drag_over, open_page
from tests.browser.test_invivo import SELECT

pytestmark = pytest.mark.django_db(transaction=True)

# SAMPLE_TEXT's turns: P01 [5, 82), the interviewer [97, 120), P01 [127, 212).
TURNS = ((5, 82), (97, 120), (127, 212))
ACROSS = "It never did.\n\nInterviewer: What would have helped?\n\nP01: Support"


@pytest.fixture
def turns(transcript, participant):
    for index, (start, end) in enumerate(TURNS):
        SpeakerTurn.objects.create(
            transcript=transcript,
            index=index,
            start=start,
            end=end,
            participant=None if index == 1 else participant,
            is_interviewer=index == 1,
            speaker_label="Interviewer" if index == 1 else "P01",
        )
    return transcript


def texts(transcript) -> list[str]:
    return list(Quote.objects.filter(transcript=transcript).values_list("text", flat=True))


def test_a_cross_turn_selection_saves_one_quote_per_participant_turn(
    page, live_server, login, enabler, turns, theme, assert_accessible
):
    login(page, enabler)
    open_page(page, live_server, turns)
    drag_over(page, ACROSS, open_dialog=False)
    codebook_button(page, "Tailored support").click()
    chooser = page.get_by_role("dialog", name="The selection crosses speaker turns")
    expect(chooser).to_be_visible()
    expect(chooser.locator("#td-parts li")).to_have_count(3)
    split = chooser.get_by_role("button", name="Save 2 quotes, one per participant turn")
    expect(split).to_be_focused()  # the default: Enter saves one quote per participant turn
    assert_accessible(page, context="the cross-turn choice")
    page.keyboard.press("Enter")
    expect(page.locator("#toast")).to_contain_text("Coded 2 quotes, one per turn,")
    assert sorted(texts(turns)) == ["It never did.", "Support"]

    # The interviewer's turn too, when ticked; then every quote is inside one turn.
    Quote.objects.all().delete()
    open_page(page, live_server, turns)
    drag_over(page, ACROSS, open_dialog=False)
    codebook_button(page, "Tailored support").click()
    chooser.get_by_label("Include the interviewer's turns").check()
    chooser.get_by_role("button", name="Save 3 quotes, one per turn").click()
    expect(page.locator("#toast")).to_contain_text("Coded 3 quotes")
    assert sorted(texts(turns)) == ["It never did.", "Support", "What would have helped?"]
    for quote in Quote.objects.all():
        assert any(start <= quote.start and quote.end <= end for start, end in TURNS)
    assert page.page_errors == []


def test_shorten_to_one_turn_and_cancel(page, live_server, login, enabler, turns, theme):
    login(page, enabler)
    open_page(page, live_server, turns)
    drag_over(page, "never did.\n\nInterviewer: What would", open_dialog=False)
    page.keyboard.press("1")  # the number key goes through the same choice
    chooser = page.get_by_role("dialog", name="The selection crosses speaker turns")
    chooser.get_by_role("button", name="Cancel").click()
    expect(chooser).to_be_hidden()
    assert texts(turns) == []
    # The selection is given back, so the coder can shorten it by hand or choose again.
    assert page.evaluate("window.getSelection().toString()").startswith("never did.")
    page.keyboard.press("1")
    chooser.get_by_role("button", name="Shorten to P01's turn").click()
    expect(page.locator("#toast")).to_contain_text("Coded with Tailored support.")
    assert texts(turns) == ["never did."]

    # The dialog path (T) asks too, and saves each part with the themes applied.
    page.evaluate(SELECT, "have helped?\n\nP01: Support that")
    page.locator("#transcript").focus()
    page.keyboard.press("t")
    page.get_by_role("dialog", name="The selection crosses speaker turns").wait_for()
    page.keyboard.press("Enter")  # one quote per participant turn: here only P01's
    page.get_by_role("dialog", name="Code passage").wait_for()
    passage = page.locator("#qd-passage")
    expect(passage).to_contain_text("Support that")  # P01's part only, not the question
    expect(passage).not_to_contain_text("helped")
    assert page.dialogs == [] and page.page_errors == []


def test_the_server_refuses_what_the_page_would_not_send(
    page, live_server, login, enabler, turns, theme
):
    login(page, enabler)
    open_page(page, live_server, turns)
    start, end = TURNS[0][0], TURNS[1][1]
    body = {"start": start, "end": end, "text": turns.text[start:end], "themes": [theme.pk]}
    answer = page.evaluate(
        """async (body) => {
          const data = JSON.parse(document.getElementById("coding-data").textContent);
          const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
          const response = await fetch(data.urls.quotes, {method: "POST", body,
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}});
          return [response.status, (await response.json()).error];
        }""",
        json.dumps(body),
    )
    assert answer[0] == 400
    assert "crosses 2 turns" in answer[1]
    assert texts(turns) == []


def test_a_focus_group_project_saves_one_quote_across_turns(
    page, live_server, login, enabler, turns, theme
):
    turns.project.multi_turn_quotes = True
    turns.project.save()
    login(page, enabler)
    open_page(page, live_server, turns)
    drag_over(page, ACROSS, open_dialog=False)
    codebook_button(page, "Tailored support").click()
    expect(page.locator("#toast")).to_contain_text("Coded with Tailored support.")
    expect(page.locator("#turns-dialog")).to_be_hidden()
    assert texts(turns) == [ACROSS]
