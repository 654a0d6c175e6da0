"""Speed as shipped: gunicorn (gunicorn.conf.py), DEBUG off, the production settings, over
HTTP on 127.0.0.1, on SQLite and on PostgreSQL (`make bench-http`).

For each database: a fresh database, migrate and collectstatic, a synthetic project
seeded like Taguette's side-by-side workload (transcripts of 15,000 words, 20 themes,
highlights spread over them), a superuser with a personal access token; then gunicorn on
a free port, driven by a keep-alive HTTP client (http.client, one connection, like a
browser tab). The targets are the issue's floors against Taguette 1.5.2 as measured in
../shared/taguette/REPORT.md on this kind of machine (highlight 39.8 ms, a document with
100 highlights 55.7 ms, one tag's CSV 627 ms, an upload 72.5 ms, a project 10.8 ms, a
tag 11.0 ms, 103.5 MiB peak RSS); the side-by-side script measures both in one run.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.table import Row

ROOT = Path(__file__).resolve().parent.parent
TAGUETTE = {"highlight": 39.8, "load": 55.7, "csv": 627.0, "upload": 72.5}
TAGUETTE |= {"project": 10.8, "theme": 11.0, "memory": 103.5}
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgres://aefront:aefront-ci@127.0.0.1:5432/aefront_bench_http"
)

SEED = """
import json, sys
from django.contrib.auth import get_user_model
from aefront.api.tokens import issue_token
from bench.coding import add_turns
from bench.synthetic import build_project
from coding.models import Quote
from interviews.models import Membership

transcripts, words, quotes, themes = (int(x) for x in sys.argv[1:5])
project = build_project(slug="http", transcripts=transcripts, words=words, quotes=quotes,
                        themes=themes)
for transcript in project.transcripts.all():
    add_turns(transcript)
user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
user.set_password(sys.argv[5]); user.save()
Membership.objects.create(user=user, project=project, role="admin")
_, token = issue_token(user=user, name="bench", scope="write")
first = project.transcripts.order_by("pk").first()
theme = max(project.themes.all(), key=lambda t: t.codings.count())
print(json.dumps({"token": token, "slug": project.slug, "transcript": first.pk,
                  "quotes_on_first": Quote.objects.filter(transcript=first).count(),
                  "text": first.text, "theme": theme.pk, "theme_quotes": theme.codings.count(),
                  "turns": list(first.turns.filter(is_interviewer=False)
                                .values_list("start", "end")),
                  "themes": list(project.themes.values_list("pk", flat=True))}))
"""


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    """`manage.py ARGS` in a child with this environment; its output, or RuntimeError."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed: {done.stderr[-2000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Client:
    """One keep-alive connection with a cookie jar (enough for Django's session and CSRF)."""

    port: int
    cookies: dict = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes, dict]:
        headers = dict(headers or {})
        headers.setdefault("Host", "127.0.0.1")
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for raw in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return response.status, data, dict(response.headers)

    def json(self, method, path, payload, token: str | None = None, expect: int = 200):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        else:
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        status, data, _ = self.request(method, path, json.dumps(payload).encode(), headers)
        if status != expect:
            raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
        return json.loads(data)

    def login(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        form = urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}/accounts/login/",
        }
        status, data, _ = self.request("POST", "/accounts/login/", form.encode(), headers)
        if status != 302:
            raise RuntimeError(f"login failed: {status} {data[:200]!r}")


def timed(action, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(int(len(samples) * 0.95) - 1, 0)]


