"""The read side of the API's long lists: rows read as values, not model instances.

A page of 1,000 quotes or a transcript with 500 turns would cost more in model
instances and serializer fields than in SQL; these build the same JSON as the
serializers (`QuoteSerializer`, `TurnSerializer`, which the schema documents) from
value rows, with a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from coding.reading import theme_ids_by_quote
from interviews.models import SpeakerTurn, Transcript

QUOTE_FIELDS = ("id", "uuid", "transcript", "start", "end", "text", "memo")
_datetime = serializers.DateTimeField()


def quote_values(queryset):
    """The quote columns the API shows, as tuples (for a paginator to slice)."""
    username = f"coder__{get_user_model().USERNAME_FIELD}"
    return queryset.values_list(
        "pk", "uuid", "transcript_id", "start", "end", "text", "memo", username,
        "is_cleared", "created_at", "updated_at",
    )  # fmt: skip


def quote_dicts(rows, themes: dict[int, list[int]] | None = None) -> list[dict[str, Any]]:
    """One query for the themes of all these quotes (none if `themes` are given)."""
    rows = list(rows)
    if themes is None:
        themes = theme_ids_by_quote(row[0] for row in rows)
    out = []
    for pk, key, transcript, start, end, text, memo, coder, cleared, created, updated in rows:
        out.append(
            {
                "id": pk, "uuid": str(key), "transcript": transcript, "start": start,
                "end": end, "text": text, "memo": memo, "coder": coder,
                "themes": sorted(themes.get(pk, [])), "is_cleared": cleared,
                "created_at": _datetime.to_representation(created),
                "updated_at": _datetime.to_representation(updated),
            }
        )  # fmt: skip
    return out


def quote_dict(quote, theme_ids) -> dict[str, Any]:
    """A quote just written (no query: its coder is the caller, its themes are known)."""
    row = (
        quote.pk, quote.uuid, quote.transcript_id, quote.start, quote.end, quote.text,
        quote.memo, quote.coder.get_username(), quote.is_cleared, quote.created_at,
        quote.updated_at,
    )  # fmt: skip
    return quote_dicts([row], {quote.pk: list(theme_ids)})[0]


def turn_dicts(transcript: Transcript) -> list[dict[str, Any]]:
    """The turns with the speaker's pseudonym (never the label stored from the file)."""
    rows = (
        SpeakerTurn.objects.filter(transcript=transcript)
        .order_by("index")
        .values_list(
            "index", "start", "end", "participant_id", "participant__pseudonym",
            "is_interviewer", "started_at_ms",
        )
    )  # fmt: skip
    return [
        {
            "index": index, "start": start, "end": end,
            "speaker": "Interviewer" if interviewer else (pseudonym or ""),
            "participant": participant, "is_interviewer": interviewer,
            "started_at_ms": started,
        }
        for index, start, end, participant, pseudonym, interviewer, started in rows
    ]  # fmt: skip
