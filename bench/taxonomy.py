"""Codebook admin speed: the theme changelist (counts per theme) and a merge.

The changelist annotates every theme with its quote and transcript counts; it must
stay fast and cost a fixed number of queries however many codings the project has.
"""

from __future__ import annotations

import time

from bench.table import Row, timed_ms


def measure(options) -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.synthetic import build_project
    from coding.models import QuoteTheme, Theme
    from coding.taxonomy import merge_themes

    quotes, themes = options.quotes, max(options.themes, 4)
    # Text length does not matter here; codings do.
    project = build_project(
        slug="bench-taxonomy",
        transcripts=min(options.transcripts, 100),
        words=min(options.words, 2_000),
        quotes=quotes,
        themes=themes,
        enablers=options.enablers,
    )
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-root", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")  # a host ALLOWED_HOSTS accepts outside tests
    client.force_login(admin)
    verified_for_admin(client, admin)
    url = f"/admin/coding/theme/?project__id__exact={project.pk}"

    def changelist() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    render_ms, render_p95 = timed_ms(changelist, repeat=5)
    with CaptureQueriesContext(connection) as captured:
        changelist()

    children = list(Theme.objects.filter(project=project, parent__isnull=False).order_by("pk")[:2])
    codings = QuoteTheme.objects.filter(tag__in=children).count()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as merged:
        merge_themes(survivor=children[0], others=children[1:])
    merge_ms = (time.perf_counter() - started) * 1000

    return [
        Row(
            f"admin theme list, {themes} themes, {quotes:,} quotes: render (median)",
            render_ms,
            "ms",
            1_000,
            p95=render_p95,
            queries=len(captured),
        ),
        Row("admin theme list: queries", len(captured), "queries", 15),
        Row(
            f"merge 2 themes ({codings:,} codings)", merge_ms, "ms", 2_000, queries=len(merged)
        ),  # fmt: skip
    ]


def verified_for_admin(client, user) -> None:
    """The session after the MFA step Django admin asks of staff (aefront/mfa.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
