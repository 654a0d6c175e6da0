"""Auto-coding: preview, apply (through code_passage), undo as a batch, by speaker; pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from coding import autocode
from coding.models import AutoCodeBatch, Quote, QuoteTheme, Theme
from coding.services import CodingError
from interviews.access import get_project_access

from .finding_setup import make_turn_transcript

pytestmark = pytest.mark.django_db


@pytest.fixture
def turned(project_a, participant):
    return make_turn_transcript(project_a, participant)


@pytest.fixture
def enabler_access(enabler, project_a):
    return get_project_access(enabler, project_a.slug)


def test_keyword_pattern_matches_whole_words_any_case_and_hyphen_or_space():
    pattern = autocode.keyword_pattern("four hour target")
    assert pattern.search("The Four-Hour target.")
    assert not pattern.search("the four-hour targets")
    assert autocode.keyword_pattern("  !! ") is None


def test_preview_lists_each_sentence_once_with_context(enabler_access, turned):
    matches = autocode.preview(access=enabler_access, query="target")
    assert [m.text for m in matches] == [
        "The four-hour target hangs over every decision we make.",
        "What does the target do to the way the board behaves?",
    ]
    first = matches[0]
    assert turned.text[first.start : first.end] == first.text
    assert first.speaker == "P01" and matches[1].speaker == "Interviewer"
    assert first.after.lstrip().startswith("Nobody here")
    assert ("target", True) in first.pieces


def test_preview_by_turn_and_by_speaker(enabler_access, turned):
    turns = autocode.preview(access=enabler_access, query="matter", unit="turn")
    assert len(turns) == 1 and turns[0].text.startswith("It turns managers")
    said = autocode.preview(access=enabler_access, query="target", speaker="participant")
    assert [m.speaker for m in said] == ["P01"]


def test_apply_codes_the_ticked_matches_as_one_batch_and_undo_takes_it_back(
    enabler_access, turned, theme, enabler, make_quote
):
    matches = autocode.preview(access=enabler_access, query="target", theme=theme)
    # An existing quote by the same coder on the second span, with another theme.
    other = Theme.objects.create(project=theme.project, name="Board behaviour")
    existing = make_quote(turned, matches[1].start, matches[1].end, enabler, other)
    batch = autocode.apply_batch(
        access=enabler_access,
        theme=theme,
        spans=autocode.parse_keys([m.key for m in matches]),
        kind="keyword",
        description="target",
    )
    items = {item.quote_id: item for item in batch.items.all()}
    assert len(items) == 2
    assert items[existing.pk].created_quote is False and items[existing.pk].added_coding
    assert QuoteTheme.objects.filter(tag=theme).count() == 2
    assert autocode.preview(access=enabler_access, query="target", theme=theme)[0].already

    assert autocode.undo_batch(access=enabler_access, batch=batch) == 2
    assert (
        QuoteTheme.objects.filter(tag=theme, content_object__deleted_at__isnull=True).count() == 0
    )
    existing.refresh_from_db()
    assert existing.deleted_at is None  # kept, with its own theme
    assert list(existing.themes.all()) == [other]
    assert Quote.objects.filter(transcript=turned).count() == 1
    with pytest.raises(CodingError):
        autocode.undo_batch(access=enabler_access, batch=batch)


def test_apply_refuses_spans_that_are_not_the_text_and_writes_nothing(
    enabler_access, turned, theme, transcript_b
):
    with pytest.raises(CodingError):
        autocode.apply_batch(
            access=enabler_access, theme=theme, spans=[(turned.pk, 0, 10**6)],
            kind="keyword", description="x",
        )  # fmt: skip
    with pytest.raises(CodingError):
        autocode.apply_batch(
            access=enabler_access, theme=theme, spans=[(transcript_b.pk, 0, 4)],
            kind="keyword", description="x",
        )  # fmt: skip
    assert not AutoCodeBatch.objects.exists() and not Quote.objects.exists()
    with pytest.raises(CodingError):
        autocode.parse_keys(["1:2"])


def test_retired_or_foreign_themes_are_refused(enabler_access, turned, theme, theme_b):
    theme.is_active = False
    theme.save()
    for bad in (theme, theme_b):
        with pytest.raises(CodingError):
            autocode.apply_batch(
                access=enabler_access, theme=bad, spans=[(turned.pk, 5, 10)],
                kind="keyword", description="x",
            )  # fmt: skip


def test_code_speaker_codes_every_interviewer_turn(enabler_access, turned, theme):
    batch = autocode.code_speaker(access=enabler_access, theme=theme, interviewers=True)
    texts = sorted(q.text for q in Quote.objects.filter(codings__tag=theme))
    assert texts == [
        "Tell me about blame.",
        "What does the target do to the way the board behaves?",
    ]
    assert batch.kind == "speaker" and "interviewers" in batch.description


def test_code_speaker_for_one_participant(enabler_access, turned, theme, participant):
    autocode.code_speaker(access=enabler_access, theme=theme, participant=participant)
    assert Quote.objects.filter(codings__tag=theme).count() == 3


def test_only_the_batch_owner_or_an_admin_may_undo(
    enabler_access, turned, theme, author, project_a, project_admin, make_user
):
    batch = autocode.code_speaker(access=enabler_access, theme=theme, interviewers=True)
    from interviews.models import Membership

    other = make_user("enabler_a2")
    Membership.objects.create(user=other, project=project_a, role="enabler")
    with pytest.raises(PermissionDenied):
        autocode.undo_batch(access=get_project_access(other, "alpha"), batch=batch)
    with pytest.raises(PermissionDenied):
        autocode.undo_batch(access=get_project_access(author, "alpha"), batch=batch)
    assert autocode.undo_batch(access=get_project_access(project_admin, "alpha"), batch=batch) == 2


def test_the_pages_preview_apply_and_undo(client, enabler, turned, theme):
    client.force_login(enabler)
    page = client.get("/p/alpha/autocode/", {"q": "target", "unit": "sentence", "theme": theme.pk})
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('name="match"') == 2
    assert '<label for="id_q">Keyword or phrase</label>' in body
    keys = [
        m.key
        for m in autocode.preview(access=get_project_access(enabler, "alpha"), query="target")
    ]
    response = client.post(
        "/p/alpha/autocode/",
        {"theme": theme.pk, "q": "target", "kind": "keyword", "match": keys[:1]},
    )
    assert response.status_code == 302
    batch = AutoCodeBatch.objects.get()
    assert batch.items.count() == 1
    listed = client.get("/p/alpha/autocode/").content.decode()
    assert f"/p/alpha/autocode/{batch.pk}/undo/" in listed
    assert client.post(f"/p/alpha/autocode/{batch.pk}/undo/").status_code == 302
    batch.refresh_from_db()
    assert batch.undone_at is not None


def test_speaker_page_and_roles(client, enabler, author, outsider, turned, theme):
    client.force_login(author)
    assert client.get("/p/alpha/autocode/").status_code == 403
    client.force_login(outsider)
    assert client.get("/p/alpha/autocode/").status_code == 404
    client.force_login(enabler)
    response = client.post(
        "/p/alpha/autocode/speaker/", {"theme": theme.pk, "who": "interviewers"}
    )
    assert response.status_code == 302
    assert AutoCodeBatch.objects.get().items.count() == 2


def test_discover_makes_a_cluster_a_theme(client, enabler, turned, project_a):
    client.force_login(enabler)
    page = client.get("/p/alpha/discover/", {"run": "1"})
    assert page.status_code == 200
    passage_keys = [f"{turned.pk}:5:60"]
    response = client.post(
        "/p/alpha/discover/", {"name": "Target pressure", "match": passage_keys}
    )
    assert response.status_code == 302
    theme = Theme.objects.get(project=project_a, name="Target pressure")
    assert theme.is_proposed
    assert AutoCodeBatch.objects.get().kind == "cluster"


def test_the_batch_list_costs_the_same_for_1_or_20_batches(client, enabler, turned, theme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    access = get_project_access(enabler, "alpha")
    client.force_login(enabler)

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/p/alpha/autocode/").status_code == 200
        return len(captured)

    autocode.code_speaker(access=access, theme=theme, interviewers=True)
    small = cost()
    for _ in range(19):
        batch = autocode.code_speaker(access=access, theme=theme, interviewers=True)
        autocode.undo_batch(access=access, batch=batch)
    assert AutoCodeBatch.objects.count() == 20
    assert cost() == small


def test_hostile_keys_are_refused_with_a_message(client, enabler, turned, theme):
    client.force_login(enabler)
    for keys in (["x:y:z"], ["1:2"], [f"{turned.pk}:0:999999"], ["9" * 40 + ":1:2"]):
        response = client.post(
            "/p/alpha/autocode/",
            {"theme": theme.pk, "kind": "keyword", "match": keys},
            follow=True,
        )
        assert response.status_code == 200
        assert list(response.context["messages"])[0].level_tag == "error"
    assert not Quote.objects.exists()
