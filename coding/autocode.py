"""Auto-coding: code every match of a keyword or phrase, every turn of a speaker, a list
of similar passages or a discovered cluster with one theme, as one batch.

The preview is read-only; `apply_batch` codes the spans the enabler kept through
`services.code_passage`, so the same rules hold as for a passage coded by hand (role,
offsets, active theme of this project, one quote per coder and span). The batch is the
audit record of what it did, and `undo_batch` takes exactly that back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from coding import services
from coding.layout import blocks_for
from coding.models import AutoCodeBatch, AutoCodeItem, Quote, QuoteTheme, Theme
from coding.passages import sentences
from coding.services import CodingError
from interviews.access import CODING_ROLES, ProjectAccess
from interviews.models import Participant, SpeakerTurn, Transcript

MAX_MATCHES = 2_000
MAX_QUERY_CHARS = 200
CONTEXT_CHARS = 80
Kind = AutoCodeBatch.Kind


@dataclass(frozen=True)
class Match:
    """One unit (sentence or turn) holding the keyword, as the preview lists it."""

    transcript_id: int
    transcript_title: str
    start: int
    end: int
    text: str
    before: str
    after: str
    speaker: str
    hits: tuple[tuple[int, int], ...]  # the keyword's spans inside the unit's text
    already: bool  # the unit is already a quote coded with the chosen theme

    @property
    def key(self) -> str:
        return f"{self.transcript_id}:{self.start}:{self.end}"

    @property
    def pieces(self) -> list[tuple[str, bool]]:
        out, position = [], 0
        for start, end in self.hits:
            out += [(self.text[position:start], False), (self.text[start:end], True)]
            position = end
        out.append((self.text[position:], False))
        return [piece for piece in out if piece[0]]


def keyword_pattern(query: str) -> re.Pattern[str] | None:
    """Whole words, any case; spaces and hyphens between words are interchangeable."""
    words = re.findall(r"[\w'’]+", query[:MAX_QUERY_CHARS])
    if not words:
        return None
    joined = r"[\s\-‐‑–]+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){joined}(?!\w)", re.IGNORECASE)


def _speaker(turn: SpeakerTurn | None) -> str:
    if turn is None:
        return ""
    if turn.is_interviewer:
        return "Interviewer"
    return turn.participant.pseudonym if turn.participant_id else ""


def preview(
    *,
    access: ProjectAccess,
    query: str,
    unit: str = "sentence",
    speaker: str = "",
    theme: Theme | None = None,
) -> list[Match]:
    """Every sentence (or turn) of the project's transcripts that holds the keyword."""
    pattern = keyword_pattern(query)
    if pattern is None:
        return []
    transcripts = list(
        Transcript.objects.filter(project=access.project)
        .only("pk", "title", "text")
        .order_by("interview_date", "title", "pk")
    )
    turns: dict[int, list[SpeakerTurn]] = {}
    for turn in SpeakerTurn.objects.filter(transcript__project=access.project).select_related(
        "participant"
    ):
        turns.setdefault(turn.transcript_id, []).append(turn)
    coded = _coded_spans(access, theme)
    found: list[Match] = []
    for transcript in transcripts:
        text = transcript.text
        its_turns = turns.get(transcript.pk, [])
        blocks = blocks_for(text, its_turns)
        by_start = {t.start: t for t in its_turns}
        seen: set[tuple[int, int]] = set()
        for hit in pattern.finditer(text):
            block = next((b for b in blocks if b.start <= hit.start() < b.end), None)
            if block is None:
                continue
            turn = by_start.get(block.start) or next(
                (t for t in its_turns if t.start <= block.start < t.end), None
            )
            if speaker and bool(turn and turn.is_interviewer) != (speaker == "interviewer"):
                continue
            span = (block.start, block.end)
            if unit == "sentence":
                span = next(
                    (
                        (s.start, s.end)
                        for s in sentences(text, block.start, block.end)
                        if s.start <= hit.start() < s.end
                    ),
                    span,
                )
            if span in seen:
                continue
            seen.add(span)
            start, end = span
            hits = tuple(
                (m.start() - start, m.end() - start) for m in pattern.finditer(text, start, end)
            )
            found.append(
                Match(
                    transcript.pk,
                    transcript.title,
                    start,
                    end,
                    text[start:end],
                    text[max(0, start - CONTEXT_CHARS) : start].lstrip(),
                    text[end : end + CONTEXT_CHARS].rstrip(),
                    _speaker(turn),
                    hits,
                    (transcript.pk, start, end) in coded,
                )
            )
            if len(found) >= MAX_MATCHES:
                return found
    return found


def _coded_spans(access: ProjectAccess, theme: Theme | None) -> set[tuple[int, int, int]]:
    if theme is None:
        return set()
    return set(
        Quote.objects.filter(transcript__project=access.project, codings__tag=theme).values_list(
            "transcript_id", "start", "end"
        )
    )


def parse_keys(keys: Iterable[str]) -> list[tuple[int, int, int]]:
    """'transcript:start:end' keys, as the preview's checkboxes send them."""
    spans = []
    for key in keys:
        parts = str(key).split(":")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) < 12 for p in parts):
            raise CodingError(f"“{str(key)[:40]}” is not a passage of this project.")
        spans.append(tuple(int(p) for p in parts))
    return spans


