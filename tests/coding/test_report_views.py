import io
import re
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from coding.models import HeadlineQuote, Quote, RedactionTerm, ThemeSummary
from tests.coding.export_setup import real_names_in, write_up
from tests.coding.report_data import add_bulk_quotes, build


@pytest.fixture
def data(project_a, enabler, project_admin, author):
    return write_up(build(project_a, enabler, project_admin), author)


def url(name, data, **kwargs):
    return reverse(f"report:{name}", kwargs={"project_slug": data.project.slug, **kwargs})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- permissions ---------------------------------------------------------------------------

READ_PAGES = ["summary", "theme", "cell"]
AUTHOR_PAGES = ["preview", "review", "redactions", "export"]


def page_url(name, data):
    if name == "theme":
        return url("theme", data, theme_id=data.themes["A"].pk)
    if name == "export":
        return url("export", data) + "?format=csv"
    if name == "cell":
        return url("cell", data, theme_id=data.themes["A"].pk) + (
            f"?in_system={data.systems['Northfield'].pk}"
        )
    return url(name, data)


@pytest.mark.parametrize("name", READ_PAGES + AUTHOR_PAGES)
def test_author_and_admin_reach_every_page(client, data, author, project_admin, name):
    for user in (author, project_admin):
        client.force_login(user)
        response = client.get(page_url(name, data))
        assert response.status_code == 200, (user, name)


@pytest.mark.parametrize("name", READ_PAGES)
def test_enabler_reads_summaries(client, data, enabler, name):
    client.force_login(enabler)
    response = client.get(page_url(name, data))
    assert response.status_code == 200
    assert b'action="/p/alpha/report/themes/' not in response.content  # no write forms


@pytest.mark.parametrize("name", AUTHOR_PAGES)
def test_enabler_may_not_preview_export_or_see_the_redaction_list(client, data, enabler, name):
    client.force_login(enabler)
    assert client.get(page_url(name, data)).status_code == 403


@pytest.mark.parametrize("name", READ_PAGES + AUTHOR_PAGES)
def test_outsider_gets_404(client, data, outsider, name):
    client.force_login(outsider)
    assert client.get(page_url(name, data)).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES + AUTHOR_PAGES)
def test_anonymous_is_sent_to_login(client, data, name):
    response = client.get(page_url(name, data))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def post_targets(data):
    theme = data.themes["A"].pk
    term = RedactionTerm.objects.get(project=data.project)
    return {
        "narrative": (url("narrative", data, theme_id=theme), {"narrative": "x", "version": 1}),
        "headlines": (
            url("headlines", data, theme_id=theme),
            {"action": f"add:{data.quotes['q5'].pk}", "expected": "x"},
        ),
        "clearance": (
            url("clearance", data, theme_id=theme),
            {"quote": data.quotes["q2"].pk, "cleared": "1"},
        ),
        "order": (url("order", data), {"action": "save", "theme": [theme]}),
        "redactions": (url("redactions", data), {"term": "Someone Else"}),
        "redaction_delete": (url("redaction_delete", data, term_id=term.pk), {}),
    }


def test_enabler_may_not_write(client, data, enabler):
    client.force_login(enabler)
    for name, (target, payload) in post_targets(data).items():
        assert client.post(target, payload).status_code == 403, name
    assert ThemeSummary.objects.get(theme=data.themes["A"]).narrative.startswith("Blame")
    assert RedactionTerm.objects.count() == 1


def test_outsider_and_anonymous_may_not_write(client, data, outsider):
    for name, (target, payload) in post_targets(data).items():
        response = client.post(target, payload)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    client.force_login(outsider)
    for name, (target, payload) in post_targets(data).items():
        assert client.post(target, payload).status_code == 404, name
    assert RedactionTerm.objects.count() == 1


