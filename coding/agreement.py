"""Read side of agreement: which transcripts and themes to compare, the scores, the viewer.

The arithmetic is in `coding.scores`; this module loads what it needs in a fixed
number of queries (transcripts with their lengths, the codings of the coders compared)
and shapes it for the agreement page, its disagreement viewer and the `agreement`
command. Quotes pass the blind rule (`reading.blind_hidden`) for a member who is not a
project admin, and rounds still blind for them are left out.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import Length

from coding import scores
from coding.models import Adoption, Assignment, CodingRound, QuoteTheme
from coding.reading import blind_hidden, codebook
from coding.tree import theme_paths
from interviews.models import Project, Transcript

CSV_COLUMNS = ["theme", "transcript", "coder_a", "coder_b", "percent_agreement", "kappa"]


@dataclass(frozen=True)
class TranscriptInfo:
    pk: int
    title: str
    length: int


@dataclass
class PairResult:
    coder_a: str
    coder_b: str
    counts: scores.Counts

    @property
    def percent(self) -> float:
        return self.counts.percent

    @property
    def kappa(self) -> float:
        return self.counts.kappa

    @property
    def band(self) -> str:
        return scores.band(self.kappa)


@dataclass
class ScoreRow:
    theme_id: int
    theme: str  # its path, "Parent › Child"
    transcript: TranscriptInfo | None  # None: pooled over every transcript compared
    pairs: list[PairResult]
    alpha: float | None = None

    @property
    def alpha_band(self) -> str:
        return scores.band(self.alpha)


@dataclass
class Comparison:
    coders: list  # users, in the order given
    transcripts: list[TranscriptInfo]
    rows: list[ScoreRow] = field(default_factory=list)

    @property
    def pooled(self) -> list[ScoreRow]:
        return [row for row in self.rows if row.transcript is None]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        names = [coder.get_username() for coder in self.coders]
        return list(itertools.combinations(names, 2))

    @property
    def many(self) -> bool:
        return len(self.coders) > 2


def coders_by_name(project: Project, names: Sequence[str]) -> list:
    """The project members with these usernames, in that order (ValueError naming any other)."""
    users = {
        user.get_username(): user
        for user in get_user_model().objects.filter(
            memberships__project=project, username__in=list(names)
        )
    }
    missing = [name for name in names if name not in users]
    if missing:
        raise ValueError(f"Not a member of {project.slug}: {', '.join(missing)}.")
    return [users[name] for name in dict.fromkeys(names)]


def default_coders(project: Project) -> list:
    """The coders of the project's latest round (none without rounds)."""
    latest = CodingRound.objects.filter(transcript__project=project).order_by("-pk").first()
    if latest is None:
        return []
    return [a.coder for a in latest.assignments.select_related("coder").order_by("pk")]


def round_coders(project: Project) -> list:
    """Everyone assigned to a round of the project, for the page's coder choice."""
    ids = Assignment.objects.filter(coding_round__transcript__project=project).values("coder_id")
    return list(get_user_model().objects.filter(pk__in=ids).order_by("username"))


def compared_transcripts(
    project: Project, coder_ids: Sequence[int], *, transcript_id: int | None, viewer: int | None
) -> list[TranscriptInfo]:
    """The transcript asked for; else those assigned to every coder compared; else (no
    round in common) those on which every one of them has a live quote."""
    transcripts = Transcript.objects.filter(project=project)
    if viewer is not None:  # a round still blind for this member is not compared
        transcripts = transcripts.exclude(
            coding_round__blind=True, coding_round__revealed_at__isnull=True
        )
    if transcript_id is not None:
        chosen = transcripts.filter(pk=transcript_id)
    else:
        n = len(set(coder_ids))
        chosen = transcripts.annotate(
            assigned=Count(
                "coding_round__assignments",
                filter=Q(coding_round__assignments__coder_id__in=coder_ids),
                distinct=True,
            )
        ).filter(assigned=n)
        if not chosen.exists():
            chosen = transcripts.annotate(
                coders=Count(
                    "quotes__coder",
                    filter=Q(quotes__coder_id__in=coder_ids, quotes__deleted_at__isnull=True),
                    distinct=True,
                )
            ).filter(coders=n)
    rows = chosen.annotate(length=Length("text")).values_list("pk", "title", "length")
    return [TranscriptInfo(*row) for row in rows.order_by("interview_date", "title", "pk")]


def _spans(
    transcript_ids: list[int], coder_ids: Sequence[int], viewer: int | None, theme_id=None
) -> dict[tuple[int, int], dict[int, list[tuple[int, int]]]]:
    """(theme, transcript) -> coder -> spans, from one query."""
    codings = QuoteTheme.objects.filter(
        content_object__transcript_id__in=transcript_ids,
        content_object__coder_id__in=coder_ids,
        content_object__deleted_at__isnull=True,
    )
    if theme_id is not None:
        codings = codings.filter(tag_id=theme_id)
    if viewer is not None:
        codings = codings.exclude(blind_hidden(viewer, prefix="content_object__"))
    found: dict = defaultdict(lambda: defaultdict(list))
    rows = codings.values_list(
        "tag_id",
        "content_object__transcript_id",
        "content_object__coder_id",
        "content_object__start",
        "content_object__end",
    )
    for theme, transcript, coder, start, end in rows:
        found[(theme, transcript)][coder].append((start, end))
    return found


