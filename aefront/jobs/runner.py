"""Running a job on the task queue (django-tasks with its database backend, whose worker is
`manage.py db_worker`), with progress that the jobs page polls and a cancel it obeys."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_tasks import task

from aefront.errors import UserError, sentence
from aefront.jobs.kinds import KINDS
from aefront.jobs.models import Job
from interviews import access

logger = logging.getLogger(__name__)
State = Job.State


class Cancelled(Exception):
    """The member asked the job to stop."""


class Progress:
    """What a kind reports as it goes: saved on the job, with a check for a cancel."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def step(self, done: int, total: int, what: str = "") -> None:
        now = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            done=done, total=total, step=what[:200], heartbeat_at=now
        )
        self.job.done, self.job.total, self.job.step, self.job.heartbeat_at = (
            done,
            total,
            what,
            now,
        )
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise Cancelled


def enqueue(job: Job) -> None:
    """Queue the job once the transaction that made it has committed."""
    job_id = str(job.pk)
    transaction.on_commit(lambda: run_job.enqueue(job_id))


@task()
def run_job(job_id: str) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.state != State.QUEUED:
        return "skipped"
    if job.cancel_requested:
        return _finish(job, State.CANCELLED, step="Cancelled before it started.")
    Job.objects.filter(pk=job.pk).update(
        state=State.RUNNING, attempts=job.attempts + 1, heartbeat_at=timezone.now()
    )
    job.refresh_from_db()
    kind = KINDS[job.kind]
    try:
        # Membership and role again: the member may have left the project since.
        member = access.get_project_access(job.user, job.project.slug, kind.roles)
        result = kind.run(job, member, Progress(job))
    except (Http404, PermissionDenied):
        return _finish(job, State.FAILED, error="You are no longer allowed to run this job.")
    except Cancelled:
        return _finish(job, State.CANCELLED, step="Cancelled.")
    except UserError as error:
        return _finish(job, State.FAILED, error=sentence(error))
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return _finish(
            job, State.FAILED, error="The job stopped on an unexpected error; it was logged."
        )
    if result.data is not None:
        job.file.save(result.file_name or "result", ContentFile(result.data), save=False)
        job.file_name, job.content_type = result.file_name, result.content_type
    job.summary = result.summary[:300]
    return _finish(job, State.DONE, step="Done.")


def _finish(job: Job, state: str, *, step: str = "", error: str = "") -> str:
    job.state, job.error, job.finished_at = state, error, timezone.now()
    job.step = step or job.step
    job.save(update_fields=["state", "error", "finished_at", "step", "file", "file_name",
                            "content_type", "summary"])  # fmt: skip
    return state
