import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models
from django.db.models.functions import Lower
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from coding.colours import UNCHOSEN, least_used_colour
from interviews.models import Participant, Project, Transcript

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #RRGGBB.")


class Theme(TagBase):
    """A code in a project's codebook. A taggit tag, unique by name within its project."""

    # TagBase makes name and slug globally unique; a codebook is per project.
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, allow_unicode=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    description = models.TextField(blank=True, help_text="Definition and when to use it.")
    colour = models.CharField(
        max_length=7,
        default=UNCHOSEN,
        validators=[colour_validator],
        help_text="Left as it is, a new theme takes the next colour of a colour-blind-safe "
        "palette.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Retired themes are hidden from pickers; codings stay."
    )
    is_proposed = models.BooleanField(
        "proposed", default=False, help_text="Created by an enabler while coding; awaits review."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_themes",
    )
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint("project", Lower("name"), name="theme_name_unique_in_project"),
            models.UniqueConstraint(
                fields=["project", "slug"], name="theme_slug_unique_in_project"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="theme_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self.unique_slug()
        if self._state.adding and self.colour.lower() == UNCHOSEN and self.project_id:
            with connection.cursor() as cursor:
                cursor.execute(_COLOURS_SQL, [self.project_id, self.pk or 0])
                self.colour = least_used_colour(dict(cursor.fetchall()))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.parent_id and self.project_id and self.parent.project_id != self.project_id:
            raise ValidationError({"parent": "The parent theme belongs to another project."})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "A theme cannot sit inside itself."})
            ancestor = ancestor.parent

    def unique_slug(self) -> str:
        """A slug no other theme of the project has. On a new theme left without a colour
        it also picks the palette's next colour, from the same statement (so creating a
        theme costs no extra query). The statement reads only the slugs that start as
        this one does and the number of themes of each colour, not the whole codebook:
        the same few rows for 20 themes or 2,000 (constant SQL: the ORM's UNION cost
        more to compile than the rows it saved at 20 themes)."""
        base = slugify(self.name, allow_unicode=True)[:90] or "theme"
        picking = self._state.adding and self.colour.lower() == UNCHOSEN
        like = base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params = [self.project_id, self.pk or 0, like]
        with connection.cursor() as cursor:
            cursor.execute(
                _slugs_sql(colours=picking),
                params + [self.project_id, self.pk or 0] if picking else params,
            )
            found = cursor.fetchall()
        if picking:
            self.colour = least_used_colour({hue: n for hue, n in found if n >= 0})
        taken = {slug for slug, n in found if n < 0}
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def get_additional_data(self) -> dict:
        """What the audit trail files this change under (django-auditlog)."""
        return {"project": self.project_id, "theme": self.pk}

    @property
    def path(self) -> str:
        """'Parent › Child' (one query; lists use `coding.tree` over rows they hold)."""
        from coding.tree import theme_paths

        nodes = Theme.objects.filter(project_id=self.project_id).only("name", "parent", "order")
        return theme_paths(nodes).get(self.pk, self.name)


# The reads behind a new theme's slug and colour (Theme.unique_slug, Theme.save): the
# other themes' slugs that start as its own (-1 marks a slug), and how many of the
# project's other themes have each colour (lower case). Ids start at 1: 0 is no theme.
_SLUGS_SQL = (
    "SELECT slug, -1 FROM coding_theme WHERE project_id = %s AND id <> %s "
    "AND slug LIKE %s ESCAPE '\\'"
)
_COLOURS_SQL = (
    "SELECT LOWER(colour), COUNT(*) FROM coding_theme WHERE project_id = %s AND id <> %s "
    "GROUP BY LOWER(colour)"
)


def _slugs_sql(*, colours: bool) -> str:
    return f"{_SLUGS_SQL} UNION ALL {_COLOURS_SQL}" if colours else _SLUGS_SQL


class LiveQuoteManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


MAX_MEMO_CHARS = 10_000


