"""No lockout one person can impose on another: username+address lockouts, the address
taken from X-Forwarded-For only behind trusted proxies, and a higher per-address bound
against spraying many usernames."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
WRONG = "wrong password here"
PROXY = "127.0.0.1"


def attempt(client, username: str, password: str, *, ip: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client.logout()
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def fail_five_times(client, username: str, **where) -> None:
    for _ in range(5):
        attempt(client, username, WRONG, **where)


def test_an_attacker_at_one_address_does_not_lock_the_user_out_elsewhere(client, enabler):
    fail_five_times(client, enabler.username, ip="198.51.100.66")

    assert attempt(client, enabler.username, PASSWORD, ip="198.51.100.66").status_code == 429
    assert attempt(client, enabler.username, PASSWORD, ip="203.0.113.10").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_what_is_locked(client, enabler, settings):
    settings.AEFRONT_TRUSTED_PROXY_COUNT = 1
    fail_five_times(client, enabler.username, ip=PROXY, forwarded="198.51.100.66")

    attacker = attempt(client, enabler.username, PASSWORD, ip=PROXY, forwarded="198.51.100.66")
    user = attempt(client, enabler.username, PASSWORD, ip=PROXY, forwarded="203.0.113.10")

    assert attacker.status_code == 429
    assert user.status_code == 302
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}


def test_without_the_setting_a_forged_header_neither_evades_nor_moves_a_lockout(
    client, enabler, settings
):
    settings.AEFRONT_TRUSTED_PROXY_COUNT = 0
    for n in range(5):  # a new forged address each time
        attempt(client, enabler.username, WRONG, ip="198.51.100.66", forwarded=f"10.0.0.{n}")

    # Still locked from the real address, whatever the header says...
    forged = attempt(client, enabler.username, PASSWORD, ip="198.51.100.66", forwarded="10.1.1.1")
    assert forged.status_code == 429
    # ...and nobody else was locked by naming their address in it.
    assert attempt(client, enabler.username, PASSWORD, ip="10.0.0.1").status_code == 302


def test_one_address_spraying_many_usernames_is_stopped(client, enabler, make_user, settings):
    settings.AEFRONT_LOGIN_FAILURES_PER_IP = 12
    for n in range(12):  # 3 tries at each of 4 usernames: no username reaches 5
        attempt(client, f"user{n % 4}", WRONG, ip="198.51.100.66")

    refused = attempt(client, enabler.username, PASSWORD, ip="198.51.100.66")

    assert refused.status_code == 429
    assert "from this network in the last hour" in refused.content.decode()
    assert attempt(client, enabler.username, PASSWORD, ip="203.0.113.10").status_code == 302


def test_the_spraying_bound_lifts_after_an_hour(client, enabler, settings):
    settings.AEFRONT_LOGIN_FAILURES_PER_IP = 6
    for n in range(6):
        attempt(client, f"user{n}", WRONG, ip="198.51.100.66")
    assert attempt(client, enabler.username, PASSWORD, ip="198.51.100.66").status_code == 429

    AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(minutes=61))

    assert attempt(client, enabler.username, PASSWORD, ip="198.51.100.66").status_code == 302


def test_below_the_bound_other_usernames_from_the_address_still_log_in(
    client, enabler, author, settings
):
    settings.AEFRONT_LOGIN_FAILURES_PER_IP = 50
    for n in range(20):
        attempt(client, f"user{n}", WRONG, ip="198.51.100.66")

    assert attempt(client, author.username, PASSWORD, ip="198.51.100.66").status_code == 302


def test_the_default_bound_is_50_an_hour(settings):
    assert settings.AEFRONT_LOGIN_FAILURES_PER_IP == 50
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AEFRONT_TRUSTED_PROXY_COUNT == 0
