"""Accessibility is part of done: every page a user reaches passes axe-core's WCAG 2.2
AA rules in Chromium, in the states people see it (a dialog open, a list filled after
an upload), and the coding page's main flow works by keyboard alone.

Each page is one test id: `pytest tests/browser/test_accessibility.py -k preview`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
from playwright.sync_api import expect

from coding.models import Quote, SafeTerm
from coding.report import authoring
from tests.browser.test_coding import drag_over, open_page
from tests.coding.report_data import build
from tests.interviews import transcript_files as files

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Site:
    """The live server, the report data set and the cast, for one test."""

    page: object
    server: object
    data: object
    users: dict
    login: Callable

    def as_(self, role: str) -> Site:
        self.login(self.page, self.users[role])
        return self

    @property
    def url(self) -> str:
        return self.server.url

    def go(self, path: str) -> None:
        self.page.goto(f"{self.url}{path}")

    @property
    def theme(self):
        return self.data.themes["A"]

    def transcript(self, key: str = "T4"):
        return self.data.transcripts[key]


@pytest.fixture
def site(page, live_server, login, enabler, author, project_admin, project_a) -> Site:
    data = build(project_a, enabler, project_admin)
    theme = data.themes["A"]
    headlines = [data.quotes[k].pk for k in ("q1", "q5", "q7")]
    authoring.set_headlines(
        project=project_a, theme=theme, quote_ids=headlines, expected=None, user=author
    )
    authoring.set_cleared(project=project_a, quote_ids=headlines[:2], cleared=True, user=author)
    summary = authoring.summary_for(project=project_a, theme=theme)
    authoring.save_narrative(
        project=project_a,
        theme=theme,
        narrative="Blame travels down from the region.",
        version=summary.version,
        user=author,
    )
    authoring.add_redaction_term(project=project_a, term="Northfield", replacement="[place]")
    users = {"enabler": enabler, "author": author, "admin": project_admin}
    return Site(page, live_server, data, users, login)


def upload_one(site: Site) -> None:
    site.as_("enabler").go("/p/alpha/import/")
    site.page.set_input_files(
        "#id_files",
        [
            {"name": "Interview one.docx", "mimeType": "application/octet-stream",
             "buffer": files.docx_bytes()},
            {"name": "photo.txt", "mimeType": "text/plain", "buffer": files.PNG_BYTES},
        ],
    )  # fmt: skip
    site.page.locator("#upload-status").get_by_text("2 of 2 files done, 1 refused.").wait_for()


def login_page(site):
    site.go("/accounts/login/")


def login_error(site):
    site.go("/accounts/login/")
    site.page.fill("#id_username", "enabler_a")
    site.page.fill("#id_password", "not the password")
    site.page.click("button[type=submit]")
    site.page.get_by_role("alert").wait_for()


def project_list(site):
    site.as_("enabler")


def project_detail(site):
    site.as_("enabler").go("/p/alpha/")


def theme_list(site):
    site.as_("enabler").go("/p/alpha/themes/")


def import_page(site):
    site.as_("enabler").go("/p/alpha/import/")


def import_progress(site):
    upload_one(site)


def import_results(site):
    """The no-script import: the form posts and the server answers with a results page."""
    site.page.route("**/js/upload.js", lambda route: route.abort())
    site.as_("enabler").go("/p/alpha/import/")
    site.page.set_input_files(
        "#id_files",
        [{"name": "call.vtt", "mimeType": "text/vtt", "buffer": files.teams_vtt_bytes()}],
    )
    with site.page.expect_navigation():
        site.page.click("#upload-submit")
    site.page.get_by_role("link", name="Review speakers").wait_for()


def import_error(site):
    """No file chosen, no script: the page comes back with the field's error."""
    site.page.route("**/js/upload.js", lambda route: route.abort())
    site.as_("enabler").go("/p/alpha/import/")
    with site.page.expect_navigation():
        site.page.click("#upload-submit")
    site.page.get_by_role("alert").wait_for()


def speaker_review(site):
    upload_one(site)
    site.page.get_by_role("link", name="Review speakers").first.click()
    site.page.get_by_role("heading", name="Review speakers: Interview one").wait_for()
    fieldset = site.page.locator("fieldset[data-speaker]", has_text="Jane Smith")
    fieldset.get_by_label("Jane Smith is").select_option("new")  # the new-participant fields


def coding_page(site):
    site.as_("enabler")
    open_page(site.page, site.server, site.transcript())


def coding_theme_picker(site):
    coding_page(site)
    drag_over(site.page, "Tailored support came late")
    site.page.get_by_role("dialog").wait_for()
    site.page.get_by_role("combobox", name="Theme").fill("t")
    site.page.get_by_role("listbox").get_by_role("option").first.wait_for()


