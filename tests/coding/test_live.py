"""coding/live.py and its two endpoints: the stream of a transcript's changes (through the
ASGI handler, with Django's AsyncClient), replay after a dropped connection, presence, the
blind rule, and no database query while a page sits idle."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from django.db.backends.utils import CursorWrapper
from django.test import AsyncClient, TestCase
from django.urls import reverse

from coding import live, services
from interviews.access import get_project_access
from interviews.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_layer(settings):
    """Each test its own in-memory layer and log (their queues belong to one event loop)."""
    settings.AEFRONT_REDIS_URL = ""
    settings.AEFRONT_LIVE_KEEPALIVE_SECONDS = 0.2
    channel_layers.backends = {}
    live._log = None
    yield
    channel_layers.backends = {}
    live._log = None


def stream_url(transcript) -> str:
    return reverse("coding:live_stream", args=[transcript.project.slug, transcript.pk])


def presence_url(transcript) -> str:
    return reverse("coding:live_presence", args=[transcript.project.slug, transcript.pk])


def parse(chunk: bytes) -> list[dict]:
    """The events in one chunk of text/event-stream: [{event, id, data}]."""
    found = []
    for block in chunk.decode().split("\n\n"):
        fields = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if name in {"id", "event", "data"}:
                fields[name] = value
        if "event" in fields:
            fields["data"] = json.loads(fields["data"])
            found.append(fields)
    return found


class Page:
    """One open stream read through the ASGI handler, by a task of its own (a timed-out
    read must not cancel the stream)."""

    def __init__(self, response):
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "text/event-stream"
        self.content = aiter(response.streaming_content)
        self.events: list[dict] = []
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for chunk in self.content:
            await self.chunks.put(chunk)

    async def chunk(self, timeout: float) -> bytes:
        return await asyncio.wait_for(self.chunks.get(), timeout)

    async def next(self, kind: str = "quote", timeout: float = 3.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for n, event in enumerate(self.events):
                if event["event"] == kind:
                    return self.events.pop(n)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind} event in {timeout} s: {self.events}")
            try:
                self.events += parse(await self.chunk(left))
            except TimeoutError:
                continue

    async def close(self) -> None:
        """Drop the connection, as a closed tab or a network fault does."""
        self.reader.cancel()
        await asyncio.wait([self.reader], timeout=1)


async def open_page(user, transcript, last_id: str = "") -> Page:
    client = AsyncClient()
    await client.aforce_login(user)
    headers = {"Last-Event-ID": last_id} if last_id else {}
    return Page(await client.get(stream_url(transcript), headers=headers))


def run(scenario):
    """Run the scenario in one event loop; its ORM calls go to the test's own thread."""
    async_to_sync(scenario)()


def committed(execute: bool, work, *args, **kwargs):
    """Run `work` in the test's thread (where its transaction is) and then its on_commit
    callbacks, as a commit would; or return them unrun (execute=False)."""

    def call():
        with TestCase.captureOnCommitCallbacks(execute=execute) as callbacks:
            result = work(*args, **kwargs)
        return result, callbacks

    return sync_to_async(call)()


def code(user, transcript, start, end, theme):
    access = get_project_access(user, transcript.project.slug)
    quote = services.code_passage(
        access=access,
        transcript=transcript,
        start=start,
        end=end,
        text=transcript.text[start:end],
        themes=[theme],
    )
    return quote


def test_a_saved_quote_reaches_an_open_page_after_the_commit(enabler, transcript, theme):
    async def scenario():
        page = await open_page(enabler, transcript)
        hello = await page.next("hello")
        assert len(hello["data"]["conn"]) == 32 and hello["id"]
        quote, callbacks = await committed(False, code, enabler, transcript, 0, 3, theme)
        with pytest.raises(AssertionError):
            await page.next(timeout=0.4)  # nothing before the commit
        for callback in callbacks:
            await sync_to_async(callback)()
        event = await page.next()
        assert event["data"] == {"quote": quote.pk, "action": "saved"}
        assert event["id"] > hello["id"]
        await page.close()

    run(scenario)


