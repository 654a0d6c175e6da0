"""`GET /metrics`: Prometheus metrics of this app server, for a scraper.

django-prometheus's middleware counts requests and times them per view, method and
status (`django_http_*`); the collector below adds, at each scrape, the task queue and
the jobs (`aefront_queue_ready_jobs`, `aefront_queue_oldest_ready_seconds`,
`aefront_jobs{state=...}`). The endpoint is off unless METRICS_TOKEN is set, and then
answers only a request with `Authorization: Bearer <METRICS_TOKEN>` (404 otherwise: it
shows no user data, but nobody else needs to know it is there). With several gunicorn
workers, set PROMETHEUS_MULTIPROC_DIR (an empty folder per app server) so that the answer
sums every worker's counts.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus import middleware as prometheus_middleware
from django_prometheus.utils import Time
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily


class PrometheusAfterMiddleware(prometheus_middleware.PrometheusAfterMiddleware):
    """django-prometheus's, except that a Content-Length which is not a number (the app
    answers it itself: aefront/request_limits.py) is not a 500 here."""

    def process_request(self, request):
        try:
            super().process_request(request)
        except ValueError:  # int(Content-Length): the body's size is not observed
            request.prometheus_after_middleware_event = Time()


class QueueCollector:
    """The queue's depth and the jobs by state, read from the database at each scrape."""

    def describe(self):
        """The names only (the registry asks at registration, before the database is
        ready)."""
        yield GaugeMetricFamily("aefront_queue_ready_jobs", "")
        yield GaugeMetricFamily("aefront_queue_oldest_ready_seconds", "")
        yield GaugeMetricFamily("aefront_jobs", "", labels=["state"])

    def collect(self):
        from aefront.health import queue_backlog
        from aefront.jobs.models import Job

        try:
            ready, age = queue_backlog()
            states = dict(Job.objects.values_list("state").annotate(n=Count("id")))
        except DatabaseError:
            return
        yield GaugeMetricFamily(
            "aefront_queue_ready_jobs", "Tasks ready to run, not yet taken by a worker",
            value=ready,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "aefront_queue_oldest_ready_seconds", "How long the oldest ready task has waited",
            value=age,
        )  # fmt: skip
        jobs = GaugeMetricFamily("aefront_jobs", "Jobs by state", labels=["state"])
        for state in Job.State.values:
            jobs.add_metric([state], states.get(state, 0))
        yield jobs


def register() -> None:
    """Called once when the apps are ready."""
    REGISTRY.register(QueueCollector())


def registry():
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    combined.register(QueueCollector())
    return combined


@login_not_required
@never_cache
@require_GET
def metrics(request):
    token = settings.AEFRONT_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
