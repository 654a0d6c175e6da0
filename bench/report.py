"""Report speed targets: the summary page, the CSV export (time and flat memory), the DOCX.

At the default size (200 transcripts, 20,000 quotes, 40 themes):
- the summary page renders in at most 200 ms, with as many queries as at 2,000 quotes;
- the CSV export of every quote (one row per quote and theme) streams in at most 2 s,
  and its peak memory at 20,000 quotes is at most 1.5x the peak at 2,000 quotes;
- the DOCX export (40 themes with narratives and 5 headline quotes each) takes at most 5 s;
  so does the PDF of the same report, and the XLSX of every quote (Summary and Quotes);
- an in-place action of the theme workspace (clear, move a headline, bulk clear, filter
  the quotes) answers in at most 50 ms at ~1,000 quotes in the theme, with as many
  queries as at ~100; so does moving a theme in the report's order (summary page).
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.db import connection, reset_queries
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.synthetic import build_project
from bench.table import Row, in_a_fresh_process, timed_ms
from coding.models import HeadlineQuote, Quote, Theme, ThemeSummary
from interviews.models import Membership, Project

HEADLINES_PER_THEME = 5


def write_up(project: Project) -> None:
    """A narrative and cleared headline quotes for every theme (bulk inserts)."""
    user = Membership.objects.filter(project=project).first().user
    themes = list(Theme.objects.filter(project=project))
    summaries = ThemeSummary.objects.bulk_create(
        ThemeSummary(
            project=project,
            theme=theme,
            narrative=(
                f"{theme.name} came up again and again. " * 12
                + "\n\nLocal leaders asked for support that is planned with them."
            ),
            version=1,
            updated_by=user,
        )
        for theme in themes
    )
    chosen = []
    for summary in summaries:
        quotes = Quote.objects.filter(codings__tag=summary.theme).order_by("pk")[
            :HEADLINES_PER_THEME
        ]
        chosen += [
            HeadlineQuote(summary=summary, quote=quote, position=n)
            for n, quote in enumerate(quotes, start=1)
        ]
    HeadlineQuote.objects.bulk_create(chosen)
    Quote.objects.filter(pk__in=[h.quote_id for h in chosen]).update(is_cleared=True)


def client_for(project: Project) -> Client:
    client = Client(SERVER_NAME="localhost")
    client.force_login(Membership.objects.filter(project=project).first().user)
    return client


def fetch(client: Client, url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    return len(captured.captured_queries)


def csv_peak(client: Client, url: str) -> int:
    tracemalloc.start()
    fetch(client, url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


IN_PLACE = {"HTTP_X_FRAGMENT": "workspace"}


def busiest_theme(project: Project) -> tuple[Theme, int]:
    theme = (
        Theme.objects.filter(project=project)
        .annotate(n=Count("codings"))
        .order_by("-n", "pk")
        .first()
    )
    return theme, theme.n


def in_place_actions(client: Client, project: Project, theme: Theme) -> dict:
    """Clear / withdraw one quote, move a headline down, bulk-clear ten, filter the quote
    list, move a theme down the report's order (summary page): as the script does."""
    from coding.report.authoring import move_in_list
    from coding.report.exports.rows import report_outline_of
    from coding.report.summaries import writeup_rows

    base = f"/p/{project.slug}/report/themes/{theme.pk}/"
    quote_ids = list(
        Quote.objects.filter(codings__tag=theme).order_by("pk").values_list("pk", flat=True)[:10]
    )
    toggle = {"cleared": "0"}

    def post(path: str, data: dict) -> None:
        response = client.post(base + path, data, **IN_PLACE)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")

    def clearance() -> None:
        toggle["cleared"] = "1" if toggle["cleared"] == "0" else "0"
        post("clearance/", {"quote": quote_ids[-1], **toggle})

    def move() -> None:
        summary = ThemeSummary.objects.get(theme=theme)
        ids = list(summary.headlines.order_by("position").values_list("quote_id", flat=True))
        post(
            "headlines/",
            {"action": f"down:{ids[0]}", "quote": ids, "expected": ",".join(map(str, ids))},
        )

    def bulk() -> None:
        post("bulk/", {"quote": quote_ids, "action": "clear"})

    def filter_quotes() -> None:
        response = client.get(base + "?cleared=yes&sort=position", **IN_PLACE)
        if response.status_code != 200 or response["X-Fragment"] != "workspace":
            raise RuntimeError(f"the quote filter answered {response.status_code}")

    order = [row.theme.pk for row, _ in report_outline_of(writeup_rows(project))]

    def reorder() -> None:  # the page's list as shown, its first theme one down
        response = client.post(
            f"/p/{project.slug}/report/order/",
            {"action": f"down:{order[0]}", "theme": order, "back": "summary"},
            **IN_PLACE,
        )
        if response.status_code != 200:
            raise RuntimeError(f"order/ answered {response.status_code}")
        order[:] = move_in_list(order, order[0], "down")

    return {"clear": clearance, "headline move": move, "bulk clear of 10": bulk,
            "quote filter": filter_quotes, "report order move": reorder}  # fmt: skip


