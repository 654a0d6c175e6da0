from django.urls import path

import aefront.converters  # noqa: F401 (registers <id:>)
from interviews.imports import views

app_name = "imports"

urlpatterns = [
    path("p/<slug:project_slug>/import/", views.upload, name="upload"),
    path("p/<slug:project_slug>/import/file/", views.upload_file, name="upload_file"),
    path("p/<slug:project_slug>/import/archive/", views.upload_archive, name="upload_archive"),
    path(
        "p/<slug:project_slug>/import/<id:transcript_id>/review/",
        views.review,
        name="review",
    ),
    path(
        "p/<slug:project_slug>/import/<id:transcript_id>/recording/",
        views.attach_recording,
        name="attach_recording",
    ),
]
