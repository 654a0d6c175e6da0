"""Read side for the project and transcript lists: one query per list."""

from django.db.models import Count, Q, QuerySet

from interviews import access
from interviews.models import Project, Transcript


def project_rows(user) -> QuerySet[Project]:
    return (
        access.projects_for(user)
        .annotate(
            transcript_count=Count("transcripts", distinct=True),
            theme_count=Count("themes", distinct=True),
        )
        .order_by("name")
    )


def transcript_rows(project: Project) -> QuerySet[Transcript]:
    return (
        Transcript.objects.filter(project=project)
        .select_related("local_system", "enabler")
        .annotate(
            quote_count=Count("quotes", filter=Q(quotes__deleted_at__isnull=True), distinct=True),
            participant_count=Count("participants", distinct=True),
        )
        .defer("text")
        .order_by("interview_date", "title", "pk")
    )
