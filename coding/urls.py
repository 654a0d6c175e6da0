from django.urls import path

from coding import views

app_name = "coding"

urlpatterns = [
    path(
        "p/<slug:project_slug>/transcripts/<int:transcript_id>/",
        views.transcript_detail,
        name="transcript",
    ),
    path("p/<slug:project_slug>/themes/", views.theme_list, name="theme_list"),
]