def test_posts_need_a_csrf_token(data, author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    for name, (target, payload) in post_targets(data).items():
        assert client.post(target, payload).status_code == 403, name


def test_wrong_method_is_405_for_members(client, data, author):
    client.force_login(author)
    assert client.post(url("summary", data)).status_code == 405
    assert client.get(url("narrative", data, theme_id=data.themes["A"].pk)).status_code == 405


# --- summary page ------------------------------------------------------------------------


def test_summary_page_table_charts_and_downloads(client, data, author):
    client.force_login(author)
    response = client.get(url("summary", data))
    html = response.content.decode()
    assert "Blame culture" in html and "Four-hour target" in html and "Shared ownership" in html
    assert '4 <span class="of">of 4</span>' in html  # Blame culture: 4 of 4 interviews
    assert html.count("<svg") - html.count('<svg class="org-bar"') == 4
    assert html.count('<div class="sr-only"><table>') == 4
    for label in ("Word (DOCX)", "Markdown", "Printable HTML", "Quotes (CSV)", "Quotes (XLSX)"):
        assert f"Download {label}" in html
    assert 'href="/p/alpha/report/"' in html  # nav link in base.html


def test_summary_wide_table_and_charts_scroll_in_labelled_focusable_regions(client, data, author):
    client.force_login(author)
    html = client.get(url("summary", data)).content.decode()
    regions = re.findall(
        r'<div class="(table-scroll|chart-scroll)" role="region" '
        r'aria-labelledby="([^"]+)" tabindex="0">',
        html,
    )
    assert [kind for kind, _ in regions] == ["table-scroll"] + ["chart-scroll"] * 4
    for _, label_id in regions:
        label = re.search(rf'id="{label_id}">([^<]+)<', html)
        assert label and label.group(1).strip(), label_id
    assert html.count('role="region"') == 5


def test_summary_sorts_server_side(client, data, author):
    client.force_login(author)
    html = client.get(url("summary", data) + "?sort=-quotes").content.decode()
    order = [html.index(name) for name in ("Blame culture</a>", "Tailored support</a>",
                                           "Four-hour target</a>", "Shared ownership</a>")]  # fmt: skip
    assert order == sorted(order)
    assert 'aria-sort="descending"' in html


def test_summary_filters_and_bad_filters(client, data, author, project_b):
    client.force_login(author)
    east = data.systems["Eastmoor"].pk
    html = client.get(url("summary", data) + f"?system={east}").content.decode()
    assert "<strong>1</strong> interview," in html
    other = project_b.local_systems.create(name="Elsewhere")
    response = client.get(url("summary", data) + f"?system={other.pk}&date_from=2018-13-01")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Local system: That local system is not part of this project." in text
    assert "Interviewed from: Enter a valid date." in text
    response = client.get(url("summary", data) + "?date_from=2018-05-01&date_to=2018-01-01")
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_summary_heatmaps_switch_between_counts_and_shares(client, data, author):
    client.force_login(author)
    east = data.systems["Eastmoor"].pk
    counts = client.get(url("summary", data) + f"?sort=-quotes&system={east}").content.decode()
    links = re.findall(r'<nav class="chart-values".*?</nav>', counts, re.S)[0]
    # Plain links (no script needed), keeping the filters and the sort; counts by default.
    assert f'href="?system={east}&amp;sort=-quotes&amp;values=shares#charts"' in links
    assert re.search(r'aria-current="true"><strong>quote counts</strong>', links)
    assert "darkest 2 quotes" in counts
    response = client.get(url("summary", data) + "?values=shares")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'aria-current="true"><strong>shares of participants</strong>', html)
    assert "Of each local system&#x27;s participants, the share who raised the theme." in html
    assert "darkest 100% of participants" in html
    assert "Blame culture × Eastmoor: 50% of participants, show the quotes" in html
    # The chart downloads follow the switch.
    assert "/report/charts/systems.svg?values=shares" in html
    svg = client.get(url("chart", data, key="systems", fmt="svg") + "?values=shares").content
    assert "Blame culture × Eastmoor: 50% of participants".encode() in svg
    bad = client.get(url("summary", data) + "?values=ratios")
    assert bad.status_code == 400
    assert "values: “ratios” is not a choice: use counts or shares." in bad.content.decode()
    chart = client.get(url("chart", data, key="systems", fmt="svg") + "?values=ratios")
    assert chart.status_code == 400


