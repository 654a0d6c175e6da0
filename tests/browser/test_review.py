"""An author reviews the identifiers of the quotes to publish, by keyboard, then signs off."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from coding.models import QuoteRedaction, ReportSignOff, SafeTerm
from tests.coding.test_review import report_project  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def press(page, name: str, key: str = "Enter") -> None:
    """Focus the button with this accessible name and press a key, as a keyboard user."""
    button = page.get_by_role("button", name=name)  # a substring of the name
    button.focus()
    with page.expect_navigation():
        page.keyboard.press(key)


def test_author_settles_every_flag_by_keyboard_and_signs_off(
    page,
    live_server,
    login,
    assert_accessible,
    author,
    report_project,  # noqa: F811
):
    project, first, _ = report_project
    login(page, author)
    page.goto(f"{live_server.url}/p/{project.slug}/report/preview/")
    status = page.locator(".review-status")
    assert "2 open flags" in status.inner_text()

    # A draft carries the watermark while the review is incomplete.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download Word (DOCX)").click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        header = " ".join(
            archive.read(name).decode() for name in archive.namelist() if "header" in name
        )
    assert "DRAFT — identifier review incomplete" in header

    page.get_by_role("link", name="review the identifiers").click()
    page.wait_for_selector("h1:has-text('Identifier review')")
    assert page.locator("mark.flag-person").inner_text() == "Pete Hargreaves"
    press(page, "Redact here “Pete Hargreaves”")
    assert page.get_by_text("“Pete Hargreaves” will be redacted in this quote.").is_visible()
    assert "1 open flag" in page.locator(".review-status").inner_text()
    assert "[name]" in page.locator(f"#quote-{first.pk} blockquote").inner_text()

    date = page.locator("mark.flag-date").inner_text()
    press(page, f"Mark safe “{date}”")
    assert "0 open flags" in page.locator(".review-status").inner_text()
    assert_accessible(page, context="identifier review, complete, with the sign-off form")
    assert QuoteRedaction.objects.filter(quote=first).count() == 1
    assert SafeTerm.objects.filter(project=project, term=date).exists()

    page.get_by_label("Format of the final report").select_option("html")
    button = page.get_by_role("button", name="Sign off and download the final report")
    button.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    final = open(download_info.value.path(), "rb").read()
    assert b"DRAFT" not in final and b"Pete Hargreaves" not in final
    record = ReportSignOff.objects.get()
    assert record.signed_by == author
    assert record.sha256 == hashlib.sha256(final).hexdigest()
    assert page.page_errors == []
