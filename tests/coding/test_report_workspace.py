"""The theme workspace: in-place actions (fragments), bulk actions, quote filters and
sort, the surrounding turn, and quotes set inline in the narrative."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from coding.models import Quote, ThemeSummary
from coding.report import authoring
from coding.report.exports.docx import write_docx
from coding.report.exports.rows import ExportOptions, build_report
from coding.report.workspace import QuoteFilter, theme_workspace
from tests.coding.export_setup import write_up
from tests.coding.report_data import add_bulk_quotes, build

IN_PLACE = {"HTTP_X_FRAGMENT": "workspace"}


@pytest.fixture
def data(project_a, enabler, project_admin, author):
    return write_up(build(project_a, enabler, project_admin), author)


def url(name, data, theme="A"):
    return reverse(
        f"report:{name}",
        kwargs={"project_slug": data.project.slug, "theme_id": data.themes[theme].pk},
    )


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'<(?:li|p|form|div|input|span)[^>]* id="([^"]+)"', html))


# --- in place ------------------------------------------------------------------------------


def test_clearing_in_place_answers_the_changed_fragments(client, data, author):
    client.force_login(author)
    q2 = data.quotes["q2"]
    response = client.post(url("clearance", data), {"quote": q2.pk, "cleared": "1"}, **IN_PLACE)
    assert response.status_code == 200
    html = response.content.decode()
    assert {f"q{q2.pk}", "workspace-status", "headlines-form", "published-quotes"} <= ids_in(html)
    assert "Saved: Quote cleared for publication." in html
    card = html[html.index(f'id="q{q2.pk}"') :]
    assert "Withdraw clearance" in card[: card.index("</li>")]
    q2.refresh_from_db()
    assert q2.is_cleared
    # q2 is headline 3 of A: once cleared it is in the published preview.
    published = html[html.index('id="published-quotes"') :]
    assert "The region named [name] in every call" in published


def test_the_plain_form_still_redirects(client, data, author):
    client.force_login(author)
    q2 = data.quotes["q2"]
    response = client.post(url("clearance", data), {"quote": q2.pk, "cleared": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#q{q2.pk}")


def test_headline_add_in_place_and_refusals_name_the_reason(client, data, author):
    client.force_login(author)
    q = data.quotes
    shown = f"{q['q7'].pk},{q['q1'].pk},{q['q2'].pk}"
    posted = [q["q7"].pk, q["q1"].pk, q["q2"].pk]
    response = client.post(
        url("headlines", data),
        {"action": f"add:{q['q5'].pk}", "expected": shown, "quote": posted},
        **IN_PLACE,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{shown},{q["q5"].pk}"' in html  # the new expected list
    assert f'id="q{q["q5"].pk}"' in html and "headline 4" in html
    # The page still shows the old list: 409, and the status says why.
    stale = client.post(
        url("headlines", data),
        {"action": f"remove:{q['q7'].pk}", "expected": shown, "quote": posted},
        **IN_PLACE,
    )
    assert stale.status_code == 409
    assert "Not saved: Another author changed the headline quotes" in stale.content.decode()
    assert "headlines-form" not in ids_in(stale.content.decode())


def test_narrative_saved_in_place_gives_the_new_version(client, data, author):
    client.force_login(author)
    summary = ThemeSummary.objects.get(theme=data.themes["A"])
    response = client.post(
        url("narrative", data),
        {"narrative": "New text about Jane Smith.", "version": summary.version},
        **IN_PLACE,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="version" value="{summary.version + 1}"' in html
    assert "New text about [name]." in html  # the published preview, redacted
    # A stale version is a conflict: the script then posts the form itself.
    stale = client.post(
        url("narrative", data), {"narrative": "Mine", "version": summary.version}, **IN_PLACE
    )
    assert stale.status_code == 409


def test_bulk_clear_unclear_and_headline(client, data, author):
    client.force_login(author)
    q = data.quotes
    picked = [q["q2"].pk, q["q5"].pk]
    response = client.post(url("bulk", data), {"quote": picked, "action": "unclear"}, **IN_PLACE)
    assert response.status_code == 200
    assert "Clearance withdrawn from 2 quotes." in response.content.decode()
    assert not Quote.objects.filter(pk__in=picked, is_cleared=True).exists()
    response = client.post(url("bulk", data), {"quote": picked, "action": "clear"}, **IN_PLACE)
    assert Quote.objects.filter(pk__in=picked, is_cleared=True).count() == 2
    response = client.post(url("bulk", data), {"quote": picked, "action": "headline"}, **IN_PLACE)
    assert "1 of 2 quotes added to the headlines." in response.content.decode()  # q2 was one
    summary = ThemeSummary.objects.get(theme=data.themes["A"])
    assert list(summary.headlines.values_list("quote_id", flat=True)) == [
        q["q7"].pk, q["q1"].pk, q["q2"].pk, q["q5"].pk
    ]  # fmt: skip
    # Without the script: a redirect to the list.
    plain = client.post(url("bulk", data), {"quote": picked, "action": "clear"})
    assert plain.status_code == 302 and plain["Location"].endswith("#quotes")


@pytest.mark.parametrize(
    "post, message",
    [
        ({"action": "clear"}, "Select at least one quote first."),
        ({"quote": ["x"], "action": "clear"}, "Selected quotes"),
        ({"quote": ["1"], "action": "explode"}, "Action"),
    ],
)
def test_bulk_bad_input(client, data, author, post, message):
    client.force_login(author)
    response = client.post(url("bulk", data), post, **IN_PLACE)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bulk_refuses_a_quote_of_another_theme(client, data, author):
    client.force_login(author)
    q3 = data.quotes["q3"]  # theme B only
    response = client.post(url("bulk", data), {"quote": [q3.pk], "action": "unclear"})
    assert response.status_code == 400
    assert f"Quote {q3.pk} is not a live quote of this theme." in response.content.decode()
    q3.refresh_from_db()
    assert q3.is_cleared


def test_enabler_may_not_act(client, data, enabler):
    client.force_login(enabler)
    response = client.post(
        url("bulk", data), {"quote": [data.quotes["q2"].pk], "action": "clear"}, **IN_PLACE
    )
    assert response.status_code == 403


def queries(client, action) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = action()
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


def test_in_place_actions_cost_the_same_at_10_and_1000_quotes(
    client, data, author, enabler, monkeypatch
):
    # The session's "last seen" is written once a minute: not within this test's counts.
    monkeypatch.setattr("aefront.session_timeout.TOUCH_EVERY", 10**9)
    client.force_login(author)
    theme = data.themes["A"]
    q = data.quotes

    def actions():
        summary = ThemeSummary.objects.get(theme=theme)
        ids = list(summary.headlines.order_by("position").values_list("quote_id", flat=True))
        return {
            "clear": lambda: client.post(
                url("clearance", data), {"quote": q["q2"].pk, "cleared": "1"}, **IN_PLACE
            ),
            "unclear": lambda: client.post(
                url("clearance", data), {"quote": q["q2"].pk, "cleared": "0"}, **IN_PLACE
            ),
            "down": lambda: client.post(
                url("headlines", data),
                {"action": f"down:{ids[0]}", "quote": ids, "expected": ",".join(map(str, ids))},
                **IN_PLACE,
            ),
            "bulk": lambda: client.post(
                url("bulk", data),
                {"quote": [q["q5"].pk, q["q1"].pk], "action": "clear"},
                **IN_PLACE,
            ),  # fmt: skip
            "filter": lambda: client.get(
                url("theme", data) + "?cleared=no&sort=position&page=2", **IN_PLACE
            ),
        }

    add_bulk_quotes(data.transcripts["T3"], enabler, [theme], 10)
    small = {name: queries(client, act) for name, act in actions().items()}
    add_bulk_quotes(data.transcripts["T3"], enabler, [theme], 990)
    large = {name: queries(client, act) for name, act in actions().items()}
    assert large == small
    assert max(small.values()) <= 30, small


# --- the quote list ------------------------------------------------------------------------


def listed(data, **chosen) -> list[str]:
    workspace = theme_workspace(data.project, data.themes["A"], chosen=QuoteFilter(**chosen))
    keys = {quote.pk: key for key, quote in data.quotes.items()}
    return [keys[view.quote.pk] for view in workspace.quotes]


def test_quote_list_filters_and_sorts(data, enabler):
    assert listed(data) == ["q1", "q2", "q4", "q5", "q7"]
    assert listed(data, system_id=data.systems["Northfield"].pk) == ["q1", "q2", "q4"]
    assert listed(data, org_type="primary_care") == ["q7"]
    assert listed(data, participant_id=data.participants["P03"].pk) == ["q5"]
    assert listed(data, coder_id=data.quotes["q4"].coder_id) == ["q4"]
    assert listed(data, cleared="no") == ["q2", "q4"]
    assert listed(data, cleared="yes", sort="position") == ["q1", "q5", "q7"]
    # By position in the interview: quotes early in their interview first.
    assert listed(data, sort="position")[:2] == ["q1", "q5"]  # both at offset 0


def test_quote_list_filter_form_on_the_page(client, data, author):
    client.force_login(author)
    page = url("theme", data)
    html = client.get(page + f"?participant={data.participants['P03'].pk}").content.decode()
    assert "1 of 5 quotes match the filters." in html
    listing = html[html.index('id="quote-list"') :]
    assert len(re.findall(r'<li id="q\d+"', listing)) == 1
    bad = client.get(page + "?participant=999999&sort=sideways")
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "That participant is not part of this project." in text and "Sort by" in text


def test_quote_filters_answer_the_quote_list_alone_for_the_script(client, data, enabler):
    """The page's script asks with X-Fragment: the list alone, for every member."""
    client.force_login(enabler)
    page = url("theme", data)
    query = f"?participant={data.participants['P03'].pk}&sort=position"
    response = client.get(page + query, **IN_PLACE)
    assert response.status_code == 200 and response["X-Fragment"] == "workspace"
    assert "X-Fragment" in response["Vary"] and "X-Fragment" in client.get(page)["Vary"]
    html = response.content.decode()
    assert '<div id="quote-results">' in html
    assert "<html" not in html and "1 of 5 quotes match the filters." in html
    assert len(re.findall(r'<li id="q\d+"', html)) == 1
    assert 'data-inplace-get data-key="clear-filters"' in html
    # The full page has the same list inside it, and the form the script sends.
    full = client.get(page + query).content.decode()
    assert '<form method="get" action="#quotes" class="quote-filters"' in full
    assert "data-inplace-get" in full and '<div id="quote-results">' in full
    in_list = full[full.index('<div id="quote-results">') :]
    for query in ("?sort=position", "?cleared=no", "?system=" + str(data.systems["Eastmoor"].pk)):
        alone = client.get(page + query, **IN_PLACE).content.decode()
        whole = client.get(page + query).content.decode()
        whole = whole[whole.index('<div id="quote-results">') :]
        assert re.findall(r'<li id="q(\d+)"', alone) == re.findall(r'<li id="q(\d+)"', whole)
    assert re.findall(r'<li id="q(\d+)"', in_list) == [str(data.quotes["q5"].pk)]
    # Refused filters: the page with its errors (the script then loads it), not a fragment.
    bad = client.get(page + "?participant=999999", **IN_PLACE)
    assert bad.status_code == 400 and "X-Fragment" not in bad
    assert "That participant is not part of this project." in bad.content.decode()