def test_every_kind_of_change_is_sent(enabler, transcript, theme):
    access = get_project_access(enabler, "alpha")
    other = theme.__class__.objects.create(project=transcript.project, name="Other")

    async def scenario():
        page = await open_page(enabler, transcript)
        await page.next("hello")
        quote, _ = await committed(True, code, enabler, transcript, 0, 3, theme)
        await committed(True, services.add_theme, access=access, quote=quote, theme=other)
        await committed(True, services.remove_theme, access=access, quote=quote, theme=other)
        await committed(True, services.edit_memo, access=access, quote=quote, memo="Note")
        await committed(True, services.delete_quote, access=access, quote=quote)
        await committed(True, services.restore_quote, access=access, quote=quote)
        actions = [(await page.next())["data"]["action"] for _ in range(6)]
        assert actions == ["saved"] * 4 + ["deleted", "saved"]
        await page.close()

    run(scenario)


def test_five_changes_made_while_the_connection_was_down_arrive_after_the_reconnect(
    enabler, transcript, theme
):
    async def scenario():
        page = await open_page(enabler, transcript)
        await page.next("hello")
        first, _ = await committed(True, code, enabler, transcript, 0, 3, theme)
        seen = await page.next()
        assert seen["data"]["quote"] == first.pk
        await page.close()  # the connection drops mid-stream
        made = []
        for n in range(5):
            start = 10 + n * 5
            quote, _ = await committed(True, code, enabler, transcript, start, start + 3, theme)
            made.append(quote.pk)
        again = await open_page(enabler, transcript, last_id=seen["id"])
        await again.next("hello")
        replayed = [(await again.next())["data"]["quote"] for _ in range(5)]
        assert replayed == made
        later, _ = await committed(True, code, enabler, transcript, 60, 63, theme)
        assert (await again.next())["data"]["quote"] == later.pk  # and live after them
        await again.close()

    run(scenario)


def test_an_id_the_log_no_longer_holds_asks_the_page_to_reload(enabler, transcript, settings):
    settings.AEFRONT_LIVE_LOG_LENGTH = 3

    async def scenario():
        ids = [await sync_to_async(live.publish)(transcript.pk, {"quote": n}) for n in range(5)]
        page = await open_page(enabler, transcript, last_id=ids[0])  # pushed out of the log
        await page.next("hello")
        assert (await page.next())["data"] == {"action": "reset"}
        await page.close()
        page = await open_page(enabler, transcript, last_id="1-1")  # an earlier process's
        await page.next("hello")
        assert (await page.next())["data"] == {"action": "reset"}
        await page.close()
        page = await open_page(enabler, transcript, last_id=ids[2])
        await page.next("hello")
        assert [(await page.next())["data"]["quote"] for _ in range(2)] == [3, 4]
        await page.close()

    run(scenario)


def test_presence_who_is_here_and_what_they_edit(enabler, project_admin, transcript):
    async def scenario():
        mine = await open_page(enabler, transcript)
        my_conn = (await mine.next("hello"))["data"]["conn"]
        theirs = await open_page(project_admin, transcript)
        await theirs.next("hello")
        joined = await mine.next("presence")
        assert joined["data"]["op"] == "join"
        assert joined["data"]["user"]["name"] == project_admin.get_username()
        here = await theirs.next("presence")  # the newcomer hears who was there
        assert here["data"]["op"] == "here" and here["data"]["user"]["id"] == enabler.pk
        client = AsyncClient()
        await client.aforce_login(enabler)
        answer = await client.post(
            presence_url(transcript),
            data=json.dumps({"conn": my_conn, "editing": 42}),
            content_type="application/json",
        )
        assert answer.status_code == 200
        editing = await theirs.next("presence")
        assert editing["data"]["op"] == "editing" and editing["data"]["editing"] == 42
        await mine.close()
        left = await theirs.next("presence")
        assert left["data"]["op"] == "leave" and left["data"]["conn"] == my_conn
        await theirs.close()

    run(scenario)