def _memory(pid: int) -> dict[str, float]:
    """Sum of VmHWM (what the side-by-side reports) and of PSS (shared pages counted
    once) over the gunicorn master and its workers, in MiB."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            todo += [int(k) for k in (task / "children").read_text().split()]
    peak = pss = 0.0
    per_process = []
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                per_process.append(int(line.split()[1]) / 1024)
                peak += per_process[-1]
        for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1]) / 1024
    return {"peak": peak, "pss": pss, "processes": len(pids), "per_process": per_process}


class Server:
    """gunicorn over a fresh database with the production settings (DEBUG off)."""

    def __init__(self, kind: str, workdir: Path, options) -> None:
        self.kind, self.workdir, self.options = kind, workdir, options
        self.password = secrets.token_urlsafe(12)
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "0",
            "MEDIA_ROOT": str(workdir / f"media-{kind}"),
            "STATIC_ROOT": str(workdir / "static"),
            "API_RATE_PER_MINUTE": "1000000",
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "aefront.settings",
        }
        if kind == "sqlite":
            self.env["DATABASE_URL"] = f"sqlite:///{workdir / 'http.sqlite3'}"
        else:
            self.env["DATABASE_URL"] = PG_URL
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str, stdin: str | None = None) -> str:
        return manage(self.env, *args, stdin=stdin)

    def fresh_database(self) -> None:
        if self.kind != "postgres":
            return
        import psycopg2

        parts = urlsplit(PG_URL)
        name = parts.path.lstrip("/")
        admin = psycopg2.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()

    def start(self) -> dict:
        self.fresh_database()
        self.manage("migrate", "--no-input", "-v0")
        self.manage("collectstatic", "--no-input", "-v0")
        o = self.options
        seeded = self.manage(
            "shell",
            "-c",
            "import sys; sys.argv = sys.argv[:1] + %r; exec(sys.stdin.read())"
            % [str(o.http_transcripts), str(o.words), str(o.http_quotes), "20", self.password],
            stdin=SEED,
        )
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "aefront.wsgi", "-c", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / f"gunicorn-{self.kind}.log", "w"),  # noqa: SIM115
        )
        for _ in range(240):
            try:
                if Client(self.port).request("GET", "/accounts/login/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.25)
        time.sleep(2)  # every worker has booted
        return json.loads(seeded.strip().splitlines()[-1])

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


def measure_one(kind: str, workdir: Path, options) -> list[Row]:
    server = Server(kind, workdir, options)
    seed = server.start()
    try:
        return _rows(kind, server, seed, options)
    finally:
        server.stop()


def _rows(kind: str, server: Server, seed: dict, options) -> list[Row]:
    token, slug, text = seed["token"], seed["slug"], seed["text"]
    api = Client(server.port)
    page = Client(server.port)
    page.login("bench", server.password)
    base = f"/api/v1/projects/{slug}"
    memory_start = _memory(server.process.pid)
    n = options.http_repeat
    # Starts of 6-character passages inside the interviewee's words (a quote lies inside
    # one speaker turn), every 7 characters.
    spans = iter(start for first, last in seed["turns"] for start in range(first, last - 6, 7))

    def api_quote():
        start = next(spans)
        body = {"transcript": seed["transcript"], "start": start, "end": start + 5}
        body |= {"text": text[start : start + 5], "themes": seed["themes"][:2]}
        api.json("POST", f"{base}/quotes/", body | {"uuid": str(uuid.uuid4())}, token, 201)

    def page_quote():
        start = next(spans)
        body = {"start": start, "end": start + 6, "text": text[start : start + 6]}
        body |= {"themes": seed["themes"][:2], "uuid": str(uuid.uuid4())}
        url = f"/p/{slug}/transcripts/{seed['transcript']}/quotes/"
        page.json("POST", url, body, expect=201)

    timed(api_quote, 20)  # warm every worker and thread
    api_samples = timed(api_quote, n)
    page_samples = timed(page_quote, n)
    coding_page = f"/p/{slug}/transcripts/{seed['transcript']}/"
    wire = {}

    def load_page():
        status, body, headers = page.request(
            "GET", coding_page, headers={"Accept-Encoding": "gzip"}
        )
        wire["bytes"] = int(headers.get("Content-Length") or len(body))
        wire["raw"] = len(body)

    def load_api():
        api.request("GET", f"{base}/transcripts/{seed['transcript']}/", headers=_auth(token))
        api.request(
            "GET",
            f"{base}/quotes/?transcript={seed['transcript']}&page_size=1000",
            headers=_auth(token),
        )

    def export_csv():
        status, body, _ = api.request(
            "GET", f"{base}/export/?format=csv&theme={seed['theme']}", headers=_auth(token)
        )
        wire["csv_rows"] = body.count(b"\r\n") - 1

    counter = iter(range(10**6))

    def upload():
        boundary, number = uuid.uuid4().hex, next(counter)
        turns = "\n".join(text.split("\n\n")[:200])
        content = f"Interviewer: Interview number {number}.\n{turns}".encode()
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="upload-{number}.txt"\r\nContent-Type: text/plain\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = _auth(token) | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, data, _ = api.request("POST", f"{base}/transcripts/", body, headers)
        if status != 201:
            raise RuntimeError(f"upload: {status} {data[:200]!r}")

    def new_project():
        name = f"p-{next(counter)}"
        api.json("POST", "/api/v1/projects/", {"name": name, "slug": name}, token, 201)

    def new_theme():
        api.json("POST", f"{base}/themes/", {"name": f"New theme {next(counter)}"}, token, 201)

    load_samples = timed(load_page, 15)
    api_load = timed(load_api, 15)
    csv_samples = timed(export_csv, 7)
    upload_samples = timed(upload, 10)
    project_samples = timed(new_project, 15)
    theme_samples = timed(new_theme, 15)
    memory = _memory(server.process.pid)
    print(
        f"  {kind}: memory at start {memory_start['peak']:.0f} MiB peak / "
        f"{memory_start['pss']:.0f} MiB PSS; per process {[round(m) for m in memory['per_process']]}",
        file=sys.stderr,
    )
    t = TAGUETTE
    label = f"http {kind}"
    med = statistics.median
    return [
        Row(f"{label}: API quote POST, median", med(api_samples), "ms", 10),
        Row(f"{label}: API quote POST, p95", p95(api_samples), "ms", 2 * t["highlight"] / 4),
        Row(f"{label}: page quote POST, median", med(page_samples), "ms", 10),
        Row(f"{label}: coding page, {seed['quotes_on_first']} quotes", med(load_samples), "ms", t["load"] / 3),
        Row(f"{label}: coding page on the wire (gzip)", wire["bytes"] / 1024, "KiB", 250),
        Row(f"{label}: API transcript + its quotes", med(api_load), "ms", t["load"] / 3),
        Row(f"{label}: one theme's CSV ({wire['csv_rows']} rows)", med(csv_samples), "ms", t["csv"] / 10),
        Row(f"{label}: upload one transcript", med(upload_samples), "ms", t["upload"] / 2),
        Row(f"{label}: create a project", med(project_samples), "ms", t["project"]),
        Row(f"{label}: create a theme", med(theme_samples), "ms", t["theme"]),
        Row(f"{label}: peak RSS, all processes ({memory['processes']})", memory["peak"], "MiB", 1.5 * t["memory"]),
        Row(f"{label}: PSS, all processes", memory["pss"], "MiB", t["memory"]),
    ]  # fmt: skip


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def measure_http(options) -> list[Row]:
    workdir = Path(tempfile.mkdtemp(prefix="aefront-bench-http-"))
    rows = []
    for kind in options.http_databases.split(","):
        print(f"measuring http on {kind}…", file=sys.stderr, flush=True)
        rows += measure_one(kind, workdir, options)
    return rows
