"""The jobs page of a project (`/p/<p>/jobs/`): a member's own jobs, with progress bars
that static/js/jobs.js keeps up to date, cancel, retry and the downloads (24 hours)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from aefront.errors import UserError, sentence
from aefront.jobs import services
from aefront.jobs.kinds import KINDS
from aefront.jobs.models import Job
from interviews import access
from interviews.access import ProjectAccess

RECENT = 30


def _jobs(project_access: ProjectAccess):
    return Job.objects.filter(project=project_access.project, user=project_access.user)


def _job(project_access: ProjectAccess, job_id) -> Job:
    return access.get_in_project(project_access, _jobs(project_access), job_id, what="job")


def _page_url(project_access: ProjectAccess) -> str:
    return reverse("jobs:list", kwargs={"project_slug": project_access.project.slug})


def job_dict(job: Job, project_access: ProjectAccess) -> dict:
    done = job.state == Job.State.DONE and job.file_name and not job.is_expired
    return {
        "id": str(job.pk),
        "state": "interrupted" if job.is_interrupted else job.state,
        "state_label": "Interrupted" if job.is_interrupted else job.get_state_display(),
        "done": job.done, "total": job.total, "percent": job.percent,
        "step": job.step, "error": job.error, "summary": job.summary,
        "active": job.is_active and not job.is_interrupted,
        "download": reverse("jobs:download", kwargs={
            "project_slug": project_access.project.slug, "job_id": job.pk}) if done else "",
    }  # fmt: skip


@access.project_page()
def jobs_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    services.prune_expired(_jobs(project_access))
    jobs = list(_jobs(project_access)[:RECENT])
    rows = [(job, KINDS.get(job.kind), job_dict(job, project_access)) for job in jobs]
    startable = [kind for kind in KINDS.values() if project_access.role in kind.roles]
    context = {"access": project_access, "project": project_access.project, "rows": rows,
               "startable": startable}  # fmt: skip
    return render(request, "jobs/list.html", context)


@access.project_json(("GET",))
def jobs_status(request: HttpRequest, project_access: ProjectAccess) -> JsonResponse:
    jobs = _jobs(project_access)[:RECENT]
    return JsonResponse({"jobs": [job_dict(job, project_access) for job in jobs]})


@access.project_page(methods=("POST",))
def start(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    kind = request.POST.get("kind", "")
    found = KINDS.get(kind)
    try:
        params = found.params(request.POST) if found and found.params else {}
        services.start_job(access=project_access, kind=kind, params=params)
    except UserError as error:
        messages.error(request, sentence(error))
    else:
        messages.success(request, f"{KINDS[kind].label}: started. It goes on if you leave.")
    return HttpResponseRedirect(_page_url(project_access))


@access.project_page(methods=("POST",))
def cancel(request: HttpRequest, project_access: ProjectAccess, job_id) -> HttpResponse:
    return _act(request, project_access, job_id, services.cancel_job, "Asked the job to stop.")


@access.project_page(methods=("POST",))
def retry(request: HttpRequest, project_access: ProjectAccess, job_id) -> HttpResponse:
    return _act(request, project_access, job_id, services.retry_job, "The job starts again.")


def _act(request, project_access, job_id, action, said: str) -> HttpResponse:
    try:
        action(_job(project_access, job_id))
    except UserError as error:
        messages.error(request, sentence(error))
    else:
        messages.success(request, said)
    return HttpResponseRedirect(_page_url(project_access))


@access.project_page()
def download(request: HttpRequest, project_access: ProjectAccess, job_id) -> HttpResponse:
    job = _job(project_access, job_id)
    if job.state != Job.State.DONE or not job.file_name:
        return HttpResponse("This job has no file.", status=404, content_type="text/plain")
    if job.is_expired:
        return HttpResponse(
            "This file was kept for 24 hours and has been deleted: run the job again.",
            status=410, content_type="text/plain",
        )  # fmt: skip
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name,
                            content_type=job.content_type)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response