def test_an_idle_open_page_costs_no_database_query(enabler, transcript, monkeypatch):
    """Keep-alives every 0.2 s here (25 s as shipped): the loop waits on the channel layer
    only, so 3 s idle with 15 keep-alives stand for 60 s with 2 or more."""
    counted = []
    real = CursorWrapper.execute

    def counting(self, sql, params=None):
        counted.append(sql)
        return real(self, sql, params)

    async def scenario():
        page = await open_page(enabler, transcript)
        await page.next("hello")
        monkeypatch.setattr(CursorWrapper, "execute", counting)  # every thread, every alias
        keepalives = 0
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            chunk = await page.chunk(1)
            keepalives += chunk.count(b": keep-alive")
        monkeypatch.setattr(CursorWrapper, "execute", real)
        await page.close()
        return keepalives

    result = {}

    async def wrapped():
        result["keepalives"] = await scenario()

    run(wrapped)
    assert result["keepalives"] >= 10
    assert counted == []


def test_events_name_ids_only_and_a_blind_coder_cannot_fetch_the_other_quote(
    make_user, project_admin, enabler, transcript, theme, client
):
    second = make_user("enabler_two")
    Membership.objects.create(user=second, project=transcript.project, role="enabler")
    services.assign_transcripts(
        access=get_project_access(project_admin, "alpha"),
        transcripts=[transcript],
        coder_ids=[enabler.pk, second.pk],
    )

    async def scenario():
        page = await open_page(enabler, transcript)
        await page.next("hello")
        theirs, _ = await committed(True, code, second, transcript, 0, 3, theme)
        event = await page.next()
        await page.close()
        return event, theirs

    result = {}

    async def wrapped():
        result["event"], result["theirs"] = await scenario()

    run(wrapped)
    assert set(result["event"]["data"]) == {"quote", "action"}
    client.force_login(enabler)
    url = reverse("coding:api_quote", args=["alpha", result["theirs"].pk])
    assert client.get(url).status_code == 404  # what the page fetches: the blind rule holds


def test_the_stream_is_refused_to_outsiders_and_anonymous_visitors(
    outsider, enabler, transcript, client
):
    async def scenario():
        stranger = AsyncClient()
        await stranger.aforce_login(outsider)
        refused = await stranger.get(stream_url(transcript))
        anonymous = await AsyncClient().get(stream_url(transcript))
        return refused, anonymous

    result = {}

    async def wrapped():
        result["answers"] = await scenario()

    run(wrapped)
    refused, anonymous = result["answers"]
    assert refused.status_code == 404
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # Under WSGI (gunicorn, runserver, the test client) a stream cannot be held open.
    client.force_login(enabler)
    answer = client.get(stream_url(transcript))
    assert answer.status_code == 503
    assert "polls" in answer.json()["error"]


def test_presence_input_is_checked_and_outsiders_refused(enabler, outsider, transcript, client):
    client.force_login(enabler)
    bad = client.post(
        presence_url(transcript), data=json.dumps({"conn": "x"}), content_type="application/json"
    )
    assert bad.status_code == 400 and "conn" in bad.json()["error"]
    unknown = json.dumps({"conn": "b" * 32, "editing": 3})  # no page of this user has it
    answer = client.post(presence_url(transcript), data=unknown, content_type="application/json")
    assert answer.status_code == 409
    client.force_login(outsider)
    good = json.dumps({"conn": "a" * 32})
    answer = client.post(presence_url(transcript), data=good, content_type="application/json")
    assert answer.status_code == 404


