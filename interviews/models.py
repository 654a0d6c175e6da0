import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models.functions import Cast, Concat, Lower
from django.urls import reverse


class Project(models.Model):
    """One study, with its own members, codebook and transcripts."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    report_title = models.CharField(max_length=300, blank=True)
    enablers_can_propose_themes = models.BooleanField(
        default=True,
        help_text="Enablers may create new themes while coding; they are marked as proposed.",
    )
    multi_turn_quotes = models.BooleanField(
        default=False,
        help_text="A quote may run across speaker turns (focus groups); exports then name "
        "every speaker in it. Otherwise a quote lies inside one turn.",
    )
    authors_hear_recordings = models.BooleanField(
        default=False,
        help_text="Report authors may play interview recordings (they hold voices).",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("interviews:project_detail", kwargs={"project_slug": self.slug})


class Membership(models.Model):
    class Role(models.TextChoices):
        ENABLER = "enabler", "Enabler"
        AUTHOR = "author", "Report author"
        ADMIN = "admin", "Project admin"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ENABLER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="membership_once_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.project}"

    def get_additional_data(self) -> dict:
        return {"project": self.project_id}


class LocalSystem(models.Model):
    """An A&E Delivery Board or local health system."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="local_systems")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "project", Lower("name"), name="local_system_name_unique_in_project"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    ACUTE_TRUST = "acute_trust", "acute trust"
    CCG = "ccg", "CCG"
    COMMUNITY_TRUST = "community_trust", "community trust"
    MENTAL_HEALTH_TRUST = "mental_health_trust", "mental health trust"
    LOCAL_AUTHORITY = "local_authority", "local authority"
    AMBULANCE_TRUST = "ambulance_trust", "ambulance trust"
    PRIMARY_CARE = "primary_care", "primary care"
    NATIONAL_BODY = "national_body", "national body"
    OTHER = "other", "other organisation"


class Participant(models.Model):
    """An interviewee, known in the app by pseudonym only.

    real_name is kept (if at all) only so that exports can redact it; it never
    leaves the server.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    pseudonym = models.CharField(max_length=40, help_text="For example P03.")
    role_title = models.CharField(max_length=200, blank=True, help_text="e.g. chief executive")
    organisation_type = models.CharField(
        max_length=32, choices=OrganisationType.choices, default=OrganisationType.OTHER
    )
    local_system = models.ForeignKey(
        LocalSystem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
    )
    real_name = models.CharField(
        max_length=200, blank=True, help_text="Only used to redact exports. Never exported."
    )

    class Meta:
        ordering = ["pseudonym"]
        constraints = [
            models.UniqueConstraint(
                "project", Lower("pseudonym"), name="participant_pseudonym_unique_in_project"
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def attribution(self) -> str:
        """Role and organisation type, e.g. 'chief executive, acute trust'."""
        parts = [self.role_title, self.get_organisation_type_display()]
        return ", ".join(part for part in parts if part)


def original_upload_path(instance: "Transcript", filename: str) -> str:
    # Never the user's file name: it may hold traversal, control or bidi characters.
    return f"originals/{instance.uuid}"


def recording_upload_path(instance: "Transcript", filename: str) -> str:
    # Never the user's file name, and never under a public path: MEDIA is not served.
    return f"recordings/{instance.uuid}"


class LiveTranscriptManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Transcript(models.Model):
    """An interview. `text` is NFC, `\\n` line ends, and every quote offset points into it.

    Deleting one puts it in the bin (`deleted_at`), with its quotes; `objects` hides it.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transcripts")
    title = models.CharField(max_length=300)
    interview_date = models.DateField(null=True, blank=True)
    local_system = models.ForeignKey(
        LocalSystem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transcripts",
    )
    enabler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interviews_held",
    )
    participants = models.ManyToManyField(Participant, blank=True, related_name="transcripts")
    original_file = models.FileField(upload_to=original_upload_path, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    original_format = models.CharField(max_length=10, blank=True)
    original_sha256 = models.CharField(max_length=64, blank=True)
    recording_file = models.FileField(upload_to=recording_upload_path, blank=True)
    recording_name = models.CharField(max_length=255, blank=True)
    recording_format = models.CharField(
        max_length=10, blank=True, help_text="What its content is (mp3, m4a, wav, ogg)."
    )
    recording_ms = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The recording's duration."
    )
    text = models.TextField()
    title_is_safe = models.BooleanField(
        default=False,
        help_text="The title names no one: exports may show it instead of 'Interview N'.",
    )
    speakers_confirmed = models.BooleanField(
        default=False, help_text="The enabler has reviewed the speaker mapping."
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imported_transcripts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when moved to the bin; cleared by a restore."
    )
    text_version = models.PositiveIntegerField(
        default=1, help_text="Raised by every correction; earlier texts are kept as versions."
    )

    objects = LiveTranscriptManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff reads the custom manager above as a field)

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["interview_date", "title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "coding:transcript",
            kwargs={"project_slug": self.project.slug, "transcript_id": self.pk},
        )

    def get_additional_data(self) -> dict:
        """What the audit trail files this change under (django-auditlog)."""
        return {"project": self.project_id, "transcript": self.pk}

    def holds(self, start: int, end: int) -> bool:
        """0 <= start < end <= len(text), answered without loading the text when it was
        read for a quote's write (`access.get_transcript_for_passage`): the passage read
        is shorter than end - start when end runs past the text."""
        if not 0 <= start < end:
            return False
        known = self._passage_read(start, end)
        return end <= len(self.text) if known is None else len(known) == end - start

    def passage(self, start: int, end: int) -> str:
        """text[start:end], from the passage read with the transcript when it is this one."""
        known = self._passage_read(start, end)
        return self.text[start:end] if known is None else known

    def _passage_read(self, start: int, end: int) -> str | None:
        """The passage `access.get_transcript_for_passage` read, if it read this span."""
        known = getattr(self, "passage_read", None)
        return known[2] if known is not None and known[:2] == (start, end) else None

    def turn_spans(self) -> list[tuple[int, int]]:
        """The [start, end) of each speaker turn's words, in text order ([] without turns).

        Read from the `spans_of_turns` annotation when the transcript was loaded with
        `with_turn_spans()` (no query), else from its turns."""
        if hasattr(self, "spans_of_turns"):
            return parse_spans(self.spans_of_turns)
        return list(self.turns.order_by("start").values_list("start", "end"))

    def turns_around(self, start: int, end: int) -> tuple[bool, list[tuple[int, int]]]:
        """Whether the transcript has speaker turns, and the [start, end) of the turns'
        words that [start, end) meets, in text order. No query when the transcript was
        read for this passage (`access.get_transcript_for_passage`)."""
        known = getattr(self, "turns_read", None)
        if known is not None and known[:2] == (start, end):
            return known[2], known[3]
        spans = self.turn_spans()
        return bool(spans), [(s, e) for s, e in spans if s < end and start < e]


