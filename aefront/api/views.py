"""The endpoints of /api/v1/. Each view is thin: `ProjectMember` has loaded the
project through interviews/access.py (`self.access`), the view reads through a
queryset with its relations loaded (the same query count for 1 row or 10,000), or
checks the input's shape with one serializer and calls one service.

    projects/                              GET list (with your role), POST (superusers)
    projects/<slug>/                       GET, PATCH (admins)
    projects/<slug>/memberships/[<id>/]    admins: GET, POST; PATCH role, DELETE
    projects/<slug>/local-systems/         GET
    projects/<slug>/participants/          GET (pseudonyms, never real names)
    projects/<slug>/transcripts/[<id>/]    GET, POST upload (enablers, admins); detail: text, turns
    projects/<slug>/themes/[<id>/]         GET the codebook in tree order; admins: POST, PATCH
    projects/<slug>/quotes/[<id>/]         GET (filters), POST code a passage; PATCH, DELETE
    projects/<slug>/summaries/             GET theme summaries
    projects/<slug>/redaction-terms/[<id>/]  authors, admins: GET, POST, DELETE
    projects/<slug>/export/?format=&theme=   authors, admins: the report's exports
    tokens/[<id>/]                         your tokens: GET, DELETE (revoke)
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from aefront.api import reading
from aefront.api import serializers as s
from aefront.api.models import AccessToken
from aefront.api.tokens import revoke_token
from aefront.api.transfers import export_response, import_upload
from coding import services, taxonomy
from coding.models import HeadlineQuote, QuoteTheme, RedactionTerm, Theme, ThemeSummary
from coding.reading import (
    blind_hidden,
    blind_viewer,
    get_quote,
    get_theme,
    themes_with_ids,
    transcript_and_themes,
    visible_quotes,
)
from coding.report import authoring
from coding.tree import placed
from interviews import access, projects
from interviews.models import LocalSystem, Membership, Participant
from interviews.services import save_review

ADMINS = frozenset({Membership.Role.ADMIN})


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _themes(project_access, ids) -> list[Theme]:
    """The project's themes with these ids, in one query; any other id is a 404."""
    return _themes_found(ids, themes_with_ids(project_access.project.pk, ids))


def _themes_found(ids, found: dict[int, Theme]) -> list[Theme]:
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise Http404(f"No theme {missing[0]} in this project.")
    return [found[pk] for pk in dict.fromkeys(ids)]


class ProjectView(generics.GenericAPIView):
    """Base of the project endpoints: `self.access` is the caller's ProjectAccess."""

    access: access.ProjectAccess

    @property
    def project(self):
        return self.access.project


# --- projects and memberships -------------------------------------------------------


