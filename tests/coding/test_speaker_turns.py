"""The one-turn rule: a quote lies inside one speaker turn and never holds a speaker label.

The server enforces it for the coding page's endpoint and for the public API alike
(400 with the reason), unless the project allows multi-turn quotes (focus groups).
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aefront.api.tokens import issue_token
from coding import services
from coding.models import Quote
from interviews.access import ProjectAccess, Role
from interviews.models import SpeakerTurn, Transcript, with_turn_spans

pytestmark = pytest.mark.django_db

# SAMPLE_TEXT (tests/conftest.py): "P01: " opens the first turn, whose words are [5, 82);
# "Interviewer: " the second, [97, 120); "P01: " the third, [127, 212).
FIRST, SECOND, THIRD = (5, 82), (97, 120), (127, 212)


@pytest.fixture
def turns(transcript, participant):
    for index, (start, end) in enumerate((FIRST, SECOND, THIRD)):
        SpeakerTurn.objects.create(
            transcript=transcript,
            index=index,
            start=start,
            end=end,
            participant=None if index == 1 else participant,
            is_interviewer=index == 1,
            speaker_label="Interviewer" if index == 1 else "P01",
        )
    return transcript


def page_post(client, transcript, start, end, theme):
    url = reverse("coding:api_quotes", args=[transcript.project.slug, transcript.pk])
    body = {"start": start, "end": end, "text": transcript.text[start:end], "themes": [theme.pk]}
    return client.post(url, json.dumps(body), content_type="application/json")


def api_post(user, transcript, start, end, theme):
    _, raw = issue_token(user=user, name="t", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {
        "transcript": transcript.pk,
        "start": start,
        "end": end,
        "text": transcript.text[start:end],
        "themes": [theme.pk],
    }
    return client.post(
        f"/api/v1/projects/{transcript.project.slug}/quotes/",
        json.dumps(body),
        content_type="application/json",
    )


CROSSING = [
    (FIRST[0], SECOND[1], "crosses 2 turns"),  # a question and its answer
    (60, THIRD[0] + 7, "crosses 3 turns"),
    (0, 20, "takes in a speaker label"),  # the hidden "P01: " included
    (SECOND[1] + 1, THIRD[0], "only a label"),  # "\n\nP01: " alone
]


@pytest.mark.parametrize(("start", "end", "reason"), CROSSING)
def test_the_page_refuses_a_quote_across_turns(client, enabler, turns, theme, start, end, reason):
    client.force_login(enabler)
    response = page_post(client, turns, start, end, theme)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert "one speaker turn" in response.json()["error"]
    assert not Quote.objects.exists()


@pytest.mark.parametrize(("start", "end", "reason"), CROSSING)
def test_the_api_refuses_a_quote_across_turns(enabler, turns, theme, start, end, reason):
    response = api_post(enabler, turns, start, end, theme)
    assert response.status_code == 400, response.content
    assert reason in response.json()["error"]
    assert not Quote.objects.exists()


@pytest.mark.parametrize("span", [FIRST, SECOND, THIRD, (10, 30), (THIRD[1] - 4, THIRD[1])])
def test_a_quote_inside_one_turn_is_saved_by_page_and_api(client, enabler, turns, theme, span):
    client.force_login(enabler)
    assert page_post(client, turns, *span, theme).status_code == 201
    Quote.objects.all().delete()
    assert api_post(enabler, turns, *span, theme).status_code == 201


def test_a_transcript_without_turns_has_no_rule(client, enabler, transcript, theme):
    client.force_login(enabler)
    assert page_post(client, transcript, 0, 120, theme).status_code == 201


def test_a_focus_group_project_allows_multi_turn_quotes(client, enabler, turns, theme):
    project = turns.project
    project.multi_turn_quotes = True
    project.save()
    client.force_login(enabler)
    response = page_post(client, turns, FIRST[0], SECOND[1], theme)
    assert response.status_code == 201
    assert Quote.objects.get().text == turns.text[FIRST[0] : SECOND[1]]
    # Still not on a label: a quote starts and ends in a speaker's words.
    response = api_post(enabler, turns, 0, SECOND[1], theme)
    assert response.status_code == 400
    assert "speaker label" in response.json()["error"]


def test_widening_into_the_next_turn_is_refused(enabler, turns, theme, project_a):
    access = ProjectAccess(project=project_a, user=enabler, role=Role.ENABLER)
    quote = services.code_passage(
        access=access,
        transcript=turns,
        start=SECOND[0],
        end=SECOND[1],
        text=turns.text[SECOND[0] : SECOND[1]],
        themes=[theme],
    )
    with pytest.raises(services.CodingError, match="one speaker turn"):
        services.adjust_quote(access=access, quote=quote, edge="end", action="widen")
    quote.refresh_from_db()
    assert (quote.start, quote.end) == SECOND


def test_turn_spans_come_with_the_transcript_in_one_query(turns):
    with CaptureQueriesContext(connection) as queries:
        loaded = with_turn_spans(Transcript.objects.filter(pk=turns.pk)).get()
        assert loaded.turn_spans() == [FIRST, SECOND, THIRD]
    assert len(queries) == 1
    assert Transcript.objects.get(pk=turns.pk).turn_spans() == [FIRST, SECOND, THIRD]


def test_a_passage_is_read_with_only_the_turns_it_meets(turns, enabler):
    from interviews.access import get_project_access, get_transcript_for_passage

    access = get_project_access(enabler, turns.project.slug)
    with CaptureQueriesContext(connection) as queries:
        read = get_transcript_for_passage(access, turns.pk, 60, 100)
        assert read.turns_around(60, 100) == (True, [FIRST, SECOND])
        assert read.passage(60, 100) == turns.text[60:100]
    assert len(queries) == 1
    assert read.turns_around(130, 140) == (True, [THIRD])  # another passage: read anew
    bare = Transcript.objects.create(project=turns.project, title="No turns", text="Just text.")
    assert get_transcript_for_passage(access, bare.pk, 0, 4).turns_around(0, 4) == (False, [])


@pytest.mark.django_db(transaction=True)
def test_the_check_adds_no_statement_to_the_quote_post(enabler, turns, theme):
    """Issue 19's budget: membership, transcript (with its turns), codebook, 2 inserts."""
    client = Client()
    client.force_login(enabler)
    with CaptureQueriesContext(connection) as queries:
        assert page_post(client, turns, 10, 30, theme).status_code == 201
    work = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        # the trail's own INSERT (on PostgreSQL it is part of the quote's one statement)
        and not q["sql"].startswith('INSERT INTO "auditlog_logentry"')
        and "django_content_type" not in q["sql"]
        and not any(t in q["sql"] for t in ("coding_embedding", "django_session", "auth_user"))
    ]
    assert len(work) <= 5, work
