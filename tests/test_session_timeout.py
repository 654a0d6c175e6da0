"""Sessions end after 30 idle minutes and 12 hours after signing in; the clock is moved
by patching the module's `now`, so nothing waits."""

from __future__ import annotations

import pytest

from aefront import session_timeout

pytestmark = pytest.mark.django_db

MINUTE = 60
PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        moment = 1_800_000_000.0

        def travel(self, seconds: float) -> None:
            self.moment += seconds

    clock = Clock()
    monkeypatch.setattr(session_timeout, "now", lambda: clock.moment)
    return clock


@pytest.fixture
def signed_in(client, enabler, clock):
    assert client.post("/accounts/login/", {"username": "enabler_a", "password": PASSWORD})
    assert client.get("/").status_code == 200
    return client


def test_the_default_idle_timeout_is_30_minutes(settings):
    assert settings.AEFRONT_IDLE_TIMEOUT == 1800
    assert settings.AEFRONT_SESSION_MAX_AGE == 12 * 60 * 60


def test_31_idle_minutes_sign_the_user_out_with_a_message(signed_in, clock):
    clock.travel(31 * MINUTE)

    response = signed_in.get("/", follow=True)

    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert not response.context["user"].is_authenticated
    assert "You were signed out after 30 minutes without activity." in response.content.decode()
    # The old cookie is gone for good: nothing is left to replay.
    assert signed_in.get("/").status_code == 302


def test_activity_slides_the_idle_limit(signed_in, clock):
    for _ in range(4):  # 4 × 25 minutes: never 30 idle
        clock.travel(25 * MINUTE)
        assert signed_in.get("/").status_code == 200


def test_29_idle_minutes_are_fine(signed_in, clock):
    clock.travel(29 * MINUTE)

    assert signed_in.get("/").status_code == 200


def test_background_polls_do_not_keep_an_idle_session_alive(signed_in, clock):
    for _ in range(3):
        clock.travel(10 * MINUTE)
        signed_in.get("/", headers={"X-Aefront-Background": "poll"})
    clock.travel(2 * MINUTE)

    assert signed_in.get("/").status_code == 302


def test_12_hours_after_signing_in_the_session_ends_however_active(signed_in, clock):
    for _ in range(12 * 60 // 20):
        clock.travel(20 * MINUTE)
        signed_in.get("/")
    clock.travel(20 * MINUTE)

    response = signed_in.get("/", follow=True)

    assert not response.context["user"].is_authenticated
    assert "12 hours after signing in" in response.content.decode()


def test_an_idle_json_request_gets_401_json(signed_in, clock, transcript):
    clock.travel(31 * MINUTE)

    response = signed_in.get(
        f"/p/alpha/transcripts/{transcript.pk}/quotes/", headers={"Accept": "application/json"}
    )

    assert response.status_code == 401
    assert response.json()["error"].startswith("You were signed out after 30 minutes")


def test_the_last_use_is_written_at_most_once_a_minute(signed_in, clock, monkeypatch):
    saves = []
    real_save = signed_in.session.__class__.save

    def counting_save(self, *args, **kwargs):
        saves.append(1)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(signed_in.session.__class__, "save", counting_save)
    for _ in range(5):
        clock.travel(5)
        signed_in.get("/")
    assert saves == []
    clock.travel(MINUTE)
    signed_in.get("/")
    assert saves == [1]


def test_the_timeout_comes_from_settings(signed_in, clock, settings):
    settings.AEFRONT_IDLE_TIMEOUT = 5 * MINUTE
    clock.travel(6 * MINUTE)

    response = signed_in.get("/", follow=True)

    assert "You were signed out after 5 minutes without activity." in response.content.decode()
