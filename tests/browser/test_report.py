"""An author picks headline quotes, orders them, clears them, and downloads the DOCX."""

import pytest
from docx import Document

from interviews.models import OrganisationType, Participant
from tests.coding.report_data import build

pytestmark = pytest.mark.django_db(transaction=True)


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def mark_page(page) -> None:
    """A flag on the window: a navigation (a reload) would lose it."""
    page.wait_for_load_state("load")  # the page's module has run
    page.evaluate("() => { window.stillHere = true; }")


def assert_no_navigation(page) -> None:
    assert page.evaluate("() => window.stillHere === true"), "the page was reloaded"


def wait_saved(page, text: str) -> None:
    page.wait_for_function(
        "text => document.getElementById('workspace-status').textContent.includes(text)", arg=text
    )


def test_author_chooses_orders_and_downloads_headline_quotes(
    page, live_server, login, author, enabler, project_admin, project_a
):
    """Everything on the theme page happens in place: no action reloads the page."""
    data = build(project_a, enabler, project_admin)
    q1, q5, q7 = (data.quotes[k].pk for k in ("q1", "q5", "q7"))
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/")
    page.get_by_role("link", name="Blame culture", exact=True).click()
    page.wait_for_selector("h1:has-text('Blame culture')")
    mark_page(page)

    page.fill("#id_narrative", "Blame travels down from the region.")
    assert page.locator("#narrative-dirty").is_visible()
    page.click("button:has-text('Save narrative')")
    wait_saved(page, "Saved: Narrative saved.")
    assert page.locator("#narrative-dirty").is_hidden()
    assert "Blame travels down" in page.locator("#published-narrative").inner_text()

    for pk in (q5, q1, q7):
        page.click(f"#q{pk} button.add-headline")
        page.wait_for_selector(f"#headline-list li[data-id='{pk}']")
        page.click(f"#q{pk} form.inline button")  # clear for publication
        page.wait_for_selector(f"#q{pk}.cleared")
    order = page.eval_on_selector_all(
        "#headline-list li[data-id]", "els => els.map(e => e.dataset.id)"
    )
    assert order == [str(q5), str(q1), str(q7)]

    # q7 to the top, with the keyboard: focus stays on its Up button after each move.
    page.focus(f"#headline-list li[data-id='{q7}'] button[value='up:{q7}']")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelector('#headline-list li[data-id]:nth-child(2)').dataset.id"
        f" === '{q7}'"
    )
    assert page.evaluate("() => document.activeElement.dataset.key") == f"up-{q7}"
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelector('#headline-list li[data-id]').dataset.id === '{q7}'"
    )
    order = page.eval_on_selector_all(
        "#headline-list li[data-id]", "els => els.map(e => e.dataset.id)"
    )
    assert order == [str(q7), str(q5), str(q1)]
    assert_no_navigation(page)

    page.get_by_role("link", name="Preview and download").click()
    page.wait_for_selector("h1:has-text('Preview and download')")
    assert (
        page.locator(".report-preview").get_by_text("[name]'s practice felt blamed.").is_visible()
    )
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download Word (DOCX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    document = Document(download.path())
    quotes = [p.text for p in document.paragraphs if p.style.name == "Intense Quote"]
    assert quotes == [
        "“[name]'s practice felt blamed.”",
        "“[name] told us blame is everywhere.”",
        "“We were blamed, and [name]'s team needed tailored support.”",
    ]
    texts = [p.text for p in document.paragraphs]
    assert "Blame travels down from the region." in texts
    assert "Raised by 4 of 5 interviewees in 3 of 3 systems." in texts
    assert page.page_errors == []
    assert page.dialogs == []


def test_bulk_clearing_filters_and_inline_quotes_without_a_reload(
    page, live_server, login, author, enabler, project_admin, project_a
):
    data = build(project_a, enabler, project_admin)
    q1, q2, q5 = (data.quotes[k].pk for k in ("q1", "q2", "q5"))
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/themes/{data.themes['A'].pk}/")
    mark_page(page)
    for pk in (q1, q2, q5):
        page.check(f"#pick-{pk}")
    page.get_by_role("button", name="Clear for publication", exact=True).first.click()
    wait_saved(page, "Saved: 3 quotes cleared for publication.")
    for pk in (q1, q2, q5):
        assert page.locator(f"#q{pk}").get_attribute("class").endswith("cleared")
        assert not page.is_checked(f"#pick-{pk}")  # the selection is spent
    page.check(f"#pick-{q2}")
    page.check(f"#pick-{q5}")
    page.locator("#bulk-form").get_by_role("button", name="Add to headlines").click()
    wait_saved(page, "2 of 2 quotes added to the headlines.")
    assert page.eval_on_selector_all(
        "#headline-list li[data-id]", "els => els.map(e => Number(e.dataset.id))"
    ) == [q2, q5]
    # A refusal is said in the status line, and nothing is lost.
    page.locator("#bulk-form").get_by_role("button", name="Withdraw clearance").click()
    wait_saved(page, "Not saved: Selected quotes: Select at least one quote first.")
    # The surrounding turn opens in place; the quote links to the coding page.
    q7 = data.quotes["q7"].pk
    context = page.locator(f"#q{q7} details.context")
    context.locator("summary").click()
    assert "practice felt blamed" in context.locator("mark").inner_text()
    assert "Tailored support came late." in context.inner_text()  # the rest of the turn
    link = page.locator(f"#q{q1} .attribution a")
    assert link.get_attribute("href").endswith(f"#quote-{q1}")
    # A quote goes into the narrative at the cursor, as its token.
    page.fill("#id_narrative", "As one put it: ")
    page.locator(f"#q{q5} .insert-quote").click()
    assert page.input_value("#id_narrative") == f"As one put it: [[quote:{q5}]]"
    page.click("button:has-text('Save narrative')")
    wait_saved(page, "Saved: Narrative saved.")
    published = page.locator("#published-narrative").inner_text()
    assert "As one put it: “[name] told us blame is everywhere.”" in published
    assert_no_navigation(page)
    # The filters apply in place too: the list shows one participant's quotes.
    page.select_option("#id_participant", label="P03")
    page.get_by_role("button", name="Show quotes").click()
    page.wait_for_function("() => document.querySelectorAll('#quote-list > li[id]').length === 1")
    assert_no_navigation(page)
    assert page.page_errors == []


def test_quote_filters_sort_and_pages_apply_in_place_and_the_address_follows(
    page, live_server, login, author, enabler, project_admin, project_a
):
    """The no-JS GET form, run by the page's script: no reload, and a reloadable address."""
    data = build(project_a, enabler, project_admin)
    theme_url = f"{live_server.url}/p/alpha/report/themes/{data.themes['A'].pk}/"
    login(page, enabler)  # any member filters; only authors act
    page.goto(theme_url)
    mark_page(page)
    p05 = data.participants["P05"].pk
    page.select_option("#id_participant", label="P05")
    page.select_option("#id_sort", "position")
    page.focus("button[data-key='show-quotes']")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('quotes-shown').textContent.includes('1 of 5 quotes')"
    )
    assert_no_navigation(page)
    assert page.locator("#quote-list > li[id]").count() == 1
    assert f"participant={p05}" in page.url and "sort=position" in page.url
    assert page.evaluate("() => document.activeElement.dataset.key") == "show-quotes"
    assert "1 of 5 quotes match the filters." in page.locator("#quotes-status").inner_text()
    # The address is the filtered view: reloading it shows the same list.
    filtered = page.url
    page.reload()
    assert page.locator("#quote-list > li[id]").count() == 1
    assert page.input_value("#id_participant") == str(p05)
    # Clearing the filters, in place: the form follows the list.
    mark_page(page)
    page.get_by_role("link", name="Clear the filters").click()
    page.wait_for_function("() => document.querySelectorAll('#quote-list > li[id]').length === 5")
    assert_no_navigation(page)
    assert page.input_value("#id_participant") == ""
    assert "participant=" not in page.url and page.url != filtered
    assert page.page_errors == []