class Quote(models.Model):
    """A highlighted passage: the half-open range [start, end) of code points in the text."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="quotes")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quotes"
    )
    memo = models.TextField(blank=True)
    is_cleared = models.BooleanField(
        "cleared for publication", default=False, help_text="Cleared by a report author."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when deleted; cleared again by undo."
    )

    themes = TaggableManager(through="QuoteTheme", blank=True, related_name="quotes")

    objects = LiveQuoteManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff reads the custom manager above as a field)

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["transcript", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__gte=0) & models.Q(end__gt=models.F("start")),
                name="quote_range_valid",
            ),
            models.UniqueConstraint(
                fields=["transcript", "coder", "start", "end"],
                condition=models.Q(deleted_at__isnull=True),
                name="quote_span_once_per_coder",
            ),
        ]
        indexes = [
            models.Index(fields=["transcript", "start"]),
            # The report's counts read live quotes' ids, interviews and coders from this
            # index alone (an index-only scan on PostgreSQL, not the wide quote rows).
            models.Index(
                fields=["transcript", "id", "coder"],
                condition=models.Q(deleted_at__isnull=True),
                name="quote_live_report",
            ),
            # The exports' coder labels: every quote's coder, the bin's too, from this
            # index alone rather than from every quote row of the project.
            models.Index(fields=["transcript", "coder"], name="quote_coders"),
            # The bin's quotes, few among many: the codebook's use counts leave their
            # codings out through this index, not a scan of every quote.
            models.Index(
                fields=["id"], condition=models.Q(deleted_at__isnull=False), name="quote_binned"
            ),
        ]

    def __str__(self) -> str:
        excerpt = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        return f"“{excerpt}”"

    def get_absolute_url(self) -> str:
        return f"{self.transcript.get_absolute_url()}#quote-{self.pk}"

    def get_additional_data(self) -> dict:
        return {
            "project": self.transcript.project_id,
            "transcript": self.transcript_id,
            "quote": self.pk,
        }

    def clean(self) -> None:
        """The one check of a quote's span: in range, and its text is the transcript's.

        The database holds the range part too (`quote_range_valid`); every write calls
        this through full_clean() once.
        """
        if len(self.memo or "") > MAX_MEMO_CHARS:
            raise ValidationError(
                {"memo": f"A memo can be at most {MAX_MEMO_CHARS:,} characters."}
            )
        if self.start is None or self.end is None or not self.transcript_id:
            return
        if not self.transcript.holds(self.start, self.end):
            length = len(self.transcript.text)  # only a refusal reads a deferred text
            raise ValidationError(
                f"Offsets must satisfy 0 <= start < end <= {length}; "
                f"got start={self.start}, end={self.end}."
            )
        if self.text != self.transcript.passage(self.start, self.end):
            raise ValidationError(
                {
                    "text": "The selected text does not match the transcript at these "
                    "offsets. Reload the page and select the passage again."
                }
            )


class QuoteTheme(ItemBase):
    """A coding: one theme applied to one quote."""

    # Both keys are found through the two indexes below (each leads with one of them), so
    # neither has an index of its own: a coding's INSERT writes three indexes, not five.
    content_object = models.ForeignKey(
        Quote, on_delete=models.CASCADE, related_name="codings", db_index=False
    )
    # PROTECT: a theme is merged or retired, never deleted from under its codings.
    tag = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="codings", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="coding_once_per_theme")
        ]
        # A theme's codings with their quotes from the index alone: the codebook's use
        # counts (an index-only scan on PostgreSQL, not a heap read per coding).
        indexes = [models.Index(fields=["tag", "content_object"], name="coding_theme_quotes")]

    def __str__(self) -> str:
        return f"{self.tag} on quote {self.content_object_id}"

    def get_additional_data(self) -> dict:
        transcript_id, project_id = (
            Quote.all_objects.filter(pk=self.content_object_id)
            .values_list("transcript_id", "transcript__project_id")
            .first()
        ) or (None, None)
        return {
            "project": project_id,
            "transcript": transcript_id,
            "quote": self.content_object_id,
            "theme": self.tag_id,
        }


class ThemeSummary(models.Model):
    """A report author's write-up of one theme: narrative and ordered headline quotes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="theme_summaries")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="summaries")
    narrative = models.TextField(blank=True)
    headline_quotes = models.ManyToManyField(
        Quote, through="HeadlineQuote", blank=True, related_name="headlined_in"
    )
    version = models.PositiveIntegerField(default=0, help_text="Raised on every save (locking).")
    position = models.PositiveIntegerField(
        null=True, blank=True, help_text="Place of this theme in the report (author's order)."
    )
    in_report = models.BooleanField(
        null=True,
        blank=True,
        help_text="Set by an author: in the report, or left out. Until set, a theme is in "
        "once it has a narrative or a headline quote.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "theme summaries"
        constraints = [
            models.UniqueConstraint(fields=["project", "theme"], name="summary_once_per_theme")
        ]

    def __str__(self) -> str:
        return f"Summary of {self.theme}"

    def get_additional_data(self) -> dict:
        return {"project": self.project_id, "theme": self.theme_id}


class HeadlineQuote(models.Model):
    summary = models.ForeignKey(ThemeSummary, on_delete=models.CASCADE, related_name="headlines")
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["summary", "position"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "quote"], name="headline_once_per_summary")
        ]

    def __str__(self) -> str:
        return f"{self.summary} #{self.position}"


