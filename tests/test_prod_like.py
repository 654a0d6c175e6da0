"""make prod-like and a short make load (issue 18): PostgreSQL in a cluster of its own,
two app servers (gunicorn, and uvicorn for the live streams, over one Redis) behind nginx
and the task worker, 5 enablers for 10 s through nginx; no error, no acknowledged quote
lost, both app servers answered, the live streams reach uvicorn, and stopping leaves
nothing running. Needs root (pg_createcluster) and Debian's nginx and postgresql.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent


def alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def test_two_app_servers_behind_nginx_hold_a_short_load_and_lose_nothing():
    run = Path(tempfile.mkdtemp(prefix="aefront-prod-like-test-"))
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {"PROD_LIKE_DIR": str(run), "PYTHON": sys.executable}
    environment |= {"LOAD_USERS": "5", "LOAD_SECONDS": "10"}
    script = str(ROOT / "deploy" / "prod_like.sh")
    started = subprocess.run(
        [script, "start"], env=environment, capture_output=True, text=True, timeout=180
    )
    names = ("nginx", "app1", "app2", "live1", "live2", "redis", "worker")
    pids = [run / f"{name}.pid" for name in names]
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert all(alive(pid) for pid in pids)
        settings = (run / "env").read_text()
        front = re.search(r"PROD_LIKE_URL=(\S+)", settings).group(1)
        apps = re.search(r"PROD_LIKE_APPS=(\S+)", settings).group(1).split(",")
        assert ":8000" not in front and not any(a.endswith(":8000") for a in apps)
        with urllib.request.urlopen(f"{front}/healthz", timeout=5) as answer:
            assert answer.status == 200

        load = subprocess.run(
            [sys.executable, "-m", "bench.load"], cwd=ROOT, env=environment,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert load.returncode == 0, load.stdout + load.stderr
        report = json.loads((run / "load.json").read_text())
        assert report["errors"] == 0, load.stdout
        assert report["acknowledged"] > 5, load.stdout
        assert report["acknowledged_but_lost"] == 0 and report["rejected_but_stored"] == 0
        assert report["deleted_but_live"] == 0
        assert report["peak_db_connections"] > 0
        assert {"app1 master", "app2 master"} <= report["peak_rss_mib"].keys()
        # A signed-in enabler's requests went to both servers: sessions live in the database.
        answered_by = set(re.findall(r"upstream=(\S+)", (run / "nginx-access.log").read_text()))
        assert set(apps) <= answered_by, answered_by
        # The live streams go to uvicorn (a stranger is sent to the login page from there).
        live = re.search(r"PROD_LIKE_LIVE=(\S+)", settings).group(1).split(",")
        for path in ("/p/alpha/live/", "/p/alpha/transcripts/1/live/"):
            urllib.request.urlopen(f"{front}{path}", timeout=5).close()
        log = (run / "nginx-access.log").read_text().splitlines()
        streamed = {
            re.search(r"upstream=(\S+)", line).group(1)
            for line in log
            if re.search(r'"GET /p/\S+/live/ HTTP', line)
        }
        assert streamed and streamed <= set(live), streamed
    finally:
        stopped = subprocess.run(
            [script, "stop"], env=environment, capture_output=True, text=True, timeout=120
        )
    assert stopped.returncode == 0, stopped.stderr
    assert not any(pid.exists() for pid in pids)
    assert not (run / "cluster").exists()
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    assert str(run) not in listed  # the cluster (its data under the run directory) is gone
    shutil.rmtree(run)  # the logs, kept by the stop, are only wanted when something failed
