"""The ASGI application (uvicorn): every page, and the live-update streams that gunicorn's
threads cannot hold open (README "Live updates"). Run it with DB_CONN_MAX_AGE=0: under
ASGI each request has its own thread, so a persistent connection would outlive it."""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aefront.settings")

GONE = "aefront.gone"  # the scope's key: set once the client has disconnected


def watch_disconnects(app):
    """`app` with each HTTP request's scope holding an asyncio.Event, set as the client's
    disconnect arrives. Django cancels a streaming response then; a live stream also
    waits on this event, so it ends even if that cancellation is lost."""

    async def watched(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        gone = asyncio.Event()

        async def receive_and_watch():
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
            return message

        return await app({**scope, GONE: gone}, receive_and_watch, send)

    return watched


application = watch_disconnects(get_asgi_application())
