from django.urls import path

from aefront.jobs import views

app_name = "jobs"
JOBS = "p/<slug:project_slug>/jobs/"

urlpatterns = [
    path(JOBS, views.jobs_page, name="list"),
    path(JOBS + "status/", views.jobs_status, name="status"),
    path(JOBS + "start/", views.start, name="start"),
    path(JOBS + "<uuid:job_id>/cancel/", views.cancel, name="cancel"),
    path(JOBS + "<uuid:job_id>/retry/", views.retry, name="retry"),
    path(JOBS + "<uuid:job_id>/download/", views.download, name="download"),
]
