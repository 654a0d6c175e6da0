from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from interviews import access
from interviews.overview import project_rows, transcript_rows


def project_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "interviews/project_list.html", {"projects": project_rows(request.user)}
    )


def project_detail(request: HttpRequest, project_slug: str) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug)
    return render(
        request,
        "interviews/project_detail.html",
        {
            "access": project_access,
            "project": project_access.project,
            "transcripts": transcript_rows(project_access.project),
        },
    )