def coding_quote_dialog(site):
    coding_page(site)
    quote = site.data.quotes["q7"]
    site.page.click(f'mark[data-quote-id="{quote.pk}"]')
    site.page.get_by_role("dialog").wait_for()


def coding_read_only(site):
    site.as_("author")
    open_page(site.page, site.server, site.transcript())


def report_summary(site):
    site.as_("author").go("/p/alpha/report/")


def report_summary_shares(site):
    site.as_("author").go("/p/alpha/report/?values=shares#charts")


def report_summary_reordered(site):
    """The report's order changed in place on the summary page: the saved state shown."""
    themes = [site.data.themes[k].pk for k in ("A", "B", "C")]
    authoring.set_inclusion(
        project=site.theme.project, theme_ids=themes, included=True, user=site.users["author"]
    )
    report_summary(site)
    page = site.page
    page.wait_for_load_state("load")
    page.focus(f"#order-list button[value='down:{themes[0]}']")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('workspace-status').textContent.startsWith('Saved')"
    )


def report_cell(site):
    system = site.data.systems["Northfield"].pk
    site.as_("enabler").go(f"/p/alpha/report/themes/{site.theme.pk}/quotes/?in_system={system}")


def report_theme(site):
    site.as_("author").go(f"/p/alpha/report/themes/{site.theme.pk}/")


def report_theme_in_place(site):
    """After a bulk action in place: the saved state shown, a quote's turn opened."""
    report_theme(site)
    page = site.page
    page.wait_for_load_state("load")
    for key in ("q2", "q7"):
        page.check(f"#pick-{site.data.quotes[key].pk}")
    page.locator("#bulk-form").get_by_role("button", name="Clear for publication").click()
    page.wait_for_function(
        "() => document.getElementById('workspace-status').textContent.startsWith('Saved')"
    )
    page.locator(f"#q{site.data.quotes['q7'].pk} details.context summary").click()


def report_theme_filtered(site):
    participant = site.data.participants["P05"].pk
    site.as_("author").go(f"/p/alpha/report/themes/{site.theme.pk}/?participant={participant}"
                          "&cleared=no&sort=position")  # fmt: skip


def report_theme_filtered_in_place(site):
    """The quote filters applied in place (no reload), the address updated."""
    report_theme(site)
    page = site.page
    page.wait_for_load_state("load")
    page.select_option("#id_participant", label="P05")
    page.get_by_role("button", name="Show quotes").click()
    page.wait_for_function("() => location.search.includes('participant=')")
    page.wait_for_function(
        "() => document.getElementById('quotes-status').textContent.includes('match')"
    )


def report_narrative_conflict(site):
    """Another author saves while this one edits: both texts, side by side."""
    report_theme(site)
    summary = authoring.summary_for(project=site.theme.project, theme=site.theme)
    authoring.save_narrative(
        project=site.theme.project,
        theme=site.theme,
        narrative="Saved by someone else meanwhile.",
        version=summary.version,
        user=site.users["admin"],
    )
    site.page.fill("#id_narrative", "My own words.")
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Save narrative").click()
    site.page.locator("#conflict").wait_for()


def report_preview(site):
    site.as_("author").go("/p/alpha/report/preview/")


def report_redactions(site):
    site.as_("author").go("/p/alpha/report/redactions/")


def report_redactions_error(site):
    report_redactions(site)
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Add to the list").click()
    site.page.locator(".field .error").first.wait_for()


def report_review(site):
    site.as_("author").go("/p/alpha/report/review/")
    site.page.locator("#review-list").wait_for()


def report_redactions_safe(site):
    SafeTerm.objects.create(project=site.data.project, term="Will")
    report_redactions(site)


def progress_page(site):
    site.as_("enabler").go("/p/alpha/progress/?sort=-coverage")


def exchange_page(site):
    site.as_("admin").go("/p/alpha/exchange/")


def jobs_page(site):
    site.as_("enabler").go("/p/alpha/jobs/")


def report_refusal(site):
    site.as_("author").go("/p/alpha/report/export/?format=nonsense")


def forbidden(site):
    site.as_("enabler").go("/p/alpha/report/redactions/")


def not_found(site):
    site.as_("enabler").go("/p/no-such-project/")


def admin_index(site):
    site.as_("admin").go("/admin/")


def admin_theme_changelist(site):
    site.as_("admin").go("/admin/coding/theme/")


def admin_theme_change(site):
    site.as_("admin").go(f"/admin/coding/theme/{site.theme.pk}/change/")


def admin_quote_changelist(site):
    site.as_("admin").go("/admin/coding/quote/")


def admin_merge_confirmation(site):
    site.as_("admin").go("/admin/coding/theme/")
    page = site.page
    for key in ("A", "B"):
        page.check(f"input[name=_selected_action][value='{site.data.themes[key].pk}']")
    page.select_option("select[name=action]", "merge_selected")
    with page.expect_navigation():
        page.click("button[name=index]")
    page.locator("input[name=apply]").wait_for(state="attached")


