"""Read side for the transcript page and theme list: fixed query counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from coding.models import Quote, Theme
from interviews.models import Project, Transcript


@dataclass
class Segment:
    """A run of transcript text covered by the same set of quotes."""

    text: str
    quote_ids: tuple[int, ...]


def segments(text: str, spans: list[tuple[int, int, int]]) -> list[Segment]:
    """Split text at every quote edge; each piece lists the quotes covering it.

    Sweep over sorted boundaries: O((n + q) log q), so 500 overlapping quotes cost
    the same per quote as 5.
    """
    cuts = {0, len(text)}
    for _, start, end in spans:
        cuts.add(start)
        cuts.add(end)
    boundaries = sorted(cuts)
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for quote_id, start, end in spans:
        opening.setdefault(start, []).append(quote_id)
        closing.setdefault(end, []).append(quote_id)
    active: set[int] = set()
    pieces: list[Segment] = []
    for left, right in zip(boundaries, boundaries[1:], strict=False):
        active.difference_update(closing.get(left, ()))
        active.update(opening.get(left, ()))
        if right > left:
            pieces.append(Segment(text[left:right], tuple(sorted(active))))
    return pieces


def transcript_view(transcript: Transcript) -> dict[str, Any]:
    quotes = list(
        Quote.objects.filter(transcript=transcript)
        .select_related("coder")
        .prefetch_related("themes")
        .order_by("start", "end", "pk")
    )
    spans = [(quote.pk, quote.start, quote.end) for quote in quotes]
    return {
        "transcript": transcript,
        "quotes": quotes,
        "segments": segments(transcript.text, spans),
    }


def theme_rows(project: Project) -> list[Theme]:
    """Themes in tree order with `depth`, quote and transcript counts (one query)."""
    live = Q(codings__content_object__deleted_at__isnull=True)
    themes = list(
        Theme.objects.filter(project=project).annotate(
            quote_count=Count("codings__content_object", filter=live, distinct=True),
            transcript_count=Count(
                "codings__content_object__transcript", filter=live, distinct=True
            ),
        )
    )
    return tree_order(themes)


def tree_order(themes: list[Theme]) -> list[Theme]:
    """Parents before children, siblings by (order, name); sets `depth` on each."""
    children: dict[int | None, list[Theme]] = {}
    ids = {theme.pk for theme in themes}
    for theme in themes:
        parent = theme.parent_id if theme.parent_id in ids else None
        children.setdefault(parent, []).append(theme)
    ordered: list[Theme] = []

    def visit(parent_id: int | None, depth: int) -> None:
        for theme in sorted(children.get(parent_id, []), key=lambda t: (t.order, t.name.lower())):
            theme.depth = depth
            ordered.append(theme)
            visit(theme.pk, depth + 1)

    visit(None, 0)
    return ordered
