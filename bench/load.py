"""`make load`: simulated enablers against `make prod-like`, through nginx, then checks.

    python -m bench.load        (LOAD_USERS=20, LOAD_SECONDS=60, PROD_LIKE_DIR)

It reads the running topology's settings from PROD_LIKE_DIR/env, seeds a project (a
synthetic one from bench/synthetic.py, plus one enabler account per simulated user; kept
across runs), runs bench/locustfile.py with locust headless against PROD_LIKE_URL, and
meanwhile samples PostgreSQL's connections (pg_stat_activity) and each app server
process's memory. Afterwards every acknowledged quote must be in the database (deleted if
its delete was acknowledged) and no rejected one may be. It prints the figures, writes
them to PROD_LIKE_DIR/load.json, and exits non-zero on any error or lost write.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = Path(os.environ.get("PROD_LIKE_DIR", "/tmp/aefront-prod-like"))
SLUG = "load"
TARGETS_MS = {"quote create": 150}  # p95; every page load: PAGE_MS
PAGE_MS = 300
RSS_MIB = 150


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            values[name] = shlex.split(value)[0] if value else ""
    return values


def seed(users: int) -> dict:
    """The project, its enablers (load-0 …) and what the locust users need to know."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from bench.synthetic import build_project
    from coding.models import Theme
    from interviews.models import Membership, Project, Transcript

    project = Project.objects.filter(slug=SLUG).first() or build_project(
        slug=SLUG, transcripts=20, words=3000, quotes=400, themes=12
    )
    password = secrets.token_urlsafe(16)
    User = get_user_model()
    names = [f"load-{n}" for n in range(users)]
    for name in names:
        user, _ = User.objects.get_or_create(username=name)
        user.set_password(password)
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, project=project, defaults={"role": Membership.Role.ENABLER}
        )
    transcripts = Transcript.objects.filter(project=project).order_by("pk")
    return {
        "slug": SLUG,
        "password": password,
        "users": names,
        "transcripts": [{"id": t.pk, "text": t.text} for t in transcripts],
        "themes": list(Theme.objects.filter(project=project).values_list("pk", flat=True)),
    }


class Sampler(threading.Thread):
    """Peak database connections and peak resident memory of each app server process."""

    def __init__(self, apps: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.apps, self.stop = apps, threading.Event()
        self.connections = 0
        self.rss: dict[str, float] = {}  # "app1 master" / "app1 worker 1234" -> MiB

    def run(self) -> None:
        import psycopg2

        database = psycopg2.connect(os.environ["DATABASE_URL"])
        database.autocommit = True
        with database.cursor() as cursor:
            while not self.stop.wait(0.25):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                self.connections = max(self.connections, cursor.fetchone()[0])
                self.sample_memory()
        database.close()

    def sample_memory(self) -> None:
        for app, master in self.apps.items():
            for pid, role in [(master, "master")] + [(c, "worker") for c in children(master)]:
                peak = vm_hwm(pid)
                if peak is not None:
                    label = f"{app} {role}" + (f" {pid}" if role == "worker" else "")
                    self.rss[label] = max(self.rss.get(label, 0.0), peak)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def vm_hwm(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def check_journal(journal: Path) -> dict[str, int]:
    from coding.models import Quote

    lines = [line.split() for line in journal.read_text().splitlines() if line.strip()]
    acknowledged = {key for word, key in lines if word == "ack"}
    rejected = {key for word, key in lines if word == "rejected"}
    deleted = {key for word, key in lines if word == "deleted"}
    stored = dict(
        Quote.all_objects.filter(uuid__in=acknowledged | rejected).values_list(
            "uuid", "deleted_at"
        )
    )
    stored = {str(key): gone for key, gone in stored.items()}
    return {
        "acknowledged": len(acknowledged),
        "rejected": len(rejected),
        "unknown": sum(1 for word, _ in lines if word == "unknown"),
        "acknowledged_but_lost": len(acknowledged - stored.keys()),
        "rejected_but_stored": len(rejected & stored.keys()),
        "deleted_but_live": sum(1 for key in deleted if stored.get(key, True) is None),
    }


def endpoint_stats(stats_csv: Path) -> list[dict]:
    rows = []
    with stats_csv.open() as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "p99": float(row["99%"] or 0),
                }
            )
    return rows


