"""Uploads and recordings in an S3-compatible object store (issue 18): against moto's S3
server, which the test starts on a free port of 127.0.0.1, originals download whole and
recordings answer HTTP Range requests, from objects that really are in the bucket."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from interviews import recordings
from tests.interviews.recording_files import wav_bytes

pytestmark = pytest.mark.django_db
BUCKET = "aefront-test"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
WAV = wav_bytes(2.0)


@pytest.fixture(scope="module")
def s3_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        boto3.client("s3", endpoint_url=url, region_name="eu-west-2", **KEYS).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def object_store(s3_server, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEYS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", KEYS["aws_secret_access_key"])
    options = {"bucket_name": BUCKET, "endpoint_url": s3_server, "region_name": "eu-west-2"}
    options |= {"default_acl": None, "file_overwrite": False}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-2", **KEYS)
    return lambda: {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_originals_and_recordings_live_in_the_bucket_and_serve_ranges(
    client, enabler, transcript, object_store
):
    transcript.original_name, transcript.original_format = "interview.txt", "txt"
    transcript.original_file.save("x.txt", ContentFile(b"P01: the original words\n"), save=True)
    recordings.attach_recording(
        transcript=transcript, upload=SimpleUploadedFile("x.wav", WAV), filename="x.wav"
    )
    transcript.refresh_from_db()
    assert {transcript.original_file.name, transcript.recording_file.name} <= object_store()

    client.force_login(enabler)
    base = f"/p/{transcript.project.slug}/transcripts/{transcript.pk}/"
    original = client.get(base + "original/")
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == b"P01: the original words\n"
    whole = client.get(base + "recording/")
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == WAV
    part = client.get(base + "recording/", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-1099/{len(WAV)}"
    assert b"".join(part.streaming_content) == WAV[100:1100]
    tail = client.get(base + "recording/", headers={"Range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == WAV[-10:]


def test_healthz_asks_the_object_store(client, object_store, s3_server, settings):
    assert client.get("/healthz").json()["storage"] == "ok"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "no-such-bucket", "endpoint_url": "http://127.0.0.1:9"},
        },
    }
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["storage"] == "unavailable"
