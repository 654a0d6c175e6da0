"""Live updates: a change to a transcript's quotes, pushed to every open coding page.

`quote_changed()` (from the post_save hook and the services' touch) publishes after the
commit: the event goes into the transcript's replay log and to the transcript's group on
the Channels layer (channels-redis across app servers; the in-memory layer in one
process). An event carries ids only (quote, action, actor): the page fetches what
changed through the permission-checked JSON endpoint, which applies the blind rule, so
a stream carries nothing its reader may not read. Nothing here writes to the database.

`stream()` is the text/event-stream of one open page: after Last-Event-ID it replays
what the log holds (or sends "reset" when it cannot: the page then reloads the
transcript's quotes), then who else is here (the log keeps each open page, refreshed at
each keep-alive), then forwards the group's events, the others' presence and a
keep-alive comment. It closes its database connection as it opens: an idle page costs
no query.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import queue
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

EVENT_ID = re.compile(r"\A\d{1,20}-\d{1,20}\Z")
CONN = re.compile(r"\A[0-9a-f]{32}\Z")
RETRY_MS = 1000  # the browser reconnects this long after a drop


def group(transcript_id: int) -> str:
    return f"live.t{int(transcript_id)}"


def project_group(project_id: int) -> str:
    """The report pages of a project hear of every quote change in it (no replay: their
    notice counts from the time the page was opened)."""
    return f"live.p{int(project_id)}"


def order(event_id: str) -> tuple[int, int]:
    first, _, second = event_id.partition("-")
    return int(first), int(second)


# --- the replay log ----------------------------------------------------------------


class MemoryLog:
    """The last events of each transcript, in this process (the embedded default). Ids
    look like Redis stream ids: "<process start ms>-<n>", so an id of an earlier process
    is never found here and its page reloads."""

    def __init__(self, length: int) -> None:
        self.length = length
        self.boot = int(time.time() * 1000)
        self.count = 0
        self.rings: dict[int, deque[tuple[str, dict]]] = {}
        self.dropped: set[int] = set()
        self.lock = threading.Lock()
        self.pages: dict[int, dict[str, dict]] = {}  # who is here: transcript -> conn -> page

    def origin(self) -> str:
        return f"{self.boot}-0"

    def append(self, transcript_id: int, data: dict) -> str:
        with self.lock:
            self.count += 1
            event_id = f"{self.boot}-{self.count}"
            ring = self.rings.setdefault(transcript_id, deque())
            ring.append((event_id, data))
            if len(ring) > self.length:
                ring.popleft()
                self.dropped.add(transcript_id)
            return event_id

    async def newest(self, transcript_id: int) -> str:
        ring = self.rings.get(transcript_id)
        return ring[-1][0] if ring else self.origin()

    async def after(self, transcript_id: int, last_id: str) -> list[tuple[str, dict]] | None:
        with self.lock:
            ring = list(self.rings.get(transcript_id, ()))
            dropped = transcript_id in self.dropped
        if last_id == self.origin():
            return None if dropped else ring
        ids = [event_id for event_id, _ in ring]
        if last_id not in ids:
            return None
        return ring[ids.index(last_id) + 1 :]

    async def here(self, transcript_id: int, page: dict) -> None:
        with self.lock:
            self.pages.setdefault(transcript_id, {})[page["conn"]] = dict(page)

    async def gone(self, transcript_id: int, conn: str) -> None:
        with self.lock:
            self.pages.get(transcript_id, {}).pop(conn, None)

    async def present(self, transcript_id: int) -> list[dict]:
        with self.lock:
            return list(self.pages.get(transcript_id, {}).values())

    def editing(self, transcript_id: int, conn: str, user_id: int, quote_id: int | None) -> bool:
        with self.lock:
            page = self.pages.get(transcript_id, {}).get(conn)
            if page is None or page["user"]["id"] != user_id:
                return False
            page["editing"] = quote_id
            return True


class RedisLog:
    """A Redis stream per transcript (XADD with an approximate MAXLEN), shared by every
    app server; its ids are the events' ids."""

    def __init__(self, url: str, length: int) -> None:
        import redis

        self.url, self.length = url, length
        self.client = redis.Redis.from_url(url, socket_timeout=2)

    @staticmethod
    def key(transcript_id: int) -> str:
        return f"aefront:live:t{int(transcript_id)}"

    def origin(self) -> str:
        return "0-0"

    def append(self, transcript_id: int, data: dict) -> str:
        event_id = self.client.xadd(
            self.key(transcript_id),
            {"d": json.dumps(data)},
            maxlen=self.length,
            approximate=True,
        )
        return event_id.decode()

    def _reader(self):
        """One asyncio client per event loop (uvicorn has one), its pool shared."""
        import redis.asyncio

        loop = asyncio.get_running_loop()
        if getattr(self, "_loop", None) is not loop:
            self._loop = loop
            self._async = redis.asyncio.Redis.from_url(self.url, max_connections=256)
        return self._async

    @staticmethod
    def pages_key(transcript_id: int) -> str:
        return f"aefront:live:here:t{int(transcript_id)}"

    async def here(self, transcript_id: int, page: dict) -> None:
        """Who is here, refreshed at each keep-alive: entries older than three are stale."""
        stamped = {**page, "seen": time.time()}
        key = self.pages_key(transcript_id)
        await self._reader().hset(key, page["conn"], json.dumps(stamped))
        await self._reader().expire(key, 86400)

    async def gone(self, transcript_id: int, conn: str) -> None:
        await self._reader().hdel(self.pages_key(transcript_id), conn)

    async def present(self, transcript_id: int) -> list[dict]:
        found = await self._reader().hgetall(self.pages_key(transcript_id))
        oldest = time.time() - 3 * settings.AEFRONT_LIVE_KEEPALIVE_SECONDS - 5
        pages = [json.loads(value) for value in found.values()]
        return [page for page in pages if page.get("seen", 0) >= oldest]

    def editing(self, transcript_id: int, conn: str, user_id: int, quote_id: int | None) -> bool:
        key = self.pages_key(transcript_id)
        found = self.client.hget(key, conn)
        page = json.loads(found) if found else None
        if page is None or page["user"]["id"] != user_id:
            return False
        page["editing"] = quote_id
        self.client.hset(key, conn, json.dumps(page))
        return True

    async def newest(self, transcript_id: int) -> str:
        found = await self._reader().xrevrange(self.key(transcript_id), count=1)
        return found[0][0].decode() if found else self.origin()

    async def after(self, transcript_id: int, last_id: str) -> list[tuple[str, dict]] | None:
        key, reader = self.key(transcript_id), self._reader()
        if last_id == self.origin():
            try:
                info = await reader.xinfo_stream(key)
            except Exception:  # no such stream: nothing was published since
                return []
            if info["entries-added"] > info["length"]:
                return None
        elif not await reader.xrange(key, last_id, last_id):
            return None
        found = await reader.xrange(key, f"({last_id}", "+")
        return [(event_id.decode(), json.loads(fields[b"d"])) for event_id, fields in found]


