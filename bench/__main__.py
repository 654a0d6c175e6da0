"""Run every benchmark module and print a table of metric, value, target and verdict."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--transcripts", type=int, default=200)
    parser.add_argument("--words", type=int, default=20_000, help="words per transcript")
    parser.add_argument("--quotes", type=int, default=20_000, help="quotes in the project")
    parser.add_argument("--themes", type=int, default=40)
    parser.add_argument("--only", help="run only the bench module with this name")
    parser.add_argument(
        "--http",
        action="store_true",
        help="measure through gunicorn over HTTP with the production settings (bench/served.py)",
    )
    parser.add_argument("--http-databases", default="sqlite,postgres")
    parser.add_argument("--http-transcripts", type=int, default=50)
    parser.add_argument("--http-quotes", type=int, default=5000)
    parser.add_argument("--http-repeat", type=int, default=200, help="quote POSTs timed")
    options = parser.parse_args()
    if options.http:
        from bench.served import measure_http
        from bench.table import render

        rows = measure_http(options)
        print(render(rows))
        return 0 if all(row.verdict == "ok" for row in rows) else 1

    workdir = Path(tempfile.mkdtemp(prefix="aefront-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aefront.settings")
    os.environ["AEFRONT_BENCH_DIR"] = str(workdir)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from bench.table import render

    rows = []
    package_dir = Path(__file__).parent
    for module_info in sorted(pkgutil.iter_modules([str(package_dir)]), key=lambda m: m.name):
        if module_info.name in {"table", "synthetic", "served"} or module_info.name.startswith(
            "_"
        ):
            continue
        if options.only and module_info.name != options.only:
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        if hasattr(module, "measure"):
            print(f"measuring {module_info.name}…", file=sys.stderr, flush=True)
            rows.extend(module.measure(options))
    print(render(rows))
    return 0 if all(row.verdict == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