def test_summary_page_orders_the_report_in_place_and_by_form(client, data, author):
    client.force_login(author)
    a, b = data.themes["B"].pk, data.themes["A"].pk  # write_up puts B first
    html = client.get(url("summary", data)).content.decode()
    order = html[html.index('<section id="order"') :].split("</section>")[0]
    assert 'name="back" value="summary"' in order and "data-inplace" in order
    assert order.index(f'data-id="{a}"') < order.index(f'data-id="{b}"')
    # In place: the status and the order list again, with B now first.
    response = client.post(url("order", data), {"action": f"up:{b}", "theme": [a, b],
                           "back": "summary"}, HTTP_X_FRAGMENT="workspace")  # fmt: skip
    assert response.status_code == 200 and response["X-Fragment"] == "workspace"
    fragment = response.content.decode()
    assert "Saved: Order of themes saved." in fragment
    assert fragment.index(f'data-id="{b}"') < fragment.index(f'data-id="{a}"')
    assert 'id="order"' in fragment and 'id="workspace-status"' in fragment
    refused = client.post(url("order", data), {"action": "up:x", "theme": [a]},
                          HTTP_X_FRAGMENT="workspace")  # fmt: skip
    assert (
        refused.status_code == 400
        and "Not saved: action: Unknown action “up:x”." in refused.content.decode()
    )
    # Without the script: back to the page the list was on.
    plain = client.post(url("order", data), {"action": f"up:{a}", "theme": [b, a],
                        "back": "summary"})  # fmt: skip
    assert plain.status_code == 302 and plain["Location"] == url("summary", data) + "#order"
    html = client.get(url("summary", data)).content.decode()
    order = html[html.index('<section id="order"') :].split("</section>")[0]
    assert order.index(f'data-id="{a}"') < order.index(f'data-id="{b}"')
    plain = client.post(url("order", data), {"action": "save", "theme": [a, b]})
    assert plain["Location"] == url("preview", data) + "#order"


# --- theme page ----------------------------------------------------------------------------


def test_theme_page_lists_quotes_with_attribution_and_transcript_links(client, data, author):
    client.force_login(author)
    html = client.get(url("theme", data, theme_id=data.themes["A"].pk)).content.decode()
    assert "Chief executive, acute trust (P01, Northfield)" in html
    assert data.quotes["q1"].get_absolute_url() in html
    assert "Raised by 4 of 5 interviewees in 3 of 3 systems" in html
    assert "may identify its speaker" in html
    assert "Published as:" in html and "[name]&#x27;s team" in html
    assert data.quotes["q9"].text not in html  # deleted


def test_theme_of_another_project_is_404(client, data, author, theme_b):
    client.force_login(author)
    assert client.get(url("theme", data, theme_id=theme_b.pk)).status_code == 404


def test_narrative_conflict_shows_both_texts(data, author, project_admin):
    theme = data.themes["A"]
    first, second = Client(), Client()
    first.force_login(author)
    second.force_login(project_admin)
    target = url("narrative", data, theme_id=theme.pk)
    version = ThemeSummary.objects.get(theme=theme).version
    assert (
        second.post(target, {"narrative": "Admin wrote this.", "version": version}).status_code
        == 302
    )
    response = first.post(target, {"narrative": "Author wrote that.", "version": version})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this narrative" in html
    assert "Admin wrote this." in html and "Author wrote that." in html
    assert f'name="version" value="{version + 1}"' in html
    assert ThemeSummary.objects.get(theme=theme).narrative == "Admin wrote this."
    # The author merges and saves from the version the conflict page carried.
    response = first.post(target, {"narrative": "Merged.", "version": version + 1})
    assert response.status_code == 302
    assert ThemeSummary.objects.get(theme=theme).narrative == "Merged."


def test_narrative_bad_input(client, data, author):
    client.force_login(author)
    target = url("narrative", data, theme_id=data.themes["A"].pk)
    response = client.post(target, {"narrative": "x" * 20_001, "version": "1"})
    assert response.status_code == 400
    assert "Narrative: Ensure this value has at most 20000 characters" in response.content.decode()
    assert client.post(target, {"narrative": "x", "version": "-3"}).status_code == 400


