"""Coding page speed: server render, query count, quote creation, time to interactive.

Quadratic DOM work is ruled out by timing the same client-side work at 100 and at
500 quotes on the same 20,000-word transcript and reporting the scaling exponent
log(t500 / t100) / log(5): 1 is linear, 2 would be quadratic. The work timed is
coding.js's full re-render (sweep, marks, side panel) plus the margin stripes, i.e.
everything it does to the DOM after an edit.
"""

from __future__ import annotations

import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.table import Row, percentile, timed_ms

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def add_turns(transcript) -> None:
    """Speaker turns as an importer would store them: one per 'Speaker: …' paragraph,
    the words after the label."""
    from interviews.models import SpeakerTurn

    turns, position = [], 0
    for index, line in enumerate(transcript.text.split("\n\n")):
        if line.strip():
            label = line.index(": ") + 2 if ": " in line[:40] else 0
            turns.append(
                SpeakerTurn(
                    transcript=transcript,
                    index=index,
                    start=position + label,
                    end=position + len(line.rstrip("\n")),
                    is_interviewer=line.startswith("Interviewer"),
                )
            )
        position += len(line) + 2
    SpeakerTurn.objects.bulk_create(turns)


def build(slug: str, words: int, quotes: int, themes: int):
    from bench.synthetic import build_project
    from interviews.models import Project

    existing = Project.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, existing.transcripts.get()
    project = build_project(slug=slug, transcripts=1, words=words, quotes=quotes, themes=themes)
    transcript = project.transcripts.get()
    add_turns(transcript)
    return project, transcript


def logged_in_client(project):
    from django.test import Client

    coder = project.memberships.get().user
    client = Client(HTTP_HOST="127.0.0.1")  # a host ALLOWED_HOSTS accepts outside tests
    client.force_login(coder)
    return client, coder


