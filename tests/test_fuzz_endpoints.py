"""Generated bodies posted to every project URL (and the login and code pages) as a
project admin: nothing a client sends may make the server answer 5xx.

Every URL is walked from the resolver, so a new endpoint is fuzzed without being named
here; one that takes no POST answers 405, which is fine. Bodies are JSON of any shape
(lone surrogates, huge numbers, deep nesting), bytes that are not JSON, and form fields
with the names the forms use.
"""

from __future__ import annotations

import json

import pytest
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from tests.test_access_matrix import OUTSIDE_MATRIX, fill, walk

EXTRA = ("accounts/login/", "accounts/mfa/")  # not accounts/logout/: it would sign us out


def post_routes() -> list[str]:
    routes = [route for route, _, _ in walk(get_resolver().url_patterns)]
    project = [r for r in routes if r and not r.startswith(OUTSIDE_MATRIX)]
    return project + [r for r in routes if r in EXTRA]


FIELDS = [
    "start", "end", "text", "uuid", "memo", "themes", "theme", "new_theme", "edge",
    "action", "narrative", "version", "expected", "quote", "cleared", "term",
    "replacement", "format", "order", "ids", "title", "interview_date", "local_system",
    "system", "org_type", "date_from", "date_to", "coder", "all_quotes", "token", "next",
    "username", "password", "speaker", "since",
]  # fmt: skip

any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=30)  # surrogates too
form_text = st.text(max_size=30)  # the client must encode form fields as UTF-8
huge_int = st.integers(min_value=-(2**70), max_value=2**70)
scalars = st.none() | st.booleans() | huge_int | st.floats() | any_text
json_value = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | any_text, children, max_size=4)
    ),
    max_leaves=12,
)
deep_json = st.integers(min_value=50, max_value=5000).map(lambda n: "[" * n + "]" * n)
json_body = st.one_of(
    json_value.map(json.dumps),
    st.dictionaries(st.sampled_from(FIELDS), json_value, max_size=6).map(json.dumps),
    deep_json,
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
)
form_body = st.dictionaries(
    st.sampled_from(FIELDS) | form_text,
    form_text | huge_int.map(str) | st.lists(form_text, max_size=3),
    max_size=6,
)
body = st.one_of(json_body.map(lambda b: ("json", b)), form_body.map(lambda b: ("form", b)))


@pytest.fixture
def a_objects(project_a, transcript, theme, project_admin):
    quote = Quote.objects.create(
        transcript=transcript, start=0, end=4, text=transcript.text[0:4], coder=project_admin
    )
    QuoteTheme.objects.create(content_object=quote, tag=theme)
    summary = ThemeSummary.objects.create(project=project_a, theme=theme, narrative="A")
    term = RedactionTerm.objects.create(project=project_a, term="Smith")
    safe = SafeTerm.objects.create(project=project_a, term="Will")
    batch = AutoCodeBatch.objects.create(
        project=project_a, theme=theme, user=project_admin, kind="keyword", description="A"
    )
    AutoCodeItem.objects.create(batch=batch, quote=quote, created_quote=True, added_coding=True)
    return {
        "project_slug": project_a.slug,
        "transcript_id": transcript.pk,
        "theme_id": theme.pk,
        "quote_id": quote.pk,
        "summary_id": summary.pk,
        "term_id": term.pk,
        "redaction_id": term.pk,
        "safe_id": safe.pk,
        "batch_id": batch.pk,
        "job_id": Job.objects.create(project=project_a, user=project_admin, kind="qdpx").pk,
        "turn_index": 0,
        "format": "csv",
        "export_format": "csv",
    }


def test_every_url_is_fuzzed():
    routes = post_routes()
    assert any("quotes/" in route for route in routes)
    assert "accounts/login/" in routes and "accounts/logout/" not in routes


@pytest.mark.django_db
@pytest.mark.parametrize("route", post_routes())
def test_no_generated_body_makes_a_5xx(client, project_admin, a_objects, route):
    url = fill(route, a_objects)
    assert url is not None, f"no value for an argument of {route}"
    client.raise_request_exception = False

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(sent=body)
    def check(sent):
        client.force_login(project_admin)
        kind, payload = sent
        if kind == "json":
            response = client.post(url, payload, content_type="application/json")
        else:
            response = client.post(url, payload)
        assert response.status_code < 500, f"{url} {kind} {payload!r:.300}"

    check()
