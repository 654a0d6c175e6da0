from django.urls import path

import aefront.converters  # noqa: F401 (registers <id:>)
from interviews import views

app_name = "interviews"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("p/<slug:project_slug>/", views.project_detail, name="project_detail"),
    path(
        "p/<slug:project_slug>/transcripts/<id:transcript_id>/original/",
        views.transcript_original,
        name="transcript_original",
    ),
    path(
        "p/<slug:project_slug>/transcripts/<id:transcript_id>/recording/",
        views.transcript_recording,
        name="transcript_recording",
    ),
    path(
        "p/<slug:project_slug>/transcripts/<id:transcript_id>/turns/<int:turn_index>/start/",
        views.turn_start,
        name="turn_start",
    ),
]
