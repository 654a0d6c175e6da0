"""A body too large by its Content-Length is refused with 413 before a byte is read."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from interviews.models import Transcript

pytestmark = pytest.mark.django_db

FILE = reverse("imports:upload_file", args=["alpha"])
UPLOAD = reverse("imports:upload", args=["alpha"])
MULTIPART = "multipart/form-data; boundary=BoUnDaRy"


class Tripwire(io.RawIOBase):
    """A request body that records whether anyone read it."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = io.BytesIO(data)
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size=-1):
        self.reads += 1
        return self.data.read(size)

    def readline(self, size=-1):
        self.reads += 1
        return self.data.readline(size)


def post_declaring(client, url, length: int, content_type: str, **headers):
    body = Tripwire()
    response = client.generic(
        "POST",
        url,
        b"",
        CONTENT_TYPE=content_type,  # the client sets it only with a body
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
        **headers,
    )
    return response, body


def test_a_200_mib_upload_is_refused_unread_naming_the_limit(client, enabler):
    client.force_login(enabler)

    response, body = post_declaring(
        client, FILE, 200 * 1024 * 1024, MULTIPART, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 413
    assert response.json()["error"] == (
        "This upload is too large (200.0 MiB): the limit is 20.0 MiB per file and "
        "21.0 MiB per upload. Upload fewer or smaller files."
    )
    assert body.reads == 0
    assert Transcript.objects.count() == 0


def test_the_upload_form_gets_a_page_saying_why(client, enabler):
    client.force_login(enabler)

    response, body = post_declaring(client, UPLOAD, 50 * 1024 * 1024, MULTIPART)

    assert response.status_code == 413
    page = response.content.decode()
    assert "This upload is too large (50.0 MiB): the limit is 20.0 MiB per file" in page
    assert body.reads == 0


def test_an_anonymous_request_is_refused_before_the_session_or_login(client, monkeypatch):
    def no_session(*args, **kwargs):
        raise AssertionError("the session was read")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", no_session)
    client.cookies["sessionid"] = "x" * 32

    response, body = post_declaring(client, "/accounts/login/", 30 * 1024 * 1024, MULTIPART)

    assert response.status_code == 413
    assert body.reads == 0


def test_a_json_body_past_the_data_limit_is_413(client, enabler, transcript, settings):
    client.force_login(enabler)
    url = f"/p/alpha/transcripts/{transcript.pk}/quotes/"

    response, body = post_declaring(
        client, url, settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1, "application/json"
    )

    assert response.status_code == 413
    assert response.json()["error"] == (
        "This request is too large (2.5 MiB): the limit is 2.5 MiB."
    )
    assert body.reads == 0


def test_the_limits_come_from_settings(client, enabler, settings):
    settings.AEFRONT_MAX_REQUEST_BYTES = 4096
    client.force_login(enabler)

    refused, _ = post_declaring(client, FILE, 4097, MULTIPART, HTTP_ACCEPT="application/json")
    allowed, _ = post_declaring(client, FILE, 4096, MULTIPART, HTTP_ACCEPT="application/json")

    assert refused.status_code == 413
    assert "4.0 KiB per upload" in refused.json()["error"]
    assert allowed.status_code == 400  # read, and refused for having no file


@pytest.mark.parametrize("length", ["", "abc", "-5"])
def test_an_unreadable_length_is_not_a_refusal(client, enabler, length):
    client.force_login(enabler)

    response = client.generic(
        "POST",
        FILE,
        b"",
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH=length,
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400


# --- a length that is absent or false --------------------------------------------------------


class Counting(Tripwire):
    """A request body that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def multipart_body(size: int) -> bytes:
    head = (
        b'--BoUnDaRy\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
    )
    return head + b"P01: word " * (size // 10)


def test_a_body_longer_than_it_declares_is_read_only_to_the_declared_length(client, enabler):
    client.force_login(enabler)
    body = Counting(multipart_body(30 * 1024 * 1024))

    response = client.generic(
        "POST",
        FILE,
        b"",
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH="4096",
        HTTP_ACCEPT="application/json",
        **{"wsgi.input": body},
    )

    assert response.status_code == 400  # a truncated form: no complete file in it
    assert body.bytes_read <= 4096
    assert Transcript.objects.count() == 0


def test_a_body_without_a_length_is_not_read(client, enabler):
    client.force_login(enabler)
    body = Counting(multipart_body(30 * 1024 * 1024))

    response = client.generic(
        "POST",
        FILE,
        b"",
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH="",
        HTTP_ACCEPT="application/json",
        **{"wsgi.input": body},
    )

    assert response.status_code == 400
    assert body.bytes_read == 0


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_a_chunked_body_is_refused_411_unread(client, enabler, accept):
    client.force_login(enabler)
    body = Counting(multipart_body(30 * 1024 * 1024))

    response = client.generic(
        "POST",
        FILE if accept == "application/json" else UPLOAD,
        b"",
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        HTTP_ACCEPT=accept,
        **{"wsgi.input": body},
    )

    assert response.status_code == 411
    text = response.json()["error"] if accept == "application/json" else response.content.decode()
    assert "sent without a Content-Length (in chunks), so it was not read" in text
    assert body.reads == 0


def test_the_wsgi_wrapper_bounds_the_input_stream(settings):
    """Whatever reads wsgi.input directly gets no more than the limit."""
    from aefront.request_limits import BoundedInput, bounded_wsgi

    settings.AEFRONT_MAX_REQUEST_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500
    seen = {}

    def inner(environ, start_response):
        stream = environ["wsgi.input"]
        seen["type"] = type(stream)
        seen["first"] = len(stream.read(700)) + len(stream.read(700))
        try:
            stream.read(1)
        except Exception as error:
            seen["refused"] = type(error).__name__
        start_response("200 OK", [])
        return [b""]

    bounded = bounded_wsgi(inner)
    environ = {"wsgi.input": Counting(b"x" * 5000), "REQUEST_METHOD": "POST"}
    bounded(environ, lambda status, headers: None)

    assert seen == {"type": BoundedInput, "first": 1000, "refused": "RequestDataTooBig"}
    assert environ["wsgi.input"].stream.bytes_read == 1000


def test_the_wsgi_application_with_no_length_reads_nothing(db):
    from aefront.request_limits import BoundedInput
    from aefront.wsgi import application

    body = Counting(b"username=a&password=b" * 100_000)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/accounts/login/",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }
    statuses = []
    application(environ, lambda status, headers: statuses.append(status))

    assert statuses and not statuses[0].startswith("5")
    assert body.bytes_read == 0
    assert isinstance(environ["wsgi.input"], BoundedInput)
