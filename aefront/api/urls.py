"""/api/v1/ (namespace "api"). Every view is exempt from the login redirect: the API
answers 401 itself (DRF authentication: token or session)."""

from functools import cache

from django.contrib.auth.decorators import login_not_required
from django.urls import path

import aefront.converters  # noqa: F401 (registers <id:>)
from aefront.api import views

app_name = "api"

P = "v1/projects/<slug:project_slug>/"


def api(view_class, **kwargs):
    return login_not_required(view_class.as_view(**kwargs))


def _docs_view(name: str):
    """drf-spectacular's schema and Swagger views, imported on their first request: the
    generator pulls in YAML, jsonschema and DRF's test tools, which no other request
    needs, so a server process does not carry them until someone reads the docs."""

    @cache
    def view():
        from drf_spectacular import views as docs
        from rest_framework.permissions import AllowAny

        options = {"permission_classes": [AllowAny], "authentication_classes": []}
        if name == "docs":
            return docs.SpectacularSwaggerSplitView.as_view(url_name="api:schema", **options)
        return docs.SpectacularAPIView.as_view(**options)

    @login_not_required
    def lazy(request, *args, **kwargs):
        return view()(request, *args, **kwargs)

    return lazy


urlpatterns = [
    path("v1/projects/", api(views.ProjectList), name="projects"),
    path(P, api(views.ProjectDetail), name="project"),
    path(P + "memberships/", api(views.MembershipList), name="memberships"),
    path(P + "memberships/<id:pk>/", api(views.MembershipDetail), name="membership"),
    path(P + "local-systems/", api(views.LocalSystemList), name="local_systems"),
    path(P + "participants/", api(views.ParticipantList), name="participants"),
    path(P + "transcripts/", api(views.TranscriptList), name="transcripts"),
    path(P + "transcripts/<id:pk>/", api(views.TranscriptDetail), name="transcript"),
    path(P + "themes/", api(views.ThemeList), name="themes"),
    path(P + "themes/<id:pk>/", api(views.ThemeDetail), name="theme"),
    path(P + "quotes/", api(views.QuoteList), name="quotes"),
    path(P + "quotes/<id:pk>/", api(views.QuoteDetail), name="quote"),
    path(P + "summaries/", api(views.SummaryList), name="summaries"),
    path(P + "redaction-terms/", api(views.RedactionTermList), name="redaction_terms"),
    path(P + "redaction-terms/<id:pk>/", api(views.RedactionTermDetail), name="redaction_term"),
    path(P + "export/", api(views.Export), name="export"),
    path("v1/tokens/", api(views.TokenList), name="tokens"),
    path("v1/tokens/<id:pk>/", api(views.TokenDetail), name="token"),
    path("v1/schema/", _docs_view("schema"), name="schema"),
    path("v1/docs/", _docs_view("docs"), name="docs"),
]
