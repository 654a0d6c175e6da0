"""Uploads and recordings in an S3-compatible object store (issue 18): against moto's S3
server, which the test starts on a free port of 127.0.0.1, originals download whole and
recordings answer HTTP Range requests, from objects that really are in the bucket."""

from __future__ import annotations

import hashlib
import json
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
from tests.test_backup import manage

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


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_the_object_store_and_restore_puts_it_back(
    object_store, s3_server, transcript, tmp_path, fresh_database
):
    from django.core.management import call_command

    transcript.original_file.save("x.txt", ContentFile(b"P01: the original words\n"), save=True)
    recordings.attach_recording(
        transcript=transcript, upload=SimpleUploadedFile("x.wav", WAV), filename="x.wav"
    )
    transcript.refresh_from_db()
    keys = object_store()  # the bucket is the module's: earlier tests' objects too
    assert {transcript.original_file.name, transcript.recording_file.name} <= keys

    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {
        name.removeprefix("objects/") for name in manifest["files"] if "objects/" in name
    } == keys
    for key in keys:
        assert (
            manifest["files"][f"objects/{key}"]["sha256"]
            == hashlib.sha256((folder / "objects" / key).read_bytes()).hexdigest()
        )

    store = {"AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": s3_server,
             "AWS_S3_REGION_NAME": "eu-west-2", "AWS_ACCESS_KEY_ID": "testing",
             "AWS_SECRET_ACCESS_KEY": "testing"}  # fmt: skip
    media = tmp_path / "restored-media"
    # The objects are still in the bucket: restoring over them is refused, nothing written.
    clash = manage("restore", str(folder), database_url=fresh_database, media=media, **store)
    assert clash.returncode == 1 and "exists already in the store" in clash.stderr
    # Without an object store configured, such a backup is refused with the reason.
    plain = manage("restore", str(folder), database_url=fresh_database, media=media)
    assert plain.returncode == 1 and "AWS_STORAGE_BUCKET_NAME" in plain.stderr
    bucket = boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-2", **KEYS)
    for key in keys:
        bucket.delete_object(Bucket=BUCKET, Key=key)
    assert object_store() == set()

    restored = manage("restore", str(folder), database_url=fresh_database, media=media, **store)
    assert restored.returncode == 0, restored.stderr
    assert object_store() == keys
    got = bucket.get_object(Bucket=BUCKET, Key=transcript.original_file.name)["Body"].read()
    assert got == b"P01: the original words\n"
