"""The enablers of `make load` (bench/load.py runs this file with locust, headless).

Each simulated enabler signs in through the login form and then, with think time between
actions, opens transcripts, codes passages (every POST with its own idempotency key, the
quote's `uuid`), edits memos, deletes quotes, and loads the report's summary and theme
pages. Every quote answer is written to LOAD_JOURNAL (one file per locust process):
`ack` with the uuid of the quote that holds it, `rejected` or `unknown` (no answer: a lost
connection) with its key, and `deleted` for an acknowledged delete, which bench/load.py
checks against the database afterwards.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid

from locust import HttpUser, between, events, task

SEED = json.loads(open(os.environ["LOAD_SEED"]).read())  # noqa: SIM115 (read once at import)
JOURNAL = open(os.environ["LOAD_JOURNAL"], "a", buffering=1)  # noqa: SIM115 (whole run)
NUMBERS = itertools.count()


EVENTS = (
    open(os.environ["LOAD_EVENTS"], "a", buffering=1) if os.environ.get("LOAD_EVENTS") else None
)  # noqa: SIM115


@events.quitting.add_listener
def _close(**_kwargs) -> None:
    JOURNAL.close()


@events.request.add_listener
def _failed(name, response=None, exception=None, start_time=None, **_kwargs) -> None:
    """make fault (bench/fault.py): when each failure was sent and answered, and how."""
    if EVENTS is None or exception is None:
        return
    status = getattr(response, "status_code", 0) or 0
    headers = getattr(response, "headers", None) or {}
    line = {"name": name, "sent": start_time or time.time(), "received": time.time()}
    line |= {"status": status, "retry_after": headers.get("Retry-After", "")}
    EVENTS.write(json.dumps(line) + "\n")


class Enabler(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.number = next(NUMBERS)
        self.username = SEED["users"][self.number % len(SEED["users"])]
        self.transcript = SEED["transcripts"][self.number % len(SEED["transcripts"])]
        self.spans = itertools.count()
        self.mine: list[tuple[int, str]] = []  # (id, uuid) of acknowledged live quotes
        self.rng = random.Random(self.number)
        self.client.get("/accounts/login/", name="login page")
        form = {
            "username": self.username,
            "password": SEED["password"],
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
        }
        with self.client.post(
            "/accounts/login/", data=form, name="login", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login: {answer.status_code}")

    def post_json(self, path: str, body: dict, name: str, expect: int = 200):
        headers = {
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Accept": "application/json",
        }
        with self.client.post(
            path, json=body, headers=headers, name=name, catch_response=True
        ) as answer:
            if answer.status_code != expect:
                answer.failure(f"{name}: {answer.status_code} {answer.text[:200]}")
            return answer

    @task(3)
    def open_transcript(self) -> None:
        base = f"/p/{SEED['slug']}/transcripts/{self.transcript['id']}/"
        self.client.get(base, name="transcript page")
        self.client.get(base + "quotes/", name="transcript quotes (JSON)")

    @task(4)
    def create_quote(self) -> None:
        text, k = self.transcript["text"], next(self.spans)
        start = (k * 11) % (len(text) - 40)
        end = start + 3 + (k * 11) // (len(text) - 40) % 30
        key = str(uuid.uuid4())
        body = {"start": start, "end": end, "text": text[start:end], "uuid": key}
        body["themes"] = [self.rng.choice(SEED["themes"])]
        path = f"/p/{SEED['slug']}/transcripts/{self.transcript['id']}/quotes/"
        answer = self.post_json(path, body, "quote create", expect=201)
        if answer.status_code == 503:  # as a browser would: once more, with the same key
            time.sleep(min(float(answer.headers.get("Retry-After") or 1), 2))
            answer = self.post_json(path, body, "quote create (retried)", expect=201)
        if answer.status_code == 201:
            # The quote that holds the write: a span this coder had coded already (an
            # earlier run's, say) gets the theme added, and the answer is that quote.
            quote = answer.json()["quote"]
            self.mine.append((quote["id"], quote["uuid"]))
            JOURNAL.write(f"ack {quote['uuid']}\n")
        elif answer.status_code == 0:
            JOURNAL.write(f"unknown {key}\n")
        else:
            JOURNAL.write(f"rejected {key}\n")

    @task(2)
    def edit_memo(self) -> None:
        if self.mine:
            pk, _key = self.rng.choice(self.mine)
            memo = f"memo {next(self.spans)}"
            self.post_json(f"/p/{SEED['slug']}/quotes/{pk}/memo/", {"memo": memo}, "quote memo")

    @task(1)
    def delete_quote(self) -> None:
        if len(self.mine) > 2:
            pk, key = self.mine.pop(self.rng.randrange(len(self.mine)))
            answer = self.post_json(f"/p/{SEED['slug']}/quotes/{pk}/delete/", {}, "quote delete")
            if answer.status_code == 200:
                JOURNAL.write(f"deleted {key}\n")

    @task(1)
    def summary(self) -> None:
        self.client.get(f"/p/{SEED['slug']}/report/", name="summary page")

    @task(1)
    def theme_page(self) -> None:
        theme = self.rng.choice(SEED["themes"])
        self.client.get(f"/p/{SEED['slug']}/report/themes/{theme}/", name="theme page")
