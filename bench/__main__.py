"""Run every benchmark module and print a table of metric, median, p95, target, verdict
and query count; write the same to bench.json (BENCH_JSON)."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import tempfile
import time
from pathlib import Path

# The dataset (issue 18): `make bench` at full size, `make bench-small` (--small) for CI.
FULL = {"transcripts": 200, "words": 15_000, "quotes": 20_000, "themes": 40, "enablers": 10}
SMALL = {"transcripts": 10, "words": 2_000, "quotes": 500, "themes": 10, "enablers": 3}
NOT_MEASURES = {"table", "synthetic", "served", "suggest_corpus", "load", "fault", "locustfile"}


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument(
        "--small",
        action="store_true",
        help="the small dataset and smaller per-module sizes (make bench-small, CI)",
    )
    parser.add_argument("--transcripts", type=int)
    parser.add_argument("--words", type=int, help="words per transcript")
    parser.add_argument("--quotes", type=int, help="quotes in the project")
    parser.add_argument("--themes", type=int)
    parser.add_argument("--enablers", type=int, help="coders the quotes are spread over")
    parser.add_argument("--only", help="run only the bench modules with these names (a,b)")
    parser.add_argument(
        "--http",
        action="store_true",
        help="measure through gunicorn over HTTP with the production settings (bench/served.py)",
    )
    parser.add_argument("--http-databases", default="sqlite,postgres")
    parser.add_argument("--http-transcripts", type=int, default=50)
    parser.add_argument("--http-quotes", type=int, default=5000)
    parser.add_argument("--http-repeat", type=int, default=200, help="quote POSTs timed")
    options = parser.parse_args(argv)
    for name, value in (SMALL if options.small else FULL).items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    return options


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        ram = next(
            int(line.split()[1]) / 1024 / 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        ram = 0.0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), "cpu": model or platform.processor(),
            "ram_gib": round(ram, 1), "load_at_start": load}  # fmt: skip


def modules(only: str | None) -> list[str]:
    wanted = set(only.split(",")) if only else None
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name not in NOT_MEASURES and not info.name.startswith("_")
    )
    if wanted is not None:
        unknown = wanted - set(names)
        if unknown:
            raise SystemExit(f"make bench: no bench module {', '.join(sorted(unknown))}")
        names = [name for name in names if name in wanted]
    return names


def finish(rows: list, options: argparse.Namespace, started: float, extra: dict) -> int:
    from bench.table import render, write_json

    for row in rows:
        row.small = options.small
    print(render(rows))
    path = Path(os.environ.get("BENCH_JSON") or "bench.json")
    sizes = {name: getattr(options, name) for name in FULL}
    run = {"command": " ".join(["python -m bench", *sys.argv[1:]]), "small": options.small,
           "dataset": sizes, **extra,
           "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
           "seconds": round(time.time() - started, 1)}  # fmt: skip
    write_json(rows, path, run)
    failed = sum(row.fails for row in rows)
    passed = sum(row.met for row in rows)
    excused = len(rows) - passed - failed
    but = f" ({excused} more missed: info or MISS (known), not failing)" if excused else ""
    print(f"{len(rows)} rows: {passed} ok, {failed} missed{but}; written to {path}",
          file=sys.stderr)  # fmt: skip
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    started, host = time.time(), machine()
    if options.http:
        from bench.served import measure_http

        return finish(measure_http(options), options, started, {"http": True, "machine": host})

    workdir = Path(tempfile.mkdtemp(prefix="aefront-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aefront.settings")
    os.environ["AEFRONT_BENCH_DIR"] = str(workdir)
    names = modules(options.only)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    size = "small" if options.small else "full-size"
    print(
        f"bench ({size}): {options.transcripts} transcripts × {options.words:,} words, "
        f"{options.themes} themes, {options.quotes:,} quotes, {options.enablers} enablers "
        f"on {connection.vendor}",
        file=sys.stderr,
    )
    rows, seconds = [], {}
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "measure"):
            print(f"measuring {name}…", file=sys.stderr, flush=True)
            began = time.perf_counter()
            rows.extend(module.measure(options))
            seconds[name] = round(time.perf_counter() - began, 1)
    extra = {"machine": host, "database": connection.vendor, "module_seconds": seconds}
    return finish(rows, options, started, extra)


if __name__ == "__main__":
    sys.exit(main())
