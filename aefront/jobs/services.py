"""Starting, cancelling, retrying and pruning jobs; who may do each goes through access."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from aefront.errors import UserError
from aefront.jobs.kinds import KINDS
from aefront.jobs.models import KEEP_FILES_FOR, Job
from aefront.jobs.runner import enqueue
from interviews.access import ProjectAccess

MAX_ACTIVE_PER_MEMBER = 5
INPUTS = "job-inputs"  # in the storage: the uploaded file a job works on, by job id


@transaction.atomic
def start_job(*, access: ProjectAccess, kind: str, params: dict | None = None) -> Job:
    found = KINDS.get(kind)
    if found is None:
        raise UserError(f"kind: there is no job called {kind!r}.")
    access.require(found.roles, found.label.lower())
    active = Job.objects.filter(
        project=access.project, user=access.user, state__in=Job.ACTIVE
    ).count()
    if active >= MAX_ACTIVE_PER_MEMBER:
        raise UserError(f"You have {active} jobs running in this project: wait for one.")
    job = Job.objects.create(
        project=access.project, user=access.user, kind=kind, params=params or {},
        step="Waiting for the worker.",
    )  # fmt: skip
    enqueue(job)
    return job


@transaction.atomic
def start_job_on_file(
    *, access: ProjectAccess, kind: str, data: bytes, params: dict, summary: str
) -> Job:
    """A job whose input is an uploaded file: the file is stored under the job's id (its
    key in `params["key"]`), and the job is queued once this commits. If the job cannot
    be saved, the stored file goes too."""
    job = start_job(access=access, kind=kind)
    key = default_storage.save(f"{INPUTS}/{job.pk}", ContentFile(data))
    try:
        job.params, job.summary = {**params, "key": key}, summary
        job.save(update_fields=["params", "summary"])
    except BaseException:
        default_storage.delete(key)
        raise
    return job


def job_file(job: Job, name: str) -> bytes:
    """The uploaded file a job works on; UserError naming it when it is gone."""
    try:
        with default_storage.open(job.params.get("key", ""), "rb") as stored:
            return stored.read()
    except OSError:  # FileNotFoundError, or the object store's own
        raise UserError(f"{name}: no longer stored; upload it again.") from None


def drop_job_file(job: Job) -> None:
    """Once the job has done its work: its input is not kept."""
    default_storage.delete(job.params["key"])


def cancel_job(job: Job) -> Job:
    """Ask a waiting or running job to stop (it stops at its next step)."""
    if not job.is_active:
        raise UserError("The job has finished already.", status=409)
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    job.cancel_requested = True
    if job.state == Job.State.QUEUED or job.is_interrupted:
        job.state, job.finished_at, job.step = Job.State.CANCELLED, timezone.now(), "Cancelled."
        job.save(update_fields=["state", "finished_at", "step"])
    return job


@transaction.atomic
def retry_job(job: Job) -> Job:
    """Run a failed, cancelled or interrupted job again from the start (its kind is safe
    to repeat, so nothing is written twice)."""
    if not job.may_retry:
        raise UserError("Only a failed, cancelled or interrupted job can be retried.", status=409)
    job.file.delete(save=False)
    job.state, job.done, job.total, job.error = Job.State.QUEUED, 0, 0, ""
    job.cancel_requested, job.finished_at, job.step = False, None, "Waiting for the worker."
    job.file_name = job.summary = ""
    job.save()
    enqueue(job)
    return job


def prune_expired(queryset=None) -> int:
    """Delete the files of jobs that finished more than 24 hours ago, results and the
    uploads kept for a retry (a failed or cancelled import's); returns how many."""
    finished = (queryset if queryset is not None else Job.objects).filter(
        finished_at__lt=timezone.now() - KEEP_FILES_FOR
    )
    count = 0
    for job in finished.exclude(file=""):
        job.file.delete(save=False)
        job.file_name = ""
        job.save(update_fields=["file", "file_name"])
        count += 1
    for job in finished.filter(params__has_key="key"):
        key = job.params.pop("key")  # a retry then asks for the file again
        if default_storage.exists(key):  # not yet dropped by the job that used it
            default_storage.delete(key)
            count += 1
        job.save(update_fields=["params"])
    return count
