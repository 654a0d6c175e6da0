"""Recordings built in code (no binaries committed): a short WAV from the `wave` module."""

from __future__ import annotations

import io
import math
import struct
import wave


def wav_bytes(seconds: float = 4.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of a quiet 440 Hz tone, `seconds` long."""
    frames = b"".join(
        struct.pack("<h", int(800 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return out.getvalue()