_log: MemoryLog | RedisLog | None = None
_log_lock = threading.Lock()


def log() -> MemoryLog | RedisLog:
    global _log
    with _log_lock:
        if _log is None:
            length = settings.AEFRONT_LIVE_LOG_LENGTH
            url = settings.AEFRONT_REDIS_URL
            _log = RedisLog(url, length) if url else MemoryLog(length)
        return _log


# --- publishing --------------------------------------------------------------------


def publish(
    transcript_id: int, data: dict[str, Any], project_id: int | None = None, *, send=None
) -> str | None:
    """Log the event and send it to the transcript's pages, and the project's report pages
    (now: call it after commit). A failure is logged, never raised: the change is saved.
    `send` runs `_send` (the publisher thread's own loop; by default async_to_sync)."""
    try:
        event_id = log().append(transcript_id, data)
        message = {"type": "live.event", "id": event_id, "data": data}
        if _anyone_listening(transcript_id, project_id):
            (send or async_to_sync(_send))(transcript_id, project_id, message)
        return event_id
    except Exception:
        logger.warning("live update for transcript %s not sent", transcript_id, exc_info=True)
        return None


def _anyone_listening(transcript_id: int, project_id: int | None) -> bool:
    """False when the in-memory layer holds no page of the transcript or the project: the
    send (an event loop for the hand-off, on a WSGI server) would reach nobody. A page
    that opens just now replays the event from the log. Across servers (Redis): True."""
    layer = get_channel_layer()
    if not isinstance(layer, InMemoryChannelLayer):
        return True
    names = [group(transcript_id)] + ([] if project_id is None else [project_group(project_id)])
    return any(layer.groups.get(name) for name in names)


