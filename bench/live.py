"""Live updates across app servers (`python -m bench --only live`).

`Cluster` starts a redis-server of its own on a free port and two app servers (uvicorn,
the production settings, DEBUG off) on two ports against one SQLite database file and
that Redis, as a deployment with two machines behind a proxy would run them. The
two-process test (tests/coding/test_live_servers.py) and the browser test use it too.

The rows: from the quote POST on server A to the event on each of 20 pages whose
streams server B serves (headless clients reading text/event-stream), p95 ≤ 1 s; and the
memory that one more open stream costs server B (RSS over 200 streams).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.served import Client, free_port, manage, p95
from bench.table import Row

ROOT = Path(__file__).resolve().parent.parent
PAGES = 20
MEMORY_STREAMS = 200
SAMPLES = 100  # quotes timed; make bench-small: SMALL (pages, streams, quotes)
SMALL = (5, 50, 25)

SEED = """
import json, sys
from django.contrib.auth import get_user_model
from coding.models import Theme
from interviews.models import Membership, Project, Transcript

password = sys.argv[1]
User = get_user_model()
project = Project.objects.create(name="Live", slug="live")
other = Project.objects.create(name="Elsewhere", slug="elsewhere")
text = "\\n\\n".join(f"P01: Passage number {n} of the live interview, about support." for n in range(400))
transcript = Transcript.objects.create(project=project, title="Live interview", text=text,
                                       speakers_confirmed=True)
theme = Theme.objects.create(project=project, name="Support", colour="#4caf50")
for name, where in (("alice", project), ("bob", project), ("carol", other)):
    user = User.objects.create_user(name, f"{name}@example.org", password)
    Membership.objects.create(user=user, project=where, role="enabler")