def workspace_rows(big: Project, big_client: Client, small: Project, small_client) -> list[Row]:
    """The theme workspace's in-place actions: server time at ~1,000 quotes in the theme,
    and the same number of queries as at a tenth of that."""
    theme, quotes = busiest_theme(big)
    small_theme, small_quotes = busiest_theme(small)
    rows = []
    small_actions = in_place_actions(small_client, small, small_theme)
    for action in small_actions.values():
        action()  # the same state as the big project's after its warm-up
    for name, action in in_place_actions(big_client, big, theme).items():
        ms, p95 = timed_ms(action, repeat=15, warmup=2)
        with CaptureQueriesContext(connection) as big_q:
            action()
        with CaptureQueriesContext(connection) as small_q:
            small_actions[name]()
        rows.append(
            Row(
                f"report: theme workspace {name} in place, {quotes:,} quotes in the theme "
                "(median)",
                ms,
                "ms",
                50,
                p95=p95,
                queries=len(big_q.captured_queries),
            )  # fmt: skip
        )
        rows.append(
            Row(
                f"report: theme workspace {name} queries at {quotes:,} quotes (target: as at "
                f"{small_quotes:,})",
                len(big_q.captured_queries),
                "queries",
                len(small_q.captured_queries),
            )
        )
    return rows


CHILD = "import django, sys; django.setup(); from bench.report import child; child(*sys.argv[1:])"


def workspace_rows_in_a_worker(big: Project, small: Project) -> list[Row]:
    """`workspace_rows` in a process of its own with the production settings (DEBUG off),
    as an app server's worker runs: this one holds what it built and exported (over a
    gigabyte of heap), which alone makes each request about a third slower."""
    workdir = Path(os.environ.get("AEFRONT_BENCH_DIR") or tempfile.mkdtemp())
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "SECURE_COOKIES": "0",
        "STATIC_ROOT": str(workdir / "static"),
        "STATIC_PRECOMPRESS": "0",
        "LOG_LEVEL": "ERROR",
    }
    rows = in_a_fresh_process(
        CHILD, big.slug, small.slug, what="the theme workspace measurement", env=env
    )
    return [Row(**row) for row in rows]


def child(big_slug: str, small_slug: str) -> None:
    """The worker side of `workspace_rows_in_a_worker`: its rows as JSON on stdout."""
    from django.core.management import call_command

    call_command("collectstatic", "--no-input", verbosity=0)  # the pages name hashed files
    big, small = Project.objects.get(slug=big_slug), Project.objects.get(slug=small_slug)
    rows = workspace_rows(big, client_for(big), small, client_for(small))
    print(json.dumps([dataclasses.asdict(row) for row in rows]))


