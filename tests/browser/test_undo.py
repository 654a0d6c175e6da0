"""Undo and redo in Chromium: Ctrl+Z / Ctrl+Shift+Z and the buttons step back and
forward through every coding action made on the page, as server writes; an undo over
another coder's change is refused; an open quote warns when someone else changes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding import services
from coding.models import Quote, Theme
from interviews.access import get_project_access
from tests.browser.test_coding import (
    apply_theme,
    close_dialog,
    codebook_button,
    drag_over,
    open_page,
)

pytestmark = pytest.mark.django_db(transaction=True)


def state(quote_id):
    quote = Quote.all_objects.get(pk=quote_id)
    return (
        quote.deleted_at is not None,
        quote.text,
        quote.memo,
        sorted(quote.themes.values_list("name", flat=True)),
    )


def undo(page):
    page.locator(".history-bar").get_by_role("button", name="Undo").click()


def test_every_action_is_undone_and_redone(
    page, live_server, login, enabler, transcript, theme, project_a, assert_accessible
):
    Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    login(page, enabler)
    open_page(page, live_server, transcript)
    toast = page.locator("#toast")
    drag_over(page, "support would", open_dialog=False)
    codebook_button(page, "Tailored support").click()  # 1. create
    expect(toast).to_contain_text("Coded with Tailored support.")
    quote_id = Quote.objects.get().pk
    page.click(f'mark[data-quote-id="{quote_id}"]')
    page.get_by_role("dialog", name="Quote").wait_for()
    apply_theme(page, "blame", "Blame culture")  # 2. add a theme
    page.get_by_role("button", name="Remove theme Tailored support").click()  # 3. remove one
    page.locator("#qd-themes li", has_text="Tailored support").wait_for(state="detached")
    page.get_by_label("Memo").fill("Promised, never came")
    page.get_by_role("button", name="Save memo").click()  # 4. the memo
    expect(page.locator(".visually-hidden[role=status]")).to_have_text("Memo saved.")
    page.get_by_role("button", name="Widen end").click()  # 5. widen
    expect(page.locator("#qd-passage")).to_have_text("support would come")
    close_dialog(page)
    done = (False, "support would come", "Promised, never came", ["Blame culture"])
    assert state(quote_id) == done
    assert_accessible(page, context="coding page with undo and redo")

    # Back through each, by button and by key, one server write each.
    steps = [
        (False, "support would", "Promised, never came", ["Blame culture"]),
        (False, "support would", "", ["Blame culture"]),
        (False, "support would", "", ["Blame culture", "Tailored support"]),
        (False, "support would", "", ["Tailored support"]),
        (True, "support would", "", ["Tailored support"]),
    ]
    labels = ["widening the quote", "the memo edit", "removing Tailored support",
              "adding Blame culture", "coding with Tailored support"]  # fmt: skip
    for n, (expected, label) in enumerate(zip(steps, labels, strict=True)):
        if n % 2:
            page.locator("#transcript").focus()
            page.keyboard.press("Control+z")
        else:
            undo(page)
        expect(toast).to_contain_text(f"Undone: {label}.")
        assert state(quote_id) == expected
    expect(page.locator(f'mark[data-quote-id="{quote_id}"]')).to_have_count(0)
    expect(page.locator(".history-bar").get_by_role("button", name="Undo")).to_be_disabled()

    # And forward again.
    forward = zip([*reversed(steps[:-1]), done], reversed(labels), strict=True)
    for n, (expected, label) in enumerate(forward):
        if n % 2:
            page.locator(".history-bar").get_by_role("button", name="Redo").click()
        else:
            page.locator("#transcript").focus()
            page.keyboard.press("Control+Shift+z")
        expect(toast).to_contain_text(f"Redone: {label}.")
        assert state(quote_id) == expected
    expect(page.locator(f'mark[data-quote-id="{quote_id}"]').first).to_be_visible()
    assert page.dialogs == [] and page.page_errors == []


def test_an_undo_over_another_coders_change_is_refused(
    page, live_server, login, enabler, project_admin, transcript, theme, settings
):
    settings.AEFRONT_POLL_MS = 300
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, "support would", open_dialog=False)
    codebook_button(page, "Tailored support").click()
    expect(page.locator("#toast")).to_contain_text("Coded with Tailored support.")
    quote = Quote.objects.get()
    admin = get_project_access(project_admin, transcript.project.slug)

    # Open in the dialog while the admin changes it: the dialog says so.
    page.click(f'mark[data-quote-id="{quote.pk}"]')
    page.get_by_role("dialog", name="Quote").wait_for()
    services.edit_memo(access=admin, quote=quote, memo="The admin's note")
    expect(page.locator("#qd-changed")).to_contain_text("Another coder changed this quote")
    close_dialog(page)

    page.locator("#transcript").focus()
    page.keyboard.press("Control+z")
    expect(page.locator("#toast")).to_contain_text("Not undone: This quote has changed since")
    assert Quote.objects.get(pk=quote.pk).memo == "The admin's note"  # theirs stands
    expect(page.locator(".history-bar").get_by_role("button", name="Undo")).to_be_disabled()
    assert page.page_errors == []