class ProjectList(generics.ListCreateAPIView):
    serializer_class = s.ProjectListSerializer

    def get_queryset(self):
        return access.memberships_for(self.request.user).order_by("project__name", "pk")

    @extend_schema(request=s.ProjectCreateSerializer, responses={201: s.ProjectSerializer})
    def post(self, request):
        data = _valid(s.ProjectCreateSerializer, request.data)
        project = projects.create_project(user=request.user, **data)
        return Response(s.ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetail(ProjectView):
    serializer_class = s.ProjectSerializer
    write_roles = ADMINS

    def get(self, request, project_slug):
        return Response(s.ProjectSerializer(self.project).data)

    @extend_schema(request=s.ProjectUpdateSerializer)
    def patch(self, request, project_slug):
        changes = _valid(s.ProjectUpdateSerializer, request.data, partial=True)
        project = projects.update_project(project=self.project, changes=changes)
        return Response(s.ProjectSerializer(project).data)


class MembershipList(ProjectView, generics.ListAPIView):
    serializer_class = s.MembershipSerializer
    read_roles = write_roles = ADMINS

    def get_queryset(self):
        return (
            Membership.objects.filter(project=self.project).select_related("user").order_by("pk")
        )

    @extend_schema(request=s.MembershipCreateSerializer, responses={201: s.MembershipSerializer})
    def post(self, request, project_slug):
        data = _valid(s.MembershipCreateSerializer, request.data)
        membership = projects.add_member(project=self.project, **data)
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetail(ProjectView):
    serializer_class = s.MembershipSerializer
    read_roles = write_roles = ADMINS

    def membership(self, pk) -> Membership:
        return access.get_in_project(
            self.access, Membership.objects.select_related("user"), pk, what="membership"
        )

    def get(self, request, project_slug, pk):
        return Response(s.MembershipSerializer(self.membership(pk)).data)

    @extend_schema(request=s.RoleSerializer)
    def patch(self, request, project_slug, pk):
        data = _valid(s.RoleSerializer, request.data)
        membership = projects.change_role(membership=self.membership(pk), role=data["role"])
        return Response(s.MembershipSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_slug, pk):
        projects.remove_member(membership=self.membership(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- what the interviews are made of ----------------------------------------------------


class LocalSystemList(ProjectView, generics.ListAPIView):
    serializer_class = s.LocalSystemSerializer

    def get_queryset(self):
        return LocalSystem.objects.filter(project=self.project).order_by("name", "pk")


class ParticipantList(ProjectView, generics.ListAPIView):
    serializer_class = s.ParticipantSerializer

    def get_queryset(self):
        return (
            Participant.objects.filter(project=self.project)
            .only("id", "uuid", "pseudonym", "role_title", "organisation_type", "local_system")
            .order_by("pseudonym", "pk")
        )


def transcripts_of(project_access):
    return (
        access.transcripts_for(project_access)
        .select_related("enabler")
        .prefetch_related(Prefetch("participants", Participant.objects.only("id")))
        .defer("text")
        .order_by("pk")
    )


class TranscriptList(ProjectView, generics.ListAPIView):
    serializer_class = s.TranscriptSerializer
    write_roles = access.IMPORT_ROLES
    doing = "importing transcripts"

    def get_queryset(self):
        return transcripts_of(self.access)

    @extend_schema(
        request={"multipart/form-data": s.UploadSerializer},
        responses={201: s.TranscriptSerializer},
    )
    def post(self, request, project_slug):
        data = _valid(s.UploadSerializer, request.data)
        transcript = import_upload(request, self.access, data["file"], data.get("local_system"))
        return Response(s.TranscriptSerializer(transcript).data, status=status.HTTP_201_CREATED)


class TranscriptDetail(ProjectView):
    serializer_class = s.TranscriptDetailSerializer
    write_roles = access.IMPORT_ROLES
    doing = "changing transcript details"

    def get(self, request, project_slug, pk):
        transcript = access.get_in_project(
            self.access, transcripts_of(self.access).defer(None), pk, what="transcript"
        )
        data = s.TranscriptSerializer(transcript).data
        return Response({**data, "text": transcript.text, "turns": reading.turn_dicts(transcript)})

    @extend_schema(request=s.TranscriptUpdateSerializer, responses={200: s.TranscriptSerializer})
    def patch(self, request, project_slug, pk):
        """Title, interview date, local system and "the title names no one", as the review
        step sets them (the speakers are set on the review page)."""
        transcript = access.get_transcript(self.access, pk)
        data = _valid(s.TranscriptUpdateSerializer, request.data, partial=True)
        system = transcript.local_system
        if data.get("local_system") is not None:
            system = access.get_in_project(
                self.access, LocalSystem.objects, data["local_system"], what="local system"
            )
        elif "local_system" in data:
            system = None
        save_review(
            transcript=transcript,
            title=data.get("title", transcript.title),
            interview_date=data.get("interview_date", transcript.interview_date),
            local_system=system,
            mapping=None,
            user=request.user,
            title_is_safe=data.get("title_is_safe", transcript.title_is_safe),
        )
        changed = access.get_in_project(self.access, transcripts_of(self.access), pk, what="")
        return Response(s.TranscriptSerializer(changed).data)


# --- the codebook ---------------------------------------------------------------------


class ThemeList(ProjectView, generics.ListAPIView):
    """The codebook in tree order: parents before children, each with depth and path."""

    serializer_class = s.ThemeSerializer
    write_roles = ADMINS
    doing = "changing the codebook"

    def get_queryset(self):
        rows = []
        for spot in placed(Theme.objects.filter(project=self.project)):
            spot.item.depth, spot.item.tree_path = spot.depth, spot.path
            rows.append(spot.item)
        return rows

    @extend_schema(request=s.ThemeWriteSerializer, responses={201: s.ThemeSerializer})
    def post(self, request, project_slug):
        data = _valid(s.ThemeWriteSerializer, request.data)
        if data.get("parent"):
            data["parent"] = get_theme(self.access, data["parent"])
        theme = taxonomy.create_theme(project=self.project, **data)
        return Response(s.ThemeSerializer(_placed(theme)).data, status=status.HTTP_201_CREATED)


def _placed(theme: Theme) -> Theme:
    """The theme with its depth and path in the tree (a top-level theme needs no query)."""
    if theme.parent_id is None:
        theme.depth, theme.tree_path = 0, theme.name
        return theme
    for spot in placed(Theme.objects.filter(project_id=theme.project_id)):
        if spot.item.pk == theme.pk:
            theme.depth, theme.tree_path = spot.depth, spot.path
    return theme


class ThemeDetail(ProjectView):
    serializer_class = s.ThemeSerializer
    write_roles = ADMINS
    doing = "changing the codebook"

    def get(self, request, project_slug, pk):
        return Response(s.ThemeSerializer(_placed(get_theme(self.access, pk))).data)

    @extend_schema(request=s.ThemeWriteSerializer)
    def patch(self, request, project_slug, pk):
        theme = get_theme(self.access, pk)
        changes = _valid(s.ThemeWriteSerializer, request.data, partial=True)
        if changes.get("parent"):
            changes["parent"] = get_theme(self.access, changes["parent"])
        theme = taxonomy.update_theme(theme=theme, changes=changes)
        return Response(s.ThemeSerializer(_placed(theme)).data)


# --- quotes ---------------------------------------------------------------------------


def quotes_of(project_access):
    """The project's quotes this member may see (a blind round hides the other coders')."""
    return (
        visible_quotes(project_access)
        .select_related("coder")
        .prefetch_related(
            Prefetch("codings", QuoteTheme.objects.only("id", "tag_id", "content_object_id"))
        )
    )


QUOTE_FILTERS = [
    OpenApiParameter("transcript", int, description="Quotes of this transcript"),
    OpenApiParameter("theme", int, description="Quotes coded with this theme"),
    OpenApiParameter("coder", str, description="Quotes by this coder (username)"),
    OpenApiParameter("created_after", OpenApiTypes.DATETIME),
    OpenApiParameter("created_before", OpenApiTypes.DATETIME),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME),
]


class QuoteList(ProjectView, generics.ListAPIView):
    serializer_class = s.QuoteSerializer
    write_roles = access.CODING_ROLES
    doing = "coding"

    def get_queryset(self):
        f = _valid(s.QuoteFilterSerializer, self.request.query_params)
        if "theme" in f:  # a subquery, so that a quote is listed once
            f["id__in"] = QuoteTheme.objects.filter(tag_id=f.pop("theme")).values(
                "content_object_id"
            )
        lookups = {
            "transcript_id": f.get("transcript"),
            "id__in": f.get("id__in"),
            "coder__username": f.get("coder"),
            "created_at__gt": f.get("created_after"),
            "created_at__lt": f.get("created_before"),
            "updated_at__gt": f.get("updated_since"),
        }
        wanted = {key: value for key, value in lookups.items() if value is not None}
        return quotes_of(self.access).filter(**wanted).order_by("transcript_id", "start", "pk")

    @extend_schema(parameters=QUOTE_FILTERS)
    def get(self, request, project_slug):
        page = self.paginate_queryset(reading.quote_values(self.get_queryset()))
        return self.get_paginated_response(reading.quote_dicts(page))

    @extend_schema(request=s.QuoteCreateSerializer, responses={201: s.QuoteSerializer})
    def post(self, request, project_slug):
        data = _valid(s.QuoteCreateSerializer, request.data)
        ids = data.pop("themes")
        transcript, found = transcript_and_themes(
            self.access, data.pop("transcript"), data["start"], data["end"], ids
        )
        quote = services.code_passage(
            access=self.access,
            transcript=transcript,
            themes=_themes_found(ids, found),
            key=data.pop("uuid", None),
            **data,
        )
        body = reading.quote_dict(quote, quote.theme_ids)
        return Response(body, status=status.HTTP_201_CREATED)


class QuoteDetail(ProjectView):
    serializer_class = s.QuoteSerializer
    write_roles = access.CODING_ROLES
    doing = "coding"

    def quote(self, pk):
        return access.get_in_project(
            self.access, quotes_of(self.access), pk, via="transcript__project", what="quote"
        )

    def get(self, request, project_slug, pk):
        return Response(s.QuoteSerializer(self.quote(pk)).data)

    @extend_schema(request=s.QuoteUpdateSerializer)
    def patch(self, request, project_slug, pk):
        quote = get_quote(self.access, pk)
        data = _valid(s.QuoteUpdateSerializer, request.data, partial=True)
        services.update_quote(
            access=self.access,
            quote=quote,
            memo=data.get("memo"),
            themes=None if "themes" not in data else _themes(self.access, data["themes"]),
        )
        return Response(s.QuoteSerializer(self.quote(pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_slug, pk):
        services.delete_quote(access=self.access, quote=get_quote(self.access, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the report -----------------------------------------------------------------------


class SummaryList(ProjectView, generics.ListAPIView):
    serializer_class = s.SummarySerializer

    def get_queryset(self):
        headlines = HeadlineQuote.objects.filter(quote__deleted_at__isnull=True)
        viewer = blind_viewer(self.access)
        if viewer is not None:
            headlines = headlines.exclude(blind_hidden(viewer, "quote__"))
        headlines = headlines.order_by("position", "pk")
        return (
            ThemeSummary.objects.filter(project=self.project)
            .prefetch_related(Prefetch("headlines", headlines))
            .order_by("position", "pk")
        )


class RedactionTermList(ProjectView, generics.ListAPIView):
    serializer_class = s.RedactionTermSerializer
    read_roles = write_roles = access.AUTHORING_ROLES
    doing = "keeping the redaction list"

    def get_queryset(self):
        return RedactionTerm.objects.filter(project=self.project).order_by("term", "pk")

    @extend_schema(request=s.RedactionTermSerializer, responses={201: s.RedactionTermSerializer})
    def post(self, request, project_slug):
        data = _valid(s.RedactionTermSerializer, request.data)
        term = authoring.add_redaction_term(
            project=self.project, term=data["term"], replacement=data.get("replacement", "")
        )
        return Response(s.RedactionTermSerializer(term).data, status=status.HTTP_201_CREATED)


class RedactionTermDetail(ProjectView):
    serializer_class = s.RedactionTermSerializer
    read_roles = write_roles = access.AUTHORING_ROLES
    doing = "keeping the redaction list"

    @extend_schema(responses={204: None})
    def delete(self, request, project_slug, pk):
        authoring.remove_redaction_term(project=self.project, term_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class Export(ProjectView):
    """One export, with the report's filters (system, org_type, date_from, date_to,
    coder) and optionally one theme: CSV and XLSX rows carry each quote's uuid."""

    serializer_class = s.ExportQuerySerializer
    read_roles = access.AUTHORING_ROLES
    doing = "exporting"

    @extend_schema(
        parameters=[
            s.ExportQuerySerializer,
            OpenApiParameter("system", int),
            OpenApiParameter("org_type", str),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("coder", int, description="A member's user id"),
        ],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request, project_slug):
        data = _valid(s.ExportQuerySerializer, request.query_params)
        theme = get_theme(self.access, data["theme"]) if data.get("theme") else None
        return export_response(request, self.access, data["format"], theme)


# --- tokens ----------------------------------------------------------------------------


class TokenList(generics.ListAPIView):
    """Your live personal access tokens (make them on /api/tokens/)."""

    serializer_class = s.TokenSerializer

    def get_queryset(self):
        return AccessToken.objects.filter(user=self.request.user, revoked_at__isnull=True)


class TokenDetail(generics.GenericAPIView):
    serializer_class = s.TokenSerializer

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        revoke_token(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
