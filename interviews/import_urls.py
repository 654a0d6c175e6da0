from django.urls import path

from interviews import import_views

app_name = "imports"

urlpatterns = [
    path("p/<slug:project_slug>/import/", import_views.upload, name="upload"),
    path("p/<slug:project_slug>/import/file/", import_views.upload_file, name="upload_file"),
    path(
        "p/<slug:project_slug>/import/<int:transcript_id>/review/",
        import_views.review,
        name="review",
    ),
]
