"""Theme suggestions, similar passages and headline quotes, ranked on this server.

A passage's score for a theme mixes its similarity to the theme's name and
description with its similarity to the theme's closest coded quotes, so suggestions
help before many quotes are coded and sharpen as they are. Similarity comes from
`coding.embeddings`: the local model when installed, TF-IDF otherwise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from coding import embeddings
from coding.models import Passage, Quote, QuoteTheme, Theme
from coding.tree import theme_paths
from interviews.models import Project, SpeakerTurn

DOC_WEIGHT = 4.0  # a theme's name and description count as much as four of its quotes
TEMPERATURE = {"model": 0.03, "lexical": 0.06}  # softmax of scores into confidences
INLINE_EMBED_LIMIT = 300  # quotes embedded during a request before the worker has


@dataclass(frozen=True)
class Suggestion:
    theme_id: int
    name: str
    path: str
    score: float
    confidence: float


@dataclass
class Ranking:
    backend: str
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def backend_label(self) -> str:
        return embeddings.BACKEND_LABELS[self.backend]


def prototypes(docs: np.ndarray, quotes: np.ndarray, members: Sequence[np.ndarray]) -> np.ndarray:
    """One unit vector per theme: its description's vector, weighted DOC_WEIGHT, plus the
    vectors of its coded quotes. A theme with no quotes yet is its description alone."""
    rows = []
    for t, member_rows in enumerate(members):
        total = DOC_WEIGHT * np.asarray(docs[t], dtype=np.float64).ravel()
        if len(member_rows):
            total = total + np.asarray(quotes[member_rows].sum(axis=0), dtype=np.float64).ravel()
        norm = np.linalg.norm(total)
        rows.append(total / norm if norm else total)
    return np.array(rows)


def confidences(scores: np.ndarray, backend: str) -> np.ndarray:
    if not len(scores):
        return scores
    z = (scores - scores.max()) / TEMPERATURE[backend]
    weights = np.exp(z)
    return weights / weights.sum()


# --- what ranking needs of a project, cached per process --------------------------------


@dataclass
class Codebook:
    theme_ids: list[int]
    names: list[str]
    paths: list[str]
    docs: list[str]
    quote_ids: np.ndarray  # coded live quotes, one row each
    quote_texts: list[str]
    members: list[np.ndarray]  # per theme: rows of quote_ids coded with it
    ranker: dict = field(default_factory=dict)  # per backend: (vectoriser, prototypes)


_codebooks: dict[int, tuple[tuple, Codebook, float]] = {}
_lock = threading.Lock()


def codebook(project: Project) -> Codebook:
    """The project's active themes and coded quotes, rebuilt when codings change; a
    process trusts its copy for AEFRONT_SUGGEST_REFRESH_SECONDS before checking."""
    cached = _codebooks.get(project.pk)
    fresh_for = getattr(settings, "AEFRONT_SUGGEST_REFRESH_SECONDS", 2)
    if cached is not None and time.monotonic() - cached[2] < fresh_for:
        return cached[1]
    return _load_codebook(project)


def _load_codebook(project: Project) -> Codebook:
    themes = list(
        Theme.objects.filter(project=project).only(
            "name", "description", "parent", "order", "is_active"
        )
    )
    paths = theme_paths(themes)
    active = [theme for theme in themes if theme.is_active]
    codings = QuoteTheme.objects.filter(
        content_object__transcript__project=project, content_object__deleted_at__isnull=True
    )
    version = (
        tuple(
            codings.aggregate(
                n=Count("pk"), top=Max("pk"), at=Max("content_object__updated_at")
            ).values()
        ),
        tuple((t.pk, t.name, t.description, paths.get(t.pk)) for t in active),
    )
    cached = _codebooks.get(project.pk)
    if cached is not None and cached[0] == version:
        with _lock:
            _codebooks[project.pk] = (version, cached[1], time.monotonic())
        return cached[1]
    index = {theme.pk: n for n, theme in enumerate(active)}
    rows: dict[int, int] = {}
    texts: list[str] = []
    members: list[list[int]] = [[] for _ in active]
    for quote_id, theme_id, text in codings.values_list(
        "content_object_id", "tag_id", "content_object__text"
    ).iterator():
        if theme_id not in index:
            continue
        if quote_id not in rows:
            rows[quote_id] = len(texts)
            texts.append(text)
        members[index[theme_id]].append(rows[quote_id])
    book = Codebook(
        theme_ids=[t.pk for t in active],
        names=[t.name for t in active],
        paths=[paths.get(t.pk, t.name) for t in active],
        docs=[f"{paths.get(t.pk, t.name)}. {t.description}".strip() for t in active],
        quote_ids=np.array(list(rows), dtype=np.int64),
        quote_texts=texts,
        members=[np.array(m, dtype=np.int64) for m in members],
    )
    with _lock:
        _codebooks[project.pk] = (version, book, time.monotonic())
    return book


_doc_vectors: dict[str, np.ndarray] = {}


def _doc_matrix(docs: list[str]) -> np.ndarray:
    missing = [doc for doc in docs if doc not in _doc_vectors]
    if missing:
        for doc, vector in zip(missing, embeddings.encode(missing), strict=True):
            _doc_vectors[doc] = vector
    if not docs:
        return np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
    return np.stack([_doc_vectors[doc] for doc in docs])


def _quote_vectors(project: Project, book: Codebook) -> np.ndarray:
    """The model's vectors of the codebook's quotes, in its row order (zero if missing)."""
    matrix = embeddings.stored_matrix(project.pk, "quote")
    row_of = matrix.row_of()
    missing = [int(pk) for pk in book.quote_ids if int(pk) not in row_of]
    if missing and len(missing) <= INLINE_EMBED_LIMIT:
        embeddings.embed_quotes(quote_ids=missing)
        matrix = embeddings.stored_matrix(project.pk, "quote")
        row_of = matrix.row_of()
    out = np.zeros((len(book.quote_ids), embeddings.DIMENSIONS), dtype=np.float32)
    for n, pk in enumerate(book.quote_ids):
        row = row_of.get(int(pk))
        if row is not None:
            out[n] = matrix.vectors[row]
    return out


def _ranker(project: Project, book: Codebook, backend: str):
    """(vectoriser or None, theme prototypes), built once per codebook version."""
    if backend not in book.ranker:
        if backend == "model":
            vectoriser = None
            docs, quotes = _doc_matrix(book.docs), _quote_vectors(project, book)
        else:
            vectoriser = embeddings.tfidf([*book.quote_texts, *book.docs])
            docs = vectoriser.transform(book.docs).toarray()
            quotes = vectoriser.transform(book.quote_texts or [""])
        book.ranker[backend] = (vectoriser, prototypes(docs, quotes, book.members))
    return book.ranker[backend]


def theme_scores(project: Project, book: Codebook, text: str, backend: str) -> np.ndarray:
    """Cosine similarity of the passage to each theme's prototype."""
    vectoriser, protos = _ranker(project, book, backend)
    if vectoriser is None:
        vector = embeddings.encode([text])[0].astype(np.float64)
    else:
        vector = vectoriser.transform([text]).toarray().ravel()
        norm = np.linalg.norm(vector)
        vector = vector / norm if norm else vector
    return protos @ vector


