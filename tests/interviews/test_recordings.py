"""Recordings: the gate (type by content), attaching, access, and Range serving."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from interviews import recordings
from interviews.models import SpeakerTurn, Transcript
from tests.interviews.recording_files import wav_bytes

pytestmark = pytest.mark.django_db

WAV = wav_bytes(2.0)


def attach_url(transcript: Transcript) -> str:
    return reverse("imports:attach_recording", args=[transcript.project.slug, transcript.pk])


def media_url(transcript: Transcript) -> str:
    return reverse(
        "interviews:transcript_recording", args=[transcript.project.slug, transcript.pk]
    )


@pytest.fixture
def recorded(transcript) -> Transcript:
    recordings.attach_recording(
        transcript=transcript, upload=SimpleUploadedFile("x.wav", WAV), filename="x.wav"
    )
    transcript.refresh_from_db()
    return transcript


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the gate ---------------------------------------------------------------------------


def test_probe_reads_a_wav_and_its_duration():
    found = recordings.probe(io.BytesIO(WAV), len(WAV))
    assert found.kind.extension == "wav"
    assert found.duration_ms == 2000


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"P01: this is a transcript, renamed to .mp3\n" * 40, "not an audio recording"),
        (b"ID3" + b"\x00" * 400, "cannot be read as audio"),
        (b"RIFF\x10\x00\x00\x00WAVEjunkjunk", "cannot be read as audio"),
        (b"%PDF-1.7\n" + b"0" * 100, "not an audio recording"),
    ],
)
def test_probe_refuses_what_is_not_audio_whatever_its_name(data, reason):
    with pytest.raises(recordings.RecordingRejected, match=reason) as refused:
        recordings.probe(io.BytesIO(data), len(data))
    assert refused.value.status == 415


def test_probe_refuses_past_the_limit(settings):
    settings.AEFRONT_MAX_RECORDING_BYTES = len(WAV) - 1
    with pytest.raises(recordings.RecordingRejected, match="too large") as refused:
        recordings.probe(io.BytesIO(WAV), len(WAV))
    assert refused.value.status == 413


# --- attaching on the review page --------------------------------------------------------


def test_an_enabler_attaches_a_recording_stored_outside_public_paths(client, enabler, transcript):
    client.force_login(enabler)
    response = client.post(
        attach_url(transcript), {"recording": SimpleUploadedFile("interview.wav", WAV)}
    )
    assert response.status_code == 302
    transcript.refresh_from_db()
    assert transcript.recording_format == "wav"
    assert transcript.recording_ms == 2000
    assert transcript.recording_name == "interview.wav"
    assert transcript.recording_file.name == f"recordings/{transcript.uuid}"
    page = client.get(response["Location"])
    assert "Recording attached (WAV, 0:02)." in page.content.decode()


def test_a_renamed_text_file_is_refused_with_the_reason(client, enabler, transcript):
    client.force_login(enabler)
    fake = SimpleUploadedFile("interview.mp3", b"P01: not audio at all.\n" * 50)
    response = client.post(attach_url(transcript), {"recording": fake}, follow=True)
    assert "The recording was not attached: This file is not an audio recording" in (
        response.content.decode()
    )
    transcript.refresh_from_db()
    assert not transcript.recording_file


def test_an_oversized_recording_is_refused_while_it_arrives(client, enabler, transcript, settings):
    settings.AEFRONT_MAX_RECORDING_BYTES = 1024
    client.force_login(enabler)
    response = client.post(
        attach_url(transcript), {"recording": SimpleUploadedFile("big.wav", WAV)}, follow=True
    )
    assert "This recording is too large" in response.content.decode()
    transcript.refresh_from_db()
    assert not transcript.recording_file


def test_recording_uploads_have_their_own_limit(client, enabler, transcript, settings):
    # Past the transcript upload limit, within the recording limit: accepted.
    settings.AEFRONT_MAX_UPLOAD_BYTES = 1024
    settings.AEFRONT_MAX_REQUEST_BYTES = 2048
    client.force_login(enabler)
    client.post(attach_url(transcript), {"recording": SimpleUploadedFile("r.wav", WAV)})
    transcript.refresh_from_db()
    assert transcript.recording_format == "wav"


def test_attaching_is_for_importing_roles_and_members_only(client, author, outsider, transcript):
    upload = {"recording": SimpleUploadedFile("r.wav", WAV)}
    client.force_login(author)
    assert client.post(attach_url(transcript), upload).status_code == 403
    client.force_login(outsider)
    assert client.post(attach_url(transcript), upload).status_code == 404
    client.logout()
    assert client.post(attach_url(transcript), upload).status_code == 302  # to login
    transcript.refresh_from_db()
    assert not transcript.recording_file


def test_the_command_attaches_and_says_how_long(recorded, tmp_path, capsys):
    path = tmp_path / "again.wav"
    path.write_bytes(wav_bytes(1.0))
    call_command("attach_recording", recorded.project.slug, str(recorded.pk), str(path))
    assert "again.wav" in capsys.readouterr().out
    recorded.refresh_from_db()
    assert recorded.recording_ms == 1000


def test_the_command_refuses_a_text_file(transcript, tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("not audio\n" * 20)
    with pytest.raises(CommandError, match="refused: This file is not an audio recording"):
        call_command("attach_recording", transcript.project.slug, str(transcript.pk), str(path))


# --- serving -----------------------------------------------------------------------------


def test_members_get_the_whole_file_never_cached_nor_sniffed(client, enabler, recorded):
    client.force_login(enabler)
    response = client.get(media_url(recorded))
    assert response.status_code == 200
    assert body(response) == WAV
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(WAV))


@pytest.mark.parametrize(
    "header, first, last",
    [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, None), ("bytes=-500", -500, None)],
)
def test_range_requests_answer_206_with_the_right_bytes(
    client, enabler, recorded, header, first, last
):
    client.force_login(enabler)
    response = client.get(media_url(recorded), headers={"Range": header})
    assert response.status_code == 206
    start = first % len(WAV)
    end = len(WAV) - 1 if last is None else last
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(WAV)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert body(response) == WAV[start : end + 1]


def test_a_range_past_the_end_answers_416(client, enabler, recorded):
    client.force_login(enabler)
    response = client.get(media_url(recorded), headers={"Range": f"bytes={len(WAV)}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(WAV)}"


def test_outsiders_get_404_and_anonymous_visitors_the_login(client, outsider, recorded):
    client.force_login(outsider)
    assert client.get(media_url(recorded), headers={"Range": "bytes=0-9"}).status_code == 404
    client.logout()
    assert client.get(media_url(recorded)).status_code == 302


def test_authors_hear_recordings_only_where_the_project_allows(client, author, recorded):
    client.force_login(author)
    assert client.get(media_url(recorded)).status_code == 403
    recorded.project.authors_hear_recordings = True
    recorded.project.save()
    assert client.get(media_url(recorded)).status_code == 200


def test_no_recording_is_404(client, enabler, transcript):
    client.force_login(enabler)
    assert client.get(media_url(transcript)).status_code == 404


# --- the coding page -----------------------------------------------------------------------


def test_the_coding_page_plays_timed_turns_from_their_start(client, enabler, recorded):
    text = recorded.text
    second = text.index("Interviewer:")
    SpeakerTurn.objects.create(transcript=recorded, index=0, start=0, end=second - 2)
    SpeakerTurn.objects.create(
        transcript=recorded, index=1, start=second, end=len(text) - 1, started_at_ms=1500
    )
    client.force_login(enabler)
    page = client.get(recorded.get_absolute_url()).content.decode()
    assert f'<source src="{media_url(recorded)}" type="audio/wav">' in page
    assert '<audio id="recording" controls' in page
    assert 'data-start="1.5"' in page
    assert 'aria-label="Play from 0:01"' in page
    assert page.count('class="turn-play"') == 1  # the untimed turn has none


def test_the_coding_page_without_times_says_so(client, enabler, recorded):
    client.force_login(enabler)
    page = client.get(recorded.get_absolute_url()).content.decode()
    assert "No turn of this transcript has a start time" in page


def test_no_player_for_an_author_the_project_does_not_allow(client, author, recorded):
    client.force_login(author)
    page = client.get(recorded.get_absolute_url()).content.decode()
    assert "<audio" not in page


# --- turns without times -------------------------------------------------------------------


def turn_url(transcript: Transcript, index: int) -> str:
    return reverse("interviews:turn_start", args=[transcript.project.slug, transcript.pk, index])


@pytest.fixture
def untimed(recorded) -> Transcript:
    SpeakerTurn.objects.create(transcript=recorded, index=0, start=0, end=20)
    return recorded


def test_an_enabler_sets_a_turns_start_and_it_plays_from_there(client, enabler, untimed):
    client.force_login(enabler)
    response = client.post(turn_url(untimed, 0), {"ms": 1250}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"turn": 0, "ms": 1250}
    assert SpeakerTurn.objects.get(transcript=untimed, index=0).started_at_ms == 1250
    page = client.get(untimed.get_absolute_url()).content.decode()
    assert 'data-turn="0" data-start="1.25"' in page


@pytest.mark.parametrize(
    "payload, status",
    [({"ms": -1}, 400), ({"ms": 999_999}, 400), ({"ms": "12"}, 400), ({"ms": True}, 400)],
)
def test_a_turns_start_must_be_within_the_recording(client, enabler, untimed, payload, status):
    client.force_login(enabler)
    response = client.post(turn_url(untimed, 0), payload, content_type="application/json")
    assert response.status_code == status
    assert "error" in response.json()
    assert SpeakerTurn.objects.get(transcript=untimed, index=0).started_at_ms is None


def test_setting_a_start_is_for_coders_of_the_project(client, author, outsider, untimed):
    for user, status in ((author, 403), (outsider, 404)):
        client.force_login(user)
        response = client.post(turn_url(untimed, 0), {"ms": 5}, content_type="application/json")
        assert response.status_code == status
    client.force_login(outsider)
    assert (
        client.post(turn_url(untimed, 9), {"ms": 5}, content_type="application/json").status_code
        == 404
    )
    assert SpeakerTurn.objects.get(transcript=untimed, index=0).started_at_ms is None


def test_no_such_turn_is_404(client, enabler, untimed):
    client.force_login(enabler)
    response = client.post(turn_url(untimed, 7), {"ms": 5}, content_type="application/json")
    assert response.status_code == 404
