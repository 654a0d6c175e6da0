"""The coding pages: a transcript to code, and the project's codebook with its counts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coding.reading import parse_filters, theme_rows, transcript_page
from interviews import access
from interviews.access import ProjectAccess, project_page


@project_page()
def transcript_detail(
    request: HttpRequest, project_access: ProjectAccess, transcript_id: int
) -> HttpResponse:
    """The coding page: the transcript with its quotes, the side panel and the filters."""
    transcript = access.get_transcript(project_access, transcript_id)
    context = {"access": project_access, "project": project_access.project}
    context.update(
        transcript_page(transcript, access=project_access, filters=parse_filters(request.GET))
    )
    return render(request, "coding/transcript_detail.html", context)


@project_page()
def theme_list(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    return render(
        request,
        "coding/theme_list.html",
        {
            "access": project_access,
            "project": project_access.project,
            "themes": theme_rows(project_access.project, project_access),
        },
    )
