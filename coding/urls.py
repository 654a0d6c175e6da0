from django.urls import path

import aefront.converters  # noqa: F401 (registers <id:>)
from coding import api, views

app_name = "coding"

QUOTE = "p/<slug:project_slug>/quotes/<id:quote_id>/"
TRANSCRIPT = "p/<slug:project_slug>/transcripts/<id:transcript_id>/"
AGREEMENT = "p/<slug:project_slug>/agreement/transcripts/<id:transcript_id>/themes/<id:theme_id>/"

urlpatterns = [
    path(
        "p/<slug:project_slug>/transcripts/<id:transcript_id>/",
        views.transcript_detail,
        name="transcript",
    ),
    path("p/<slug:project_slug>/themes/", views.theme_list, name="theme_list"),
    # Team coding.
    path("p/<slug:project_slug>/rounds/", views.rounds, name="rounds"),
    path(TRANSCRIPT + "done/", views.mark_done, name="done"),
    path(TRANSCRIPT + "status/", views.coder_status, name="coder_status"),
    path("p/<slug:project_slug>/progress/", views.progress_page, name="progress"),
    path(TRANSCRIPT + "correct/", views.correct, name="correct"),
    path(TRANSCRIPT + "versions/", views.versions, name="versions"),
    path(TRANSCRIPT + "delete/", views.delete_transcript, name="transcript_delete"),
    path("p/<slug:project_slug>/agreement/", views.agreement_page, name="agreement"),
    path(AGREEMENT, views.disagreement_page, name="disagreement"),
    path(AGREEMENT + "decide/", views.decide, name="decide"),
    path("p/<slug:project_slug>/trail/", views.trail_page, name="trail"),
    path("p/<slug:project_slug>/bin/", views.bin_page, name="bin"),
    path(
        "p/<slug:project_slug>/bin/quotes/<id:quote_id>/restore/",
        views.restore_quote,
        name="bin_restore_quote",
    ),
    path(
        "p/<slug:project_slug>/bin/transcripts/<id:transcript_id>/restore/",
        views.restore_transcript,
        name="bin_restore_transcript",
    ),
    path("p/<slug:project_slug>/search/", views.search_page, name="search"),
    path("p/<slug:project_slug>/autocode/", views.autocode_page, name="autocode"),
    path(
        "p/<slug:project_slug>/autocode/speaker/", views.autocode_speaker, name="autocode_speaker"
    ),
    path(
        "p/<slug:project_slug>/autocode/<id:batch_id>/undo/",
        views.autocode_undo,
        name="autocode_undo",
    ),
    path("p/<slug:project_slug>/discover/", views.discover_page, name="discover"),
    path(QUOTE + "similar/", views.similar_page, name="similar"),
    path("p/<slug:project_slug>/suggest/themes/", api.suggest_themes, name="api_suggest"),
    # JSON API (see coding/api.py).
    path(
        "p/<slug:project_slug>/transcripts/<id:transcript_id>/quotes/",
        api.quotes,
        name="api_quotes",
    ),
    path(TRANSCRIPT + "live/", api.live_stream, name="live_stream"),
    path("p/<slug:project_slug>/live/", api.project_live_stream, name="project_live_stream"),
    path(TRANSCRIPT + "live/presence/", api.live_presence, name="live_presence"),
    path(QUOTE, api.quote_detail, name="api_quote"),
    path(QUOTE + "themes/", api.add_theme, name="api_quote_add_theme"),
    path(
        QUOTE + "themes/<id:theme_id>/remove/",
        api.remove_theme,
        name="api_quote_remove_theme",
    ),
    path(QUOTE + "memo/", api.edit_memo, name="api_quote_memo"),
    path(QUOTE + "adjust/", api.adjust, name="api_quote_adjust"),
    path(QUOTE + "delete/", api.delete, name="api_quote_delete"),
    path(QUOTE + "restore/", api.restore, name="api_quote_restore"),
    path(QUOTE + "undo/", api.undo_step, name="api_quote_undo"),
]
