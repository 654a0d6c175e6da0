"""A blind double-coding round in the browser: assignment, done, agreement, adoption."""

from __future__ import annotations

import pytest

from coding.models import Adoption, Assignment
from interviews.models import Membership, Transcript

pytestmark = pytest.mark.django_db(transaction=True)


def as_user(chromium_browser, live_server, user):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def test_a_blind_round_from_assignment_to_adopting_a_version(
    chromium_browser, live_server, project_a, project_admin, enabler, make_user, theme,
    make_quote,
):  # fmt: skip
    second = make_user("enabler_two")
    Membership.objects.create(user=second, project=project_a, role=Membership.Role.ENABLER)
    transcript = Transcript.objects.create(
        project=project_a, title="Ward round", text="x" * 400 + " parachuted " + "y" * 588
    )
    base = live_server.url

    admin_context, admin = as_user(chromium_browser, live_server, project_admin)
    admin.goto(f"{base}/p/alpha/rounds/")
    admin.get_by_label("Ward round").check()
    admin.get_by_label("enabler_a").check()
    admin.get_by_label("enabler_two").check()
    assert admin.get_by_label("Blind", exact=False).is_checked()
    admin.get_by_role("button", name="Assign").press("Enter")
    admin.wait_for_selector("text=Transcripts assigned.")
    assert Assignment.objects.filter(coding_round__transcript=transcript).count() == 2

    # Both code (the coding page's own flow is tested in test_coding.py).
    make_quote(transcript, 0, 600, enabler, theme)
    theirs = make_quote(transcript, 100, 600, second, theme)

    for coder in (enabler, second):
        context, page = as_user(chromium_browser, live_server, coder)
        page.goto(f"{base}{transcript.get_absolute_url()}")
        assert "Blind round" in page.locator("#round-heading + p").inner_text()
        if coder == enabler:
            assert page.locator(f"[data-quotes~='{theirs.pk}']").count() == 0
            status = page.request.get(f"{base}/p/alpha/quotes/{theirs.pk}/")
            assert status.status == 404
        page.get_by_role("button", name="Mark my coding done").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_text("Marked done.").is_visible()
        assert page.page_errors == []
        context.close()

    admin.goto(f"{base}/p/alpha/agreement/")
    table = admin.locator("#agreement-table")
    assert "0.80" in table.inner_text() and "(good)" in table.inner_text()
    admin.get_by_role("link", name="View disagreements on").first.click()
    admin.wait_for_selector("text=Disagreement 1 of 1")
    admin.get_by_label("Adopt enabler_a's version").check()
    admin.get_by_role("button", name="Record decision").press("Enter")
    admin.wait_for_selector("text=Decision recorded.")
    adoption = Adoption.objects.get()
    assert (adoption.decision, adoption.adopted_coder, adoption.start, adoption.end) == (
        "adopt", enabler, 0, 100
    )  # fmt: skip
    assert admin.page_errors == []
    admin_context.close()
