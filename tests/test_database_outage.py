"""PostgreSQL stopped under load (issue 10, SECURITY.md D1/D2): every answer in the outage
is a 503 with Retry-After, never a 500; the app recovers without a restart; and no
acknowledged write is lost.

The test makes its own cluster (`pg_createcluster 15 faulttest -p 5499`), serves the app
from it with gunicorn, creates quotes through the JSON endpoint from 8 threads, stops
the cluster with `-m immediate` (a crash) mid-load, starts it again, then checks every
201 against the database and drops the cluster. It never touches the suite's database
or the main cluster. Needs root (CI runs as root) and Debian's postgresql package.
FAULTTEST_CLUSTER / FAULTTEST_PORT choose another name and port.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
VERSION = "15"
CLUSTER = os.environ.get("FAULTTEST_CLUSTER", "faulttest")
PORT = int(os.environ.get("FAULTTEST_PORT", "5499"))
DATABASE = f"postgres://aefront:aefront-ci@127.0.0.1:{PORT}/aefront_fault"
THREADS = 8
BEFORE_S, OUTAGE_S, AFTER_S = 2.0, 2.0, 4.0
GRACE_S = 2.0  # failures may trail the restart by this much (connections re-established)

SEED = """
import json
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from coding.models import Theme
from interviews.models import Membership, Project, Transcript
from aefront import session_timeout
user = get_user_model().objects.create_user("loader", password="correct horse battery staple")
project = Project.objects.create(name="Fault", slug="fault")
Membership.objects.create(user=user, project=project, role=Membership.Role.ENABLER)
transcript = Transcript.objects.create(project=project, title="T", text="abcdefghij" * 500)
theme = Theme.objects.create(project=project, name="Outage")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[session_timeout.SIGNED_IN] = session[session_timeout.LAST_SEEN] = 4102444800.0
session.create()
print(json.dumps({"session": session.session_key, "transcript": transcript.pk,
                  "theme": theme.pk}))
"""


def run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def as_postgres(*command: str) -> subprocess.CompletedProcess:
    return run("runuser", "-u", "postgres", "--", *command)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    sent: float
    received: float
    status: int
    retry_after: str | None
    key: str
    error: str = ""


@pytest.fixture(scope="module")
def cluster():
    if shutil.which("pg_createcluster") is None:
        raise RuntimeError("pg_createcluster not found: install Debian's postgresql package")
    listed = run("pg_lsclusters", "-h").stdout.split("\n")
    if any(line.split()[:2] == [VERSION, CLUSTER] for line in listed if line.strip()):
        raise RuntimeError(f"cluster {VERSION}/{CLUSTER} exists: drop it or set FAULTTEST_CLUSTER")
    run("pg_createcluster", VERSION, CLUSTER, "-p", str(PORT), "--start",
        "--", "--auth-local=peer", "--auth-host=scram-sha-256")  # fmt: skip
    try:
        as_postgres("psql", "-p", str(PORT), "-q", "-c",
                    "CREATE ROLE aefront LOGIN CREATEDB PASSWORD 'aefront-ci'")  # fmt: skip
        as_postgres("createdb", "-p", str(PORT), "-O", "aefront", "aefront_fault")
        yield
    finally:
        subprocess.run(["pg_dropcluster", "--stop", VERSION, CLUSTER], capture_output=True)


@pytest.fixture(scope="module")
def server(cluster):
    work = Path(tempfile.mkdtemp(prefix="aefront-fault-"))
    environment = {
        **os.environ,
        "DATABASE_URL": DATABASE,
        "DJANGO_SETTINGS_MODULE": "aefront.settings",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "PYTHONPATH": str(ROOT),
    }
    environment.pop("PYTEST_XDIST_WORKER", None)
    python = sys.executable
    run(python, "manage.py", "migrate", "--no-input", cwd=ROOT, env=environment)
    run(python, "manage.py", "collectstatic", "--no-input", "-v0", cwd=ROOT, env=environment)
    seeded = json.loads(run(python, "manage.py", "shell", "-c", SEED, cwd=ROOT,
                            env=environment).stdout.strip().splitlines()[-1])  # fmt: skip
    port = free_port()
    gunicorn = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "aefront.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "30",
        ],  # fmt: skip
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115 (closed with the process)
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/accounts/login/", timeout=1)
            break
        except OSError:  # not listening yet (URLError, refused, timed out)
            time.sleep(0.1)
    try:
        yield {**seeded, "url": url, "log": work / "gunicorn.log"}
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


SPANS = itertools.count()


def post_quote(server: dict, csrf: str) -> Answer:
    """A new quote on a span no other request uses (the same span by the same coder would
    be merged into the earlier quote, under its key)."""
    number = next(SPANS)
    start = number % 4990
    end = start + 1 + (number // 4990) % 9
    key = str(uuid.uuid4())
    body = json.dumps({"start": start, "end": end, "text": ("abcdefghij" * 500)[start:end],
                       "themes": [server["theme"]], "uuid": key}).encode()  # fmt: skip
    request = urllib.request.Request(
        f"{server['url']}/p/fault/transcripts/{server['transcript']}/quotes/",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrf,
            "Cookie": f"sessionid={server['session']}; csrftoken={csrf}",
        },
    )
    sent = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return Answer(sent, time.monotonic(), response.status, None, key)
    except urllib.error.HTTPError as error:
        return Answer(sent, time.monotonic(), error.code, error.headers.get("Retry-After"), key)
    except (urllib.error.URLError, OSError) as error:
        return Answer(sent, time.monotonic(), 0, None, key, repr(error))


def stored_keys() -> set[str]:
    import psycopg2

    with psycopg2.connect(DATABASE) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT uuid::text FROM coding_quote")
        return {row[0] for row in cursor.fetchall()}


def test_a_crash_under_load_answers_503_only_and_loses_no_acknowledged_write(server):
    csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked token format
    answers: list[Answer] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            answers.append(post_quote(server, csrf))

    threads = [threading.Thread(target=load) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(BEFORE_S)
    down = time.monotonic()
    run("pg_ctlcluster", VERSION, CLUSTER, "stop", "-m", "immediate")
    time.sleep(OUTAGE_S)
    run("pg_ctlcluster", VERSION, CLUSTER, "start")
    up = time.monotonic()
    time.sleep(AFTER_S)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    statuses = {answer.status for answer in answers}
    failures = [answer for answer in answers if answer.status != 201]
    in_window = [a for a in answers if a.received >= down and a.sent <= up + GRACE_S]
    after = [answer for answer in answers if answer.sent > up + GRACE_S]
    log = server["log"].read_text(errors="replace")[-2000:]

    assert len(answers) > 100, f"too little load to mean anything: {len(answers)}"
    assert [a for a in answers if a.status == 0] == [], log  # every request was answered
    assert 500 not in statuses, log
    assert statuses <= {201, 503}, statuses
    assert all(answer.retry_after for answer in failures)
    assert all(answer.received >= down and answer.sent <= up + GRACE_S for answer in failures)
    assert any(answer.status == 503 for answer in in_window), "the outage was not seen"
    assert after and all(answer.status == 201 for answer in after)  # recovered, no restart
    acknowledged = {answer.key for answer in answers if answer.status == 201}
    assert acknowledged - stored_keys() == set()  # 0 acknowledged writes lost
    print(
        f"{len(answers)} requests, {len(failures)} answered 503 within "
        f"{max(a.received for a in failures) - down:.2f} s of the stop"
        if failures
        else ""
    )
