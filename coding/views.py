from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from coding.reading import parse_filters, theme_rows, transcript_page
from interviews import access


@never_cache
def transcript_detail(request: HttpRequest, project_slug: str, transcript_id: int) -> HttpResponse:
    """The coding page: the transcript with its quotes, the side panel and the filters."""
    project_access = access.get_project_access(request.user, project_slug)
    transcript = access.get_transcript(project_access, transcript_id)
    context = {"access": project_access, "project": project_access.project}
    context.update(
        transcript_page(
            transcript,
            user=request.user,
            role=project_access.role,
            filters=parse_filters(request.GET),
        )
    )
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