def compare(
    *,
    project: Project,
    coders: Sequence,
    transcript_id: int | None = None,
    viewer: int | None = None,
) -> Comparison:
    """Scores per theme per transcript, and one pooled row per theme (transcript None).

    Two coders: percentage agreement and kappa. More: every pair's, and alpha over all.
    A theme gets a row for a transcript where any compared coder applied it; the pooled
    row counts every character of every transcript compared.
    """
    coder_ids = [coder.pk for coder in coders]
    names = {coder.pk: coder.get_username() for coder in coders}
    transcripts = compared_transcripts(
        project, coder_ids, transcript_id=transcript_id, viewer=viewer
    )
    comparison = Comparison(coders=list(coders), transcripts=transcripts)
    if len(coders) < 2 or not transcripts:
        return comparison
    spans = _spans([t.pk for t in transcripts], coder_ids, viewer)
    themes = codebook(project.pk)
    paths = theme_paths(themes)
    used = {theme for theme, _ in spans}
    for theme in (theme for theme in themes if theme.pk in used):
        pooled: dict[tuple[int, int], scores.Counts] = defaultdict(scores.Counts)
        pooled_masks: dict[int, list[np.ndarray]] = defaultdict(list)
        for info in transcripts:
            by_coder = spans.get((theme.pk, info.pk), {})
            masks = {pk: scores.mask(by_coder.get(pk, ()), info.length) for pk in coder_ids}
            for pk in coder_ids:
                pooled_masks[pk].append(masks[pk])
            pairs = []
            for a, b in itertools.combinations(coder_ids, 2):
                table = scores.counts(masks[a], masks[b])
                pooled[(a, b)] += table
                pairs.append(PairResult(names[a], names[b], table))
            if by_coder:
                alpha = scores.alpha([masks[pk] for pk in coder_ids]) if len(coders) > 2 else None
                comparison.rows.append(ScoreRow(theme.pk, paths[theme.pk], info, pairs, alpha))
        alpha = None
        if len(coders) > 2:
            alpha = scores.alpha([np.concatenate(pooled_masks[pk]) for pk in coder_ids])
        pooled_pairs = [
            PairResult(names[a], names[b], pooled[(a, b)])
            for a, b in itertools.combinations(coder_ids, 2)
        ]
        comparison.rows.append(ScoreRow(theme.pk, paths[theme.pk], None, pooled_pairs, alpha))
    return comparison


def csv_rows(comparison: Comparison) -> Iterator[list[str]]:
    """The command's CSV: one row per theme, transcript and pair (+ alpha with 3+ coders)."""
    yield CSV_COLUMNS + (["alpha"] if comparison.many else [])
    for row in comparison.rows:
        transcript = "ALL" if row.transcript is None else str(row.transcript.pk)
        for pair in row.pairs:
            line = [
                row.theme,
                transcript,
                pair.coder_a,
                pair.coder_b,
                f"{pair.percent:.2f}",
                f"{pair.kappa:.4f}",
            ]
            if comparison.many:
                line.append("" if row.alpha is None else f"{row.alpha:.4f}")
            yield line


def table_text(comparison: Comparison) -> str:
    """The command's table: the CSV's cells in aligned columns."""
    lines = list(csv_rows(comparison))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    numeric = {"percent_agreement", "kappa", "alpha", "transcript"}
    out = []
    for line in lines:
        cells = [
            cell.rjust(width) if lines[0][i] in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


# --- the disagreement viewer ---------------------------------------------------------------

CONTEXT_CHARS = 160


@dataclass
class Version:
    coder: str
    coder_id: int
    quotes: list[tuple[int, int, str]]  # start, end, text of each quote on the passage


@dataclass
class Disagreements:
    transcript: Transcript
    theme_id: int
    theme: str
    regions: list[tuple[int, int]]
    index: int  # 0-based, of the region shown
    before: str = ""
    passage: str = ""
    after: str = ""
    versions: list[Version] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    adoptions: list[Adoption] = field(default_factory=list)

    @property
    def region(self) -> tuple[int, int] | None:
        return self.regions[self.index] if self.regions else None

    @property
    def number(self) -> int:
        return self.index + 1


def disagreements(
    *, transcript: Transcript, theme, coders: Sequence, index: int = 0, viewer: int | None = None
) -> Disagreements:
    """The passages on which the coders differ for one theme, with the one at `index`:
    its text in context and each coder's quotes on it side by side."""
    coder_ids = [coder.pk for coder in coders]
    names = {coder.pk: coder.get_username() for coder in coders}
    text = transcript.text
    by_coder = _spans([transcript.pk], coder_ids, viewer, theme_id=theme.pk).get(
        (theme.pk, transcript.pk), {}
    )
    masks = [scores.mask(by_coder.get(pk, ()), len(text)) for pk in coder_ids]
    regions = scores.disagreements(masks)
    index = min(max(index, 0), max(len(regions) - 1, 0))
    view = Disagreements(transcript, theme.pk, theme.name, regions, index)
    view.units = [
        {
            "coder": names[unit.coder],
            "span": unit.span,
            "text": text[unit.span[0] : unit.span[1]],
            "matched": [(names[other], hit) for other, hit in unit.matched.items()],
        }
        for unit in scores.units({pk: by_coder.get(pk, []) for pk in coder_ids})
    ]
    view.adoptions = list(
        Adoption.objects.filter(transcript=transcript, theme_id=theme.pk)
        .select_related("decided_by", "adopted_coder")
        .order_by("start", "-decided_at")
    )
    if not regions:
        return view
    start, end = regions[index]
    view.before = text[max(0, start - CONTEXT_CHARS) : start]
    view.passage = text[start:end]
    view.after = text[end : end + CONTEXT_CHARS]
    view.versions = [
        Version(
            names[pk],
            pk,
            [
                (s, e, text[s:e])
                for s, e in sorted(by_coder.get(pk, ()))
                if scores.overlaps((s, e), (start, end))
            ],
        )
        for pk in coder_ids
    ]
    return view