print(json.dumps({"slug": "live", "transcript": transcript.pk, "theme": theme.pk, "text": text}))
"""


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


class Cluster:
    """redis-server + two uvicorn app servers over one database (see the module's text)."""

    def __init__(self, workdir: Path | None = None, servers: int = 2) -> None:
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="aefront-live-"))
        self.count = servers
        self.password = secrets.token_urlsafe(12)
        self.processes: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.redis_port = free_port()
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "0",
            "MEDIA_ROOT": str(self.workdir / "media"),
            "STATIC_ROOT": str(self.workdir / "static"),
            # Hashed names without whitenoise's .gz/.br copies: collectstatic in seconds,
            # not a minute (what the streams measure does not touch static files).
            "STATIC_PRECOMPRESS": "0",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'live.sqlite3'}",
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "aefront.settings",
            "PYTHONPATH": str(ROOT),
        }
        for name in ("CI", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"):
            self.env.pop(name, None)

    def manage(self, *args: str, stdin: str | None = None) -> str:
        return manage(self.env, *args, stdin=stdin)

    def start(self) -> dict:
        redis = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.processes.append(
            subprocess.Popen(
                [redis, "--port", str(self.redis_port), "--bind", "127.0.0.1"]
                + ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        self.manage("migrate", "--no-input", "-v0")
        self.manage("collectstatic", "--no-input", "-v0")
        seeded = self.manage(
            "shell", "-c", f"import sys; sys.argv[1:] = [{self.password!r}]; exec(sys.stdin.read())",
            stdin=SEED,
        )  # fmt: skip
        self.seed = json.loads(seeded.strip().splitlines()[-1])
        for n in range(self.count):
            port = free_port()
            log = open(self.workdir / f"uvicorn-{n}.log", "w")  # noqa: SIM115
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "aefront.asgi:application"]
                    + ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            self.ports.append(port)
        wait_for_port(self.redis_port)
        for port in self.ports:
            wait_for_port(port)
        return self.seed

    def url(self, server: int, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[server]}{path}"

    def client(self, server: int, user: str) -> Client:
        client = Client(self.ports[server])
        client.login(user, self.password)
        return client

    @property
    def stream_path(self) -> str:
        return f"/p/{self.seed['slug']}/transcripts/{self.seed['transcript']}/live/"

    @property
    def quotes_path(self) -> str:
        return f"/p/{self.seed['slug']}/transcripts/{self.seed['transcript']}/quotes/"

    def code(self, client: Client, start: int) -> dict:
        text = self.seed["text"]
        body = {"start": start, "end": start + 7, "text": text[start : start + 7]}
        body |= {"themes": [self.seed["theme"]], "uuid": str(uuid.uuid4())}
        return client.json("POST", self.quotes_path, body, expect=201)["quote"]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Stream:
    """One open page's stream, read on a socket by a thread of its own."""

    def __init__(self, port: int, path: str, cookies: dict, last_id: str = "") -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        head += "Accept: text/event-stream\r\n"
        if last_id:
            head += f"Last-Event-ID: {last_id}\r\n"
        self.sock.sendall((head + "\r\n").encode())
        self.events: list[dict] = []
        self.status = 0
        self.arrived = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        buffer = b""
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return
                buffer += data
                if not self.status and b"\r\n\r\n" in buffer:
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    self.status = int(head.split(b" ", 2)[1])
                    with self.arrived:
                        self.arrived.notify_all()
                # Chunked transfer: drop the chunk-size lines, keep the event text.
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    self._event(block.decode(errors="replace"), time.perf_counter())
        except OSError:
            return

    def _event(self, block: str, when: float) -> None:
        fields = {}
        for line in block.splitlines():
            name, _, value = line.strip().partition(": ")
            if name in {"id", "event", "data"}:
                fields[name] = value
        if "event" not in fields:
            return
        fields["data"] = json.loads(fields["data"])
        fields["at"] = when
        with self.arrived:
            self.events.append(fields)
            self.arrived.notify_all()

    def wait(self, test, timeout: float = 10.0) -> dict:
        """The first event for which test(event) holds (it stays in `events`)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for event in self.events:
                    if test(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such event in {timeout} s: {self.events[-5:]}")
                self.arrived.wait(left)

    def quote_event(self, quote_id: int, timeout: float = 10.0) -> dict:
        return self.wait(
            lambda e: e["event"] == "quote" and e["data"].get("quote") == quote_id, timeout
        )

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def cookies_of(client: Client) -> dict:
    return dict(client.cookies)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(options) -> list[Row]:
    with Cluster() as cluster:
        return _rows(cluster, *(SMALL if options.small else (PAGES, MEMORY_STREAMS, SAMPLES)))


def _rows(cluster: Cluster, pages_open: int, streams: int, quotes: int) -> list[Row]:
    alice = cluster.client(0, "alice")  # codes on server A
    bob = cluster.client(1, "bob")  # reads on server B
    pages = [Stream(cluster.ports[1], cluster.stream_path, cookies_of(bob)) for _ in range(pages_open)]  # fmt: skip
    for page in pages:
        page.wait(lambda e: e["event"] == "hello")
    for n in range(5):  # warm both servers' paths
        quote = cluster.code(alice, 3 + n * 9)
        for page in pages:
            page.quote_event(quote["id"])
    samples = []
    for n in range(quotes):
        started = time.perf_counter()
        quote = cluster.code(alice, 100 + n * 11)
        for page in pages:
            samples.append((page.quote_event(quote["id"])["at"] - started) * 1000)
    for page in pages:
        page.close()

    server_b = cluster.processes[2].pid
    time.sleep(1)
    before = rss_kib(server_b)
    held = [Stream(cluster.ports[1], cluster.stream_path, cookies_of(bob)) for _ in range(streams)]  # fmt: skip
    for page in held:
        page.wait(lambda e: e["event"] == "hello", timeout=60)
    time.sleep(1)
    after = rss_kib(server_b)
    for page in held:
        page.close()
    per_stream = (after - before) / streams
    print(
        f"  live: server B {before / 1024:.1f} MiB with no stream, {after / 1024:.1f} MiB with "
        f"{streams}; {len(samples)} event arrivals timed",
        file=sys.stderr,
    )
    label = f"live: quote POST on A to event on B, {pages_open} pages"
    return [
        Row(f"{label}, median", statistics.median(samples), "ms", 250, p95=p95(samples)),
        Row(f"{label}, p95", p95(samples), "ms", 1000),
        # Few streams in a small run: the allocator's steps weigh more on each.
        Row(f"live: memory per open stream (server B RSS, {streams} streams)", per_stream, "KiB",
            512, full_size=True),
    ]  # fmt: skip
