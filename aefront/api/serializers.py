"""What each API object looks like, in and out. Read serializers take rows the views
loaded with their relations (no query per row); write serializers only check the shape
of the input: the services check the rules. A participant's real name and a turn's
stored speaker label are never among the fields."""

from __future__ import annotations

from rest_framework import serializers

from aefront.api.models import AccessToken
from coding.models import MAX_MEMO_CHARS, Quote, RedactionTerm, Theme, ThemeSummary
from coding.services import MAX_THEME_NAME_CHARS
from interviews.models import (
    LocalSystem,
    Membership,
    OrganisationType,
    Participant,
    Project,
    SpeakerTurn,
    Transcript,
)

MAX_ID = 2**63 - 1


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "uuid",
            "slug",
            "name",
            "description",
            "report_title",
            "enablers_can_propose_themes",
            "multi_turn_quotes",
            "created_at",
        ]
        read_only_fields = ["id", "uuid", "created_at"]


class ProjectListSerializer(serializers.Serializer):
    """A project with the caller's role in it (from the caller's membership row)."""

    id = serializers.IntegerField(source="project.id")
    uuid = serializers.UUIDField(source="project.uuid")
    slug = serializers.CharField(source="project.slug")
    name = serializers.CharField(source="project.name")
    description = serializers.CharField(source="project.description")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class ProjectUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    report_title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    enablers_can_propose_themes = serializers.BooleanField(required=False)
    multi_turn_quotes = serializers.BooleanField(required=False)


class ProjectCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class LocalSystemSerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalSystem
        fields = ["id", "uuid", "name"]


class ParticipantSerializer(serializers.ModelSerializer):
    organisation_type = serializers.ChoiceField(choices=OrganisationType.choices)

    class Meta:
        model = Participant
        fields = ["id", "uuid", "pseudonym", "role_title", "organisation_type", "local_system"]


class TranscriptSerializer(serializers.ModelSerializer):
    enabler = serializers.SlugRelatedField(slug_field="username", read_only=True)
    participants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Transcript
        fields = [
            "id",
            "uuid",
            "title",
            "interview_date",
            "local_system",
            "enabler",
            "participants",
            "original_format",
            "speakers_confirmed",
            "created_at",
            "updated_at",
        ]


class TurnSerializer(serializers.ModelSerializer):
    speaker = serializers.SerializerMethodField()

    class Meta:
        model = SpeakerTurn
        fields = ["index", "start", "end", "speaker", "participant", "is_interviewer"]
        fields += ["started_at_ms"]

    def get_speaker(self, turn: SpeakerTurn) -> str:
        """The pseudonym, "Interviewer", or "" (never the label stored from the file)."""
        if turn.is_interviewer:
            return "Interviewer"
        return turn.participant.pseudonym if turn.participant else ""


class TranscriptDetailSerializer(TranscriptSerializer):
    """`text` is what every offset points into: [start, end) in Unicode code points."""

    turns = TurnSerializer(many=True, read_only=True)

    class Meta(TranscriptSerializer.Meta):
        fields = [*TranscriptSerializer.Meta.fields, "text", "turns"]


class TranscriptUpdateSerializer(serializers.Serializer):
    """The details the review step sets; a field left out keeps its value."""

    title = serializers.CharField(max_length=300, allow_blank=True)
    interview_date = serializers.DateField(allow_null=True)
    local_system = serializers.IntegerField(allow_null=True, min_value=1, max_value=MAX_ID)
    title_is_safe = serializers.BooleanField(
        help_text="The title names no one, so exports may show it."
    )


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    local_system = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ThemeSerializer(serializers.ModelSerializer):
    path = serializers.CharField(source="tree_path", read_only=True, help_text="“Parent › Child”")
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "uuid", "name", "slug", "parent", "path", "depth", "description"]
        fields += ["colour", "is_active", "is_proposed", "order", "created_at"]


class ThemeWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_THEME_NAME_CHARS)
    parent = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    description = serializers.CharField(required=False, allow_blank=True)
    colour = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)
    is_active = serializers.BooleanField(required=False)
    order = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class QuoteSerializer(serializers.ModelSerializer):
    """A quote: `uuid` is its stable id (also in the CSV and XLSX exports)."""

    coder = serializers.SlugRelatedField(slug_field="username", read_only=True)
    themes = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = ["id", "uuid", "transcript", "start", "end", "text", "memo", "coder"]
        fields += ["themes", "is_cleared", "created_at", "updated_at"]

    def get_themes(self, quote: Quote) -> list[int]:
        known = getattr(quote, "theme_ids", None)  # set by the service that just wrote it
        if known is not None:
            return sorted(known)
        return sorted(coding.tag_id for coding in quote.codings.all())


class QuoteCreateSerializer(serializers.Serializer):
    transcript = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    end = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    text = serializers.CharField(trim_whitespace=False)
    themes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list
    )
    new_theme = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_THEME_NAME_CHARS
    )
    memo = serializers.CharField(required=False, allow_blank=True, max_length=MAX_MEMO_CHARS)
    uuid = serializers.UUIDField(required=False)


class QuoteUpdateSerializer(serializers.Serializer):
    memo = serializers.CharField(required=False, allow_blank=True, max_length=MAX_MEMO_CHARS)
    themes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False
    )


class QuoteFilterSerializer(serializers.Serializer):
    """?transcript=&theme=&coder=<username>&created_after=&created_before=&updated_since="""

    transcript = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    theme = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    coder = serializers.CharField(required=False, max_length=150)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    updated_since = serializers.DateTimeField(required=False)


class SummarySerializer(serializers.ModelSerializer):
    headline_quotes = serializers.SerializerMethodField()

    class Meta:
        model = ThemeSummary
        fields = ["id", "theme", "narrative", "headline_quotes", "position", "version"]
        fields += ["updated_at"]

    def get_headline_quotes(self, summary: ThemeSummary) -> list[int]:
        """The live headline quotes' ids, in order."""
        return [headline.quote_id for headline in summary.headlines.all()]


class RedactionTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedactionTerm
        fields = ["id", "term", "replacement", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"replacement": {"required": False}}


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["docx", "md", "html", "csv", "xlsx"])
    theme = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessToken
        fields = ["id", "name", "prefix", "scope", "created_at", "expires_at"]