def test_headlines_add_move_remove_through_forms(client, data, author):
    client.force_login(author)
    theme = data.themes["C"]
    target = url("headlines", data, theme_id=theme.pk)
    q4, q6 = data.quotes["q4"].pk, data.quotes["q6"].pk
    assert client.post(target, {"action": f"add:{q4}", "expected": ""}).status_code == 302
    assert (
        client.post(
            target, {"action": f"add:{q6}", "expected": f"{q4}", "quote": [q4]}
        ).status_code
        == 302
    )
    assert (
        client.post(
            target, {"action": f"up:{q6}", "expected": f"{q4},{q6}", "quote": [q4, q6]}
        ).status_code
        == 302
    )
    summary = ThemeSummary.objects.get(theme=theme)
    assert list(summary.headlines.values_list("quote_id", flat=True)) == [q6, q4]
    # A page that still shows the old list is refused with 409.
    response = client.post(target, {"action": f"remove:{q4}", "expected": f"{q4},{q6}",
                                    "quote": [q4, q6]})  # fmt: skip
    assert response.status_code == 409
    assert "Another author changed the headline quotes" in response.content.decode()
    response = client.post(target, {"action": f"add:{data.quotes['q1'].pk}",
                                    "expected": f"{q6},{q4}", "quote": [q6, q4]})  # fmt: skip
    assert response.status_code == 400
    assert "is not a live quote of the theme" in response.content.decode()
    assert client.post(target, {"action": "explode:1", "expected": ""}).status_code == 400


def test_clearance_through_the_form(client, data, author, transcript_b, outsider):
    client.force_login(author)
    target = url("clearance", data, theme_id=data.themes["A"].pk)
    q2 = data.quotes["q2"]
    assert client.post(target, {"quote": q2.pk, "cleared": "1"}).status_code == 302
    q2.refresh_from_db()
    assert q2.is_cleared
    foreign = Quote.objects.create(
        transcript=transcript_b, start=0, end=3, text="P01", coder=outsider
    )
    assert client.post(target, {"quote": foreign.pk, "cleared": "1"}).status_code == 400
    foreign.refresh_from_db()
    assert not foreign.is_cleared


# --- the quotes behind a chart cell -------------------------------------------------------


def cell_texts(client, data, theme_key, query) -> list[str]:
    response = client.get(url("cell", data, theme_id=data.themes[theme_key].pk) + query)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    return re.findall(r'<blockquote class="quote-text">(.*?)</blockquote>', html, re.S)


def test_each_heatmap_cell_links_to_as_many_quotes_as_it_counts(client, data, enabler):
    from coding.report.summaries import Filters, summarise

    client.force_login(enabler)
    summary = summarise(data.project)
    a, b = data.themes["A"].pk, data.themes["B"].pk
    for system in data.systems.values():
        texts = cell_texts(client, data, "A", f"?in_system={system.pk}")
        assert len(texts) == summary.system_matrix.get(a, {}).get(system.pk, 0), system
    for org, _ in summary.org_types:
        texts = cell_texts(client, data, "A", f"?in_org={org}")
        assert len(texts) == summary.org_matrix.get(a, {}).get(org, 0), org
    assert len(cell_texts(client, data, "A", f"?with_theme={b}")) == summary.cooccurrence[(a, b)]
    # The summary's filters narrow the cell as they narrow the chart.
    eastmoor = data.systems["Eastmoor"].pk
    texts = cell_texts(client, data, "A", f"?with_theme={b}&system={eastmoor}")
    assert len(texts) == summarise(
        data.project, Filters(local_system_id=eastmoor)
    ).cooccurrence.get((a, b), 0)
    page = client.get(url("summary", data)).content.decode()
    assert page.count("Colour scale: ") == 3  # a legend under each heatmap
    assert f'href="/p/alpha/report/themes/{a}/quotes/?in_system={eastmoor}"' in page
    assert f'href="/p/alpha/report/themes/{a}/quotes/?with_theme={b}"' in page or (
        f'href="/p/alpha/report/themes/{b}/quotes/?with_theme={a}"' in page
    )
    filtered = client.get(url("summary", data) + f"?system={eastmoor}").content.decode()
    assert f"?in_system={eastmoor}&amp;system={eastmoor}" in filtered


