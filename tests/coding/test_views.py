"""coding/views.py: the transcript (coding) page and the theme list."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coding import services
from coding.models import AnchorFlag, Quote, Theme
from interviews.access import get_project_access
from interviews.models import Membership, SpeakerTurn, Transcript
from tests.coding.marks import quote_texts, read_transcript, transcript_text

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}} ${7*7}",
    "\u202etxt.exe",
]


def page(client, transcript, **params):
    return client.get(transcript.get_absolute_url(), params)


def coding_data(response) -> dict:
    html = response.content.decode()
    match = re.search(
        r'<script id="coding-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page must embed its data with json_script"
    return json.loads(match.group(1))


# --- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["enabler", "author", "project_admin"])
def test_members_see_the_page(client, request, transcript, who):
    client.force_login(request.getfixturevalue(who))
    response = page(client, transcript)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_outsider_gets_404(client, outsider, transcript):
    client.force_login(outsider)
    assert page(client, transcript).status_code == 404


def test_member_of_a_gets_404_for_a_transcript_of_b_under_a(client, enabler, transcript_b):
    client.force_login(enabler)
    url = reverse("coding:transcript", args=["alpha", transcript_b.pk])
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_login(client, transcript):
    response = page(client, transcript)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- what the page shows ------------------------------------------------------------


def test_transcript_text_is_exact_and_quotes_are_marks(
    client, enabler, transcript, theme, make_quote
):
    start = transcript.text.index("It never")
    one = make_quote(transcript, 0, 30, enabler, theme)
    two = make_quote(transcript, 20, start + 8, enabler, theme)
    three = make_quote(transcript, 5, 10, enabler, theme)
    client.force_login(enabler)
    html = page(client, transcript).content.decode()
    assert transcript_text(html) == transcript.text
    texts = quote_texts(html)
    for quote in (one, two, three):
        assert texts[quote.pk] == quote.text
        assert html.count(f'id="quote-{quote.pk}"') == 1
    assert f'data-quote-ids="{one.pk} {two.pk}"' in html


def test_speaker_turns_show_pseudonyms_never_raw_labels(client, enabler, transcript, participant):
    text = transcript.text
    first_end = text.index("\n")
    second_start = text.index("Interviewer")
    SpeakerTurn.objects.create(
        transcript=transcript,
        index=0,
        start=0,
        end=first_end,
        participant=participant,
        speaker_label="Dr Jane Realname",
    )
    SpeakerTurn.objects.create(
        transcript=transcript,
        index=1,
        start=second_start,
        end=text.index("\n", second_start),
        is_interviewer=True,
        speaker_label="Interviewer",
    )
    client.force_login(enabler)
    html = page(client, transcript).content.decode()
    assert 'class="turn" data-speaker="P01"' in html
    assert 'class="turn interviewer" data-speaker="Interviewer"' in html
    assert "Realname" not in html
    assert transcript_text(html) == text


def test_side_panel_groups_quotes_by_theme(
    client, enabler, transcript, theme, make_quote, project_a
):
    parent = Theme.objects.create(project=project_a, name="Culture")
    child = Theme.objects.create(project=project_a, name="Blame", parent=parent)
    quote = make_quote(transcript, 0, 3, enabler, theme, child)
    client.force_login(enabler)
    html = page(client, transcript).content.decode()
    panel = html[html.index('id="quote-panel"') :]
    assert "Culture › Blame" in panel
    assert panel.count(f'href="#quote-{quote.pk}"') == 2  # under each of its two themes
    data = coding_data(page(client, transcript))
    assert [t["path"] for t in data["themes"]] == [
        "Culture",
        "Culture › Blame",
        "Tailored support",
    ]


def test_the_coding_dialog_and_its_combobox_are_labelled(client, enabler, transcript):
    client.force_login(enabler)
    html = page(client, transcript).content.decode()
    assert 'role="dialog"' in html and 'aria-labelledby="qd-title"' in html
    assert '<label for="qd-theme">Theme</label>' in html
    assert 'id="qd-theme" type="text" role="combobox"' in html
    assert 'role="listbox"' in html
    assert "Ctrl</kbd>+<kbd>Enter" in html  # the shortcut is documented on the page
    assert 'id="transcript" class="transcript coding-text" tabindex="0"' in html


def test_readers_get_no_coding_help(client, author, transcript):
    client.force_login(author)
    response = page(client, transcript)
    assert "How to code" not in response.content.decode()
    assert coding_data(response)["can_code"] is False


# --- filters (GET parameters) ---------------------------------------------------------


@pytest.fixture
def two_coders(transcript, enabler, project_admin, theme, project_a, make_quote):
    other = Theme.objects.create(project=project_a, name="Blame culture")
    mine = make_quote(transcript, 0, 3, enabler, theme)
    theirs = make_quote(transcript, 5, 9, project_admin, other)
    return mine, theirs, other


def shown_ids(response) -> set[int]:
    return set(read_transcript(response.content.decode()).pieces)


def test_filter_by_theme(client, enabler, transcript, two_coders):
    mine, theirs, other = two_coders
    client.force_login(enabler)
    assert shown_ids(page(client, transcript)) == {mine.pk, theirs.pk}
    response = page(client, transcript, theme=other.pk)
    assert shown_ids(response) == {theirs.pk}
    assert f'<option value="{other.pk}" selected>' in response.content.decode()
    assert coding_data(response)["filters"] == {"theme": other.pk, "coder": None, "mine": False}


def test_filter_by_coder_and_mine(client, enabler, project_admin, transcript, two_coders):
    mine, theirs, _ = two_coders
    client.force_login(enabler)
    assert shown_ids(page(client, transcript, coder=project_admin.pk)) == {theirs.pk}
    assert shown_ids(page(client, transcript, mine="1")) == {mine.pk}


def test_bad_filters_are_reported_and_ignored(client, enabler, transcript, two_coders, theme_b):
    client.force_login(enabler)
    for params in ({"theme": "x"}, {"theme": theme_b.pk}, {"coder": 99999}):
        response = page(client, transcript, **params)
        assert response.status_code == 200
        assert len(shown_ids(response)) == 2
        assert 'class="error"' in response.content.decode()


# --- speed: a fixed number of queries ---------------------------------------------------


def test_query_count_is_the_same_for_1_and_50_quotes(
    client,
    enabler,
    project_admin,
    transcript,
    theme,
    make_quote,
    project_a,
    django_assert_num_queries,
):
    make_quote(transcript, 0, 3, enabler, theme)
    client.force_login(enabler)
    with django_assert_num_queries(
        7
    ):  # the coder's status, round and flags come with the transcript
        assert page(client, transcript).status_code == 200
    themes = [Theme.objects.create(project=project_a, name=f"T{n}") for n in range(5)]
    for n in range(1, 50):
        coder = enabler if n % 2 else project_admin
        make_quote(transcript, n, n + 5 + n % 7, coder, themes[n % 5], theme)
    SpeakerTurn.objects.create(transcript=transcript, index=0, start=0, end=10)
    assert Quote.objects.count() == 50
    with django_assert_num_queries(7):
        assert page(client, transcript, theme=theme.pk).status_code == 200


def test_a_round_and_open_flags_each_cost_one_query_whatever_the_quotes(
    client,
    enabler,
    make_user,
    project_admin,
    transcript,
    theme,
    make_quote,
    django_assert_num_queries,
):
    # Without them the page skips both queries (the transcript's query says there are
    # none); with them it reads each once, and shows them.
    second = make_user("enabler_two")
    Membership.objects.create(user=second, project=transcript.project, role="enabler")
    access = get_project_access(project_admin, transcript.project.slug)
    services.assign_transcripts(
        access=access, transcripts=[transcript], coder_ids=[enabler.pk, second.pk]
    )
    first = make_quote(transcript, 0, 3, enabler, theme)
    AnchorFlag.objects.create(
        quote=first, version=1, old_start=0, old_end=3, old_text="Old", new_text="New",
        reason="moved",
    )  # fmt: skip
    client.force_login(enabler)
    with django_assert_num_queries(9):
        html = page(client, transcript).content.decode()
    assert 'id="round-heading"' in html and 'id="flags-heading"' in html
    assert "Quote %d (moved)" % first.pk in html
    for n in range(1, 30):
        make_quote(transcript, n, n + 4 + n % 5, enabler, theme)
    with django_assert_num_queries(9):
        assert page(client, transcript).status_code == 200
    AnchorFlag.objects.update(resolved_at=timezone.now())
    with django_assert_num_queries(8):
        html = page(client, transcript).content.decode()
    assert 'id="round-heading"' in html and 'id="flags-heading"' not in html


# --- escaping: hostile text, theme names, memos, usernames ---------------------------------


def test_hostile_content_is_escaped_and_json_is_in_json_script(
    client, make_user, project_a, make_quote
):
    user = make_user('"><img src=x onerror=alert(9)>')
    Membership.objects.create(user=user, project=project_a, role=Membership.Role.ENABLER)
    text = "Intro. " + " ".join(PAYLOADS) + "\nEnd.\n"
    transcript = Transcript.objects.create(project=project_a, title=PAYLOADS[1], text=text)
    theme = Theme.objects.create(project=project_a, name=PAYLOADS[0], colour="#ff0000")
    quote = make_quote(transcript, 0, len(text) - 1, user, theme)
    Quote.objects.filter(pk=quote.pk).update(memo=PAYLOADS[2])
    client.force_login(user)
    response = page(client, transcript)
    html = response.content.decode()
    for payload in ("<script>alert(1)", "<img src=x onerror", "<svg onload"):
        assert payload not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert transcript_text(html) == text
    script = re.search(
        r'<script id="coding-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert "</script" not in script.group(1).lower()
    assert "<" not in script.group(1)
    data = coding_data(response)
    assert data["themes"][0]["name"] == PAYLOADS[0]
    assert data["quotes"][0]["memo"] == PAYLOADS[2]
    # No inline script anywhere: only the module file and the JSON block.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all('type="module" src=' in tag or 'type="application/json"' in tag for tag in scripts)


# --- the theme list (kept working) ---------------------------------------------------------


def test_theme_list(client, enabler, outsider, theme, project_a):
    url = reverse("coding:theme_list", args=[project_a.slug])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(enabler)
    response = client.get(url)
    assert response.status_code == 200
    assert "Tailored support" in response.content.decode()


# --- the codebook panel -----------------------------------------------------------------


def test_codebook_panel_data_counts_project_uses_and_respects_the_blind_rule(
    client, enabler, project_admin, transcript, theme, make_quote, project_a, make_user
):
    from coding import services
    from interviews.access import get_project_access

    theme.description = "Support shaped around the person."
    theme.save()
    other = Transcript.objects.create(project=project_a, title="Other", text="One two three.")
    second = make_user("second_coder")
    Membership.objects.create(user=second, project=project_a, role=Membership.Role.ENABLER)
    services.assign_transcripts(
        access=get_project_access(project_admin, project_a.slug),
        transcripts=[other],
        coder_ids=[enabler.pk, second.pk],
        blind=True,
    )
    make_quote(transcript, 0, 3, enabler, theme)
    make_quote(other, 0, 3, enabler, theme)
    make_quote(other, 4, 7, second, theme)  # hidden from enabler by the blind round
    deleted = make_quote(transcript, 4, 8, enabler, theme)
    deleted.deleted_at = deleted.created_at
    deleted.save()

    client.force_login(enabler)
    (row,) = coding_data(page(client, transcript))["codebook"]
    assert row == {
        "id": theme.pk,
        "depth": 0,
        "description": "Support shaped around the person.",
        "uses": 2,
    }
    client.force_login(project_admin)  # an admin sees every coder's quotes
    assert coding_data(page(client, transcript))["codebook"][0]["uses"] == 3


def test_a_theme_no_visible_quote_holds_counts_zero_uses(
    client, enabler, transcript, theme, project_a, make_quote
):
    other = Theme.objects.create(project=project_a, name="Blame culture")
    binned = make_quote(transcript, 0, 3, enabler, other)
    binned.deleted_at = binned.created_at
    binned.save()
    client.force_login(enabler)

    uses = {row["id"]: row["uses"] for row in coding_data(page(client, transcript))["codebook"]}

    assert uses == {theme.pk: 0, other.pk: 0}
