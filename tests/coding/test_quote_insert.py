"""coding/quote_insert.py: a new quote, its codings and its audit entry in one statement
on PostgreSQL, written as the ORM and django-auditlog would write them."""

from __future__ import annotations

import pytest
from auditlog.context import disable_auditlog, set_actor
from auditlog.models import LogEntry
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from coding import quote_insert
from coding.models import Quote, QuoteTheme, Theme
from interviews.models import Transcript

# transaction=True: autocommit, as in a request (inside a transaction it adds a savepoint)
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PK_FIELDS = {"id", "uuid", "created_at", "updated_at", "text", "start", "end"}


def new_quote(transcript, coder, start, end) -> Quote:
    return Quote(
        transcript=transcript, start=start, end=end, text=transcript.text[start:end], coder=coder
    )


def entry_of(quote: Quote) -> dict:
    """The quote's audit entry, with what differs from one quote to the next left out."""
    entry = LogEntry.objects.get_for_object(quote).get()
    assert (entry.object_pk, entry.object_id) == (str(quote.pk), quote.pk)
    assert entry.changes["id"] == [None, quote.pk]
    assert entry.additional_data["quote"] == quote.pk
    assert entry.changes["uuid"] == [None, str(quote.uuid)]
    return {
        "content_type": entry.content_type_id,
        "action": entry.action,
        "actor": entry.actor_id,
        "actor_email": entry.actor_email,
        "remote_addr": entry.remote_addr,
        "cid": entry.cid,
        "changes_text": entry.changes_text,
        "serialized_data": entry.serialized_data,
        "changes": {k: v for k, v in entry.changes.items() if k not in PK_FIELDS},
        "changed": sorted(entry.changes),
        "additional_data": {k: v for k, v in entry.additional_data.items() if k != "quote"},
    }


def test_one_statement_writes_what_the_orm_and_the_trail_write(enabler, transcript, theme):
    other = Theme.objects.create(project=transcript.project, name="Blame culture")
    with set_actor(enabler, remote_addr="10.0.0.7"):
        by_orm = new_quote(transcript, enabler, 5, 12)
        by_orm.save()
        for tag in (theme, other):
            QuoteTheme.objects.create(content_object=by_orm, tag=tag)
        at_once = new_quote(transcript, enabler, 20, 40)
        with CaptureQueriesContext(connection) as queries:
            assert quote_insert.insert_quote(at_once, [theme, other])
    assert len(queries.captured_queries) == 1
    stored = Quote.objects.get(pk=at_once.pk)
    assert (stored.uuid, stored.start, stored.end, stored.text) == (
        at_once.uuid,
        20,
        40,
        transcript.text[20:40],
    )
    assert stored.created_at == at_once.created_at and stored.coder == enabler
    assert not at_once._state.adding
    assert set(stored.codings.values_list("tag_id", flat=True)) == {theme.pk, other.pk}
    assert entry_of(at_once) == entry_of(by_orm)
    assert entry_of(at_once)["actor"] == enabler.pk


def test_a_taken_span_or_key_writes_nothing(enabler, transcript, theme):
    first = new_quote(transcript, enabler, 5, 12)
    assert quote_insert.insert_quote(first, [theme])
    before = (Quote.all_objects.count(), QuoteTheme.objects.count(), LogEntry.objects.count())
    assert not quote_insert.insert_quote(new_quote(transcript, enabler, 5, 12), [theme])
    same_key = new_quote(transcript, enabler, 30, 40)
    same_key.uuid = first.uuid
    assert not quote_insert.insert_quote(same_key, [theme])
    after = (Quote.all_objects.count(), QuoteTheme.objects.count(), LogEntry.objects.count())
    assert after == before


def test_with_the_trail_off_no_entry_is_written(enabler, transcript, theme):
    quote = new_quote(transcript, enabler, 5, 12)
    with disable_auditlog():
        assert quote_insert.insert_quote(quote, [theme])
    assert not LogEntry.objects.get_for_object(quote).exists()
    assert quote.codings.count() == 1


def test_a_failed_statement_writes_nothing_and_leaves_the_callers_transaction(
    enabler, transcript, theme
):
    gone = new_quote(transcript, enabler, 5, 12)
    gone.transcript = Transcript(pk=transcript.pk + 1000, project=transcript.project)  # deleted
    before = (Quote.all_objects.count(), QuoteTheme.objects.count(), LogEntry.objects.count())
    with pytest.raises(IntegrityError):
        quote_insert.insert_quote(gone, [theme])  # its own transaction (autocommit)
    with transaction.atomic():
        with pytest.raises(IntegrityError):  # quote_range_valid, checked at once
            quote_insert.insert_quote(new_quote(transcript, enabler, 12, 5), [theme])
        assert quote_insert.insert_quote(new_quote(transcript, enabler, 20, 40), [theme])
    after = (Quote.all_objects.count(), QuoteTheme.objects.count(), LogEntry.objects.count())
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1)