def suggest_themes(*, project: Project, text: str, limit: int = 3) -> Ranking:
    """The `limit` most likely active themes for a passage, best first."""
    backend = embeddings.backend_name()
    book = codebook(project)
    ranking = Ranking(backend)
    if not book.theme_ids or not text.strip():
        return ranking
    scores = theme_scores(project, book, text, backend)
    sure = confidences(scores, backend)
    for t in np.argsort(-scores, kind="stable")[:limit]:
        ranking.suggestions.append(
            Suggestion(
                book.theme_ids[t], book.names[t], book.paths[t], float(scores[t]), float(sure[t])
            )
        )
    return ranking


# --- passages like a quote ---------------------------------------------------------------


@dataclass(frozen=True)
class SimilarPassage:
    passage: Passage
    score: float


def coded_spans(project: Project) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    for transcript_id, start, end in Quote.objects.filter(transcript__project=project).values_list(
        "transcript_id", "start", "end"
    ):
        spans.setdefault(transcript_id, []).append((start, end))
    return spans


def is_coded(passage: Passage, spans: dict[int, list[tuple[int, int]]]) -> bool:
    return any(
        s < passage.end and passage.start < e for s, e in spans.get(passage.transcript_id, ())
    )


def uncoded_passages(project: Project, *, participants_only: bool = False) -> list[Passage]:
    from coding.passages import index_missing

    index_missing(project.pk)
    spans = coded_spans(project)
    passages = (
        Passage.objects.filter(transcript__project=project)
        .select_related("transcript", "participant")
        .defer("transcript__text")
    )
    if participants_only:
        passages = passages.filter(is_interviewer=False)
    return [p for p in passages.order_by("transcript_id", "start") if not is_coded(p, spans)]


