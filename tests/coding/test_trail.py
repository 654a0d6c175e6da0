"""The audit trail for each kind of change, its page, filters and CSV; the bin; empty_bin."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coding import bin as coding_bin
from coding import services, taxonomy, trail
from coding.models import Quote, QuoteTheme, Theme, ThemeSummary
from interviews.access import get_project_access
from interviews.models import Membership, Transcript


def kinds(project):
    return [(trail.type_key(e), e.action) for e in trail.entries(project)]


def test_every_kind_of_change_is_recorded_with_before_and_after(
    project_a, project_admin, enabler, transcript, theme, make_user
):
    access = get_project_access(enabler, "alpha")
    with set_actor(enabler):
        quote = services.code_passage(
            access=access, transcript=transcript, start=0, end=3,
            text=transcript.text[0:3], themes=[theme],
        )  # fmt: skip
        services.edit_memo(access=access, quote=quote, memo="first memo")
        other = Theme.objects.create(project=project_a, name="Four-hour target")
        services.add_theme(access=access, quote=quote, theme=other)
        services.remove_theme(access=access, quote=quote, theme=other)
        services.delete_quote(access=access, quote=quote)
    theme.name = "Blame"
    theme.save()
    ThemeSummary.objects.create(project=project_a, theme=theme, narrative="N")
    transcript.title = "Renamed"
    transcript.save()
    Membership.objects.create(user=make_user("new"), project=project_a)
    found = kinds(project_a)
    create, update, delete = LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE
    for expected in [
        ("quote", create), ("quote", update), ("coding", create), ("coding", delete),
        ("theme", create), ("theme", update), ("summary", create), ("transcript", update),
        ("membership", create),
    ]:  # fmt: skip
        assert expected in found, expected
    memo = next(
        e for e in trail.entries(project_a, trail.TrailFilters(quote_id=quote.pk))
        if "memo" in (e.changes or {})
    )  # fmt: skip
    assert memo.changes["memo"] == ["", "first memo"] and memo.actor == enabler
    deleted = trail.entries(project_a, trail.TrailFilters(quote_id=quote.pk)).first()
    assert deleted.changes["deleted_at"][0] in (None, "None") and deleted.changes["deleted_at"][1]
    renamed = trail.entries(project_a, trail.TrailFilters(theme_id=theme.pk, object_type="theme"))
    assert any(e.changes.get("name") == ["Tailored support", "Blame"] for e in renamed)


def test_a_merge_shows_in_the_survivors_history(project_a, theme, transcript, enabler):
    other = Theme.objects.create(project=project_a, name="Parachuted help")
    taxonomy.merge_themes(survivor=theme, others=[other])
    history = trail.entries(project_a, trail.TrailFilters(theme_id=theme.pk))
    assert history.first().changes["merged"] == [["Parachuted help"], theme.name]


def test_the_trail_page_filters_and_downloads_csv(
    client, project_admin, enabler, project_a, transcript, theme, make_quote, project_b
):
    quote = make_quote(transcript, 0, 3, enabler, theme)
    Theme.objects.create(project=project_b, name='=HYPERLINK("x")')  # another project's
    client.force_login(project_admin)
    url = reverse("coding:trail", args=["alpha"])
    page = client.get(url, {"quote": quote.pk})
    assert page.status_code == 200 and "Audit trail" in page.content.decode()
    download = client.get(url, {"format": "csv", "object_type": "theme"})
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == trail.CSV_COLUMNS
    assert {row[3] for row in rows[1:]} == {"theme"}
    assert not any("HYPERLINK" in cell for row in rows for cell in row)
    today = timezone.localdate().isoformat()
    assert client.get(url, {"date_from": today, "user": enabler.pk}).status_code == 200


def test_only_admins_read_the_trail_and_the_bin(client, enabler, author):
    for user in (enabler, author):
        client.force_login(user)
        assert client.get(reverse("coding:trail", args=["alpha"])).status_code == 403
        assert client.get(reverse("coding:bin", args=["alpha"])).status_code == 403


def test_a_binned_transcript_comes_back_with_its_quotes_and_codings(
    client, project_admin, enabler, transcript, theme, make_quote
):
    kept = make_quote(transcript, 0, 3, enabler, theme)
    earlier = make_quote(transcript, 4, 8, enabler, theme)
    earlier.deleted_at = timezone.now() - datetime.timedelta(days=1)
    earlier.save()
    client.force_login(project_admin)
    client.post(reverse("coding:transcript_delete", args=["alpha", transcript.pk]))
    assert not Transcript.objects.filter(pk=transcript.pk).exists()
    assert client.get(transcript.get_absolute_url()).status_code == 404
    assert not Quote.objects.filter(pk=kept.pk).exists()
    page = client.get(reverse("coding:bin", args=["alpha"])).content.decode()
    assert transcript.title in page
    client.post(reverse("coding:bin_restore_transcript", args=["alpha", transcript.pk]))
    assert Transcript.objects.filter(pk=transcript.pk).exists()
    assert list(Quote.objects.filter(transcript=transcript)) == [kept]  # not the earlier one
    assert QuoteTheme.objects.filter(content_object=kept, tag=theme).exists()


def test_a_binned_quote_is_restored_by_an_admin(
    client, project_admin, enabler, transcript, theme, make_quote
):
    quote = make_quote(transcript, 0, 3, enabler, theme)
    services.delete_quote(access=get_project_access(enabler, "alpha"), quote=quote)
    client.force_login(project_admin)
    assert "History" in client.get(reverse("coding:bin", args=["alpha"])).content.decode()
    client.post(reverse("coding:bin_restore_quote", args=["alpha", quote.pk]))
    assert Quote.objects.filter(pk=quote.pk).exists()


def test_empty_bin_purges_after_30_days_and_records_it(
    project_a, project_admin, enabler, transcript, theme, make_quote
):
    old_quote = make_quote(transcript, 0, 3, enabler, theme)
    young_quote = make_quote(transcript, 4, 8, enabler, theme)
    Quote.all_objects.filter(pk=old_quote.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=31)
    )
    Quote.all_objects.filter(pk=young_quote.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=29)
    )
    with pytest.raises(services.CodingError):  # too old to restore by then
        coding_bin.restore_quote(
            access=get_project_access(project_admin, "alpha"),
            quote=Quote.all_objects.get(pk=old_quote.pk),
        )
    out = io.StringIO()
    call_command("empty_bin", stdout=out)
    assert "Purged 0 transcripts and 1 quote" in out.getvalue()
    assert not Quote.all_objects.filter(pk=old_quote.pk).exists()
    assert Quote.all_objects.filter(pk=young_quote.pk).exists()
    notes = [e.changes.get("note") for e in trail.entries(project_a)]
    assert "purged from the bin" in notes
    call_command("empty_bin", stdout=io.StringIO())  # again: nothing due, no error


def test_django_admin_does_not_hard_delete_transcripts(client, project_admin, transcript):
    client.force_login(project_admin)
    response = client.get(f"/admin/interviews/transcript/{transcript.pk}/delete/")
    assert response.status_code == 403


def test_a_narrative_and_headline_change_are_in_the_trail(
    project_a, author, theme, enabler, transcript, make_quote
):
    from coding.report import authoring

    quote = make_quote(transcript, 0, 3, enabler, theme)
    summary = authoring.summary_for(project=project_a, theme=theme)
    authoring.save_narrative(
        project=project_a, theme=theme, narrative="Blame was common.", version=summary.version,
        user=author,
    )  # fmt: skip
    authoring.set_headlines(
        project=project_a, theme=theme, quote_ids=[quote.pk], expected=[], user=author
    )
    found = {}
    for entry in trail.entries(project_a):  # newest first
        for key, value in (entry.changes or {}).items():
            found.setdefault(key, value)
    assert found["narrative"] == ["", "Blame was common."]
    assert found["headline_quotes"] == [[], [quote.pk]]
