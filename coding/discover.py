"""Discover themes: cluster the project's uncoded participant passages, on this server.

Agglomerative clustering (scikit-learn, cosine distance, average linkage) over the
passages' vectors; each cluster is shown with its most central passages and a few
keywords by class-based TF-IDF (c-TF-IDF: each cluster's passages read as one
document), so that an enabler can turn it into a theme in one action.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coding import embeddings
from coding.models import Passage
from coding.suggest import passage_vectors, uncoded_passages
from interviews.models import Project

MAX_PASSAGES = 3_000  # clustering is quadratic in memory: the longest passages first
MIN_CLUSTER = 3
DISTANCE = {"model": 0.55, "lexical": 0.9}  # cosine distance at which clusters stop merging


@dataclass
class Cluster:
    number: int
    keywords: list[str]
    central: list[Passage]
    passages: list[Passage]

    @property
    def size(self) -> int:
        return len(self.passages)


def class_tfidf(documents: list[str], top: int = 5) -> list[list[str]]:
    """Keywords per class, each class's texts joined as one document (c-TF-IDF)."""
    from sklearn.feature_extraction.text import CountVectorizer

    if not documents:
        return []
    counter = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    try:
        counts = counter.fit_transform(documents).toarray().astype(float)
    except ValueError:  # nothing but stop words
        return [[] for _ in documents]
    terms = counter.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    average = counts.sum() / len(documents)
    idf = np.log(1 + average / np.maximum(counts.sum(axis=0), 1))
    weights = tf * idf
    return [[str(terms[i]) for i in np.argsort(-row)[:top] if row[i] > 0] for row in weights]


def discover(*, project: Project, limit: int = 12) -> tuple[str, list[Cluster]]:
    """The largest clusters of uncoded participant passages, biggest first."""
    from sklearn.cluster import AgglomerativeClustering

    backend = embeddings.backend_name()
    passages = uncoded_passages(project, participants_only=True)
    passages = [p for p in passages if len(p.text.split()) >= 8]
    passages.sort(key=lambda p: -len(p.text))
    passages = passages[:MAX_PASSAGES]
    if len(passages) < MIN_CLUSTER:
        return backend, []
    vectors = passage_vectors(project, passages, backend)
    if backend == "lexical":
        vectors = vectors.toarray()
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="cosine",
        linkage="average",
        distance_threshold=DISTANCE[backend],
    ).fit_predict(vectors)
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        groups.setdefault(int(label), []).append(row)
    kept = sorted((rows for rows in groups.values() if len(rows) >= MIN_CLUSTER), key=len)[::-1]
    kept = kept[:limit]
    keywords = class_tfidf([" ".join(passages[r].text for r in rows) for rows in kept])
    clusters = []
    for number, rows in enumerate(kept, start=1):
        centre = vectors[rows].mean(axis=0)
        closeness = vectors[rows] @ centre
        central = [passages[rows[i]] for i in np.argsort(-closeness)[:3]]
        members = sorted((passages[r] for r in rows), key=lambda p: (p.transcript_id, p.start))
        clusters.append(Cluster(number, keywords[number - 1], central, members))
    return backend, clusters
