"""Reading configuration from the environment: typed, with clear errors."""

from __future__ import annotations

import os
import re
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
POSTGRESQL_ENGINE = "aefront.postgresql"


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(
    url: str, conn_max_age: int = 0, random_page_cost: str = ""
) -> dict[str, Any]:
    """Django DATABASES entry for a sqlite:/// or postgres:// URL.

    SQLite runs in WAL mode with a busy timeout and IMMEDIATE transactions, so two
    coders saving at once wait for each other instead of failing with "database is
    locked". Connections live `conn_max_age` seconds (settings: DB_CONN_MAX_AGE,
    600 by default): a request no longer pays a PostgreSQL connection and password
    handshake. Each gunicorn thread holds at most one, so a server holds at most
    workers × threads connections (1 × 8 = 8 as gunicorn.conf.py deploys it, well under PostgreSQL's
    100). Health checks test a kept connection before a request reuses it (on PostgreSQL
    without a round trip: aefront/postgresql/base.py), and the fault middleware drops
    broken ones, so a database restart costs one 503, not many.

    On PostgreSQL each connection sets `random_page_cost` (settings: DB_RANDOM_PAGE_COST,
    1.1; empty: the server's). The server default, 4, prices a random read as a spinning
    disk's: the planner then reads every quote of every project (a sequential scan) to
    find a theme's thousand, and a theme page costs what the whole database holds.
    """
    if not url.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite:/// or postgres://; got {url.split(':')[0]!r}"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL could not be read: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        # Django's engine with a health check that costs no round trip (its docstring).
        config["ENGINE"] = POSTGRESQL_ENGINE
        if random_page_cost:
            if not re.fullmatch(r"\d{1,3}(\.\d{1,3})?", random_page_cost):
                raise ImproperlyConfigured(
                    f"DB_RANDOM_PAGE_COST must be a number such as 1.1; got {random_page_cost!r}"
                )
            options = config.setdefault("OPTIONS", {})
            own = f"-c random_page_cost={random_page_cost}"
            options["options"] = " ".join(filter(None, [options.get("options", ""), own]))
    return config