def server_rows(options) -> tuple[list[Row], dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coding import services
    from coding.models import Quote, Theme
    from interviews.access import get_project_access

    words, themes = options.words, min(options.themes, 40)
    project, transcript = build("bench-coding", words, 500, themes)
    small_project, small = build("bench-coding-100", words, 100, themes)
    client, coder = logged_in_client(project)
    url = transcript.get_absolute_url()

    def render() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    repeat = 5 if options.small else 9
    render_ms, render_p95 = timed_ms(render, repeat=repeat, warmup=2)
    with CaptureQueriesContext(connection) as queries:
        render()
    small_client, _ = logged_in_client(small_project)
    small_ms, small_p95 = timed_ms(
        lambda: small_client.get(small.get_absolute_url()), repeat=repeat, warmup=2
    )

    theme = Theme.objects.filter(project=project).first()
    last_pk = Quote.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    text = transcript.text
    # 30 characters inside one turn each (a quote lies inside one speaker turn).
    spans = iter(
        start
        for turn_start, turn_end in transcript.turn_spans()
        for start in range(turn_start, turn_end - 30, 37)
    )
    coder_access = get_project_access(coder, transcript.project.slug)

    def create_service() -> None:
        start = next(spans)
        services.code_passage(
            access=coder_access,
            transcript=transcript,
            start=start,
            end=start + 30,
            text=text[start : start + 30],
            themes=[theme],
            key=uuid.uuid4(),
        )

    service_ms, service_p95 = timed_ms(create_service, repeat=repeat + 6, warmup=2)
    endpoint = f"/p/{project.slug}/transcripts/{transcript.pk}/quotes/"

    def create_endpoint() -> None:
        start = next(spans)
        body = {
            "start": start,
            "end": start + 30,
            "text": text[start : start + 30],
            "themes": [theme.pk],
            "uuid": str(uuid.uuid4()),
        }
        response = client.post(endpoint, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content

    endpoint_ms, endpoint_p95 = timed_ms(create_endpoint, repeat=repeat + 6, warmup=2)
    with CaptureQueriesContext(connection) as post_queries:
        create_endpoint()
    # Back to 500 quotes for the browser runs.
    Quote.all_objects.filter(transcript=transcript, pk__gt=last_pk).delete()
    rows = [
        Row(
            f"coding page render, {words:,} words, 500 quotes (median)",
            render_ms,
            "ms",
            150,
            p95=render_p95,
            queries=len(queries),
        ),
        # 10, and the coder's own status on the transcript (coding/progress.py).
        Row("coding page queries (500 quotes)", len(queries), "queries", 11),
        Row(
            "coding page render, 100 quotes (median, for scale)",
            small_ms,
            "ms",
            150,
            p95=small_p95,
        ),
        Row("quote creation: code_passage (median)", service_ms, "ms", 30, p95=service_p95),
        Row(
            "quote creation: POST endpoint, whole request (median)",
            endpoint_ms,
            "ms",
            30,
            p95=endpoint_p95,
            queries=len(post_queries),
        ),
    ]
    context = {
        "large": (project, transcript),
        "small": (small_project, small),
    }
    return rows, context


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the bench server did not start")


def browser_rows(context: dict, small: bool = False) -> list[Row]:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    # All ORM work first: Playwright's sync API runs an event loop, where Django refuses it.
    targets = {}
    for size in ("large", "small"):
        project, transcript = context[size]
        client, _ = logged_in_client(project)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        targets[size] = (session, transcript.get_absolute_url())
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                for size, (session, path) in targets.items():
                    page_context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page_context.add_cookies(
                        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
                    )
                    page = page_context.new_page()
                    results[size] = measure_page(page, base + path, 4 if small else 6)
                    if size == "large":
                        results["coder"] = measure_scripted_coder(
                            page, base + path, 8 if small else 20
                        )
                    page_context.close()
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    large, small = results["large"], results["small"]
    exponent = math.log(max(large["work"], 0.01) / max(small["work"], 0.01)) / math.log(5)
    return [
        Row(
            "coding page interactive in Chromium (median, to data-ready)",
            large["ready"],
            "ms",
            1000,
            p95=large["ready_p95"],
        ),
        Row(
            "client re-render + stripes, 500 quotes (median)",
            large["work"],
            "ms",
            250,
            p95=large["work_p95"],
        ),
        Row(
            "client re-render + stripes, 100 quotes (median)",
            small["work"],
            "ms",
            250,
            p95=small["work_p95"],
        ),
        Row("DOM work scaling exponent 100→500 quotes (1 = linear)", exponent, "", 1.5),
        Row(
            "one-click coding at 500 quotes: click to highlight + stripe (median)",
            results["coder"]["click"],
            "ms",
            100,
            p95=results["coder"]["click_p95"],
            # Stated for 500 quotes over a full-length transcript; the small run puts them
            # on 2,000 words, 7.5 times as densely (more overlaps for each click to redraw).
            full_size=True,
        ),
        Row(
            f"scripted coder, {results['coder']['passages']} passages by codebook click: "
            "wall time per passage (median)",
            results["coder"]["wall"],
            "ms",
            1000,
            p95=results["coder"]["wall_p95"],
        ),
        Row("scripted coder: user actions per passage", results["coder"]["actions"], "", 2),
    ]


def measure_page(page, url: str, loads: int = 6) -> dict:
    ready = []
    for _ in range(loads):
        page.goto(url)
        page.wait_for_selector("#transcript[data-ready]", state="attached")
        ready.append(page.evaluate("window.__coding.readyAt"))
    work = []
    for _ in range(loads + 3):
        work.append(page.evaluate("window.__coding.measureRender()"))
    ready, work = ready[1:], work[1:]  # the first of each warms the caches
    return {"ready": statistics.median(ready), "ready_p95": percentile(ready, 0.95),
            "work": statistics.median(work), "work_p95": percentile(work, 0.95)}  # fmt: skip


# Selects the first ~40 characters of the n-th participant turn, as a drag would.
SELECT_TURN = """
(n) => {
  const turns = [...document.querySelectorAll("#transcript > .turn:not(.interviewer)")];
  const block = turns[n % turns.length];
  block.scrollIntoView({ block: "center" });
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  while (node && !node.data.trim()) node = walker.nextNode();
  const range = document.createRange();
  range.setStart(node, 0);
  range.setEnd(node, Math.min(node.data.length, 40));
  getSelection().removeAllRanges();
  getSelection().addRange(range);
}
"""


def measure_scripted_coder(page, url: str, passages: int = 20) -> dict:
    """A coder codes `passages` passages with two actions each: select, click a theme in
    the codebook. Wall time per passage is from the selection to the new highlight."""
    page.goto(url)
    page.wait_for_selector("#transcript[data-ready]", state="attached")
    button = page.locator("#codebook-list button.cb-code").first
    walls, clicks = [], []
    for n in range(passages):
        before = page.evaluate("window.__coding.renders")
        started = time.perf_counter()
        page.evaluate(SELECT_TURN, 7 * n + 3)  # action 1: select
        button.click()  # action 2: click the theme
        page.wait_for_function("(n) => window.__coding.renders > n", arg=before)
        walls.append((time.perf_counter() - started) * 1000)
        clicks.append(page.evaluate("window.__coding.quickMs"))
    return {"wall": statistics.median(walls), "wall_p95": percentile(walls, 0.95),
            "click": statistics.median(clicks), "click_p95": percentile(clicks, 0.95),
            "actions": 2, "passages": passages}  # fmt: skip


def measure(options) -> list[Row]:
    rows, context = server_rows(options)
    return rows + browser_rows(context, options.small)
