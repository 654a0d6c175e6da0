from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coding.reading import theme_rows, transcript_view
from interviews import access


def transcript_detail(request: HttpRequest, project_slug: str, transcript_id: int) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug)
    transcript = access.get_transcript(project_access, transcript_id)
    context = {"access": project_access, "project": project_access.project}
    context.update(transcript_view(transcript))
    return render(request, "coding/transcript_detail.html", context)


def theme_list(request: HttpRequest, project_slug: str) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug)
    return render(
        request,
        "coding/theme_list.html",
        {
            "access": project_access,
            "project": project_access.project,
            "themes": theme_rows(project_access.project),
        },
    )
