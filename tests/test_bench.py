"""make bench's machinery (issue 18): the dataset sizes, the seeded synthetic project, the
rows' median/p95/query columns, the small run's verdicts and bench.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import FULL, SMALL, parse
from bench.synthetic import build_project
from bench.table import Row, percentile, render, timed_ms, write_json
from coding.models import Quote
from interviews.models import Membership

ROOT = Path(__file__).resolve().parent.parent


def test_full_size_is_the_issues_dataset_and_small_is_smaller():
    full, small = parse([]), parse(["--small"])
    assert (full.transcripts, full.words, full.themes, full.quotes, full.enablers) == (
        200, 15_000, 40, 20_000, 10,
    )  # fmt: skip
    assert not full.small and small.small
    assert all(SMALL[name] < FULL[name] for name in FULL)
    assert [getattr(small, name) for name in SMALL] == list(SMALL.values())
    # A size given on the command line wins over either preset.
    assert parse(["--small", "--quotes", "77"]).quotes == 77


def test_percentile_is_nearest_rank():
    samples = list(range(1, 101))  # 1 … 100
    assert percentile(samples, 0.95) == 95
    assert percentile(samples, 0.5) == 50
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([3, 1, 2], 0.95) == 3


def test_timed_ms_runs_the_action_warmup_plus_repeat_times():
    calls = []
    median, p95 = timed_ms(lambda: calls.append(1), repeat=9, warmup=2)
    assert len(calls) == 11
    assert 0 <= median <= p95


def test_in_a_small_run_a_missed_full_size_target_or_known_miss_does_not_fail():
    row = Row("render", 300.0, "ms", 150, full_size=True)
    assert row.verdict == "MISS" and row.fails
    row.small = True
    assert row.verdict == "info" and not row.fails
    plain = Row("render", 300.0, "ms", 150, small=True)
    assert plain.verdict == "MISS" and plain.fails
    known = Row("paraphrases", 31.2, "%", 60, "min", known_miss=True)
    assert known.verdict == "MISS" and known.fails  # the full-size run fails on it
    known.small = True
    assert known.verdict == "MISS (known)" and not known.fails
    assert Row("rate", 12.0, "files/s", 10, "min", small=True).verdict == "ok"


def test_table_and_json_carry_median_p95_target_verdict_and_queries(tmp_path):
    rows = [
        Row("summary page", 120.5, "ms", 200, p95=180.25, queries=15),
        Row("memory per stream", 600.0, "KiB", 512, full_size=True, small=True),
    ]
    table = render(rows).splitlines()
    assert table[0].split() == ["metric", "median", "p95", "target", "verdict", "queries"]
    assert "120.5 ms" in table[2] and "180.2 ms" in table[2] and table[2].endswith("15")
    assert "(full size)" in table[3] and "info" in table[3]

    path = tmp_path / "bench.json"
    write_json(rows, path, {"small": True})
    document = json.loads(path.read_text())
    assert document["small"] is True
    assert document["rows"][0] == {
        "metric": "summary page", "median": 120.5, "p95": 180.25, "unit": "ms",
        "target": 200, "sense": "max", "verdict": "ok", "queries": 15,
        "full_size_target": False, "known_miss": False,
    }  # fmt: skip
    assert document["rows"][1]["verdict"] == "info"
    assert document["rows"][1]["p95"] is None and document["rows"][1]["queries"] is None


@pytest.mark.django_db
def test_synthetic_project_spreads_its_quotes_over_the_enablers_the_same_way_each_time():
    def made(slug: str):
        project = build_project(
            slug=slug, transcripts=4, words=300, quotes=60, themes=6, enablers=3
        )
        quotes = Quote.objects.filter(transcript__project=project).order_by("pk")
        coders = [q.coder.username.removeprefix(f"{slug}-") for q in quotes]
        spans = [(q.start, q.end) for q in quotes]
        enablers = [t.enabler.username.removeprefix(f"{slug}-") for t in
                    project.transcripts.order_by("pk")]  # fmt: skip
        return project, coders, spans, enablers

    project, coders, spans, enablers = made("one")
    assert len(spans) >= 55  # 15 a transcript, minus a rare repeated span
    assert set(coders) == {"coder", "enabler-1", "enabler-2"}
    assert enablers == ["coder", "enabler-1", "enabler-2", "coder"]
    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles == {"one-coder": "admin", "one-enabler-1": "enabler", "one-enabler-2": "enabler"}
    assert made("two")[1:] == (coders, spans, enablers)  # seeded: the same project again


def test_a_small_run_writes_bench_json(tmp_path):
    """python -m bench --small --only pdf_accuracy: the table, bench.json, exit 0."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}  # fmt: skip
    env |= {"BENCH_JSON": str(tmp_path / "out.json"), "MEDIA_ROOT": str(tmp_path / "media")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--small", "--only", "pdf_accuracy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict" in done.stdout
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["small"] is True and document["dataset"] == SMALL
    assert document["machine"]["cpus"] >= 1 and document["database"] == "sqlite"
    assert {row["verdict"] for row in document["rows"]} == {"ok"}
    assert all(row["metric"].startswith("PDF word accuracy") for row in document["rows"])


def test_the_http_mode_measures_every_row_through_gunicorn(tmp_path):
    """`make bench-http`, on a tiny project and SQLite only: every row is measured (its
    verdicts depend on the machine; a request the app refuses fails the run)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}  # fmt: skip
    env |= {"BENCH_JSON": str(tmp_path / "out.json"), "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--http", "--http-databases", "sqlite",
         "--http-transcripts", "1", "--http-quotes", "20", "--http-repeat", "5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: a target missed
    assert "Traceback" not in done.stderr, done.stderr
    rows = {row["metric"]: row for row in json.loads((tmp_path / "out.json").read_text())["rows"]}
    assert len(rows) == 12 and all(name.startswith("http sqlite: ") for name in rows)
    assert all(row["median"] > 0 for row in rows.values())
    assert rows["http sqlite: API quote POST, median"]["unit"] == "ms"


def test_an_unknown_module_is_refused_by_name():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "nosuch"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "no bench module nosuch" in done.stderr