def test_cell_page_shows_quotes_with_links_to_the_coding_page(client, data, enabler):
    client.force_login(enabler)
    northfield = data.systems["Northfield"].pk
    response = client.get(
        url("cell", data, theme_id=data.themes["A"].pk) + f"?in_system={northfield}"
    )
    html = response.content.decode()
    assert "Blame culture: quotes in Northfield" in html
    assert data.quotes["q1"].get_absolute_url() in html


@pytest.mark.parametrize(
    "query", ["", "?in_system=999999", "?in_org=nonsense", "?in_org=acute_trust&with_theme=1"]
)
def test_cell_page_refuses_a_cell_that_is_not_one(client, data, enabler, query):
    client.force_login(enabler)
    response = client.get(url("cell", data, theme_id=data.themes["A"].pk) + query)
    assert response.status_code == 400


def test_cell_page_of_another_projects_theme_is_404(client, data, enabler, theme_b):
    client.force_login(enabler)
    northfield = data.systems["Northfield"].pk
    answer = client.get(url("cell", data, theme_id=theme_b.pk) + f"?in_system={northfield}")
    assert answer.status_code == 404


# --- preview, order, redactions, downloads -------------------------------------------------------


def test_preview_shows_exactly_what_is_published(client, data, author):
    client.force_login(author)
    html = client.get(url("preview", data)).content.decode()
    assert "Support worked when planned with [hospital]." in html
    assert "[name]&#x27;s practice felt blamed." in html
    assert "— a GP lead of a primary care organisation" in html
    assert real_names_in(html.split('<article class="report-preview"')[1].split("</article>")[0]
                         .replace("&#x27;", "'")) == []  # fmt: skip
    assert "2 themes in the report, 2 left out, 1 with a warning" in html
    left_out = html.split('id="left-out"')[1].split("</section>")[0]
    assert "Shared ownership: 0 quotes, 0 cleared, no narrative and no headline quotes" in left_out
    assert "Blame culture</a>: 5 quotes, 3 cleared; 1 headline quote left out" in left_out


def test_report_order_through_the_form(client, data, author):
    client.force_login(author)
    a, b = data.themes["A"].pk, data.themes["B"].pk
    response = client.post(url("order", data), {"action": f"up:{a}", "theme": [b, a]})
    assert response.status_code == 302
    positions = dict(
        ThemeSummary.objects.filter(position__isnull=False).values_list("theme_id", "position")
    )
    assert positions == {a: 1, b: 2}
    assert client.post(url("order", data), {"action": "up:x", "theme": [a]}).status_code == 400


