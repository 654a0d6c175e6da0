"""gunicorn settings for aefront (read from the working directory by default; the README's
deployment runs `gunicorn aefront.wsgi -c gunicorn.conf.py`). Every value can be set in
the environment; the defaults were chosen by measurement on 2 cores (README "Speed").

- workers × threads: 1 × 8 on 2 cores. One worker runs Python on one core at a time
  and leaves the other to PostgreSQL; its threads cover the waits on the database and
  the network. Measured (README "Speed as shipped"): 1 × 8 holds 114 MiB peak RSS
  (90 MiB PSS) over master and worker; 2 × 4 holds 185 MiB (144 MiB PSS) for no
  faster answers at the concurrency of one coder. Raise WEB_CONCURRENCY when the
  database has its own machine and many coders save at once.
- preload_app (on by default when there are several workers): the app is imported
  once in the master and the workers start from its pages (copy on write); with one
  worker it would only keep a second copy in the master.
- max_requests with jitter, with several workers: each worker is replaced after about
  1,000 requests, not all at once, which bounds any slow growth of memory while the
  others answer. With one worker it is off by default: a replaced lone worker leaves no
  one to answer until the new one has imported the app, and the side by side saw that
  as a highlight taking 3.7 s once every thousand requests (README "Speed as shipped").
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
preload_app = os.environ.get("GUNICORN_PRELOAD", "1" if workers > 1 else "0") not in {
    "0",
    "false",
    "no",
}
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Idle keep-alive connections are kept longer than nginx keeps its idle upstream ones
# (keepalive_timeout 30s in the upstream block), so gunicorn never closes a connection
# just as nginx sends a request on it: a POST there is answered 502, and nginx may not
# resend it (make load saw one such 503 on a memo save at gunicorn's default of 2 s).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000" if workers > 1 else "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def post_fork(server, worker):
    """A connection opened by the master (preload) must not be shared by the workers."""
    from django.conf import settings

    if not settings.configured:  # not preloaded: the worker imports the app itself
        return
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