async def _send(transcript_id: int, project_id: int | None, message: dict) -> None:
    layer = get_channel_layer()
    await layer.group_send(group(transcript_id), message)
    if project_id is not None:
        await layer.group_send(project_group(project_id), message)


class Publisher:
    """With Redis (several servers), one thread per process publishes the events after
    their commits, in order, so that a write's answer does not wait for the replay log
    and the Channels layer (about a millisecond a write). It keeps one event loop, and so
    its Redis connections, for its life; a forked process starts its own thread. At exit
    it sends what is still queued (`flush`). Without Redis the in-memory layer's pages
    live in the requesting process's loop, and `soon` publishes at once, as before."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.Queue = queue.Queue()

    def soon(self, transcript_id: int, data: dict, project_id: int | None = None) -> None:
        if not settings.AEFRONT_REDIS_URL:
            publish(transcript_id, data, project_id)
            return
        self._started().put((transcript_id, data, project_id))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event is sent; False if that took over `timeout` s."""
        done = self._queue.all_tasks_done
        with done:
            end = time.monotonic() + timeout
            while self._queue.unfinished_tasks:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                done.wait(left)
        return True

    def _started(self) -> queue.Queue:
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked process
                self._pid, self._queue = os.getpid(), queue.Queue()
                threading.Thread(
                    target=self._run, args=(self._queue,), name="live-publisher", daemon=True
                ).start()
            return self._queue

    @staticmethod
    def _run(events: queue.Queue) -> None:
        loop = asyncio.new_event_loop()

        def send(*args) -> None:
            loop.run_until_complete(_send(*args))

        while True:
            transcript_id, data, project_id = events.get()
            try:
                publish(transcript_id, data, project_id, send=send)
            except Exception:  # publish logs its own failures; the thread must live on
                logger.exception("live publisher: event for transcript %s lost", transcript_id)
            finally:
                events.task_done()


publisher = Publisher()
atexit.register(publisher.flush, 2.0)


def quote_changed(quote, action: str = "") -> None:
    """After the commit: the quote's transcript hears that it changed (no query: the
    project's report pages too when the service loaded the transcript, as all do)."""
    data = {
        "quote": quote.pk,
        "action": action or ("deleted" if quote.deleted_at is not None else "saved"),
    }
    transcript_id = quote.transcript_id
    loaded = quote._state.fields_cache.get("transcript")
    project_id = loaded.project_id if loaded is not None else None
    transaction.on_commit(lambda: publisher.soon(transcript_id, data, project_id))


def transcript_reset(transcript_id: int) -> None:
    """After the commit: every page of the transcript reloads its quotes (a reveal)."""
    transaction.on_commit(lambda: publisher.soon(transcript_id, {"action": "reset"}))


def presence(transcript_id: int, *, conn: str, user: dict, editing: int | None) -> bool:
    """A page says which quote its user is editing (None: none). False: no such page of
    this user is open (its stream is on no server)."""
    if not log().editing(transcript_id, conn, user["id"], editing):
        return False
    message = {"op": "editing", "conn": conn, "user": user, "editing": editing}
    async_to_sync(get_channel_layer().group_send)(
        group(transcript_id), {"type": "live.presence", "data": message}
    )
    return True


# --- one open page -----------------------------------------------------------------


def _release_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:  # a test's transaction stays
            connection.close()


