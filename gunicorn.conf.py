"""gunicorn settings for aefront (read from the working directory by default; the README's
deployment runs `gunicorn aefront.wsgi -c gunicorn.conf.py`). Every value can be set in
the environment; the defaults were chosen by measurement on 2 cores (README "Speed").

- preload_app: the app is imported once in the master and the workers share its pages
  (copy on write): the second worker costs its own data only, not another Django.
- workers × threads: 2 × 4 on 2 cores. A worker runs Python on one core at a time, so
  two use both cores; threads cover the waits on the database and the network.
- max_requests with jitter: each worker is replaced after about 1,000 requests, not all
  at once, which bounds any slow growth of memory.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in {"0", "false", "no"}
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def post_fork(server, worker):
    """A connection opened by the master (preload) must not be shared by the workers."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
