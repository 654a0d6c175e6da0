"""The bin: deleted quotes and transcripts, restorable by a project admin for BIN_DAYS.

A deleted quote keeps its row and its codings (`deleted_at`); a transcript moved to
the bin takes its live quotes with it, stamped with the same time, so that restoring
the transcript brings back exactly those quotes. `empty_bin` purges what has been in
the bin longer than BIN_DAYS and writes each purge to the audit trail.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coding import trail
from coding.models import Quote
from coding.services import CodingError
from coding.services import restore_quote as undo_delete
from interviews.access import ProjectAccess, Role, get_in_project
from interviews.models import Project, Transcript

ADMIN = frozenset({Role.ADMIN})


def bin_days() -> int:
    return getattr(settings, "BIN_DAYS", 30)


def cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=bin_days())


@dataclass
class BinContents:
    transcripts: list[Transcript]
    quotes: list[Quote]  # deleted one by one (not with a binned transcript)
    days: int


def contents(project: Project) -> BinContents:
    """What a project admin may restore (2 queries)."""
    transcripts = list(
        Transcript.all_objects.filter(project=project, deleted_at__gte=cutoff()).order_by(
            "-deleted_at"
        )
    )
    quotes = list(
        Quote.all_objects.filter(
            transcript__project=project,
            transcript__deleted_at__isnull=True,
            deleted_at__gte=cutoff(),
        )
        .select_related("transcript", "coder")
        .defer("transcript__text")
        .order_by("-deleted_at")
    )
    return BinContents(transcripts, quotes, bin_days())


def binned_transcript(access: ProjectAccess, transcript_id: int) -> Transcript:
    queryset = Transcript.all_objects.filter(deleted_at__isnull=False)
    return get_in_project(access, queryset, transcript_id, what="transcript in the bin")


def binned_quote(access: ProjectAccess, quote_id: int) -> Quote:
    queryset = Quote.all_objects.filter(deleted_at__isnull=False).select_related("transcript")
    return get_in_project(
        access, queryset, quote_id, via="transcript__project", what="quote in the bin"
    )


@transaction.atomic
def bin_transcript(*, access: ProjectAccess, transcript: Transcript) -> Transcript:
    """Move a transcript and its live quotes to the bin."""
    access.require(ADMIN, "deleting transcripts")
    if transcript.project_id != access.project.pk or transcript.deleted_at is not None:
        raise CodingError("That transcript is not here to delete.", status=404)
    now = timezone.now()
    transcript.deleted_at = now
    transcript.save(update_fields=["deleted_at", "updated_at"])
    moved = Quote.objects.filter(transcript=transcript).update(deleted_at=now, updated_at=now)
    trail.record(transcript, changes={"note": f"moved to the bin with {moved} quotes"},
                 actor=access.user)  # fmt: skip
    return transcript


@transaction.atomic
def restore_transcript(*, access: ProjectAccess, transcript: Transcript) -> int:
    """Bring a transcript back with the quotes it took to the bin. Returns their number."""
    access.require(ADMIN, "restoring transcripts")
    if transcript.deleted_at is None or transcript.deleted_at < cutoff():
        raise CodingError("That transcript is no longer in the bin.", status=404)
    when = transcript.deleted_at
    transcript.deleted_at = None
    transcript.save(update_fields=["deleted_at", "updated_at"])
    restored = Quote.all_objects.filter(transcript=transcript, deleted_at=when).update(
        deleted_at=None, updated_at=timezone.now()
    )
    trail.record(transcript, changes={"note": f"restored from the bin with {restored} quotes"},
                 actor=access.user)  # fmt: skip
    return restored


def restore_quote(*, access: ProjectAccess, quote: Quote) -> Quote:
    """A project admin's restore from the bin: the coding service's undo, within BIN_DAYS."""
    access.require(ADMIN, "restoring quotes")
    if quote.deleted_at is None or quote.deleted_at < cutoff():
        raise CodingError("That quote is no longer in the bin.", status=404)
    return undo_delete(access=access, quote=quote)


@transaction.atomic
def empty_bin(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Purge quotes and transcripts in the bin for longer than BIN_DAYS, each purge
    recorded in the audit trail. Returns (transcripts, quotes) purged."""
    limit = cutoff(now)
    quotes = 0
    for quote in Quote.all_objects.filter(deleted_at__lt=limit).select_related("transcript"):
        if quote.transcript.deleted_at is not None and quote.transcript.deleted_at < limit:
            continue  # goes with its transcript below
        trail.record(quote, changes={"note": "purged from the bin"})
        quote.delete()
        quotes += 1
    transcripts = 0
    for transcript in Transcript.all_objects.filter(deleted_at__lt=limit):
        count = Quote.all_objects.filter(transcript=transcript).count()
        trail.record(transcript, changes={"note": f"purged from the bin with {count} quotes"})
        Quote.all_objects.filter(transcript=transcript).delete()
        if transcript.original_file:
            transcript.original_file.delete(save=False)
        transcript.delete()
        transcripts += 1
        quotes += count
    return transcripts, quotes