def frame(event: str, data: dict, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def _next_message(
    layer, channel: str, seconds: float, gone: asyncio.Event | None
) -> dict | None:
    """The channel's next message, or None after `seconds` or once the page is `gone`.

    The server also cancels the stream when its page goes, but that is not enough alone:
    a cancellation can be lost on the way (Python 3.11's wait_for dropped one that landed
    as a message arrived, and under load CI still saw streams run on), and uvicorn drops
    writes to a gone client silently, so such a stream would run for ever. `gone` is set
    by the ASGI application (aefront.asgi) as the disconnect arrives."""
    receiving = asyncio.ensure_future(layer.receive(channel))
    waits = {receiving}
    if gone is not None:
        waits.add(asyncio.ensure_future(gone.wait()))
    try:
        done, _ = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()  # a receive cancelled loses nothing: the layer keeps the message
    if receiving in done and not receiving.cancelled():
        return receiving.result()
    return None


GONE = "aefront.gone"  # the scope's key: set once the client has disconnected


def watch_disconnects(app):
    """`app` with each HTTP request's scope holding an asyncio.Event, set as the client's
    disconnect arrives (aefront.asgi wraps the application in it). Django cancels a
    streaming response then; a live stream also waits on this event, so it ends even if
    that cancellation is lost."""

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


def gone_of(request) -> asyncio.Event | None:
    """The event `watch_disconnects` sets when this request's client disconnects (None
    under a server that does not run aefront.asgi's application, e.g. Django's test
    client)."""
    return request.scope.get(GONE)


def _gone(gone: asyncio.Event | None) -> bool:
    return gone is not None and gone.is_set()


async def stream(
    *, transcript_id: int, user: dict, last_id: str, gone: asyncio.Event | None = None
) -> AsyncIterator[bytes]:
    """The page's events: replay after `last_id`, then live ones, presence, keep-alives."""
    await sync_to_async(_release_connections)()  # the access check's: no query from here
    layer = get_channel_layer()
    channel = await layer.new_channel()
    name = group(transcript_id)
    await layer.group_add(name, channel)  # before reading the log: nothing falls between
    me = {"conn": secrets.token_hex(16), "user": user, "editing": None}
    keepalive = settings.AEFRONT_LIVE_KEEPALIVE_SECONDS
    try:
        newest = await log().newest(transcript_id)
        missed = await log().after(transcript_id, last_id) if EVENT_ID.match(last_id) else None
        start = last_id if missed is not None else newest
        yield f"retry: {RETRY_MS}\n".encode() + frame("hello", {"conn": me["conn"]}, start)
        if missed is None and EVENT_ID.match(last_id):
            yield frame("quote", {"action": "reset"})  # cannot replay: reload the quotes
        for event_id, data in missed or ():
            yield frame("quote", data, event_id)
            start = event_id
        for page in await log().present(transcript_id):
            yield frame("presence", {**page, "op": "here"})
        await log().here(transcript_id, me)
        await layer.group_send(name, {"type": "live.presence", "data": {**me, "op": "join"}})
        seen = order(start)
        while True:
            message = await _next_message(layer, channel, keepalive, gone)
            if _gone(gone):  # set before or during the wait: _next_message returns at once
                break
            if message is None:
                await log().here(transcript_id, me)
                yield b": keep-alive\n\n"
                continue
            if message.get("type") == "live.event":
                if order(message["id"]) > seen:
                    seen = order(message["id"])
                    yield frame("quote", message["data"], message["id"])
            elif message.get("type") == "live.presence":
                data = message["data"]
                if data.get("conn") != me["conn"]:
                    yield frame("presence", data)
                elif data.get("op") == "editing":
                    me["editing"] = data.get("editing")  # kept at the next refresh
    finally:
        await _leave(transcript_id, layer, name, channel, me)


async def _leave(transcript_id: int, layer, name: str, channel: str, me: dict) -> None:
    try:
        await layer.group_discard(name, channel)
        await log().gone(transcript_id, me["conn"])
        await layer.group_send(name, {"type": "live.presence", "data": {**me, "op": "leave"}})
    except Exception:
        logger.info("live stream left uncleanly", exc_info=True)


async def project_stream(
    *, project_id: int, gone: asyncio.Event | None = None
) -> AsyncIterator[bytes]:
    """A report page's events: each quote change in the project, ids only, no replay."""
    await sync_to_async(_release_connections)()
    layer = get_channel_layer()
    channel = await layer.new_channel()
    name = project_group(project_id)
    await layer.group_add(name, channel)
    keepalive = settings.AEFRONT_LIVE_KEEPALIVE_SECONDS
    try:
        yield f"retry: {RETRY_MS}\n".encode() + frame("hello", {})
        while True:
            message = await _next_message(layer, channel, keepalive, gone)
            if _gone(gone):  # set before or during the wait: _next_message returns at once
                break
            if message is None:
                yield b": keep-alive\n\n"
                continue
            if message.get("type") == "live.event":
                yield frame("quote", message["data"])
    finally:
        try:
            await layer.group_discard(name, channel)
        except Exception:
            logger.info("project stream left uncleanly", exc_info=True)
