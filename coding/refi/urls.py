from django.urls import path

from coding.refi import views

app_name = "refi"

urlpatterns = [
    path("p/<slug:project_slug>/exchange/", views.exchange, name="exchange"),
    path("p/<slug:project_slug>/exchange/project.qdpx", views.download_qdpx, name="qdpx"),
]
