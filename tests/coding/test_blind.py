"""Blind mode: another coder's quotes are invisible through every channel until every
coder has marked the transcript done; project admins see everything."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding import services
from coding.models import ExportRecord, HeadlineQuote, ThemeSummary
from coding.reading import visible_quotes
from interviews.access import get_project_access
from interviews.models import Membership

SECRET = "parachuted"  # a word only the other coder's quote holds


@pytest.fixture
def blind_round(project_admin, enabler, second, transcript, theme, make_quote, author):
    access = get_project_access(project_admin, "alpha")
    services.assign_transcripts(
        access=access, transcripts=[transcript], coder_ids=[enabler.pk, second.pk]
    )
    start = transcript.text.index(SECRET)
    theirs = make_quote(transcript, start, start + len(SECRET), second, theme)
    mine = make_quote(transcript, 0, 3, enabler, theme)
    theirs.is_cleared = True
    theirs.save()
    summary = ThemeSummary.objects.create(project=transcript.project, theme=theme, narrative="N")
    HeadlineQuote.objects.create(summary=summary, quote=theirs, position=0)
    return {"theirs": theirs, "mine": mine}


def channels(client, transcript, theme, quote):
    """What a member can read the other coder's quote through, each as text."""
    slug = transcript.project.slug
    urls = {
        "coding page": transcript.get_absolute_url(),
        "quotes JSON": reverse("coding:api_quotes", args=[slug, transcript.pk]),
        "poll": reverse("coding:api_quotes", args=[slug, transcript.pk])
        + "?since=2000-01-01T00:00:00Z",
        "quote JSON": reverse("coding:api_quote", args=[slug, quote.pk]),
        "theme list": reverse("coding:theme_list", args=[slug]),
        "report theme": reverse("report:theme", args=[slug, theme.pk]),
        "report summary": reverse("report:summary", args=[slug]),
        "chart cell": reverse("report:cell", args=[slug, theme.pk]) + f"?with_theme={theme.pk}",
        "preview": reverse("report:preview", args=[slug]) + "?all_quotes=on",
        "csv export": reverse("report:export", args=[slug]) + "?format=csv",
        "md export": reverse("report:export", args=[slug]) + "?format=md&all_quotes=on",
        "agreement": reverse("coding:agreement", args=[slug]),
        "disagreements": reverse("coding:disagreement", args=[slug, transcript.pk, theme.pk]),
        "api quotes": reverse("api:quotes", args=[slug]),
        "api quote": reverse("api:quote", args=[slug, quote.pk]),
        "api summaries": reverse("api:summaries", args=[slug]),
        "api export": reverse("api:export", args=[slug]) + "?format=csv",
        # The transcript's own text is found (every member reads it); the quote is not.
        "search": reverse("coding:search", args=[slug]) + f"?q={SECRET}",
    }
    found = {}
    for name, url in urls.items():
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found[name] = (response.status_code, body.decode("utf-8", "replace"))
    return found


def test_the_other_coders_quote_is_hidden_everywhere_until_all_are_done(
    client, enabler, second, author, transcript, theme, blind_round
):
    theirs = blind_round["theirs"]
    for user in (enabler, author):
        client.force_login(user)
        for name, (status, body) in channels(client, transcript, theme, theirs).items():
            if name == "search":  # the transcript's passage is found, never the quote
                assert f"#quote-{theirs.pk}" not in body and "search-results" in body
                continue
            assert SECRET not in body or name == "coding page" and body.count(SECRET) == 1, name
            assert str(theirs.uuid) not in body, name
            if name in ("quote JSON", "api quote"):
                assert status == 404
            elif name == "disagreements" and user == enabler:
                assert status == 404  # the round is still blind for them
            elif user == author and name in ("agreement", "disagreements"):
                assert status == 403  # agreement is for the coding roles
            elif user == author or name not in (
                "preview",
                "csv export",
                "md export",
                "api export",
            ):
                assert status == 200, name
    # The coding page shows the transcript's text (once) but never the other quote.
    client.force_login(enabler)
    page = client.get(transcript.get_absolute_url()).content.decode()
    assert f"quote-{theirs.pk}" not in page and f'data-quotes="{theirs.pk}"' not in page
    assert "Blind round" in page


