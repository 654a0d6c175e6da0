"""Settings and the security behaviour they switch on: secret key, CSP, login redirects,
login throttling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


def import_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", "import aefront.settings"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("debug", [None, "0", "false"])
def test_refuses_to_start_without_secret_key_when_debug_is_off(debug):
    result = import_settings(**({"DEBUG": debug} if debug is not None else {}))

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_starts_with_a_secret_key_or_in_debug():
    assert import_settings(SECRET_KEY="a-long-random-production-key").returncode == 0
    assert import_settings(DEBUG="1").returncode == 0


def test_a_bad_database_url_stops_the_start_with_its_reason():
    result = import_settings(DEBUG="1", DATABASE_URL="mysql://u:p@h/db")

    assert result.returncode != 0
    assert "DATABASE_URL must start with sqlite:/// or postgres://" in result.stderr


def test_production_cookies_are_secure():
    script = (
        "import aefront.settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "SECRET_KEY": "k" * 50},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "__Host-sessionid",
        "__Host-csrftoken",
    ]


def test_production_settings_pass_the_deploy_checks(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(ROOT),
        "SECRET_KEY": "x7Jq-" + "k3v9P2m8Z" * 7,
        "ALLOWED_HOSTS": "aefront.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_html_pages_carry_a_strict_content_security_policy(client, enabler):
    pages = [client.get("/accounts/login/")]
    client.force_login(enabler)
    pages.append(client.get("/"))

    for response in pages:
        policy = response["Content-Security-Policy"]
        directives = dict(
            (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
        )
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "'unsafe-eval'" not in directives["script-src"]
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "http:/evil"])
def test_login_never_redirects_off_site(client, enabler, target):
    response = client.post(
        f"/accounts/login/?next={target}",
        {"username": enabler.username, "password": PASSWORD, "next": target},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_login_follows_a_local_next(client, enabler):
    response = client.post(
        "/accounts/login/",
        {"username": enabler.username, "password": PASSWORD, "next": "/p/alpha/"},
    )

    assert response["Location"] == "/p/alpha/"


@pytest.mark.django_db
def test_a_logged_in_visitor_to_login_with_an_evil_next_goes_home(client, enabler):
    client.force_login(enabler)

    response = client.get("/accounts/login/?next=https://evil.example")

    assert response.status_code == 302
    assert response["Location"] == "/"


def attempt(client, username: str, password: str):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="203.0.113.7",
    )


@pytest.mark.django_db
def test_five_failures_lock_that_username_from_that_address_only(client, enabler, author):
    for _ in range(4):
        failed = attempt(client, enabler.username, "wrong password here")
        assert failed.status_code == 200
        assert "Please enter a correct username and password" in failed.content.decode()
    assert attempt(client, enabler.username, "wrong password here").status_code == 429

    locked = attempt(client, enabler.username, PASSWORD)  # the 6th, with the right password
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session

    colleague = attempt(client, author.username, PASSWORD)
    assert colleague.status_code == 302
    assert client.session["_auth_user_id"] == str(author.pk)


@pytest.mark.django_db
def test_unknown_user_and_wrong_password_get_the_same_message(client, enabler):
    unknown = attempt(client, "nobody-at-all", "wrong password here")
    wrong = attempt(client, enabler.username, "wrong password here")

    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_production_keeps_database_connections_with_health_checks():
    """Issue 19: no PostgreSQL handshake per request; DB_CONN_MAX_AGE=0 turns it off."""
    show = (
        "import aefront.settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db",
    }
    for extra, expected in (({}, "600 True"), ({"DB_CONN_MAX_AGE": "0"}, "0 True")):
        done = subprocess.run(
            [sys.executable, "-c", show],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.stdout.strip() == expected, done.stderr


def test_the_channel_layer_reads_longer_than_a_streams_blocking_wait():
    """A live stream blocks in BZPOPMIN for brpop_timeout seconds; a client socket timeout
    no longer than that (redis-py 8's default, 5 s) ends the stream of a busy server with
    "Timeout reading" (seen in CI: the page's user never left the others' pages)."""
    probe = (
        "import django; django.setup()\n"
        "from channels.layers import get_channel_layer\n"
        "from channels_redis.utils import create_pool\n"
        "layer = get_channel_layer()\n"
        "pool = create_pool(layer.hosts[0])\n"
        "print(pool.connection_kwargs['socket_timeout'], layer.brpop_timeout)\n"
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT), "DEBUG": "1"}
    env |= {"REDIS_URL": "redis://127.0.0.1:6399/0", "DJANGO_SETTINGS_MODULE": "aefront.settings"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    socket_timeout, blocking = (float(x) for x in done.stdout.split())
    assert socket_timeout >= 3 * blocking


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, (1, 0)),  # a lone worker is never replaced: nobody would answer meanwhile
        ({"WEB_CONCURRENCY": "3"}, (3, 1000)),
        ({"GUNICORN_MAX_REQUESTS": "500"}, (1, 500)),
    ],
)
def test_gunicorn_replaces_workers_only_when_others_answer(monkeypatch, environment, expected):
    import runpy

    for name in ("WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))

    assert (conf["workers"], conf["max_requests"]) == expected