def test_heatmap_cells_as_shares_of_participants_by_keyboard(
    page, live_server, login, enabler, project_admin, project_a
):
    data = build(project_a, enabler, project_admin)
    login(page, enabler)
    page.goto(f"{live_server.url}/p/alpha/report/")
    switch = page.get_by_role("link", name="shares of participants")
    switch.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "values=shares" in page.url
    expect_current = page.locator(".chart-values a[aria-current='true']")
    assert expect_current.inner_text() == "shares of participants"
    legend = page.locator("#chart-systems .heat-legend").inner_text()
    assert "darkest 100% of participants" in legend and "lightest 1%" in legend
    east = data.systems["Eastmoor"]
    cell = page.locator(
        f"#chart-systems a.cell-link[href*='/themes/{data.themes['A'].pk}/quotes/?in_system={east.pk}']"
    )
    assert cell.get_attribute("aria-label") == (
        "Blame culture × Eastmoor: 50% of participants, show the quotes"
    )
    cell.focus()  # drilling in still works: the quotes behind the cell
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Blame culture: quotes in Eastmoor')")
    assert page.locator(".cell-quotes li").count() == 1  # q7, by P05 (P04 did not raise it)
    page.go_back()
    page.get_by_role("link", name="quote counts").click()
    page.wait_for_selector("#chart-systems .heat-legend:has-text('darkest 3 quotes')")
    assert page.page_errors == []


