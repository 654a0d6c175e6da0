"""Interview recordings: the gate (size, type by content), attaching one, and serving it.

A recording holds voices, so it is stored under a generated name outside any public
path (MEDIA is never served) and reaches a browser only through the permission-checked
view, which answers HTTP Range requests so that the player can seek.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from aefront.errors import UserError
from interviews.models import Membership, SpeakerTurn, Transcript
from interviews.uploads import display_name, format_size

DEFAULT_MAX_RECORDING_BYTES = 2 * 1024**3
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str
    label: str


# What the first bytes must be, and what mutagen must then find in them.
KINDS = {
    "mp3": Kind("mp3", "audio/mpeg", "MP3"),
    "m4a": Kind("m4a", "audio/mp4", "MPEG-4 audio (m4a/AAC)"),
    "wav": Kind("wav", "audio/wav", "WAV"),
    "ogg": Kind("ogg", "audio/ogg", "Ogg (Vorbis or Opus)"),
}
ACCEPT = ".mp3,.m4a,.mp4,.wav,.ogg,.opus,audio/*"
SUPPORTED = "MP3, M4A/AAC, WAV or Ogg (Vorbis/Opus)"


class RecordingRejected(UserError):
    """A file that is not a recording we can play, with the reason (415 by default)."""

    def __init__(self, message: str, *, status: int = 415) -> None:
        super().__init__(message, status=status)


@dataclass(frozen=True)
class Probe:
    kind: Kind
    duration_ms: int


def max_recording_bytes() -> int:
    return getattr(settings, "AEFRONT_MAX_RECORDING_BYTES", DEFAULT_MAX_RECORDING_BYTES)


def container_of(head: bytes) -> str | None:
    """The container the first bytes announce ("wav"), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def probe(handle: IO[bytes], size: int) -> Probe:
    """What the recording is and how long, from its content only (the name is not asked)."""
    import mutagen
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.ogg import OggFileType
    from mutagen.wave import WAVE

    if size <= 0:
        raise RecordingRejected("The file is empty.", status=400)
    if size > max_recording_bytes():
        raise too_large(size)
    handle.seek(0)
    container = container_of(handle.read(16))
    if container is None:
        raise RecordingRejected(
            f"This file is not an audio recording (its content is not {SUPPORTED})."
        )
    expected = {"mp3": (MP3,), "m4a": (MP4,), "wav": (WAVE,), "ogg": (OggFileType,)}[container]
    handle.seek(0)
    try:
        found = mutagen.File(_Unnamed(handle))
    except Exception:  # mutagen raises many kinds for damaged media
        found = None
    if not isinstance(found, expected) or not getattr(found.info, "length", 0):
        raise RecordingRejected(
            f"This file looks like {KINDS[container].label} but cannot be read as audio: "
            "it is damaged, or it is not a recording."
        )
    return Probe(KINDS[container], round(found.info.length * 1000))


class _Unnamed:
    """A file object without a name, so that mutagen judges by content, not extension."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle

    def __getattr__(self, name: str) -> Any:
        if name == "name":
            raise AttributeError(name)
        return getattr(self._handle, name)


def too_large(size: int | None) -> RecordingRejected:
    shown = f" ({format_size(size)})" if size is not None else ""
    return RecordingRejected(
        f"This recording is too large{shown}: the limit is {format_size(max_recording_bytes())}.",
        status=413,
    )


@transaction.atomic
def attach_recording(*, transcript: Transcript, upload: File, filename: str) -> Probe:
    """Check the file and store it as the transcript's recording (replacing any before)."""
    found = probe(upload, upload.size)
    old = transcript.recording_file.name if transcript.recording_file else ""
    upload.seek(0)
    transcript.recording_name = display_name(filename)
    transcript.recording_format = found.kind.extension
    transcript.recording_ms = found.duration_ms
    transcript.recording_file.save("recording", upload, save=False)
    transcript.full_clean(exclude=["text"])
    transcript.save()
    if old and old != transcript.recording_file.name:
        storage = transcript.recording_file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return found


@transaction.atomic
def set_turn_start(*, transcript: Transcript, index: int, started_at_ms: int) -> SpeakerTurn:
    """Give a turn its start time in the recording (for transcripts imported without times)."""
    if not transcript.recording_file:
        raise UserError("This transcript has no recording to take a time from.", status=409)
    limit = transcript.recording_ms
    if started_at_ms < 0 or (limit is not None and started_at_ms > limit):
        raise UserError(f"The time must be within the recording (0 to {format_ms(limit or 0)}).")
    turn = (
        SpeakerTurn.objects.select_for_update().filter(transcript=transcript, index=index).first()
    )
    if turn is None:
        raise UserError("This transcript has no such turn.", status=404)
    turn.started_at_ms = started_at_ms
    turn.full_clean()
    turn.save(update_fields=["started_at_ms"])
    return turn


def may_hear(access: Any) -> bool:
    """Coders and admins hear recordings; report authors only if the project allows it."""
    return access.role != Membership.Role.AUTHOR or access.project.authors_hear_recordings


def format_ms(ms: int) -> str:
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


# --- serving, with Range ---------------------------------------------------------------

RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """[first, last] asked by a single-range header; None: serve it all; False: 416."""
    match = RANGE.fullmatch(header.strip())
    if not match or not any(match.groups()):
        return None  # absent, several ranges, or another unit: the whole file (RFC 9110)
    first, last = match.groups()
    if not first:
        suffix = int(last)
        if suffix == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def recording_response(request: HttpRequest, transcript: Transcript) -> HttpResponse:
    """The recording, whole (200) or the asked byte range (206), never cached or sniffed."""
    stored = transcript.recording_file
    size = stored.size
    wanted = byte_range(request.headers.get("Range", ""), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        start, end = wanted or (0, size - 1)
        response = StreamingHttpResponse(
            _chunks(stored.open("rb"), start, end - start + 1),
            status=206 if wanted else 200,
            content_type=KINDS[transcript.recording_format].content_type,
        )
        response["Content-Length"] = str(end - start + 1)
        if wanted:
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Content-Disposition"] = "inline"
    return response
