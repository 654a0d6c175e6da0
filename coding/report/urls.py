from django.urls import path

import aefront.converters  # noqa: F401 (registers <id:>)
from coding.report import views

app_name = "report"

PREFIX = "p/<slug:project_slug>/report/"

urlpatterns = [
    path(PREFIX, views.summary_page, name="summary"),
    path(f"{PREFIX}themes/<id:theme_id>/", views.theme_page, name="theme"),
    path(f"{PREFIX}themes/<id:theme_id>/quotes/", views.cell_quotes, name="cell"),
    path(f"{PREFIX}themes/<id:theme_id>/new/", views.theme_new, name="theme_new"),
    path(f"{PREFIX}new/", views.project_new, name="project_new"),
    path(f"{PREFIX}themes/<id:theme_id>/narrative/", views.save_narrative, name="narrative"),
    path(f"{PREFIX}themes/<id:theme_id>/headlines/", views.edit_headlines, name="headlines"),
    path(f"{PREFIX}themes/<id:theme_id>/clearance/", views.set_clearance, name="clearance"),
    path(f"{PREFIX}themes/<id:theme_id>/bulk/", views.bulk_action, name="bulk"),
    path(f"{PREFIX}themes/<id:theme_id>/inclusion/", views.set_inclusion, name="inclusion"),
    path(f"{PREFIX}contents/", views.report_contents, name="contents"),
    path(f"{PREFIX}preview/", views.preview, name="preview"),
    path(f"{PREFIX}charts/<slug:key>.<slug:fmt>", views.chart_download, name="chart"),
    path(f"{PREFIX}order/", views.reorder, name="order"),
    path(f"{PREFIX}review/", views.review_page, name="review"),
    path(f"{PREFIX}review/decide/", views.review_decide, name="review_decide"),
    path(f"{PREFIX}review/sign-off/", views.review_sign_off, name="review_sign_off"),
    path(f"{PREFIX}export/", views.export, name="export"),
    path(f"{PREFIX}redactions/", views.redactions, name="redactions"),
    path(
        f"{PREFIX}redactions/<id:term_id>/delete/",
        views.delete_redaction,
        name="redaction_delete",
    ),
    path(f"{PREFIX}safe/<id:safe_id>/delete/", views.delete_safe_term, name="safe_delete"),
]