def test_a_failed_publish_never_fails_the_save(enabler, transcript, theme, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(live.MemoryLog, "append", broken)
    assert live.publish(transcript.pk, {"quote": 1}) is None
    assert "not sent" in caplog.text


def test_with_no_page_open_an_event_is_logged_but_not_sent(transcript, monkeypatch):
    """On a WSGI server with the in-memory layer no page listens: the event goes into the
    log (a page opening later replays it), and no event loop is started to send it."""
    sends = []
    monkeypatch.setattr(live, "async_to_sync", lambda coroutine: lambda *args: sends.append(args))
    event_id = live.publish(transcript.pk, {"quote": 1, "action": "saved"}, transcript.project_id)
    assert event_id is not None and sends == []
    assert [data["quote"] for _, data in live.log().rings[transcript.pk]] == [1]
    layer = channel_layers["default"]
    async_to_sync(layer.group_add)(live.project_group(transcript.project_id), "report-page")
    live.publish(transcript.pk, {"quote": 2, "action": "saved"}, transcript.project_id)
    assert len(sends) == 1  # a report page of the project listens


def test_with_redis_a_write_does_not_wait_for_its_events_which_keep_their_order(
    settings, monkeypatch
):
    live.log()  # the in-memory log, made before the settings say Redis
    settings.AEFRONT_REDIS_URL = "redis://127.0.0.1:1/0"  # soon() hands events to the thread
    gate, sent = threading.Event(), []
    real = live.publish

    def held(transcript_id, data, project_id=None, *, send=None):
        gate.wait(5)
        sent.append((threading.current_thread().name, data["quote"]))
        if data["quote"] == 2:
            raise RuntimeError("a bug in one event")
        return real(transcript_id, data, project_id, send=send)

    monkeypatch.setattr(live, "publish", held)
    publisher = live.Publisher()
    started = time.monotonic()
    for n in range(5):
        publisher.soon(7, {"quote": n, "action": "saved"})
    assert time.monotonic() - started < 0.5 and sent == []  # the writes did not wait
    assert publisher.flush(0.2) is False  # the events wait on the gate
    gate.set()
    assert publisher.flush(5) is True
    assert sent == [("live-publisher", n) for n in range(5)]  # in order, one thread
    assert [data["quote"] for _, data in live.log().rings[7]] == [0, 1, 3, 4]


def test_a_report_page_hears_of_new_quotes_and_counts_those_it_may_see(
    make_user, project_admin, enabler, author, transcript, theme, client
):
    since = "2000-01-01T00:00:00+00:00"
    count_url = reverse("report:theme_new", args=["alpha", theme.pk])

    async def scenario():
        reader = AsyncClient()
        await reader.aforce_login(author)
        page = Page(await reader.get(reverse("coding:project_live_stream", args=["alpha"])))
        await page.next("hello")
        quote, _ = await committed(True, code, enabler, transcript, 0, 3, theme)
        event = await page.next()
        await page.close()
        return quote, event

    result = {}

    async def wrapped():
        result["quote"], result["event"] = await scenario()

    run(wrapped)
    assert result["event"]["data"] == {"quote": result["quote"].pk, "action": "saved"}
    client.force_login(author)
    assert client.get(count_url, {"since": since}).json() == {"new": 1}
    later = result["quote"].created_at.isoformat()
    assert client.get(count_url, {"since": later}).json() == {"new": 0}
    assert client.get(count_url, {"since": "yesterday"}).status_code == 400
    assert client.get(count_url, {"since": "2020-13-01T00:00:00+00:00"}).status_code == 400
    # A blind round hides the other coder's new quote from the count too.
    second = make_user("enabler_two")
    Membership.objects.create(user=second, project=transcript.project, role="enabler")
    services.assign_transcripts(
        access=get_project_access(project_admin, "alpha"),
        transcripts=[transcript],
        coder_ids=[enabler.pk, second.pk],
    )
    project_url = reverse("report:project_new", args=["alpha"])
    client.force_login(second)
    assert client.get(count_url, {"since": since}).json() == {"new": 0}
    assert client.get(project_url, {"since": since}).json() == {"new": 0}
    client.force_login(project_admin)
    assert client.get(count_url, {"since": since}).json() == {"new": 1}
    # The summary page counts every theme's new quotes, through the same rules.
    assert client.get(project_url, {"since": since}).json() == {"new": 1}
    assert client.get(project_url, {"since": later}).json() == {"new": 0}
    assert client.get(project_url, {"since": "yesterday"}).status_code == 400


def test_the_report_count_and_stream_are_refused_to_outsiders(outsider, theme, client):
    client.force_login(outsider)
    count_url = reverse("report:theme_new", args=["alpha", theme.pk])
    assert client.get(count_url, {"since": "2000-01-01T00:00:00+00:00"}).status_code == 404
    project_url = reverse("report:project_new", args=["alpha"])
    assert client.get(project_url, {"since": "2000-01-01T00:00:00+00:00"}).status_code == 404
    assert client.get(reverse("coding:project_live_stream", args=["alpha"])).status_code == 404


@pytest.mark.parametrize("ticks", range(8))
def test_a_page_closed_as_a_message_arrives_still_ends_its_stream_and_says_leave(
    transcript, ticks
):
    """The server cancels a stream when its page goes. A cancellation that lands in the
    same moment as a message (here `ticks` loop turns after it) must still end the stream:
    otherwise it runs on unseen, writing keep-alives to nobody, and its user never leaves
    the others' pages."""
    me = {"id": 1, "name": "alice"}

    async def scenario():
        layer = channel_layers["default"]
        other = await layer.new_channel()
        await layer.group_add(live.group(transcript.pk), other)
        pages = live.stream(transcript_id=transcript.pk, user=me, last_id="")
        reading = asyncio.ensure_future(_read_all(pages))
        joined = await asyncio.wait_for(layer.receive(other), 2)
        assert joined["data"]["op"] == "join"
        await asyncio.sleep(0.01)  # the stream is now waiting on its channel
        await layer.group_send(live.group(transcript.pk), {"type": "live.event", "id": "9-9"})
        for _ in range(ticks):
            await asyncio.sleep(0)
        reading.cancel()
        done, _ = await asyncio.wait([reading], timeout=2)
        assert done, "the stream ran on after its page was gone"
        heard = await asyncio.wait_for(layer.receive(other), 2)
        assert heard["type"] == "live.event"  # what the stream was sent, heard here too
        left = await asyncio.wait_for(layer.receive(other), 2)
        assert left["data"]["op"] == "leave" and left["data"]["user"] == me

    run(scenario)


async def _read_all(pages) -> None:
    async for _ in pages:
        pass


def test_a_stream_ends_and_says_leave_once_its_page_is_gone_even_if_never_cancelled(
    transcript,
):
    """The second guard: aefront.asgi sets `gone` as the disconnect arrives; a stream whose
    cancellation was lost on the way (CI saw them under load) still ends at once."""
    me = {"id": 2, "name": "bob"}

    async def scenario():
        layer = channel_layers["default"]
        other = await layer.new_channel()
        await layer.group_add(live.group(transcript.pk), other)
        gone = asyncio.Event()
        pages = live.stream(transcript_id=transcript.pk, user=me, last_id="", gone=gone)
        reading = asyncio.ensure_future(_read_all(pages))
        assert (await asyncio.wait_for(layer.receive(other), 2))["data"]["op"] == "join"
        await asyncio.sleep(0.05)
        gone.set()  # and no cancel()
        done, _ = await asyncio.wait([reading], timeout=2)
        assert done, "the stream ran on after its page was gone"
        left = await asyncio.wait_for(layer.receive(other), 2)
        assert left["data"]["op"] == "leave" and left["data"]["user"] == me

    run(scenario)


def test_the_asgi_application_tells_a_request_when_its_client_is_gone():
    seen = {}

    async def app(scope, receive, send):
        seen["before"] = scope[live.GONE].is_set()
        assert (await receive())["type"] == "http.request"
        seen["after_body"] = scope[live.GONE].is_set()
        assert (await receive())["type"] == "http.disconnect"
        seen["after_disconnect"] = scope[live.GONE].is_set()

    messages = iter([{"type": "http.request", "body": b""}, {"type": "http.disconnect"}])

    async def receive():
        return next(messages)

    async def send(message):
        pass

    async_to_sync(live.watch_disconnects(app))({"type": "http", "path": "/"}, receive, send)
    assert seen == {"before": False, "after_body": False, "after_disconnect": True}
    from aefront.asgi import application  # what uvicorn serves is wrapped so

    assert application.__qualname__ == "watch_disconnects.<locals>.watched"
