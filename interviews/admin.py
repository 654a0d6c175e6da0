"""Django admin for projects, memberships, local systems, participants and transcripts.

Scoped to the project admin's own projects (see interviews.admin_scope). Transcript
text is read-only here: quotes point into it by offset. What the codebook adds to
these pages (theme and quote counts, copying a codebook) is added by coding.admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from interviews.admin_scope import (
    ProjectFixedAdmin,
    ProjectFixedForm,
    ProjectScopedAdmin,
    ProjectScopedInline,
    count_of,
    scoped_project_ids,
)
from interviews.models import (
    LocalSystem,
    Membership,
    Participant,
    Project,
    SpeakerTurn,
    Transcript,
)


class MembershipInline(ProjectScopedInline):
    model = Membership
    extra = 1
    fields = ["user", "role"]
    any_user_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(ProjectScopedAdmin):
    project_path = ""
    superuser_only_add_delete = True
    list_display = ["name", "slug", "member_count", "transcript_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "description",
        "report_title",
        "enablers_can_propose_themes",
        "multi_turn_quotes",
        "authors_hear_recordings",
    ]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                members_n=count_of(Membership.objects.all(), "project"),
                transcripts_n=count_of(Transcript.objects.all(), "project"),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Project admins may describe their project; only superusers move its URL.
        if obj is not None and scoped_project_ids(request) is not None:
            return ["slug"]
        return []

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict:
        return {} if obj is not None else dict(self.prepopulated_fields)

    @admin.display(description="members", ordering="members_n")
    def member_count(self, obj: Project) -> int:
        return obj.members_n

    @admin.display(description="transcripts", ordering="transcripts_n")
    def transcript_count(self, obj: Project) -> int:
        return obj.transcripts_n


@admin.register(Membership)
class MembershipAdmin(ProjectScopedAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = [("project", admin.RelatedOnlyFieldListFilter), "role"]
    search_fields = ["user__username", "project__name"]
    list_select_related = ["user", "project"]
    any_user_fields = ("user",)


@admin.register(LocalSystem)
class LocalSystemAdmin(ProjectFixedAdmin):
    list_display = ["name", "project", "participant_count"]
    list_filter = [("project", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["project"]
    fields = ["project", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(participants_n=count_of(Participant.objects.all(), "local_system"))
        )

    @admin.display(description="participants", ordering="participants_n")
    def participant_count(self, obj: LocalSystem) -> int:
        return obj.participants_n


class ParticipantForm(ProjectFixedForm):
    class Meta:
        model = Participant
        fields = ["project", "pseudonym", "role_title", "organisation_type", "local_system"]

    same_project_fields = {"local_system": "This local system belongs to another project."}


@admin.register(Participant)
class ParticipantAdmin(ProjectFixedAdmin):
    form = ParticipantForm
    list_display = ["pseudonym", "role_title", "organisation_type", "local_system", "project"]
    list_filter = [
        ("project", admin.RelatedOnlyFieldListFilter),
        "organisation_type",
        ("local_system", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["pseudonym", "role_title"]
    list_select_related = ["project", "local_system"]
    fields = [
        "project",
        "pseudonym",
        "role_title",
        "organisation_type",
        "local_system",
        "real_name",
    ]


class SpeakerTurnInline(ProjectScopedInline):
    model = SpeakerTurn
    extra = 0
    can_delete = False
    fields = ["index", "speaker_label", "excerpt", "participant", "is_interviewer"]
    readonly_fields = ["index", "speaker_label", "excerpt"]
    ordering = ["index"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # turns come from the imported file

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("participant")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and "participant" in formset.form.base_fields:
            formset.form.base_fields["participant"].queryset = Participant.objects.filter(
                project_id=obj.project_id
            )
        return formset

    @admin.display(description="text")
    def excerpt(self, turn: SpeakerTurn) -> str:
        text = turn.transcript.text[turn.start : turn.end]
        return text if len(text) <= 120 else text[:117] + "…"


class TranscriptForm(ProjectFixedForm):
    class Meta:
        model = Transcript
        fields = [
            "title",
            "interview_date",
            "local_system",
            "enabler",
            "participants",
            "speakers_confirmed",
        ]

    same_project_fields = {
        "local_system": "This local system belongs to another project.",
        "participants": "Some participants belong to another project.",
    }


@admin.register(Transcript)
class TranscriptAdmin(ProjectScopedAdmin):
    """Metadata is editable; the text is not, because quotes point into it by offset.

    Transcripts are added by import (which normalises the text and finds the
    speaker turns), not here; and deleted through the bin (the coding page's "Move
    transcript to the bin"), never here, so that a delete can be undone for BIN_DAYS.
    """

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    form = TranscriptForm
    list_display = ["title", "project", "interview_date", "local_system", "enabler"]
    list_filter = [
        ("project", admin.RelatedOnlyFieldListFilter),
        ("local_system", admin.RelatedOnlyFieldListFilter),
        "speakers_confirmed",
    ]
    search_fields = ["title"]
    list_select_related = ["project", "local_system", "enabler"]
    date_hierarchy = "interview_date"
    filter_horizontal = ["participants"]
    readonly_fields = [
        "project",
        "original_name",
        "original_format",
        "original_sha256",
        "imported_by",
        "created_at",
        "updated_at",
        "text",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "project",
                    "title",
                    "interview_date",
                    "local_system",
                    "enabler",
                    "participants",
                    "speakers_confirmed",
                ]
            },
        ),
        (
            "Source",
            {
                "fields": [
                    "original_name",
                    "original_format",
                    "original_sha256",
                    "imported_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        ("Text (read-only: quotes point into it)", {"fields": ["text"]}),
    ]
    inlines = [SpeakerTurnInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A transcript's text can be megabytes: the list never loads it.
        return super().get_queryset(request).defer("text")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        transcript = getattr(request, "_aefront_transcript", None)
        if transcript is not None and db_field.name == "local_system":
            formfield.queryset = formfield.queryset.filter(project_id=transcript.project_id)
        if transcript is not None and db_field.name == "enabler":
            formfield.queryset = formfield.queryset.filter(
                memberships__project_id=transcript.project_id
            ).distinct()
        return formfield

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs: Any):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        transcript = getattr(request, "_aefront_transcript", None)
        if transcript is not None and db_field.name == "participants":
            formfield.queryset = formfield.queryset.filter(project_id=transcript.project_id)
        return formfield

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        # Menus offer only the transcript's own project's systems, people and members.
        request._aefront_transcript = obj
        return super().get_form(request, obj, change=change, **kwargs)
