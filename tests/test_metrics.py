"""`/metrics`: Prometheus text for a scraper holding METRICS_TOKEN, 404 for anyone else;
request counts per view, and the queue's depth and jobs by state at each scrape."""

from __future__ import annotations

import pytest

from aefront.jobs.models import Job

pytestmark = pytest.mark.django_db


def scrape(client, token="s3cret-metrics"):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_metrics_are_off_without_a_token_and_refuse_a_wrong_one(client, settings, enabler):
    settings.AEFRONT_METRICS_TOKEN = ""
    assert scrape(client).status_code == 404
    settings.AEFRONT_METRICS_TOKEN = "s3cret-metrics"
    assert scrape(client, token="guess").status_code == 404
    assert client.get("/metrics").status_code == 404
    client.force_login(enabler)  # a session is not enough either
    assert client.get("/metrics").status_code == 404


def test_metrics_count_requests_and_read_the_queue(client, settings, project_a, enabler):
    settings.AEFRONT_METRICS_TOKEN = "s3cret-metrics"
    client.get("/healthz")
    Job.objects.create(project=project_a, user=enabler, kind="qdpx")
    Job.objects.create(project=project_a, user=enabler, kind="qdpx", state=Job.State.FAILED)
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'aefront_jobs{state="queued"} 1.0' in text
    assert 'aefront_jobs{state="failed"} 1.0' in text
    assert "aefront_queue_ready_jobs " in text
    assert (
        'django_http_responses_total_by_status_view_method_total{method="GET",status="200",view="healthz"}'
        in text
    )