def test_the_rule_is_one_queryset(project_admin, enabler, second, transcript, blind_round):
    as_enabler = get_project_access(enabler, "alpha")
    as_admin = get_project_access(project_admin, "alpha")
    assert list(visible_quotes(as_enabler, transcript)) == [blind_round["mine"]]
    assert set(visible_quotes(as_admin, transcript)) == set(blind_round.values())


def test_admins_see_everything_in_a_blind_round(
    client, project_admin, transcript, theme, blind_round
):
    client.force_login(project_admin)
    found = channels(client, transcript, theme, blind_round["theirs"])
    assert found["quote JSON"][0] == 200
    assert SECRET in found["csv export"][1]
    assert SECRET in found["chart cell"][1]  # the cell page shows the quote's text
    assert str(blind_round["theirs"].uuid) in found["quotes JSON"][1]


def test_once_every_coder_is_done_the_quotes_show_and_reach_the_poll(
    client, enabler, second, author, transcript, theme, blind_round
):
    client.force_login(enabler)
    url = reverse("coding:api_quotes", args=["alpha", transcript.pk])
    since = client.get(url).json()["now"]
    done = reverse("coding:done", args=["alpha", transcript.pk])
    assert client.post(done, {"done": "1"}).status_code == 302
    hidden = channels(client, transcript, theme, blind_round["theirs"])
    assert hidden["quote JSON"][0] == 404  # one coder done is not enough
    client.force_login(second)
    client.post(done, {"done": "1"})
    client.force_login(enabler)
    polled = client.get(url, {"since": since}).json()["quotes"]
    assert blind_round["theirs"].pk in {quote["id"] for quote in polled}
    shown = channels(client, transcript, theme, blind_round["theirs"])
    assert shown["quote JSON"][0] == 200
    assert str(blind_round["theirs"].uuid) in shown["coding page"][1]
    client.force_login(author)
    assert SECRET in channels(client, transcript, theme, blind_round["theirs"])["csv export"][1]


def test_a_coder_cannot_undo_done_after_the_reveal_and_a_new_coder_reblinds(
    project_admin, enabler, second, transcript, blind_round, make_user, project_a
):
    as_enabler = get_project_access(enabler, "alpha")
    services.mark_done(access=as_enabler, transcript=transcript)
    services.mark_done(access=get_project_access(second, "alpha"), transcript=transcript)
    with pytest.raises(services.CodingError):
        services.mark_done(access=as_enabler, transcript=transcript, done=False)
    third = make_user("enabler_three")
    Membership.objects.create(user=third, project=project_a, role=Membership.Role.ENABLER)
    services.assign_transcripts(
        access=get_project_access(project_admin, "alpha"),
        transcripts=[transcript],
        coder_ids=[enabler.pk, second.pk, third.pk],
    )
    assert list(visible_quotes(as_enabler, transcript)) == [blind_round["mine"]]


def test_draft_downloads_are_recorded_with_their_hash(client, author, transcript, blind_round):
    import hashlib

    client.force_login(author)
    response = client.get(reverse("report:export", args=["alpha"]), {"format": "csv"})
    body = b"".join(response.streaming_content)
    record = ExportRecord.objects.get()
    assert (record.user, record.format) == (author, "csv")
    assert record.sha256 == hashlib.sha256(body).hexdigest()
    assert record.options["with_memos"] is False and "coder_id" in record.filters
    response = client.get(reverse("report:export", args=["alpha"]), {"format": "docx"})
    docx = b"".join(response.streaming_content)
    assert ExportRecord.objects.first().sha256 == hashlib.sha256(docx).hexdigest()