class RedactionTerm(models.Model):
    """A name to replace in exported quote text (whole word, any case)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="redactions")
    term = models.CharField(max_length=200)
    replacement = models.CharField(max_length=60, default="[name]")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint("project", Lower("term"), name="redaction_term_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.replacement}"


class SafeTerm(models.Model):
    """A word or name the author marked safe to publish.

    Never redacted as a part of a known name ("Will", "Rose"), never flagged by the
    identifier review ("NHS England"). A full name the server knows is still redacted.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="safe_terms")
    term = models.CharField(max_length=200)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint("project", Lower("term"), name="safe_term_unique")]

    def __str__(self) -> str:
        return self.term


class QuoteRedaction(models.Model):
    """A term redacted in one quote's exports only (the review's "redact here")."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="redactions")
    term = models.CharField(max_length=200)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["quote", "term"]
        constraints = [
            models.UniqueConstraint("quote", Lower("term"), name="quote_redaction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term} in quote {self.quote_id}"


class ReportSignOff(models.Model):
    """An author's sign-off of one final export: who, when, what, and the file's hash."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sign_offs")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    signed_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=10)
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    scope = models.CharField(max_length=300, help_text="The report's filters, in words.")
    quotes = models.PositiveIntegerField(help_text="Quotes published in the file.")

    class Meta:
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} signed off by {self.signed_by} at {self.signed_at:%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        return {"project": self.project_id}


class ExportRecord(models.Model):
    """One download of a report or quote export (drafts; finals are `ReportSignOff`s)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="exports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=10)
    filename = models.CharField(max_length=200)
    filters = models.JSONField(default=dict, help_text="The report's filters, as given.")
    options = models.JSONField(default=dict, help_text="The opt-ins (memos, pseudonyms, …).")
    sha256 = models.CharField(max_length=64, blank=True, help_text="Set once the file is sent.")

    class Meta:
        ordering = ["-exported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} exported by {self.user} at {self.exported_at:%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        return {"project": self.project_id}


# --- team coding --------------------------------------------------------------------------


class CodingRound(models.Model):
    """A transcript given to two or more coders. Blind: until every one of them has marked
    it done, nobody but a project admin sees another coder's quotes on it."""

    transcript = models.OneToOneField(
        Transcript, on_delete=models.CASCADE, related_name="coding_round"
    )
    blind = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revealed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last coder marked it done."
    )

    def __str__(self) -> str:
        return f"Coding round of {self.transcript}"

    def get_additional_data(self) -> dict:
        return {"project": self.transcript.project_id, "transcript": self.transcript_id}


class CoderStatus(models.Model):
    """One coder's own word on one transcript: done (or reopened). Not started and in
    progress are read from their quotes; done stands until they code there again
    (coding/progress.py compares `done_at` with their last quote change)."""

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="coder_statuses"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coding_statuses"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transcript", "coder"], name="status_once_per_coder")
        ]

    def __str__(self) -> str:
        return f"{self.coder} on {self.transcript}: {'done' if self.done_at else 'open'}"

    def get_additional_data(self) -> dict:
        return {"project": self.transcript.project_id, "transcript": self.transcript_id}


