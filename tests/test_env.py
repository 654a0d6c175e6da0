"""Reading settings from the environment: DATABASE_URL and typed variables."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

from aefront.env import database_from_url, env_bool, env_int, env_list


def test_sqlite_url_runs_in_wal_mode_with_a_busy_timeout():
    config = database_from_url("sqlite:////srv/aefront/db.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/aefront/db.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5


def test_a_sqlite_connection_from_the_url_really_uses_wal(tmp_path, django_db_blocker):
    handler = ConnectionHandler(
        {"default": database_from_url(f"sqlite:///{tmp_path / 'wal.sqlite3'}")}
    )
    connection = handler["default"]
    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
    finally:
        connection.close()


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_postgres_url(scheme):
    config = database_from_url(f"{scheme}://aefront:s3cret@db.internal:5433/aefront_prod")

    assert config["ENGINE"] == "aefront.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == (
        "aefront_prod",
        "aefront",
        "s3cret",
    )
    assert (config["HOST"], config["PORT"]) == ("db.internal", 5433)
    # Closed after each request unless the settings ask for persistent connections...
    assert config["CONN_MAX_AGE"] == 0
    assert config["CONN_HEALTH_CHECKS"] is True
    # ...which they do (DB_CONN_MAX_AGE), always with health checks.
    kept = database_from_url("postgres://aefront:s3cret@db.internal:5433/aefront_prod", 600)
    assert (kept["CONN_MAX_AGE"], kept["CONN_HEALTH_CHECKS"]) == (600, True)
    assert "OPTIONS" not in config or "init_command" not in config["OPTIONS"]


def test_postgres_connections_price_random_reads_as_a_solid_state_disks():
    url = "postgres://aefront:s3cret@db.internal:5433/aefront_prod"
    config = database_from_url(url, 600, random_page_cost="1.1")
    assert config["OPTIONS"]["options"] == "-c random_page_cost=1.1"
    given = database_from_url(url + "?options=-c%20statement_timeout%3D5000", 0, "1.1")
    assert given["OPTIONS"]["options"] == "-c statement_timeout=5000 -c random_page_cost=1.1"
    assert "options" not in database_from_url(url, 0, "").get("OPTIONS", {})  # the server's
    sqlite = database_from_url("sqlite:////srv/aefront/db.sqlite3", 0, "1.1")
    assert "options" not in sqlite["OPTIONS"]
    with pytest.raises(ImproperlyConfigured, match="DB_RANDOM_PAGE_COST must be a number"):
        database_from_url(url, 0, "1.1 -c fsync=off")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_apps_postgres_connections_carry_the_planner_setting():
    """The settings pass it on each connection (the server's default of 4 made a theme's
    quotes a scan of every quote in the database: 17 ms, not 3, in `make bench`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


@pytest.mark.parametrize("url", ["mysql://u:p@h/db", "oracle://x", "db.sqlite3", ""])
def test_other_schemes_are_refused_with_a_clear_message(url):
    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL must start with sqlite:/// or"):
        database_from_url(url)


def test_env_bool(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", default=True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be one of"):
        env_bool("FLAG", default=False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("SIZE", "2048")
    assert env_int("SIZE", 1) == 2048
    monkeypatch.setenv("SIZE", "big")
    with pytest.raises(ImproperlyConfigured, match="SIZE must be a whole number"):
        env_int("SIZE", 1)
    monkeypatch.setenv("HOSTS", " a.example, b.example ,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.delenv("HOSTS")
    assert env_list("HOSTS", ["default"]) == ["default"]