def parse_spans(joined: str | None) -> list[tuple[int, int]]:
    """ "5-82,90-140" (turns' offsets joined by the database) as [(5, 82), (90, 140)]."""
    pairs = (part.split("-") for part in (joined or "").split(",") if part)
    return sorted((int(start), int(end)) for start, end in pairs)


class SpeakerTurn(models.Model):
    """One speaker's stretch of a transcript: [start, end) in code points of its text."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="turns")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    speaker_label = models.CharField(
        max_length=200, blank=True, help_text="The label as found in the file (server only)."
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="turns"
    )
    is_interviewer = models.BooleanField(default=False)
    started_at_ms = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Caption start time, for audio playback."
    )

    class Meta:
        ordering = ["transcript", "index"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "index"], name="turn_index_unique"),
            models.CheckConstraint(
                condition=models.Q(start__gte=0) & models.Q(end__gte=models.F("start")),
                name="turn_range_valid",
            ),
        ]
        # The redaction's speaker labels: each transcript's distinct labels read from this
        # index by stepping through it (aefront/rows.py distinct_by_parent), a few probes
        # per interview rather than every turn of the project.
        indexes = [models.Index(fields=["transcript", "speaker_label"], name="turn_labels")]

    def __str__(self) -> str:
        return f"{self.transcript} turn {self.index}"


class _JoinedSpans(models.Aggregate):
    """ "start-end" of each row, joined by commas (GROUP_CONCAT, or STRING_AGG)."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s, ',')",
            **extra,
        )


def with_turn_spans(queryset: models.QuerySet) -> models.QuerySet:
    """Transcripts that know their turns' offsets (`turn_spans()`) from the same query."""
    spans = (
        SpeakerTurn.objects.filter(transcript=models.OuterRef("pk"))
        .order_by()
        .values("transcript")
        .annotate(
            joined=_JoinedSpans(
                Concat(
                    Cast("start", models.CharField()),
                    models.Value("-"),
                    Cast("end", models.CharField()),
                )
            )
        )
        .values("joined")
    )
    return queryset.annotate(spans_of_turns=models.Subquery(spans))


class TranscriptVersion(models.Model):
    """A transcript's text as it was before a correction, with its turns' offsets."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    turns = models.JSONField(default=list, help_text="[index, start, end] of each turn.")
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["transcript", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "number"], name="version_once")
        ]

    def __str__(self) -> str:
        return f"{self.transcript} v{self.number}"


# The audit trail (django-auditlog): every create, change and delete of these rows, with
# the actor, the time and each changed field's before and after. The text of a transcript
# is not diffed field by field: a correction writes one entry of its own (coding.corrections).
# Its own columns only: on a create, django-auditlog would otherwise also "diff" every
# reverse relation (quotes, turns…), reading the one-to-one ones with a query each.
auditlog.register(
    Transcript,
    include_fields=[
        field.name
        for field in Transcript._meta.concrete_fields
        if field.name not in {"text", "updated_at"}
    ],
)
auditlog.register(Membership)