PAGES = [
    login_page,
    login_error,
    project_list,
    project_detail,
    theme_list,
    import_page,
    import_progress,
    import_results,
    import_error,
    speaker_review,
    coding_page,
    coding_theme_picker,
    coding_quote_dialog,
    coding_read_only,
    progress_page,
    report_summary,
    report_summary_shares,
    report_summary_reordered,
    report_cell,
    report_theme,
    report_theme_in_place,
    report_theme_filtered,
    report_theme_filtered_in_place,
    report_narrative_conflict,
    report_preview,
    report_redactions,
    report_redactions_error,
    report_review,
    report_redactions_safe,
    exchange_page,
    jobs_page,
    report_refusal,
    forbidden,
    not_found,
    admin_index,
    admin_theme_changelist,
    admin_theme_change,
    admin_quote_changelist,
    admin_merge_confirmation,
]


@pytest.mark.parametrize("visit", PAGES, ids=[visit.__name__ for visit in PAGES])
def test_page_passes_axe_wcag22_aa(site, assert_accessible, visit):
    visit(site)
    site.page.wait_for_load_state("load")
    assert_accessible(site.page, context=visit.__name__.replace("_", " "))
    assert site.page.page_errors == []


def test_html_export_is_accessible(site, assert_accessible):
    site.as_("author")
    response = site.page.request.get(f"{site.url}/p/alpha/report/export/?format=html")
    assert response.ok
    site.page.set_content(response.text())
    assert_accessible(site.page, context="HTML export")


# The focused element, whether it shows a focus indicator, and whether it is on screen.
FOCUS = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    id: el.id,
    tag: el.tagName.toLowerCase(),
    text: (el.textContent || "").trim().slice(0, 40),
    visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
      || style.boxShadow !== "none",
    onScreen: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
  };
}
"""


def tab_to(page, done: Callable[[dict], bool], limit: int = 60) -> list[dict]:
    """Press Tab until `done(focus)`; every stop on the way must show where focus is."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        stops.append(focus)
        assert focus["visible"], f"no visible focus indicator on {focus}"
        assert focus["onScreen"], f"focus is off screen on {focus}"
        if done(focus):
            return stops
    raise AssertionError(f"never reached the target; tab stops were {stops}")


def test_coding_by_keyboard_only(
    page, live_server, login, enabler, transcript, theme, project_a, make_quote, assert_accessible
):
    """From the project page to a saved, themed, memoed quote without the mouse."""
    from coding.models import Theme

    blame = Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    start = transcript.text.index("Support that was planned")
    make_quote(transcript, start, start + len("Support that was planned"), enabler, theme)
    login(page, enabler)
    page.goto(f"{live_server.url}/p/alpha/")
    tab_to(page, lambda focus: focus["text"] == transcript.title)
    page.keyboard.press("Enter")
    page.wait_for_selector("#transcript[data-ready]", state="attached")

    tab_to(page, lambda focus: focus["id"] == "transcript")
    for _ in range(len("P01: ")):
        page.keyboard.press("ArrowRight")
    for _ in range(len("We were told")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("t")
    page.get_by_role("dialog").wait_for()
    assert page.text_content("#qd-passage") == "We were told"
    assert page.evaluate("document.activeElement.id") == "qd-theme"
    assert_accessible(page, context="coding page, theme picker open from the keyboard")

    # Arrow down the listbox to "Blame culture" and apply it with Enter.
    combobox = page.get_by_role("combobox", name="Theme")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    chosen = page.get_by_role("listbox").get_by_role("option", selected=True)
    for _ in range(5):
        page.keyboard.press("ArrowDown")
        if "Blame culture" in (chosen.text_content() if chosen.count() else ""):
            break
    expect(chosen).to_contain_text("Blame culture")
    page.keyboard.press("Enter")
    page.locator("#qd-themes li", has_text="Blame culture").wait_for()

    # The memo, then its Save button, by Tab; Enter on the button saves.
    tab_to(page, lambda focus: focus["id"] == "qd-memo", limit=10)
    page.keyboard.type("Heard in most interviews")
    tab_to(page, lambda focus: focus["id"] == "qd-save-memo", limit=3)
    page.keyboard.press("Enter")
    expect(page.locator(".visually-hidden[role=status]")).to_have_text("Memo saved.")

    page.keyboard.press("Escape")
    page.wait_for_selector("#quote-dialog", state="hidden")
    assert page.evaluate("document.activeElement.id") == "transcript"
    quote = Quote.objects.get(text="We were told")
    assert list(quote.themes.all()) == [blame]
    assert quote.memo == "Heard in most interviews"
    assert page.page_errors == [] and page.dialogs == []
