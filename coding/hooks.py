"""Signal receivers, connected in CodingConfig.ready(): a new transcript's passages are
queued for the task worker (coding/jobs.py: in the import's own transaction when the
queue is the database, after its commit otherwise; search and suggestions cut them
themselves if they come first), a changed transcript gets its passages rebuilt at once,
and a saved quote is queued for its embedding and its transcript's open pages hear of
it (coding/live.py)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save

from coding.models import Quote
from interviews.models import Transcript


def _transcript_saved(
    sender, instance: Transcript, created: bool = False, raw: bool = False, **kwargs
) -> None:
    if raw:
        return
    pk = instance.pk
    if created:
        from coding.jobs import cut_passages

        if _queue_is_this_database() and transaction.get_connection().in_atomic_block:
            # The job's row commits with the transcript, or not at all: one commit fewer
            # per import, and no transcript is left without its job if the process dies
            # between the two. The worker sees the row only after the import's commit.
            cut_passages.enqueue(pk)
            return
        # robust: the import has committed; a queue that fails now must not undo its answer
        # (search and suggestions cut the passages anyway when they find none).
        transaction.on_commit(lambda: cut_passages.enqueue(pk), robust=True)
        return
    from coding.passages import index_transcript

    def rebuild() -> None:
        transcript = Transcript.objects.filter(pk=pk).first()
        if transcript is not None:
            index_transcript(transcript=transcript)

    transaction.on_commit(rebuild)


def _queue_is_this_database() -> bool:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def _quote_saved(sender, instance: Quote, raw: bool = False, **kwargs) -> None:
    if not raw:
        quote_saved(instance)


def quote_saved(quote: Quote) -> None:
    """After the commit: the quote's open pages hear of it and it is queued for its
    embedding (also called by coding/quote_insert.py's writes, which send no signal)."""
    from coding.live import quote_changed

    quote_changed(quote)  # created, changed, deleted or restored
    if quote.deleted_at is not None:
        return
    from coding.embeddings import queue_quote

    pk = quote.pk
    transaction.on_commit(lambda: queue_quote(pk))


def connect() -> None:
    post_save.connect(_transcript_saved, sender=Transcript, dispatch_uid="coding.passages")
    post_save.connect(_quote_saved, sender=Quote, dispatch_uid="coding.embeddings")
