"""Coding in the browser: real mouse drags and key presses in Debian Chromium.

Text positions are found with Range.getBoundingClientRect() and then dragged over
with page.mouse, so selection, the UTF-16 -> code point conversion and the server
are exercised together, as a person would.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding import services
from coding.models import Quote, Theme
from interviews.access import get_project_access
from interviews.models import Transcript

pytestmark = pytest.mark.django_db(transaction=True)

# Finds `needle` (the `occurrence`-th time) in #transcript's text, scrolls it into view
# and returns the viewport box of its first and last characters.
FIND_TEXT = """
([needle, occurrence]) => {
  const root = document.getElementById("transcript");
  const text = root.textContent;
  let at = -1;
  for (let n = 0; n <= occurrence; n++) at = text.indexOf(needle, at + 1);
  if (at < 0) return null;
  const locate = (u16) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (u16 < seen + node.data.length) return [node, u16 - seen];
      seen += node.data.length;
    }
    return null;
  };
  const charBox = (u16, width) => {
    const [node, offset] = locate(u16);
    const range = document.createRange();
    range.setStart(node, offset);
    range.setEnd(node, offset + width);
    const rects = range.getClientRects();
    return rects[rects.length - 1];
  };
  const [firstNode] = locate(at);
  firstNode.parentElement.scrollIntoView({ block: "center" });
  const lastWidth = /[\\uDC00-\\uDFFF]/.test(needle[needle.length - 1]) ? 2 : 1;
  const a = charBox(at, /[\\uD800-\\uDBFF]/.test(needle[0]) ? 2 : 1);
  const z = charBox(at + needle.length - lastWidth, lastWidth);
  return { x1: a.left + 1, y1: a.top + a.height / 2, x2: z.right - 1, y2: z.top + z.height / 2 };
}
"""


def drag_over(page, needle: str, occurrence: int = 0, *, open_dialog: bool = True) -> None:
    """Select `needle` with a real mouse drag, from inside its first to its last character,
    then (unless `open_dialog` is false) press T for the theme dialog."""
    box = page.evaluate(FIND_TEXT, [needle, occurrence])
    assert box, f"{needle!r} is not in the transcript"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()
    if open_dialog:
        page.keyboard.press("t")


def open_page(page, live_server, transcript) -> None:
    page.goto(f"{live_server.url}{transcript.get_absolute_url()}")
    page.wait_for_selector("#transcript[data-ready]", state="attached")


def apply_theme(page, typed: str, expect: str) -> None:
    combobox = page.get_by_role("combobox", name="Theme")
    combobox.fill(typed)
    combobox.press("Enter")
    page.locator("#qd-themes li", has_text=expect).wait_for()


def close_dialog(page) -> None:
    page.keyboard.press("Escape")
    page.wait_for_selector("#quote-dialog", state="hidden")


def marked_text(page, quote_id: int) -> str:
    return page.evaluate(
        '(id) => [...document.querySelectorAll(`mark[data-quote-id="${id}"]`)]'
        ".map(m => m.textContent).join('')",
        quote_id,
    )


def test_coding_a_passage_after_an_emoji_and_smart_quotes(
    page, live_server, login, enabler, transcript, theme
):
    login(page, enabler)
    open_page(page, live_server, transcript)
    for needle in ("It never did.", "“when things got bad enough”. 😊 It"):
        drag_over(page, needle)
        dialog = page.get_by_role("dialog")
        dialog.wait_for()
        assert page.text_content("#qd-passage") == needle
        apply_theme(page, "tailored", "Tailored support")
        close_dialog(page)
        quote = Quote.objects.get(text=needle)
        start = transcript.text.index(needle)  # a code-point index
        assert (quote.start, quote.end) == (start, start + len(needle))
        assert list(quote.themes.all()) == [theme]
        assert marked_text(page, quote.pk) == needle
    assert page.dialogs == [] and page.page_errors == []


@pytest.mark.parametrize(
    "text, needle",
    [
        (
            "Cafe\u0301 staff said: ثم قالوا “enough” — 𝒜 plan went wrong.\n",
            "ثم قالوا “enough” — 𝒜 plan",
        ),
        ("e\u0301e\u0301 שלום 🇬🇧 flags and 😊😊 done.\n", "שלום 🇬🇧 flags and 😊😊"),
    ],
)
def test_selection_round_trips_combining_marks_rtl_and_astral_text(
    page, live_server, login, enabler, project_a, theme, text, needle
):
    transcript = Transcript.objects.create(project=project_a, title="Mixed scripts", text=text)
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, needle)
    page.get_by_role("dialog").wait_for()
    apply_theme(page, "Tailored", "Tailored support")
    close_dialog(page)
    quote = Quote.objects.get()
    assert quote.text == text[quote.start : quote.end]
    # What was stored is what was on screen: the dialog showed the same passage.
    assert marked_text(page, quote.pk) == quote.text
    assert needle.strip() in quote.text or quote.text in needle
    assert page.page_errors == []


def test_overlapping_quotes_split_into_shared_marks(
    page, live_server, login, enabler, transcript, theme, project_a
):
    Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, "support would come")
    page.get_by_role("dialog").wait_for()
    apply_theme(page, "Tailored", "Tailored support")
    close_dialog(page)
    drag_over(page, "would come “when things")
    page.get_by_role("dialog").wait_for()
    apply_theme(page, "blame", "Blame culture")
    close_dialog(page)
    first = Quote.objects.get(text="support would come")
    second = Quote.objects.get(text="would come “when things")
    assert marked_text(page, first.pk) == first.text
    assert marked_text(page, second.pk) == second.text
    shared = page.locator(f'mark[data-quote-ids="{first.pk} {second.pk}"]')
    assert shared.count() >= 1
    assert shared.first.text_content() == "would come"
    # The same after a reload, from the server's rendering.
    open_page(page, live_server, transcript)
    assert marked_text(page, first.pk) == first.text
    assert marked_text(page, second.pk) == second.text
    assert page.locator(f'mark[data-quote-ids="{first.pk} {second.pk}"]').count() >= 1
    assert page.page_errors == []


def test_editing_deleting_and_undoing(
    page, live_server, login, enabler, transcript, theme, make_quote, project_a
):
    Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    start = transcript.text.index("support would")
    quote = make_quote(transcript, start, start + len("support would"), enabler, theme)
    login(page, enabler)
    open_page(page, live_server, transcript)
    page.click(f'mark[data-quote-id="{quote.pk}"]')
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert "Coded by enabler_a (you)" in page.text_content("#qd-meta")

    page.get_by_label("Memo").fill("Promised help that never came")
    page.get_by_role("button", name="Save memo").click()
    expect(page.locator(".visually-hidden[role=status]")).to_have_text("Memo saved.")
    quote.refresh_from_db()
    assert quote.memo == "Promised help that never came"

    apply_theme(page, "blame", "Blame culture")
    assert set(quote.themes.values_list("name", flat=True)) == {
        "Tailored support",
        "Blame culture",
    }
    page.get_by_role("button", name="Remove theme Tailored support").click()
    page.locator("#qd-themes li", has_text="Tailored support").wait_for(state="detached")
    assert list(quote.themes.values_list("name", flat=True)) == ["Blame culture"]

    passage = page.locator("#qd-passage")
    page.get_by_role("button", name="Widen end").click()
    expect(passage).to_have_text("support would come")
    page.get_by_role("button", name="Widen start").click()
    expect(passage).to_have_text("told support would come")
    page.get_by_role("button", name="Narrow end").click()
    expect(passage).to_have_text("told support would")
    page.get_by_role("button", name="Narrow start").click()
    expect(passage).to_have_text("support would")
    page.get_by_role("button", name="Widen end").click()
    expect(passage).to_have_text("support would come")
    quote.refresh_from_db()
    assert quote.text == "support would come" == transcript.text[quote.start : quote.end]
    assert marked_text(page, quote.pk) == "support would come"

    page.get_by_role("button", name="Delete quote").click()
    undo = page.locator("#toast").get_by_role("button", name="Undo")
    undo.wait_for()
    assert page.locator(f'mark[data-quote-id="{quote.pk}"]').count() == 0
    assert Quote.objects.count() == 0
    undo.click()
    page.locator(f'mark[data-quote-id="{quote.pk}"]').first.wait_for()
    restored = Quote.objects.get()
    assert restored.pk == quote.pk and restored.text == "support would come"
    assert restored.memo == "Promised help that never came"
    assert page.dialogs == [] and page.page_errors == []


def test_keyboard_only_coding(page, live_server, login, enabler, transcript, theme, project_a):
    Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    login(page, enabler)
    open_page(page, live_server, transcript)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "transcript":
            break
    assert page.evaluate("document.activeElement.id") == "transcript"
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    for _ in range(len("We were told")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("t")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    combobox = page.get_by_role("combobox", name="Theme")
    assert page.evaluate("document.activeElement.id") == "qd-theme"
    page.keyboard.type("tail")
    assert combobox.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Enter")
    page.locator("#qd-themes li", has_text="Tailored support").wait_for()
    page.keyboard.type("Blame")
    page.keyboard.press("ArrowDown")  # to "Create theme “Blame”"
    expect(page.get_by_role("listbox").get_by_role("option", selected=True)).to_have_text(
        "Create theme “Blame”"
    )
    page.keyboard.press("ArrowUp")  # back to the match
    expect(page.get_by_role("listbox").get_by_role("option", selected=True)).to_contain_text(
        "Blame culture"
    )
    page.keyboard.press("Enter")
    page.locator("#qd-themes li", has_text="Blame culture").wait_for()
    # Focus stays inside the dialog.
    for _ in range(25):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.getElementById('quote-dialog').contains(document.activeElement)"
        )
    page.keyboard.press("Escape")
    page.wait_for_selector("#quote-dialog", state="hidden")
    assert page.evaluate("document.activeElement.id") == "transcript"

    quote = Quote.objects.get()
    assert (quote.start, quote.end, quote.text) == (5, 17, "We were told")
    assert set(quote.themes.values_list("name", flat=True)) == {
        "Tailored support",
        "Blame culture",
    }

    # The caret is left at the end of the quote: Enter inside a quote opens it.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    dialog.wait_for()
    assert page.text_content("#qd-passage") == "We were told"
    page.keyboard.press("Escape")
    page.wait_for_selector("#quote-dialog", state="hidden")

    # Ctrl+Enter is the other shortcut; closing without a theme codes nothing.
    page.keyboard.press("ArrowRight")
    for _ in range(len("support")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Control+Enter")
    dialog.wait_for()
    assert page.text_content("#qd-passage") == "support"
    page.keyboard.press("Escape")
    page.wait_for_selector("#quote-dialog", state="hidden")
    assert page.evaluate("getSelection().toString()") == "support"
    assert Quote.objects.count() == 1
    assert page.page_errors == []


def test_a_new_theme_is_proposed_from_the_dialog(
    page, live_server, login, enabler, transcript, theme
):
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, "parachuted in")
    page.get_by_role("dialog").wait_for()
    combobox = page.get_by_role("combobox", name="Theme")
    combobox.fill("Parachuted support")
    page.get_by_role("option", name="Create theme “Parachuted support”").wait_for()
    combobox.press("Enter")
    # The second step: nothing is made until the proposal is confirmed.
    confirm = page.get_by_role("option", name="Propose new theme “Parachuted support”?")
    expect(confirm).to_have_attribute("aria-selected", "true")
    assert not Theme.objects.filter(name="Parachuted support").exists()
    combobox.press("Enter")
    page.locator("#qd-themes li", has_text="Parachuted support").wait_for()
    close_dialog(page)
    new = Theme.objects.get(name="Parachuted support")
    assert new.is_proposed and new.proposed_by == enabler
    assert list(Quote.objects.get().themes.all()) == [new]


def test_hostile_text_and_theme_names_stay_text(page, live_server, login, enabler, project_a):
    text = (
        "P01: Before <script>window.__xss = 1</script> and "
        '"><img src=x onerror="window.__xss = 2"> after.\n\n'
        "P02: {{7*7}} ${7*7} <svg onload=window.__xss=3>\n"
    )
    transcript = Transcript.objects.create(project=project_a, title="<b>Hostile</b>", text=text)
    Theme.objects.create(project=project_a, name="</script><script>window.__xss=4</script>")
    console = []
    page.on("console", lambda message: console.append(message.text))
    login(page, enabler)
    open_page(page, live_server, transcript)
    assert page.evaluate("document.getElementById('transcript').textContent") == text
    assert page.evaluate("window.__xss") is None
    assert page.locator("#transcript img, #transcript script, #transcript svg").count() == 0

    drag_over(page, '<img src=x onerror="window.__xss = 2">')
    page.get_by_role("dialog").wait_for()
    apply_theme(page, "</script>", "</script><script>window.__xss=4</script>")
    page.get_by_role("combobox", name="Theme").fill("<img src=x onerror=window.__xss=5>")
    page.get_by_role("combobox", name="Theme").press("Enter")
    page.get_by_role(
        "option", name="Propose new theme “<img src=x onerror=window.__xss=5>”?"
    ).wait_for()
    page.get_by_role("combobox", name="Theme").press("Enter")  # the proposal's second step
    page.locator("#qd-themes li", has_text="onerror=window.__xss=5").wait_for()
    close_dialog(page)
    quote = Quote.objects.get()
    assert quote.text == '<img src=x onerror="window.__xss = 2">'

    open_page(page, live_server, transcript)  # and again from the server's rendering
    page.click(f'mark[data-quote-id="{quote.pk}"]')
    page.get_by_role("dialog").wait_for()
    assert "</script><script>window.__xss=4</script>" in page.text_content("#qd-themes")
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []
    assert page.page_errors == []
    assert not [line for line in console if "Content Security Policy" in line]


def test_other_coders_quotes_appear_without_reload(
    page, live_server, login, enabler, project_admin, transcript, theme, make_quote, settings
):
    settings.AEFRONT_POLL_MS = 300
    login(page, enabler)
    open_page(page, live_server, transcript)
    start = transcript.text.index("What would")
    theirs = make_quote(
        transcript, start, start + len("What would have helped?"), project_admin, theme
    )
    mark = page.locator(f'mark[data-quote-id="{theirs.pk}"]')
    mark.first.wait_for()
    assert marked_text(page, theirs.pk) == "What would have helped?"
    expect(page.locator("#quote-panel")).to_contain_text("What would have helped?")
    # Theirs to read, not to change.
    mark.first.click()
    page.get_by_role("dialog").wait_for()
    assert "Coded by admin_a on" in page.text_content("#qd-meta")
    assert page.get_by_role("button", name="Delete quote").count() == 0
    close_dialog(page)
    services.delete_quote(
        access=get_project_access(project_admin, transcript.project.slug), quote=theirs
    )  # another coder deletes it
    mark.first.wait_for(state="detached")
    assert page.page_errors == []


def test_a_report_author_reads_but_cannot_code(
    page, live_server, login, author, enabler, transcript, theme, make_quote
):
    quote = make_quote(transcript, 0, 3, enabler, theme)
    login(page, author)
    open_page(page, live_server, transcript)
    drag_over(page, "support would come")
    page.wait_for_timeout(300)
    assert page.locator("#quote-dialog[open]").count() == 0
    page.click(f'mark[data-quote-id="{quote.pk}"]')
    page.get_by_role("dialog").wait_for()
    assert page.get_by_role("combobox", name="Theme").count() == 0
    assert page.get_by_role("button", name="Delete quote").count() == 0
    close_dialog(page)
    assert Quote.objects.count() == 1
    assert page.page_errors == []


def test_side_panel_link_scrolls_to_the_quote(page, live_server, login, enabler, project_a, theme):
    text = "".join(f"Paragraph {n} says something about support.\n\n" for n in range(300))
    transcript = Transcript.objects.create(project=project_a, title="Long", text=text)
    start = text.index("Paragraph 290")
    quote = Quote.objects.create(
        transcript=transcript,
        start=start,
        end=start + 13,
        text=text[start : start + 13],
        coder=enabler,
    )
    quote.themes.add(theme)
    login(page, enabler)
    open_page(page, live_server, transcript)
    mark = page.locator(f"#quote-{quote.pk}")
    assert not mark.is_visible() or mark.bounding_box()["y"] > 900
    page.locator("#quote-panel").get_by_role("link", name="Paragraph 290").click()
    page.wait_for_timeout(300)
    box = mark.bounding_box()
    assert 0 <= box["y"] <= 900
    assert page.evaluate("document.activeElement.id") == "transcript"


def test_reading_and_filters_work_without_javascript(
    chromium_browser, live_server, enabler, project_admin, transcript, theme, make_quote, project_a
):
    other = Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    mine = make_quote(transcript, 5, 17, enabler, theme)
    theirs = make_quote(transcript, 20, 40, project_admin, other)
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", enabler.get_username())
        page.fill("#id_password", "correct horse battery staple")
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}{transcript.get_absolute_url()}")
        assert page.text_content("#transcript") == transcript.text
        assert marked_text(page, mine.pk) == mine.text
        assert page.locator("#transcript").is_visible()
        page.get_by_label("Tagged with").select_option(label="Blame culture")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(f"**?theme={other.pk}&coder=")
        assert page.locator(f'mark[data-quote-id="{mine.pk}"]').count() == 0
        assert marked_text(page, theirs.pk) == theirs.text
        page.get_by_role("link", name="Show all quotes").click()
        page.get_by_label("Only my quotes").check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**mine=1")
        assert page.locator(f'mark[data-quote-id="{theirs.pk}"]').count() == 0
        assert marked_text(page, mine.pk) == mine.text
    finally:
        context.close()


OFFSET_SAMPLES = [
    "plain ascii",
    "😊 smile “quoted” 😊😊 end",
    "e\u0301 combining, 𝒜𝒜 script, שלום RTL, 🇬🇧 flag",
    "\n\nblank lines\n\n 🙂\n",
]


def test_js_offsets_agree_with_python_code_points(page, live_server, login, enabler, transcript):
    login(page, enabler)
    open_page(page, live_server, transcript)
    for sample in OFFSET_SAMPLES:
        result = page.evaluate(
            """async (text) => {
              const { TextIndex } = await import("/static/js/coding/offsets.js");
              const index = new TextIndex(text);
              const toCp = [];
              for (let u = 0; u <= text.length; u++) toCp.push(index.toCodePoints(u));
              const toU16 = [];
              for (let c = 0; c <= index.codePointLength; c++) toU16.push(index.toUtf16(c));
              return { toCp, toU16, length: index.codePointLength };
            }""",
            sample,
        )
        assert result["length"] == len(sample)
        # Python code point c starts at this UTF-16 offset:
        starts = [len(sample[:c].encode("utf-16-le")) // 2 for c in range(len(sample) + 1)]
        assert result["toU16"] == starts
        for c, u16 in enumerate(starts):
            assert result["toCp"][u16] == c


def test_a_drag_that_starts_and_ends_mid_word_codes_the_whole_words(
    page, live_server, login, enabler, transcript, theme
):
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, "lanned with us, not parach")
    page.get_by_role("dialog").wait_for()
    assert page.text_content("#qd-passage") == "planned with us, not parachuted"
    apply_theme(page, "tailored", "Tailored support")
    close_dialog(page)
    quote = Quote.objects.get()
    assert quote.text == "planned with us, not parachuted"
    assert quote.text == transcript.text[quote.start : quote.end]
    assert page.page_errors == []


def test_a_save_answered_503_is_retried_with_backoff_until_it_lands(
    page, live_server, login, enabler, transcript, theme
):
    """The database is away for two tries: the passage stays in the dialog, the status
    says when the next try is, and the quote lands once the server answers."""
    refused = []

    def outage(route):
        if route.request.method == "POST" and len(refused) < 2:
            refused.append(route.request.post_data_json["uuid"])
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body='{"error": "aefront cannot reach its database just now."}',
            )
        else:
            route.continue_()

    login(page, enabler)
    open_page(page, live_server, transcript)
    page.route(f"**/transcripts/{transcript.pk}/quotes/", outage)
    needle = "It never did."
    drag_over(page, needle)
    page.get_by_role("dialog").wait_for()
    combobox = page.get_by_role("combobox", name="Theme")
    combobox.fill("tailored")
    combobox.press("Enter")

    status = page.locator("#qd-status")
    expect(status).to_have_text("Saving… retrying in 1 s")
    assert status.get_attribute("aria-live") == "polite"
    # Closing now would lose the work: the dialog stays, with the passage.
    page.keyboard.press("Escape")
    expect(page.locator("#qd-passage")).to_have_text(needle)
    assert page.get_by_role("dialog").is_visible()
    expect(status).to_have_text("Saving… retrying in 2 s")  # the backoff doubles

    page.locator("#qd-themes li", has_text="Tailored support").wait_for(timeout=8_000)
    expect(status).to_have_text("")
    expect(page.locator("#qd-error")).to_have_text("")
    close_dialog(page)
    quote = Quote.objects.get()
    assert quote.text == needle and list(quote.themes.all()) == [theme]
    assert len(refused) == 2 and refused[0] == refused[1]  # one key: a retry, not a copy
    assert marked_text(page, quote.pk) == needle
    assert page.page_errors == []


# --- the codebook beside the text: coding in one action ---------------------------------


def codebook_button(page, name: str):
    return page.locator("#codebook-list button.cb-code", has_text=name)


def test_a_click_in_the_codebook_codes_the_selection_in_one_action(
    page, live_server, login, enabler, transcript, theme, project_a, make_quote, assert_accessible
):
    blame = Theme.objects.create(
        project=project_a,
        name="Blame culture",
        colour="#e91e63",
        description="Staff fear being blamed.",
    )
    other = Transcript.objects.create(project=project_a, title="Other", text="One two three.")
    make_quote(other, 0, 3, enabler, blame)
    login(page, enabler)
    open_page(page, live_server, transcript)
    expect(codebook_button(page, "Blame culture")).to_contain_text("0 here · 1 in project")
    assert_accessible(page, context="coding page with the codebook")

    drag_over(page, "support would come", open_dialog=False)
    expect(page.locator("#quote-dialog")).to_be_hidden()
    codebook_button(page, "Blame culture").click()  # the second and last action
    quote_mark = page.locator("#transcript mark.q")
    quote_mark.first.wait_for()
    quote = Quote.objects.get(transcript=transcript)
    assert quote.text == "support would come"
    assert list(quote.themes.all()) == [blame]
    assert marked_text(page, quote.pk) == "support would come"
    expect(page.locator("#quote-dialog")).to_be_hidden()
    expect(codebook_button(page, "Blame culture")).to_contain_text("1 here · 2 in project")
    expect(page.locator("#toast")).to_contain_text("Coded with Blame culture.")
    assert_accessible(page, context="coding page after a one-action coding")

    # The toast's Undo takes the new quote away again (a soft delete on the server).
    page.locator("#toast").get_by_role("button", name="Undo").click()
    expect(page.locator("#toast")).to_contain_text("Coding undone.")
    assert not Quote.objects.filter(transcript=transcript).exists()
    assert Quote.all_objects.filter(transcript=transcript).count() == 1
    expect(codebook_button(page, "Blame culture")).to_contain_text("0 here · 1 in project")

    # Typing filters the codebook; a definition opens from its button; it collapses.
    page.get_by_label("Filter themes").fill("blame")
    expect(codebook_button(page, "Tailored support")).to_be_hidden()
    page.get_by_role("button", name="Definition of Blame culture").click()
    expect(page.locator("#codebook-list .cb-def")).to_have_text("Staff fear being blamed.")
    assert_accessible(page, context="codebook filtered, definition open")
    page.get_by_role("button", name="Hide codebook").click()
    expect(page.locator("#codebook-list")).to_be_hidden()
    page.get_by_role("button", name="Show codebook").click()
    expect(codebook_button(page, "Blame culture")).to_be_visible()
    assert page.dialogs == [] and page.page_errors == []


def test_number_keys_and_repeat_last_code_by_keyboard(
    page, live_server, login, enabler, transcript, theme, project_a
):
    Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    login(page, enabler)
    open_page(page, live_server, transcript)
    # Tree order: "Blame culture" is 1, "Tailored support" is 2.
    expect(codebook_button(page, "Tailored support").locator(".cb-key")).to_have_text("2")
    page.locator("#transcript").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    for _ in range(len("We were told")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("2")
    page.locator("#transcript mark.q").first.wait_for()
    first = Quote.objects.get()
    assert first.text == "We were told"
    assert list(first.themes.values_list("name", flat=True)) == ["Tailored support"]
    assert page.evaluate("document.activeElement.id") == "transcript"
    expect(page.locator("#quote-dialog")).to_be_hidden()

    # R codes the next selection with the last theme again.
    page.keyboard.press("ArrowRight")
    for _ in range(len("support")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("r")
    expect(page.locator("#transcript mark.q")).to_have_count(2)
    second = Quote.objects.exclude(pk=first.pk).get()
    assert second.text == "support"
    assert list(second.themes.values_list("name", flat=True)) == ["Tailored support"]

    # The same passage with another number adds that theme to the same quote.
    for _ in range(len("support")):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("1")
    expect(codebook_button(page, "Blame culture")).to_contain_text("1 here")
    assert Quote.objects.count() == 2
    assert set(second.themes.values_list("name", flat=True)) == {
        "Tailored support",
        "Blame culture",
    }
    assert page.page_errors == []


def test_a_report_author_sees_the_codebook_but_cannot_code_from_it(
    page, live_server, login, author, transcript, theme
):
    login(page, author)
    open_page(page, live_server, transcript)
    expect(page.locator("#codebook-list .cb-code", has_text="Tailored support")).to_be_visible()
    assert page.locator("#codebook-list button.cb-code").count() == 0
    assert page.page_errors == []


def test_a_typo_and_enter_offers_the_close_theme_and_makes_nothing(
    page, live_server, login, enabler, transcript, theme, assert_accessible
):
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, "parachuted in")
    page.get_by_role("dialog").wait_for()
    combobox = page.get_by_role("combobox", name="Theme")
    combobox.fill("Tailord suport")
    combobox.press("Enter")  # on "Create theme “Tailord suport”"
    close = page.get_by_role("option", name="Did you mean Tailored support?")
    expect(close).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("option", name="Propose new theme “Tailord suport”?")).to_be_visible()
    assert_accessible(page, context="the proposal's confirmation step")
    combobox.press("Enter")  # the close name, highlighted first
    page.locator("#qd-themes li", has_text="Tailored support").wait_for()
    close_dialog(page)
    assert Theme.objects.count() == 1
    assert list(Quote.objects.get().themes.all()) == [theme]
    assert page.page_errors == []


def test_hover_or_caret_on_a_highlight_lists_its_themes_and_coders(
    page,
    live_server,
    login,
    enabler,
    author,
    transcript,
    theme,
    project_a,
    make_quote,
    assert_accessible,
):
    blame = Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    start = transcript.text.index("support would")
    mine = make_quote(transcript, start, start + len("support would come"), enabler, theme, blame)
    other = make_quote(transcript, start, start + len("support"), author, theme)
    login(page, enabler)
    open_page(page, live_server, transcript)
    tip = page.locator("#mark-tip")
    page.hover(f'mark[data-quote-ids="{mine.pk} {other.pk}"]')
    expect(tip).to_be_visible()
    expect(tip.locator("li")).to_have_text(
        ["Blame culture, Tailored support · enabler_a (you)", "Tailored support · author_a"]
    )
    assert_accessible(page, context="highlight details on hover")
    page.mouse.move(5, 5)
    expect(tip).to_be_hidden()

    # By keyboard: the caret inside a highlight shows the same, Escape dismisses it.
    page.locator("#transcript").focus()
    page.evaluate(
        "(id) => getSelection().collapse("
        "document.querySelector(`mark[data-quote-ids='${id}']`).firstChild, 1)",
        mine.pk,
    )
    page.keyboard.press("ArrowRight")  # within " would come", coded by enabler only
    expect(tip.locator("li")).to_have_text(["Blame culture, Tailored support · enabler_a (you)"])
    assert "mark-tip" in page.get_attribute("#transcript", "aria-describedby")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    assert page.page_errors == []


def test_margin_stripes_can_be_switched_off(
    page, live_server, login, enabler, transcript, theme, make_quote, assert_accessible
):
    start = transcript.text.index("support would")
    make_quote(transcript, start, start + len("support would"), enabler, theme)
    login(page, enabler)
    open_page(page, live_server, transcript)
    stripes = page.locator("#transcript .turn-stripes").first
    expect(stripes).to_be_visible()
    page.get_by_label("Coding stripes in the margin").uncheck()
    expect(stripes).to_be_hidden()
    assert_accessible(page, context="coding page without stripes")
    open_page(page, live_server, transcript)  # remembered in this browser
    expect(page.get_by_label("Coding stripes in the margin")).not_to_be_checked()
    expect(page.locator("#transcript .turn-stripes").first).to_be_hidden()
    page.get_by_label("Coding stripes in the margin").check()
    expect(page.locator("#transcript .turn-stripes").first).to_be_visible()
    assert page.page_errors == []


def test_dragging_the_selection_onto_a_theme_codes_it(
    page, live_server, login, enabler, transcript, theme, project_a
):
    blame = Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")
    login(page, enabler)
    open_page(page, live_server, transcript)
    drag_over(page, "parachuted in", open_dialog=False)
    box = page.evaluate(FIND_TEXT, ["parachuted in", 0])
    target = codebook_button(page, "Blame culture").bounding_box()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y1"])
    page.mouse.down()
    page.mouse.move(target["x"] + 20, target["y"] + target["height"] / 2, steps=8)
    page.mouse.move(target["x"] + 30, target["y"] + target["height"] / 2, steps=2)
    page.mouse.up()
    page.locator("#transcript mark.q").first.wait_for()
    quote = Quote.objects.get()
    assert quote.text == "parachuted in"
    assert list(quote.themes.all()) == [blame]
    expect(page.locator("#quote-dialog")).to_be_hidden()
    assert page.page_errors == []