def test_each_quote_shows_its_surrounding_turn_and_links_to_the_coding_page(data):
    workspace = theme_workspace(data.project, data.themes["A"])
    q7 = next(view for view in workspace.quotes if view.quote.pk == data.quotes["q7"].pk)
    assert q7.before == "P05: " and q7.after == " Tailored support came late.\n"
    q1 = next(view for view in workspace.quotes if view.quote.pk == data.quotes["q1"].pk)
    assert q1.before == "" and "A deleted passage" not in q1.after  # its paragraph only
    assert q7.quote.get_absolute_url().endswith(f"#quote-{q7.quote.pk}")


# --- inline quotes -------------------------------------------------------------------------


def narrate(data, author, theme, text):
    summary = ThemeSummary.objects.get(theme=data.themes[theme])
    authoring.save_narrative(
        project=data.project, theme=data.themes[theme], narrative=text,
        version=summary.version, user=author,
    )  # fmt: skip


def test_an_inline_quote_is_published_redacted_and_only_once_cleared(data, author):
    q1, q2 = data.quotes["q1"], data.quotes["q2"]
    narrate(data, author, "A", f"It was, said one chief executive, [[quote:{q1.pk}]] Also "
                                f"[[quote:{q2.pk}]] here.")  # fmt: skip
    report = build_report(project=data.project)
    blame = next(section for section in report.sections if section.heading == "Blame culture")
    assert "“We were blamed, and [name]'s team needed tailored support.”" in blame.narrative
    assert "SMITH" not in blame.narrative and "[[quote" not in blame.narrative
    assert blame.narrative.endswith("Also here.")  # q2 is not cleared: dropped
    assert any("1 inline quote dropped" in warning for warning in blame.warnings)
    everything = build_report(project=data.project, options=ExportOptions(all_quotes=True))
    blame = next(s for s in everything.sections if s.heading == "Blame culture")
    assert "The region named [name] in every call" in blame.narrative
    out = io.BytesIO()
    write_docx(report, out)
    text = "\n".join(p.text for p in Document(io.BytesIO(out.getvalue())).paragraphs)
    assert "[name]'s team needed tailored support" in text and "Jane Smith" not in text