def test_ordering_the_report_on_the_summary_page_in_place(
    page, live_server, login, author, enabler, project_admin, project_a
):
    from tests.coding.export_setup import write_up

    data = write_up(build(project_a, enabler, project_admin), author)
    a, b = data.themes["A"].pk, data.themes["B"].pk
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/")
    mark_page(page)

    def order():
        return page.eval_on_selector_all(
            "#order-list li[data-id]", "els => els.map(e => Number(e.dataset.id))"
        )

    assert order() == [b, a]  # write_up puts Tailored support first
    # By keyboard: Down on Tailored support, in place.
    page.focus(f"#order-list button[value='down:{b}']")
    page.keyboard.press("Enter")
    wait_saved(page, "Saved: Order of themes saved.")
    assert order() == [a, b]
    # Its Down button is now disabled (last): focus goes to the status line.
    assert page.evaluate("() => document.activeElement.id") == "workspace-status"
    # By drag, then Save this order (still in place).
    save = page.locator("#order-form .save-order")
    assert save.is_hidden()
    page.locator(f"#order-list li[data-id='{b}'] .order-name").drag_to(
        page.locator(f"#order-list li[data-id='{a}'] .order-name"),
        target_position={"x": 5, "y": 2},
    )
    assert save.is_visible()
    save.click()
    page.wait_for_function("() => document.querySelector('#order-form .save-order').hidden")
    assert order() == [b, a]
    assert_no_navigation(page)
    page.reload()  # and it is stored
    assert order() == [b, a]
    page.goto(f"{live_server.url}/p/alpha/report/preview/")
    assert page.locator("#order-form .order-name").first.inner_text() == "Tailored support"
    assert page.page_errors == []


def test_inclusion_on_the_theme_page_and_order_in_the_preview(
    page, live_server, login, author, enabler, project_admin, project_a
):
    from tests.coding.export_setup import write_up

    data = write_up(build(project_a, enabler, project_admin), author)
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/themes/{data.themes['C'].pk}/")
    mark_page(page)
    page.get_by_role("button", name="Put this theme in the report").click()
    wait_saved(page, "Saved: In the report.")
    assert page.get_by_role("button", name="Leave this theme out of the report").is_visible()
    assert_no_navigation(page)
    page.goto(f"{live_server.url}/p/alpha/report/preview/")
    # Blame culture is a section, its child a sub-heading under it.
    headings = page.eval_on_selector_all(
        ".report-preview .report-section > :first-child",
        "els => els.map(e => [e.tagName, e.textContent])",
    )
    assert headings == [
        ["H3", "Tailored support"], ["H3", "Blame culture"], ["H4", "Four-hour target"]
    ]  # fmt: skip
    # Tailored support down, by keyboard (the Down button posts the order).
    page.focus(f"#order-form button[value='down:{data.themes['B'].pk}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    names = page.locator("#order-form .order-name").all_inner_texts()
    assert names[0] == "Blame culture" and "Tailored support" in names[-1]
    # Left out from the summary page's checklist.
    page.goto(f"{live_server.url}/p/alpha/report/")
    page.uncheck(f"#in-{data.themes['A'].pk}")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the report's themes").click()
    page.goto(f"{live_server.url}/p/alpha/report/preview/")
    left = page.locator("#left-out .left-out-list li").all_inner_texts()
    assert any(item.startswith("Blame culture: 5 quotes") and "left out by an author" in item
               for item in left)  # fmt: skip
    assert page.page_errors == []


def test_dragging_a_headline_then_saving_the_order(
    page, live_server, login, author, enabler, project_admin, project_a
):
    from coding.report import authoring

    data = build(project_a, enabler, project_admin)
    ids = [data.quotes[k].pk for k in ("q1", "q2", "q5")]
    authoring.set_headlines(
        project=project_a, theme=data.themes["A"], quote_ids=ids, expected=None, user=author
    )
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/themes/{data.themes['A'].pk}/")
    save = page.locator("#headlines-form .save-order")
    assert save.is_hidden()
    source = page.locator(f"#headline-list li[data-id='{ids[2]}'] blockquote")
    target = page.locator(f"#headline-list li[data-id='{ids[0]}'] blockquote")
    source.drag_to(target, target_position={"x": 5, "y": 2})
    assert save.is_visible()
    mark_page(page)
    save.click()
    wait_saved(page, "Saved: Headline quotes saved.")
    assert_no_navigation(page)
    page.reload()  # and it is stored
    order = page.eval_on_selector_all(
        "#headline-list li[data-id]", "els => els.map(e => Number(e.dataset.id))"
    )
    assert order == [ids[2], ids[0], ids[1]]
    assert page.page_errors == []


def test_theme_table_fits_1366_px_with_its_header_and_theme_column_in_view(
    page, live_server, login, author, enabler, project_admin, project_a
):
    build(project_a, enabler, project_admin)
    for n, org in enumerate(OrganisationType.values):  # every organisation type present
        Participant.objects.create(
            project=project_a, pseudonym=f"X{n:02d}", role_title="lead", organisation_type=org
        )
    page.set_viewport_size({"width": 1366, "height": 700})
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] == 1366  # the page never scrolls sideways
    region = page.get_by_role("region", name="Every theme with its quotes")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth")  # nor does the table
    # The organisation types are one stacked bar per row; their columns are still in the
    # table for screen readers.
    assert page.locator(".report-table tbody svg.org-bar").count() == 3  # D has no quotes
    headers = page.eval_on_selector_all(
        ".report-table thead th.org", "els => els.map(e => e.textContent.trim())"
    )
    assert len(headers) == len(OrganisationType.values)
    sticky = page.eval_on_selector(".report-table thead th", "e => getComputedStyle(e).position")
    assert sticky == "sticky"
    # Keyboard: the region is still reachable, for a narrower window.
    page.get_by_role("link", name="Clear filters").focus()
    page.keyboard.press("Tab")
    assert region.evaluate("e => e === document.activeElement")
    assert page.page_errors == []


