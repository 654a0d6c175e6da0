"""Search latency at 200 transcripts: a phrase and a two-word query, on the database in
use (`make bench` runs SQLite; DATABASE_URL=postgres://… for the PostgreSQL figure).

The text is synthetic: a few thousand made-up words drawn with a long tail, as real
vocabulary is, with the searched phrase in about one passage in fifty (a query that
matches everything measures sorting, not search).
"""

from __future__ import annotations

import random

from bench.table import Row, timed_ms

PHRASE = "four-hour target"


def _text(rng: random.Random, vocabulary: list[str], weights: list[float], words: int) -> str:
    turns, written, n = [], 0, 0
    while written < words:
        sentences = []
        for _ in range(rng.randint(3, 8)):
            size = rng.randint(8, 20)
            body = " ".join(
                vocabulary[int(rng.paretovariate(1.1)) % len(vocabulary)] for _ in range(size)
            )
            if rng.random() < 0.02:
                body += f" and the {PHRASE} again"
            sentences.append(body.capitalize() + ".")
            written += size
        speaker = "Interviewer" if n % 2 else "P01"
        turns.append(f"{speaker}: " + " ".join(sentences))
        n += 1
    return "\n\n".join(turns) + "\n"


def measure(options) -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coding.passages import index_missing
    from coding.search import search
    from interviews.models import Membership, Project, Transcript

    rng = random.Random(11)
    syllables = "ka lo mi ra te su no vi de pa ri ho ma ne tu".split()
    vocabulary = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(6000)}
    )
    rng.shuffle(vocabulary)
    # Zipf's law: the word of rank r is used in proportion to 1/r.
    weights, total = [], 0.0
    for rank in range(1, len(vocabulary) + 1):
        total += 1 / rank
        weights.append(total)
    transcripts = options.transcripts
    words = min(options.words, 8_000)
    user, _ = get_user_model().objects.get_or_create(username="bench-search")
    project = Project.objects.create(name="Bench search", slug="bench-search")
    Membership.objects.create(user=user, project=project, role="admin")
    Transcript.objects.bulk_create(
        Transcript(
            project=project,
            title=f"Interview {n:03d}",
            text=_text(rng, vocabulary, weights, words),
        )
        for n in range(transcripts)
    )
    index_missing(project.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE coding_passage")
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite FTS5"
    common = f"{vocabulary[40]} {vocabulary[60]}"  # content words, each in ~1 sentence in 30
    rows = []
    for label, query in ((f'phrase "{PHRASE}"', f'"{PHRASE}"'), ("two words", common)):
        ms, p95 = timed_ms(lambda q=query: search(project=project, query=q), repeat=9, warmup=1)
        with CaptureQueriesContext(connection) as queries:
            search(project=project, query=query)
        rows.append(
            Row(
                f"search {label}, {transcripts} transcripts × {words:,} words, {engine}",
                ms,
                "ms",
                150,
                p95=p95,
                queries=len(queries),
            )
        )
    return rows