def target_for(name: str) -> float | None:
    if name in TARGETS_MS:
        return TARGETS_MS[name]
    if name.endswith("page"):
        return PAGE_MS
    return None


def main() -> int:
    users = int(os.environ.get("LOAD_USERS", "20"))
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    if not (RUN / "env").exists():
        print(f"load: no prod-like at {RUN}: run make prod-like first", file=sys.stderr)
        return 2
    os.environ.update(read_env(RUN / "env"))
    sys.path.insert(0, str(ROOT))
    seed_file, journal = RUN / "load-seed.json", RUN / "load-journal.txt"
    seed_file.write_text(json.dumps(seed(users)))
    journal.write_text("")
    apps = {f"app{n}": int((RUN / f"app{n}.pid").read_text()) for n in (1, 2)}
    sampler = Sampler(apps)
    sampler.start()
    started = time.monotonic()
    locust = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
         "--headless", "--users", str(users), "--spawn-rate", str(max(users / 2, 1)),
         "--run-time", f"{seconds}s", "--host", os.environ["PROD_LIKE_URL"],
         "--csv", str(RUN / "load"), "--only-summary", "--loglevel", "WARNING",
         "--exit-code-on-error", "0"],
        env={**os.environ, "LOAD_SEED": str(seed_file), "LOAD_JOURNAL": str(journal)},
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    sampler.stop.set()
    sampler.join(timeout=5)
    if locust.returncode:
        print(locust.stdout[-3000:], locust.stderr[-3000:], file=sys.stderr)
        return 2
    endpoints = endpoint_stats(RUN / "load_stats.csv")
    total = next(row for row in endpoints if row["name"] == "Aggregated")
    writes = check_journal(journal)
    report = {
        "users": users,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 1),
        "requests": total["requests"],
        "errors": total["failures"],
        "endpoints": [row for row in endpoints if row["name"] != "Aggregated"],
        **writes,
        "peak_db_connections": sampler.connections,
        "peak_rss_mib": {k: round(v, 1) for k, v in sorted(sampler.rss.items())},
    }
    (RUN / "load.json").write_text(json.dumps(report, indent=2))
    print_report(report)
    failed = report["errors"] or writes["acknowledged_but_lost"] or writes["rejected_but_stored"]
    return 1 if failed or writes["deleted_but_live"] else 0


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def print_report(report: dict) -> None:
    print(
        f"\nmake load: {report['users']} enablers for {report['seconds']} s through nginx "
        f"to two app servers: {report['requests']} requests, {report['errors']} errors "
        f"({verdict(report['errors'] == 0)})"
    )
    print(
        f"{'endpoint':<28}{'requests':>9}{'errors':>7}{'p50':>7}{'p95':>7}{'p99':>7}  target p95"
    )
    for row in report["endpoints"]:
        target = target_for(row["name"])
        judged = f"< {target:.0f} ms {verdict(row['p95'] < target)}" if target else ""
        print(
            f"{row['name']:<28}{row['requests']:>9}{row['failures']:>7}{row['p50']:>7.0f}"
            f"{row['p95']:>7.0f}{row['p99']:>7.0f}  {judged}"
        )
    print(
        f"quotes acknowledged {report['acknowledged']}, rejected {report['rejected']}, "
        f"no answer {report['unknown']}; acknowledged but lost "
        f"{report['acknowledged_but_lost']} ({verdict(report['acknowledged_but_lost'] == 0)}), "
        f"rejected but stored {report['rejected_but_stored']}, deleted but live "
        f"{report['deleted_but_live']}"
    )
    print(f"peak database connections: {report['peak_db_connections']}")
    for label, mib in report["peak_rss_mib"].items():
        print(f"peak RSS {label}: {mib:.0f} MiB (≤ {RSS_MIB} {verdict(mib <= RSS_MIB)})")


if __name__ == "__main__":
    sys.exit(main())