def passage_vectors(
    project: Project, passages: list[Passage], backend: str, extra: Sequence[str] = ()
):
    """Vectors of these passages (and of `extra` texts after them), unit rows."""
    texts = [p.text for p in passages]
    if backend == "lexical":
        vectoriser = embeddings.tfidf([*texts, *extra])
        return vectoriser.transform([*texts, *extra])
    embeddings.embed_passages(project_id=project.pk)
    matrix = embeddings.stored_matrix(project.pk, "passage")
    row_of = matrix.row_of()
    rows = (
        np.stack([matrix.vectors[row_of[p.pk]] for p in passages])
        if passages
        else np.zeros((0, embeddings.DIMENSIONS), np.float32)
    )
    if extra:
        rows = np.vstack([rows, embeddings.encode(list(extra))])
    return rows


def similar_passages(
    *, project: Project, quote: Quote, limit: int = 20
) -> tuple[str, list[SimilarPassage]]:
    """Uncoded passages of the project most like the quote, best first."""
    backend = embeddings.backend_name()
    passages = uncoded_passages(project)
    if not passages:
        return backend, []
    vectors = passage_vectors(project, passages, backend, extra=[quote.text])
    if backend == "lexical":
        sims = (vectors[:-1] @ vectors[-1].T).toarray().ravel()
    else:
        sims = vectors[:-1] @ vectors[-1]
    order = np.argsort(-sims, kind="stable")[:limit]
    return backend, [SimilarPassage(passages[n], float(sims[n])) for n in order if sims[n] > 0]


# --- headline quotes: representative and different (maximal marginal relevance) ----------


PLACE_PENALTY = 0.1


def mmr(
    vectors: np.ndarray,
    centre: np.ndarray,
    k: int,
    balance: float = 0.6,
    places: Sequence[object] = (),
) -> list[int]:
    """Indices of k rows chosen greedily for closeness to `centre` minus likeness to the
    rows already chosen, and a little less for each chosen row from the same place."""
    if not len(vectors):
        return []
    relevance = vectors @ centre
    chosen: list[int] = []
    left = list(range(len(vectors)))
    while left and len(chosen) < k:
        if chosen:
            redundancy = (vectors[left] @ vectors[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(left))
        gain = balance * relevance[left] - (1 - balance) * redundancy
        if places:
            seen = [places[n] for n in chosen]
            gain = gain - PLACE_PENALTY * np.array([seen.count(places[n]) for n in left])
        best = left[int(np.argmax(gain))]
        chosen.append(best)
        left.remove(best)
    return chosen


def headline_suggestions(
    *,
    project: Project,
    theme: Theme,
    exclude: Sequence[int] = (),
    limit: int = 5,
    viewer_id: int | None = None,
) -> list[Quote]:
    """Quotes that best stand for the theme and differ from each other, spread across
    local systems and organisation types (a place already shown costs a little).

    `viewer_id` (coding.reading.blind_viewer) hides what a blind round hides from them."""
    from coding.reading import blind_hidden

    candidates = Quote.objects.filter(transcript__project=project, codings__tag=theme)
    if viewer_id is not None:
        candidates = candidates.exclude(blind_hidden(viewer_id))
    quotes = list(
        candidates.exclude(pk__in=list(exclude))
        .select_related("transcript__project", "transcript__local_system", "coder")
        .defer("transcript__text")
        .order_by("pk")
        .distinct()
    )
    if not quotes:
        return []
    backend = embeddings.backend_name()
    if backend == "model":
        book = codebook(project)
        row_of = {int(pk): n for n, pk in enumerate(book.quote_ids)}
        all_vectors = _quote_vectors(project, book)
        vectors = np.stack(
            [
                all_vectors[row_of[q.pk]]
                if q.pk in row_of
                else np.zeros(embeddings.DIMENSIONS, np.float32)
                for q in quotes
            ]
        )
    else:
        vectoriser = embeddings.tfidf([q.text for q in quotes])
        vectors = vectoriser.transform([q.text for q in quotes]).toarray()
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
    centre = vectors.mean(axis=0)
    norm = np.linalg.norm(centre)
    centre = centre / norm if norm else centre
    return [quotes[n] for n in mmr(vectors, centre, limit, places=places_of(quotes))]


def places_of(quotes: list[Quote]) -> list[tuple]:
    """(local system, organisation type) of each quote's speaker (one query)."""
    turns: dict[int, list[tuple[int, int, int | None, str]]] = {}
    for row in SpeakerTurn.objects.filter(
        transcript_id__in={q.transcript_id for q in quotes}, participant__isnull=False
    ).values_list(
        "transcript_id",
        "start",
        "end",
        "participant__local_system_id",
        "participant__organisation_type",
    ):
        turns.setdefault(row[0], []).append(row[1:])
    found = []
    for quote in quotes:
        place = (quote.transcript.local_system_id, "")
        for start, end, system, org in turns.get(quote.transcript_id, ()):
            if start <= quote.start < end:
                place = (system or quote.transcript.local_system_id, org)
        found.append(place)
    return found