def test_an_inline_quote_must_be_one_of_the_themes(data, author):
    q3 = data.quotes["q3"]  # theme B
    with pytest.raises(authoring.AuthoringError, match=f"Quote {q3.pk} set inline"):
        narrate(data, author, "A", f"See [[quote:{q3.pk}]].")


def test_the_narrative_editor_shows_counts_and_the_insert_control(client, data, author):
    client.force_login(author)
    html = client.get(url("theme", data)).content.decode()
    editor = html[html.index('class="narrative-editor"') :]
    assert "Raised by 4 of 5 interviewees in 3 of 3 systems" in editor[:4000]
    assert f'value="[[quote:{data.quotes["q7"].pk}]]"' in html


# --- what the report contains --------------------------------------------------------------


def outline(data, **options):
    report = build_report(project=data.project, options=ExportOptions(**options))
    return [(section.heading, section.level) for section in report.sections], report


def test_inclusion_is_set_on_the_theme_page_in_place_and_by_form(client, data, author):
    client.force_login(author)
    assert outline(data)[0] == [("Tailored support", 1), ("Blame culture", 1)]
    response = client.post(url("inclusion", data, "B"), {"in_report": "0"}, **IN_PLACE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved: Left out of the report." in html and 'id="inclusion"' in html
    assert "Put this theme in the report" in html
    headings, report = outline(data)
    assert headings == [("Blame culture", 1)]
    left = {str(item).split(":")[0]: str(item) for item in report.not_included}
    assert left["Tailored support"] == (
        "Tailored support: 4 quotes, 2 cleared, a narrative, 1 headline quote, left out by an "
        "author — not in the report"
    )
    plain = client.post(url("inclusion", data, "B"), {"in_report": "1"})
    assert plain.status_code == 302 and plain["Location"].endswith("#inclusion")
    assert client.post(url("inclusion", data, "B"), {"in_report": "maybe"}).status_code == 400


def test_an_included_parent_with_children_is_a_section_with_sub_headings(client, data, author):
    client.force_login(author)
    target = reverse("report:contents", kwargs={"project_slug": data.project.slug})
    themes = data.themes
    response = client.post(target, {"theme": [themes["A"].pk, themes["C"].pk]})
    assert response.status_code == 302 and response["Location"].endswith("#contents")
    headings, report = outline(data)
    assert headings == [("Blame culture", 1), ("Four-hour target", 2)]
    assert [str(item).split(":")[0] for item in report.not_included] == [
        "Tailored support", "Shared ownership"
    ]  # fmt: skip
    out = io.BytesIO()
    write_docx(report, out)
    styles = [(p.style.name, p.text) for p in Document(io.BytesIO(out.getvalue())).paragraphs]
    assert ("Heading 1", "Blame culture") in styles and ("Heading 2", "Four-hour target") in styles
    # The summary page shows the checklist as saved.
    html = client.get(reverse("report:summary", kwargs={"project_slug": data.project.slug}))
    page = html.content.decode()
    assert re.search(rf'value="{themes["C"].pk}" id="in-{themes["C"].pk}" checked', page)
    assert not re.search(rf'value="{themes["B"].pk}" id="in-{themes["B"].pk}" checked', page)
    bad = client.post(target, {"theme": ["999999"]})
    assert (
        bad.status_code == 400 and "Theme 999999 is not in this project." in bad.content.decode()
    )


def test_a_child_without_its_parent_is_a_section_of_its_own(data, author):
    authoring.set_report_contents(
        project=data.project, included_ids=[data.themes["C"].pk], user=author
    )
    assert outline(data)[0] == [("Four-hour target", 1)]


def test_an_authors_quote_list_alone_is_the_one_in_the_page_forms_and_all(
    client, data, project_admin
):
    """The cards' forms (clearance, headlines) are the same in the list alone as in the
    whole page: the script swaps one for the other."""
    client.force_login(project_admin)
    page = url("theme", data)
    masked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

    def results(html: str) -> str:
        part = html[html.index('<div id="quote-results">') :]
        return masked.sub("", part[: part.index("</ol>")])

    alone = results(client.get(page + "?sort=position", **IN_PLACE).content.decode())
    whole = results(client.get(page + "?sort=position").content.decode())
    assert alone == whole
    clearance = reverse("report:clearance", args=[data.project.slug, data.themes["A"].pk])
    assert alone.count(f'action="{clearance}"') == len(re.findall(r'<li id="q\d+"', alone)) > 1