class Assignment(models.Model):
    """One coder of a round, and whether they have marked the transcript done."""

    coding_round = models.ForeignKey(
        CodingRound, on_delete=models.CASCADE, related_name="assignments"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["coding_round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["coding_round", "coder"], name="assignment_once_per_coder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coder} on {self.coding_round.transcript}"

    def get_additional_data(self) -> dict:
        return {
            "project": self.coding_round.transcript.project_id,
            "transcript": self.coding_round.transcript_id,
        }


class Adoption(models.Model):
    """A lead coder's decision on one disagreement between coders, kept for the record."""

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt one version"
        MERGE = "merge", "Merge the versions"
        BOTH = "both", "Leave both"

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="adoptions")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="adoptions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    decision = models.CharField(max_length=8, choices=Decision.choices)
    adopted_coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    versions = models.JSONField(
        default=list, help_text="Each coder's quotes on the passage: [coder, start, end, text]."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transcript", "start", "-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="adoption_range_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.theme} [{self.start}, {self.end})"

    def get_additional_data(self) -> dict:
        return {"project": self.theme.project_id, "transcript": self.transcript_id}


class AnchorFlag(models.Model):
    """A quote a correction could not simply move: its text changed, or its passage went."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="anchor_flags")
    version = models.PositiveIntegerField(help_text="The transcript's text version it came from.")
    old_start = models.PositiveIntegerField()
    old_end = models.PositiveIntegerField()
    old_text = models.TextField()
    new_text = models.TextField()
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"Quote {self.quote_id} to review: {self.reason}"


class Passage(models.Model):
    """A few sentences of one speaker turn (or paragraph): the unit that search finds,
    similar-passage lists show and theme discovery clusters. Rebuilt from the transcript
    by `coding.passages`; [start, end) in code points like a quote."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="passages")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    turn_start = models.PositiveIntegerField(help_text="Start of the turn it belongs to.")
    turn_end = models.PositiveIntegerField()
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_interviewer = models.BooleanField(default=False)

    class Meta:
        ordering = ["transcript", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="passage_range_valid"
            ),
            models.UniqueConstraint(fields=["transcript", "start"], name="passage_start_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.transcript} [{self.start}, {self.end})"

    def get_absolute_url(self) -> str:
        return f"{self.transcript.get_absolute_url()}#at-{self.start}-{self.end}"


class Embedding(models.Model):
    """A sentence embedding (float32 bytes, unit length) of a quote or of a passage."""

    quote = models.OneToOneField(
        Quote, on_delete=models.CASCADE, null=True, blank=True, related_name="embedding"
    )
    passage = models.OneToOneField(
        Passage, on_delete=models.CASCADE, null=True, blank=True, related_name="embedding"
    )
    model = models.CharField(max_length=80)
    text_sha = models.CharField(max_length=64, help_text="Of the text embedded: stale if moved.")
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quote__isnull=False, passage__isnull=True)
                | models.Q(quote__isnull=True, passage__isnull=False),
                name="embedding_of_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} embedding of {self.quote or self.passage}"


class AutoCodeBatch(models.Model):
    """One auto-coding action (keyword, speaker, similar passages, a discovered cluster):
    the audit record of what it coded, undone as one."""

    class Kind(models.TextChoices):
        KEYWORD = "keyword", "keyword or phrase"
        SPEAKER = "speaker", "speaker"
        SIMILAR = "similar", "similar passages"
        CLUSTER = "cluster", "discovered cluster"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="autocode_batches")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=300, help_text="What was asked, in words.")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "auto-coding batches"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description} → {self.theme}"


class AutoCodeItem(models.Model):
    """One quote a batch coded: whether the batch made the quote, and the coding it added."""

    batch = models.ForeignKey(AutoCodeBatch, on_delete=models.CASCADE, related_name="items")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="+")
    created_quote = models.BooleanField(default=False)
    added_coding = models.BooleanField(default=False)

    class Meta:
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "quote"], name="autocode_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.quote_id}"


# The audit trail (django-auditlog). `updated_at` is left out: the poll's touch is no change.
# `embedding` is the reverse side of Embedding.quote: a derived vector, not the coder's
# change, and reading it for the diff cost every quote save one more query.
auditlog.register(Theme)
auditlog.register(Quote, exclude_fields=["updated_at", "embedding"])
auditlog.register(QuoteTheme)
auditlog.register(ThemeSummary, exclude_fields=["updated_at", "version"])
auditlog.register(ReportSignOff)
auditlog.register(ExportRecord)
auditlog.register(CodingRound)
auditlog.register(Assignment)
auditlog.register(CoderStatus, exclude_fields=["updated_at"])
auditlog.register(Adoption)