def test_redaction_list_add_and_remove(client, data, author, project_b):
    client.force_login(author)
    html = client.get(url("redactions", data)).content.decode()
    assert "Northfield General" in html
    assert "Jane Smith" not in html  # real names are never shown
    response = client.post(url("redactions", data), {"term": "Dr Who", "replacement": "[doctor]"})
    assert response.status_code == 302
    response = client.post(url("redactions", data), {"term": "dr who"})
    assert (
        response.status_code == 400
        and "already on the redaction list" in response.content.decode()
    )
    term = RedactionTerm.objects.get(term="Dr Who")
    assert client.post(url("redaction_delete", data, term_id=term.pk)).status_code == 302
    other = RedactionTerm.objects.create(project=project_b, term="Beta name")
    assert client.post(url("redaction_delete", data, term_id=other.pk)).status_code == 404
    assert RedactionTerm.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("md", "text/markdown; charset=utf-8"),
        ("html", "text/html; charset=utf-8"),
        ("pdf", "application/pdf"),
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_downloads(client, data, author, fmt, content_type):
    client.force_login(author)
    response = client.get(
        url("export", data) + f"?format={fmt}&system={data.systems['Eastmoor'].pk}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    assert response["Cache-Control"] == "no-store"
    content = body(response)
    if fmt in ("docx", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    elif fmt == "pdf":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    else:
        text = content.decode("utf-8")
    text = text.replace("&apos;", "'").replace("&#x27;", "'")
    assert real_names_in(text) == []
    assert "Support was planned with us" not in text  # Northfield quote, outside the filter
    if fmt != "csv":
        assert "felt blamed" in text
    if fmt == "csv":
        assert type(response).__name__ == "StreamingHttpResponse"  # generated while sent


def test_download_bad_input(client, data, author):
    client.force_login(author)
    response = client.get(url("export", data) + "?format=exe")
    assert response.status_code == 400
    assert "Format: Select a valid choice." in response.content.decode()
    assert client.get(url("export", data) + "?format=csv&coder=999999").status_code == 400


# --- query counts ----------------------------------------------------------------------------


def count(client, target) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(target)
        assert response.status_code == 200, target
        body(response)
    return len(captured.captured_queries)


def test_query_counts_are_the_same_for_10_and_1000_quotes(
    client, data, author, enabler, monkeypatch
):
    # The session's "last seen" is written once a minute: not within this test's counts.
    monkeypatch.setattr("aefront.session_timeout.TOUCH_EVERY", 10**9)
    client.force_login(author)
    themes = [data.themes["A"], data.themes["B"]]
    add_bulk_quotes(data.transcripts["T3"], enabler, themes, 2)  # 10 live quotes
    assert HeadlineQuote.objects.count() == 4  # the report has headline quotes to render
    targets = [url("summary", data), url("summary", data) + "?values=shares",
               url("theme", data, theme_id=data.themes["A"].pk),
               url("preview", data), url("review", data),
               url("cell", data, theme_id=data.themes["A"].pk) + f"?with_theme={themes[1].pk}"] + [
        url("export", data) + f"?format={fmt}&all_quotes=on"
        for fmt in ("docx", "md", "html", "pdf", "csv", "xlsx")
    ]  # fmt: skip
    for target in targets:  # warm Django's caches (content types of the audit trail)
        count(client, target)
    small = {target: count(client, target) for target in targets}
    add_bulk_quotes(data.transcripts["T3"], enabler, themes, 990)
    large = {target: count(client, target) for target in targets}
    assert large == small
    # The redaction set alone is 8 fixed queries; the XLSX and the preview (which shows
    # the spreadsheets too) add the summary's tally and the quote rows.
    assert max(small.values()) <= 52


def test_an_empty_project_renders_every_page_and_export(client, author, project_a):
    client.force_login(author)
    slug = project_a.slug
    for target in (f"/p/{slug}/report/", f"/p/{slug}/report/preview/"):
        response = client.get(target)
        assert response.status_code == 200, target
    assert "No themes in this project" in client.get(f"/p/{slug}/report/").content.decode()
    for fmt in ("docx", "md", "html", "pdf", "csv", "xlsx"):
        response = client.get(f"/p/{slug}/report/export/?format={fmt}")
        assert response.status_code == 200, fmt
        assert len(body(response)) > 0


def test_preview_shows_the_spreadsheets_as_the_download_writes_them(client, data, author):
    import io

    from openpyxl import load_workbook

    client.force_login(author)
    html = client.get(url("preview", data)).content.decode()
    sheets = html[html.index('id="spreadsheets"') : html.index('id="left-out"')]
    assert "Summary sheet" in sheets and "Quotes sheet" in sheets
    workbook = load_workbook(io.BytesIO(body(client.get(url("export", data) + "?format=xlsx"))))
    for row in workbook["Summary"].iter_rows(min_row=2, values_only=True):
        cells = "".join(f"<td>{value}</td>" for value in row[1:])
        assert cells in sheets.replace("&#x27;", "'")
    first_quote = [c.value for c in workbook["Quotes"][2]]
    assert f"<td>{first_quote[0]}</td>" in sheets.replace("&#x27;", "'")