def measure(options) -> list[Row]:
    small_quotes = max(options.quotes // 10, 1)
    small_transcripts = max(options.transcripts // 10, 1)
    small = build_project(
        slug="report-small",
        transcripts=small_transcripts,
        words=options.words,
        quotes=small_quotes,
        themes=options.themes,
        enablers=options.enablers,
    )
    big = build_project(
        slug="report-big",
        transcripts=options.transcripts,
        words=options.words,
        quotes=options.quotes,
        themes=options.themes,
        enablers=options.enablers,
    )
    for project in (small, big):
        write_up(project)
    if connection.vendor == "postgresql":
        # Fresh bulk inserts have no planner statistics, hint bits or visibility map
        # yet; autovacuum would soon set all three on a real server (and might do it
        # in the middle of the measurement here).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    small_client, big_client = client_for(small), client_for(big)
    summary_url = "/p/{}/report/"
    csv_url = "/p/{}/report/export/?format=csv&all_quotes=on"
    docx_url = "/p/{}/report/export/?format=docx"
    pdf_url = "/p/{}/report/export/?format=pdf"
    xlsx_url = "/p/{}/report/export/?format=xlsx&all_quotes=on"

    summary_ms, summary_p95 = timed_ms(
        lambda: fetch(big_client, summary_url.format(big.slug)), repeat=9
    )
    small_queries = query_count(small_client, summary_url.format(small.slug))
    big_queries = query_count(big_client, summary_url.format(big.slug))

    csv_runs = []
    for _ in range(3):
        started = time.perf_counter()
        size = fetch(big_client, csv_url.format(big.slug))
        csv_runs.append(time.perf_counter() - started)
    reset_queries()
    small_peak = csv_peak(small_client, csv_url.format(small.slug))
    reset_queries()
    big_peak = csv_peak(big_client, csv_url.format(big.slug))
    reset_queries()

    docx_runs = []
    for _ in range(3):
        started = time.perf_counter()
        fetch(big_client, docx_url.format(big.slug))
        docx_runs.append(time.perf_counter() - started)
    xlsx_runs = []
    for _ in range(3):
        started = time.perf_counter()
        fetch(big_client, xlsx_url.format(big.slug))
        xlsx_runs.append(time.perf_counter() - started)
    pdf_runs = []
    for _ in range(3):
        started = time.perf_counter()
        fetch(big_client, pdf_url.format(big.slug))
        pdf_runs.append(time.perf_counter() - started)
    rows = Quote.objects.filter(transcript__project=big).count()
    return workspace_rows_in_a_worker(big, small) + [
        Row(
            f"report: summary page, {rows:,} quotes (median)",
            summary_ms,
            "ms",
            200,
            p95=summary_p95,
            queries=big_queries,
        ),
        Row(
            f"report: summary page queries at {rows:,} quotes (target: as at {small_quotes:,})",
            big_queries,
            "queries",
            small_queries,
        ),
        Row(
            f"report: CSV export of all quotes ({size / 1e6:.1f} MB, median)",
            statistics.median(csv_runs),
            "s",
            2,
            p95=max(csv_runs),
        ),
        Row(
            f"report: CSV peak memory {big_peak / 1e6:.2f} MB at {rows:,} / "
            f"{small_peak / 1e6:.2f} MB at {small_quotes:,} quotes",
            big_peak / small_peak,
            "x",
            1.5,
            # 20,000 against 2,000 quotes; at a few hundred the fixed costs are the peak.
            full_size=True,
        ),
        Row(
            "report: DOCX export, 40 themes x 5 quotes (median)",
            statistics.median(docx_runs),
            "s",
            5,
            p95=max(docx_runs),
        ),  # fmt: skip
        Row(
            f"report: XLSX export of all {rows:,} quotes (one row per quote and theme; median)",
            statistics.median(xlsx_runs),
            "s",
            5,
            p95=max(xlsx_runs),
        ),
        Row(
            "report: PDF export, 40 themes x 5 quotes (median)",
            statistics.median(pdf_runs),
            "s",
            5,
            p95=max(pdf_runs),
        ),
    ]
