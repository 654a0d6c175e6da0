"""Identifier review targets, on the labelled quotes in tests/fixtures/identifiers/:

- person recall at least 0.95 (a labelled name counts as found when any flag overlaps it);
- person precision reported, at least 0.5 (person flags that overlap a labelled name);
- the same two on heldout.jsonl, quotes written blind to the detector (one round of
  fixes was then made on its failure classes), and on heldout2.jsonl, written blind
  after that round and never tuned on: the honest figure beside the optimistic ones;
- 500 quotes of about 60 words in at most 3 s, cold (the word lists and the model load
  inside the measurement, as on the first identifier review after a worker starts) and
  with the model loaded (every later review).
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.table import Row, in_a_fresh_process

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "identifiers"
LABELLED = FIXTURES / "labelled.jsonl"
HELDOUT = FIXTURES / "heldout.jsonl"
HELDOUT2 = FIXTURES / "heldout2.jsonl"
QUOTES = 500
SMALL_QUOTES = 100  # make bench-small
SENTENCES_PER_QUOTE = 5  # the labelled quotes are about 13 words: five make about 65


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def person_scores(finder, rows: list[dict]) -> tuple[int, int, int, int]:
    """Labelled names, those found, person flags, and those overlapping a labelled name."""
    found = total = person_flags = right = 0
    for row, flags in zip(rows, finder.find_many(row["text"] for row in rows), strict=True):
        for start, end in row["persons"]:
            total += 1
            found += any(flag.start < end and start < flag.end for flag in flags)
        for flag in flags:
            if flag.kind == "person":
                person_flags += 1
                right += any(flag.start < e and s < flag.end for s, e in row["persons"])
    return total, found, person_flags, right


COLD = """
import json, sys, time
import django
django.setup()  # a worker is up before its first review
quotes = json.loads(sys.stdin.read())
started = time.perf_counter()
from coding.report.identifiers import IdentifierFinder  # the word lists and the model
finder = IdentifierFinder()
finder.find_many(quotes)
cold = time.perf_counter() - started
started = time.perf_counter()
finder.find_many(quotes)  # every later review: the model and the word lists stay loaded
print(json.dumps([cold, time.perf_counter() - started]))
"""


def review_in_a_fresh_worker(quotes: list[str]) -> tuple[float, float]:
    """Seconds of the first review in a new process (as after a worker starts, which has
    loaded none of it: this process may have, or hold a heap that slows it) and of the
    same review again."""
    cold, warm = in_a_fresh_process(COLD, what="the identifier review", stdin=json.dumps(quotes))
    return cold, warm


def measure(options) -> list[Row]:
    count = SMALL_QUOTES if options.small else QUOTES
    rows = load(LABELLED)
    texts = [row["text"] for row in rows]
    quotes = [
        " ".join(texts[(i + k) % len(texts)] for k in range(SENTENCES_PER_QUOTE))
        for i in range(count)
    ]
    words = sum(len(quote.split()) for quote in quotes) / count

    elapsed, warm = review_in_a_fresh_worker(quotes)
    from coding.report.identifiers import IdentifierFinder

    finder = IdentifierFinder()

    sets = [("", rows), ("held-out, ", load(HELDOUT)), ("second held-out, ", load(HELDOUT2))]
    results = []
    for label, labelled in sets:
        total, found, person_flags, right = person_scores(finder, labelled)
        results += [
            Row(
                f"identifier review: person recall, {label}{total} names",
                round(found / total, 3),
                "",
                0.95,
                "min",
            ),
            Row(
                f"identifier review: person precision, {label}{person_flags} person flags",
                round(right / max(person_flags, 1), 3),
                "",
                0.5,
                "min",
            ),
        ]
    return [
        *results,
        Row(
            f"identifier review of {count} quotes (~{words:.0f} words, cold start)",
            elapsed,
            "s",
            3.0,
        ),
        Row(
            f"identifier review of {count} quotes (~{words:.0f} words, model loaded)",
            warm,
            "s",
            3.0,
        ),
    ]