def test_preview_lists_what_is_left_out_and_why(
    page, live_server, login, author, enabler, project_admin, project_a
):
    from tests.coding.export_setup import write_up

    write_up(build(project_a, enabler, project_admin), author)
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/preview/")
    page.get_by_role("link", name="what is left out and why").focus()
    page.keyboard.press("Enter")  # by keyboard: the in-page link moves to the list
    page.wait_for_function("() => location.hash === '#left-out'")
    left_out = page.locator("#left-out .left-out-list li")
    assert left_out.all_inner_texts() == [
        "Blame culture › Four-hour target: 2 quotes, 0 cleared, no narrative and no headline "
        "quotes — not in the report",
        "Shared ownership: 0 quotes, 0 cleared, no narrative and no headline quotes — not in "
        "the report",
    ]
    warning = page.locator("#left-out .report-warnings li")
    assert warning.inner_text().startswith("Blame culture: 5 quotes, 3 cleared; 1 headline")
    with page.expect_navigation():
        warning.get_by_role("link", name="Blame culture").click()
    page.wait_for_selector("h1:has-text('Blame culture')")
    assert page.page_errors == []


def test_author_downloads_the_pdf_from_the_preview(
    page, live_server, login, author, enabler, project_admin, project_a
):
    import io

    from pypdf import PdfReader

    from tests.coding.export_setup import write_up

    write_up(build(project_a, enabler, project_admin), author)
    login(page, author)
    page.goto(f"{live_server.url}/p/alpha/report/preview/")
    button = page.get_by_role("button", name="Download PDF")
    button.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Tailored support" in text and "Blame culture" in text
    assert "“[name]'s practice felt blamed.”" in text
    assert "DRAFT —" in reader.pages[-1].extract_text()
    assert page.page_errors == []


def test_drilling_into_a_heatmap_cell_by_keyboard_and_by_click(
    page, live_server, login, enabler, project_admin, project_a
):
    data = build(project_a, enabler, project_admin)
    a = data.themes["A"]
    login(page, enabler)
    page.goto(f"{live_server.url}/p/alpha/report/")
    northfield = data.systems["Northfield"]
    target = page.locator(
        f"#chart-systems a.cell-link[href$='/themes/{a.pk}/quotes/?in_system={northfield.pk}']"
    )
    assert target.get_attribute("aria-label") == (
        "Blame culture × Northfield: 3 quotes, show the quotes"
    )
    target.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Blame culture: quotes in Northfield')")
    assert page.locator(".cell-quotes li").count() == 3  # q1, q2 (T1) and q4 (T2)
    page.go_back()
    pair = page.locator("#chart-cooccurrence a.cell-link[href*='with_theme=']").first
    with page.expect_navigation():
        pair.click()
    page.wait_for_selector("h1:has-text('also coded')")
    assert page.locator(".cell-quotes li").count() >= 1
    assert page.page_errors == []


def test_the_codebook_page_indents_sub_themes(
    page, live_server, login, enabler, project_admin, project_a
):
    build(project_a, enabler, project_admin)
    login(page, enabler)
    page.goto(f"{live_server.url}/p/alpha/themes/")
    padding = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.codebook-table tbody th')]
            .map(th => [th.querySelector('a').textContent,
                        parseFloat(getComputedStyle(th).paddingLeft)]))"""
    )
    assert padding["Four-hour target"] >= padding["Blame culture"] + 16  # one level in
    with page.expect_navigation():
        page.get_by_role("link", name="Four-hour target", exact=True).click()
    page.wait_for_selector("h1:has-text('Four-hour target')")
    assert page.page_errors == []
