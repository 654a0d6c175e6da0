"""The ASGI application (uvicorn): every page, and the live-update streams that gunicorn's
threads cannot hold open (README "Live updates"). Run it with DB_CONN_MAX_AGE=0: under
ASGI each request has its own thread, so a persistent connection would outlive it."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aefront.settings")

application = get_asgi_application()  # sets Django up: the app's modules import after it

from coding.live import watch_disconnects  # noqa: E402

application = watch_disconnects(application)
