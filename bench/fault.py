"""`make fault`: make load's enablers while PostgreSQL restarts and an app server dies.

    python -m bench.fault        (LOAD_USERS=10, FAULT_SECONDS=40, PROD_LIKE_DIR)

Needs `make prod-like` with its own cluster (not DATABASE_URL). While bench/locustfile.py
runs through nginx it: restarts PostgreSQL with `pg_ctlcluster … restart -m fast`; stops
it with `-m immediate` (a crash), waits 2 s and starts it; then kills app server 1 (its
gunicorn master and worker, SIGKILL). Every failed request must lie inside one of those
outage windows plus 2 s and be a 503 with Retry-After; no acknowledged quote may be lost
(a 503 quote POST is sent once more with the same uuid, which never makes a second
quote); the load must go on after the last fault. Then it kills the task worker while a
job runs and starts it again: the job must end done (by itself, or shown interrupted and
retried), never half-done in silence. Exits 1 otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from bench.load import ROOT, RUN, SLUG, check_journal, children, read_env, seed

GRACE_S = 2.0
VERSION = os.environ.get("PG_VERSION", "15")


def pg(cluster: str, *action: str) -> None:
    subprocess.run(["pg_ctlcluster", VERSION, cluster, *action], check=True, capture_output=True)


def kill_app(number: int) -> None:
    master = int((RUN / f"app{number}.pid").read_text())
    for pid in [master, *children(master)]:
        os.kill(pid, signal.SIGKILL)


STALE_S = 8  # how long a silent running job waits before it is shown interrupted, here


def kill_worker() -> None:
    pid = int((RUN / "worker.pid").read_text())
    for each in [pid, *children(pid)]:
        try:
            os.kill(each, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_worker() -> None:
    with (RUN / "worker.log").open("a") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=ROOT, env=os.environ, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    (RUN / "worker.pid").write_text(str(worker.pid))


def worker_fault() -> tuple[list[str], bool]:
    """Kill the worker while a REFI-QDA export runs; start a new one; follow the job."""
    from django.contrib.auth import get_user_model

    from aefront.jobs import services
    from aefront.jobs.models import Job
    from interviews.access import get_project_access
    from interviews.models import Membership

    author, _ = get_user_model().objects.get_or_create(username="load-author")
    Membership.objects.get_or_create(
        user=author, project=Membership.objects.filter(project__slug=SLUG).first().project,
        defaults={"role": Membership.Role.AUTHOR},
    )  # fmt: skip
    job = services.start_job(access=get_project_access(author, SLUG), kind="qdpx")
    deadline = time.time() + 30
    while time.time() < deadline:
        job.refresh_from_db()
        if job.state != Job.State.QUEUED:
            break
        time.sleep(0.02)
    seen_at_kill = job.state
    kill_worker()
    start_worker()
    retried = False
    deadline = time.time() + STALE_S + 90
    while time.time() < deadline:
        job.refresh_from_db()
        if job.state in (Job.State.DONE, Job.State.FAILED, Job.State.CANCELLED):
            break
        if job.is_interrupted and not retried:
            services.retry_job(job)  # what the jobs page's Retry does
            retried = True
        time.sleep(0.25)
    ok = (
        job.state == Job.State.DONE
        and bool(job.file)
        or (job.state == Job.State.FAILED and bool(job.error))
    )
    line = (
        f"  task worker killed while the job was {seen_at_kill}: it ended {job.state}"
        f"{' after a retry' if retried else ''} ({job.summary or job.error or job.step})"
    )
    return [line], ok


def main() -> int:
    users = int(os.environ.get("LOAD_USERS", "10"))
    seconds = int(os.environ.get("FAULT_SECONDS", "40"))
    if not (RUN / "cluster").exists():
        print(f"fault: no prod-like cluster at {RUN}: make prod-like (without DATABASE_URL)")
        return 2
    cluster = (RUN / "cluster").read_text().strip()
    os.environ.update(read_env(RUN / "env"))
    os.environ["JOB_STALE_SECONDS"] = str(STALE_S)
    sys.path.insert(0, str(ROOT))
    seed_file, journal, failures = (
        RUN / "fault-seed.json",
        RUN / "fault-journal.txt",
        RUN / "fault-failures.jsonl",
    )
    seed_file.write_text(json.dumps(seed(users)))
    from django.db import connection

    connection.close()  # the restarts below would break it
    journal.write_text("")
    failures.write_text("")
    locust = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
         "--headless", "--users", str(users), "--spawn-rate", str(users),
         "--run-time", f"{seconds}s", "--host", os.environ["PROD_LIKE_URL"],
         "--csv", str(RUN / "fault"), "--only-summary", "--loglevel", "WARNING",
         "--exit-code-on-error", "0"],
        env={**os.environ, "LOAD_SEED": str(seed_file), "LOAD_JOURNAL": str(journal),
             "LOAD_EVENTS": str(failures)},
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    windows = []
    step = seconds / 5
    time.sleep(step)
    began = time.time()
    pg(cluster, "restart", "-m", "fast")
    windows.append(("PostgreSQL restart -m fast", began, time.time()))
    time.sleep(step)
    began = time.time()
    pg(cluster, "stop", "-m", "immediate")
    time.sleep(2)
    pg(cluster, "start")
    windows.append(("PostgreSQL stop -m immediate, start", began, time.time()))
    time.sleep(step)
    began = time.time()
    kill_app(1)
    windows.append(("app server 1 killed", began, time.time()))
    last = time.time()
    out, err = locust.communicate(timeout=seconds + 60)
    if locust.returncode:
        print(out[-3000:], err[-3000:], file=sys.stderr)
        return 2
    failed = [json.loads(line) for line in failures.read_text().splitlines() if line.strip()]
    outside = [
        f for f in failed
        if not any(f["received"] >= start and f["sent"] <= end + GRACE_S for _, start, end in windows)
    ]  # fmt: skip
    not_503 = [f for f in failed if f["status"] != 503 or not f["retry_after"]]
    writes = check_journal(journal)
    stats = (RUN / "fault_stats.csv").read_text().splitlines()
    total = next(line for line in stats if ",Aggregated," in line).split(",")
    requests, errors = int(total[2]), int(total[3])
    lines = [f"make fault: {users} enablers for {seconds} s; {requests} requests, {errors} failed"]
    for name, start, end in windows:
        inside = [f for f in failed if f["received"] >= start and f["sent"] <= end + GRACE_S]
        lines.append(f"  {name}: outage {end - start:.1f} s, {len(inside)} failures")
    after = [f for f in failed if f["sent"] > last + GRACE_S]
    lines += [
        f"failures outside the windows + {GRACE_S:.0f} s: {len(outside)}",
        f"failures not 503 with Retry-After: {len(not_503)} "
        f"{sorted({(f['name'], f['status']) for f in not_503})}",
        f"failures after the last fault: {len(after)}",
        f"quotes acknowledged {writes['acknowledged']}, acknowledged but lost "
        f"{writes['acknowledged_but_lost']}, rejected but stored {writes['rejected_but_stored']}, "
        f"no answer {writes['unknown']}",
    ]
    job_lines, job_ok = worker_fault()
    lines += job_lines
    print("\n".join(lines))
    (RUN / "fault.json").write_text(
        json.dumps({"windows": windows, "failures": failed, **writes, "job_ok": job_ok}, indent=2)
    )
    bad = (
        outside
        or not_503
        or after
        or writes["acknowledged_but_lost"]
        or writes["rejected_but_stored"]
        or not job_ok
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
