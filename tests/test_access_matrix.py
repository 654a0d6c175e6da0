"""Every URL of the app, walked from the resolver, as anonymous, outsider and member.

A member of project A asks for project B's objects by guessing URLs: every answer is
404 and no table changes. A URL whose arguments this matrix cannot fill fails the
meta-test, so a new endpoint cannot ship without being checked here.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from aefront.jobs.models import Job
from coding.models import (
    AutoCodeBatch,
    AutoCodeItem,
    Quote,
    QuoteTheme,
    RedactionTerm,
    SafeTerm,
    ThemeSummary,
)

# URL prefixes that are not project pages and have their own tests.
# healthz: public by design, shows no data (tests/test_health.py); metrics: its own
# bearer token, 404 without it (tests/test_metrics.py).
OUTSIDE_MATRIX = (
    "admin/",
    "accounts/",
    "api/",
    "healthz",
    "metrics",
)  # api/: tests/test_api_v1.py


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner_ns = namespace
            if entry.namespace:
                inner_ns = f"{namespace}{entry.namespace}:"
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner_ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry


def project_patterns():
    found = []
    for route, name, _ in walk(get_resolver().url_patterns):
        if route.startswith(OUTSIDE_MATRIX) or not route:
            continue
        found.append((route, name))
    return found


ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def url_values(project, transcript, theme, user) -> dict:
    """One of each object a project URL names, in `project`, made by `user`: the values
    of every URL argument (this matrix and the fuzzing in test_fuzz_endpoints.py)."""
    from django.utils import timezone

    quote = Quote.objects.create(
        transcript=transcript, start=0, end=4, text=transcript.text[0:4], coder=user
    )
    QuoteTheme.objects.create(content_object=quote, tag=theme)
    summary = ThemeSummary.objects.create(project=project, theme=theme, narrative="Only here")
    term = RedactionTerm.objects.create(project=project, term="Smith")
    safe = SafeTerm.objects.create(project=project, term="Will")
    batch = AutoCodeBatch.objects.create(
        project=project, theme=theme, user=user, kind="keyword", description="Only here"
    )
    AutoCodeItem.objects.create(batch=batch, quote=quote, created_quote=True, added_coding=True)
    job = Job.objects.create(
        project=project, user=user, kind="qdpx", state="done", finished_at=timezone.now()
    )
    return {
        "project_slug": project.slug,
        "transcript_id": transcript.pk,
        "theme_id": theme.pk,
        "quote_id": quote.pk,
        "summary_id": summary.pk,
        "term_id": term.pk,
        "redaction_id": term.pk,
        "safe_id": safe.pk,
        "batch_id": batch.pk,
        "job_id": job.pk,
        "turn_index": 0,
        "format": "csv",
        "export_format": "csv",
        "key": "systems",  # a chart of the summary page
        "fmt": "svg",
    }


@pytest.fixture
def b_objects(project_b, transcript_b, theme_b, outsider):
    return url_values(project_b, transcript_b, theme_b, outsider)


def fill(route: str, values: dict) -> str | None:
    missing = [m["name"] for m in ARGUMENT.finditer(route) if m["name"] not in values]
    if missing:
        return None
    return "/" + ARGUMENT.sub(lambda m: str(values[m["name"]]), route)


def test_every_url_argument_has_a_matrix_value(b_objects):
    unfilled = [name for route, name in project_patterns() if fill(route, b_objects) is None]
    assert unfilled == [], f"add these URL arguments to the access matrix: {unfilled}"


# Derived indexes that a read may build when missing (coding/passages.py, embeddings):
# a transcript cut into passages, vectors of its passages. They hold nothing a user wrote.
DERIVED = {"coding.Passage", "coding.Embedding"}


def table_checksums() -> dict[str, str]:
    sums = {}
    for model in apps.get_models():
        if model._meta.app_label not in {"interviews", "coding", "taggit", "auth", "jobs"}:
            continue
        if model._meta.label in DERIVED:
            continue
        rows = list(model._default_manager.order_by("pk").values_list())
        if hasattr(model, "all_objects"):
            rows = list(model.all_objects.order_by("pk").values_list())
        sums[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums


@pytest.mark.django_db
def test_outsider_gets_404_for_every_project_url_of_another_project(client, enabler, b_objects):
    client.force_login(enabler)
    before = table_checksums()
    failures = []
    for route, name in project_patterns():
        url = fill(route, b_objects)
        if url == "/":
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 404:
                failures.append(f"{method.upper()} {url} ({name}) -> {response.status_code}")
    assert failures == []
    assert table_checksums() == before


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_for_every_url(client, b_objects):
    before = table_checksums()
    failures = []
    for route, name in project_patterns():
        url = fill(route, b_objects)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith("/accounts/login/"):
                failures.append(f"{method.upper()} {url} ({name}) -> {response.status_code}")
    assert failures == []
    assert table_checksums() == before


@pytest.mark.django_db
def test_every_post_without_csrf_token_is_refused(outsider, b_objects):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)
    before = table_checksums()
    failures = []
    for route, name in project_patterns():
        url = fill(route, b_objects)
        response = client.post(url, {"text": "x"})
        if response.status_code not in (403, 405):
            failures.append(f"POST {url} ({name}) -> {response.status_code}")
    assert failures == []
    assert table_checksums() == before


@pytest.mark.django_db
def test_get_never_changes_the_database(client, outsider, b_objects):
    client.force_login(outsider)
    before = table_checksums()
    for route, _ in project_patterns():
        client.get(fill(route, b_objects))
    assert table_checksums() == before


@pytest.mark.django_db
def test_every_html_page_has_a_strict_content_security_policy(client, outsider, b_objects):
    client.force_login(outsider)
    checked, failures = 0, []
    for route, name in project_patterns():
        response = client.get(fill(route, b_objects))
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        checked += 1
        policy = response.get("Content-Security-Policy", "")
        directives = dict(
            (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
        )
        script_src = directives.get("script-src", directives.get("default-src", ""))
        if (
            not policy
            or "'unsafe-inline'" in script_src
            or "'unsafe-eval'" in script_src
            or directives.get("object-src") != "'none'"
            or directives.get("base-uri") != "'none'"
            or directives.get("frame-ancestors") != "'none'"
        ):
            failures.append(f"{name}: {policy!r}")
    assert checked >= 2
    assert failures == []


def test_no_csrf_exemptions_in_code():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [
        str(path.relative_to(root))
        for folder in ("aefront", "interviews", "coding")
        for path in (root / folder).rglob("*.py")
        if "csrf_exempt" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
