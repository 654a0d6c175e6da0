"""Undo and redo as server steps: each writes a new state (on the audit trail like any
change), and is refused when the quote changed since the caller's last change to it."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from coding.models import Quote, Theme
from interviews.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_enabler(client, enabler):
    client.force_login(enabler)
    return client


def step(client, quote_id, **body):
    url = reverse("coding:api_quote_undo", args=["alpha", quote_id])
    return client.post(url, json.dumps(body), content_type="application/json")


def updated(quote_id) -> str:
    return Quote.all_objects.get(pk=quote_id).updated_at.isoformat()


@pytest.fixture
def quote(make_quote, transcript, enabler, theme):
    return make_quote(transcript, 5, 12, enabler, theme)


def test_each_step_writes_a_new_state_and_its_inverse(as_enabler, quote, project_a, theme):
    other = Theme.objects.create(project=project_a, name="Other", colour="#123456")
    before_entries = LogEntry.objects.count()
    # add a theme, then take it away again
    answer = step(as_enabler, quote.pk, step="add_theme", theme=other.pk,
                  expected_updated_at=updated(quote.pk))  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert sorted(answer.json()["quote"]["themes"]) == sorted([theme.pk, other.pk])
    answer = step(as_enabler, quote.pk, step="remove_theme", theme=other.pk,
                  expected_updated_at=answer.json()["quote"]["updated"])  # fmt: skip
    assert answer.json()["quote"]["themes"] == [theme.pk]
    # the memo set, and set back
    answer = step(as_enabler, quote.pk, step="memo", memo="why",
                  expected_updated_at=answer.json()["quote"]["updated"])  # fmt: skip
    assert Quote.objects.get(pk=quote.pk).memo == "why"
    # the span moved and moved back (the text follows)
    answer = step(as_enabler, quote.pk, step="span", start=5, end=20,
                  expected_updated_at=answer.json()["quote"]["updated"])  # fmt: skip
    moved = Quote.objects.get(pk=quote.pk)
    assert (moved.start, moved.end, moved.text) == (5, 20, moved.transcript.text[5:20])
    # delete, then restore
    answer = step(as_enabler, quote.pk, step="delete",
                  expected_updated_at=answer.json()["quote"]["updated"])  # fmt: skip
    assert answer.json()["quote"]["deleted"] is True
    answer = step(as_enabler, quote.pk, step="restore",
                  expected_updated_at=answer.json()["quote"]["updated"])  # fmt: skip
    assert answer.json()["quote"]["deleted"] is False
    # Nothing rewritten: every step is on the trail as a change of its own.
    assert LogEntry.objects.count() > before_entries + 4


def test_a_step_after_another_coders_change_is_refused(
    as_enabler, quote, project_admin, client, project_a
):
    seen = updated(quote.pk)
    Quote.objects.filter(pk=quote.pk).update(memo="the admin's note")
    Quote.objects.get(pk=quote.pk).save()  # another coder's change moves updated_at
    answer = step(as_enabler, quote.pk, step="memo", memo="", expected_updated_at=seen)
    assert answer.status_code == 409
    assert "changed since" in answer.json()["error"]
    assert Quote.objects.get(pk=quote.pk).memo == "the admin's note"
    answer = step(as_enabler, quote.pk, step="delete", expected_updated_at=seen)
    assert answer.status_code == 409
    assert Quote.objects.filter(pk=quote.pk).exists()


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"step": "fly"}, "step"),
        ({"step": "memo"}, "expected_updated_at"),
        ({"step": "add_theme", "expected_updated_at": "2026-01-01T00:00:00Z"}, "theme"),
        ({"step": "span", "start": 3, "expected_updated_at": "2026-01-01T00:00:00Z"}, "end"),
    ],
)
def test_bad_steps_are_400_naming_the_field(as_enabler, quote, body, reason):
    answer = step(as_enabler, quote.pk, **body)
    assert answer.status_code == 400
    assert reason in answer.json()["error"]


def test_only_the_quotes_editor_may_step_it(client, quote, make_user, project_a, author):
    second = make_user("second_enabler")
    Membership.objects.create(user=second, project=project_a, role="enabler")
    client.force_login(second)
    answer = step(client, quote.pk, step="delete", expected_updated_at=updated(quote.pk))
    assert answer.status_code == 403
    client.force_login(author)
    answer = step(client, quote.pk, step="delete", expected_updated_at=updated(quote.pk))
    assert answer.status_code == 403
    assert Quote.objects.filter(pk=quote.pk).exists()
