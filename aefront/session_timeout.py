"""Sign a user out after AEFRONT_IDLE_TIMEOUT seconds without activity (30 minutes), and
AEFRONT_SESSION_MAX_AGE seconds after signing in whatever the activity (12 hours).

The session records when it began and when it was last used. The last use is written
at most once a minute, so an active user does not cost a session write per request,
and requests a page's script makes on its own (the coding page's poll, which sends
`X-Aefront-Background`) never count as activity.

Pages with unsaved work (the coding page's quote dialog, the report's narrative) load
static/js/idle.js, which reads the timeout from the page (`context`, a context
processor), warns two minutes before the sign-out, and offers "Stay signed in": a POST
to `keepalive` (/accounts/keepalive/), which counts as activity and says how long the
session now has. The script also keeps what is typed in the browser's storage until
it is saved, so a sign-out loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from aefront import errors
from aefront.middleware import wants_json

LAST_SEEN = "aefront_last_seen"
SIGNED_IN = "aefront_signed_in_at"
TOUCH_EVERY = 60  # seconds
BACKGROUND_HEADER = "X-Aefront-Background"


def now() -> float:
    return time.time()


def idle_message() -> str:
    minutes = round(settings.AEFRONT_IDLE_TIMEOUT / 60)
    return f"You were signed out after {minutes} minutes without activity."


def expired_message() -> str:
    hours = round(settings.AEFRONT_SESSION_MAX_AGE / 3600)
    return f"You were signed out {hours} hours after signing in. Please sign in again."


def expiry(session, moment: float) -> str | None:
    """Why this session is over at `moment`, or None while it is live."""
    last_seen = session.get(LAST_SEEN)
    signed_in = session.get(SIGNED_IN)
    if last_seen is not None and moment - last_seen > settings.AEFRONT_IDLE_TIMEOUT:
        return idle_message()
    if signed_in is not None and moment - signed_in > settings.AEFRONT_SESSION_MAX_AGE:
        return expired_message()
    return None


def start(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """On signing in (user_logged_in): the session's clock starts now."""
    if request is not None and hasattr(request, "session"):
        moment = now()
        request.session[SIGNED_IN] = moment
        request.session[LAST_SEEN] = moment


class IdleTimeoutMiddleware:
    """After the session, auth and message middleware; before anything needs the user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session, moment = request.session, now()
            reason = expiry(session, moment)
            if reason:
                logout(request)
                if wants_json(request):
                    return errors.json_error(
                        f"{reason} Sign in again; the page keeps what you have not saved.", 401
                    )
                messages.info(request, reason)
            else:
                session.setdefault(SIGNED_IN, moment)
                last_seen = session.get(LAST_SEEN)
                background = BACKGROUND_HEADER in request.headers
                if last_seen is None or (not background and moment - last_seen >= TOUCH_EVERY):
                    session[LAST_SEEN] = moment
        return self.get_response(request)


WARN_BEFORE = 120  # seconds: the warning's lead on the idle sign-out


def context(request: HttpRequest) -> dict:
    """Template context: the idle limit and the warning's lead, for idle.js."""
    return {"idle_timeout": settings.AEFRONT_IDLE_TIMEOUT, "idle_warn_before": WARN_BEFORE}


@require_POST
def keepalive(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in": this request is activity; answer how long the session has now."""
    moment = now()
    request.session[LAST_SEEN] = moment
    signed_in = request.session.get(SIGNED_IN, moment)
    left = min(
        settings.AEFRONT_IDLE_TIMEOUT, settings.AEFRONT_SESSION_MAX_AGE - (moment - signed_in)
    )
    return JsonResponse({"expires_in": max(0, int(left))})