@transaction.atomic
def apply_batch(
    *,
    access: ProjectAccess,
    theme: Theme,
    spans: Sequence[tuple[int, int, int]],
    kind: str,
    description: str,
) -> AutoCodeBatch:
    """Code each (transcript, start, end) with `theme` as one batch, through code_passage."""
    access.require(CODING_ROLES, "coding")
    services.check_themes(access=access, themes=[theme])
    unique = list(dict.fromkeys(spans))
    if not unique:
        raise CodingError("Tick at least one passage to code.")
    transcripts = Transcript.objects.filter(
        project=access.project, pk__in={t for t, _, _ in unique}
    ).in_bulk()
    batch = AutoCodeBatch(
        project=access.project,
        theme=theme,
        user=access.user,
        kind=kind,
        description=description[:300],
    )
    batch.full_clean(exclude=["project", "theme", "user"])
    batch.save()
    items = []
    for transcript_id, start, end in unique:
        transcript = transcripts.get(transcript_id)
        if transcript is None:
            raise CodingError("One of the passages is not in a transcript of this project.")
        transcript.project = access.project
        before = Quote.objects.filter(
            transcript=transcript, coder=access.user, start=start, end=end
        ).first()
        had_theme = (
            before is not None
            and QuoteTheme.objects.filter(content_object=before, tag=theme).exists()
        )
        quote = services.code_passage(
            access=access,
            transcript=transcript,
            start=start,
            end=end,
            text=transcript.text[start:end],
            themes=[theme],
        )
        items.append(
            AutoCodeItem(
                batch=batch, quote=quote, created_quote=before is None, added_coding=not had_theme
            )
        )
    AutoCodeItem.objects.bulk_create(items)
    return batch


@transaction.atomic
def code_speaker(
    *,
    access: ProjectAccess,
    theme: Theme,
    participant: Participant | None = None,
    interviewers: bool = False,
) -> AutoCodeBatch:
    """Code every turn of one participant, or of all interviewers, with `theme`."""
    turns = SpeakerTurn.objects.filter(transcript__project=access.project)
    if interviewers:
        turns, who = turns.filter(is_interviewer=True), "all interviewers"
    elif participant is not None and participant.project_id == access.project.pk:
        turns, who = turns.filter(participant=participant), participant.pseudonym
    else:
        raise CodingError("Choose a participant of this project, or all interviewers.")
    spans = []
    texts = dict(
        Transcript.objects.filter(project=access.project).values_list("pk", "text").iterator()
    )
    for transcript_id, start, end in turns.values_list("transcript_id", "start", "end"):
        text = texts[transcript_id]
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((transcript_id, start, end))
    if not spans:
        raise CodingError(f"{who} has no speaker turns to code.")
    return apply_batch(
        access=access,
        theme=theme,
        spans=spans,
        kind=Kind.SPEAKER,
        description=f"every turn of {who}",
    )


@transaction.atomic
def undo_batch(*, access: ProjectAccess, batch: AutoCodeBatch) -> int:
    """Take back what the batch did: quotes it made are deleted (undoable one by one),
    the theme it added to existing quotes is removed. Returns the quotes changed."""
    access.require(CODING_ROLES, "coding")
    batch = AutoCodeBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.project_id != access.project.pk:
        raise PermissionDenied("This batch belongs to another project.")
    if not (access.is_admin or batch.user_id == access.user.pk):
        raise PermissionDenied(
            "Only the enabler who ran this batch, or a project admin, may undo it."
        )
    if batch.undone_at is not None:
        raise CodingError("This batch has already been undone.", status=409)
    changed = 0
    for item in batch.items.select_related("quote__transcript", "quote__coder"):
        quote = item.quote
        if quote.deleted_at is not None or not (item.created_quote or item.added_coding):
            continue
        quote.transcript.project = access.project
        theme_ids = set(
            QuoteTheme.objects.filter(content_object=quote).values_list("tag_id", flat=True)
        )
        if batch.theme_id not in theme_ids:
            continue
        if theme_ids == {batch.theme_id}:
            services.delete_quote(access=access, quote=quote)
        else:
            services.remove_theme(access=access, quote=quote, theme=batch.theme)
        changed += 1
    batch.undone_at = timezone.now()
    batch.undone_by = access.user
    batch.save(update_fields=["undone_at", "undone_by"])
    return changed


def recent_batches(access: ProjectAccess, limit: int = 20) -> list[AutoCodeBatch]:
    from django.db.models import Count

    return list(
        AutoCodeBatch.objects.filter(project=access.project)
        .select_related("theme", "user", "undone_by")
        .annotate(quote_count=Count("items"))[:limit]
    )


@transaction.atomic
def theme_from_cluster(*, access: ProjectAccess, name: str, keys: Iterable[str]) -> AutoCodeBatch:
    """A discovered cluster becomes a theme: the theme is found or proposed (as when
    coding by hand) and the ticked passages are coded with it, as one batch."""
    spans = parse_keys(keys)
    if not spans:
        raise CodingError("Tick at least one passage of the cluster.")
    theme = services.find_or_propose_theme(access=access, name=name)
    return apply_batch(
        access=access,
        theme=theme,
        spans=spans,
        kind=Kind.CLUSTER,
        description=f"discovered cluster named “{theme.name}”",
    )
