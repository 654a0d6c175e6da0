"""Caption files: WebVTT (Teams, Zoom) and SubRip .srt, cues merged into speaker turns."""

from __future__ import annotations

import re
from collections.abc import Iterable

from interviews.parsing.core import (
    DEFAULT_LIMITS,
    Block,
    ImportRejected,
    Limits,
    ParsedTranscript,
    check_text_length,
    clean_text,
    decode_text,
    finish,
    merge_consecutive,
    reading,
)
from interviews.parsing.turns import clock_to_ms, looks_like_label, paragraphs_from_lines

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
# Markup tags, and SubRip/ASS override tags such as {\an8} (position) or {\i1}.
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_CAPTION_ENTITIES = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&nbsp;": "\u00a0",
    "&lrm;": "\u200e",
    "&rlm;": "\u200f",
    "&quot;": '"',
    "&apos;": "'",
}
_ENTITY = re.compile("|".join(map(re.escape, _CAPTION_ENTITIES)))
_CAPTION_SPEAKER = re.compile(
    r"^[ \t]*(?:-[ \t]*)?(?P<label>[^:\n]{1,60}?)[ \t]*:[ \t]+(?P<rest>.*)$"
)
_BRACKET_SPEAKER = re.compile(
    r"^[ \t]*[\[(](?P<label>[^\])\n]{1,60})[\])][ \t]*:?[ \t]*(?P<rest>.*)$"
)


def _caption_segments(raw: str) -> list[tuple[str | None, str]]:
    """A cue's raw text → [(speaker or None, text)], from voice tags or `Name: text`."""
    segments: list[tuple[str | None, list[str]]] = []
    voice: str | None = None
    for line in raw.split("\n"):
        match = _VOICE.search(line)
        if match:
            voice = " ".join(match[1].split())
            segments.append((voice, []))
            line = line[match.end() :]
        stripped = _ENTITY.sub(lambda m: _CAPTION_ENTITIES[m[0]], _TAG.sub("", line)).strip()
        if not stripped:
            continue
        if not match:
            spoken = _CAPTION_SPEAKER.match(stripped) or _BRACKET_SPEAKER.match(stripped)
            label = " ".join(spoken["label"].split()) if spoken else ""
            if spoken and looks_like_label(label):
                segments.append((label, [spoken["rest"].strip()]))
                continue
        if not segments:
            segments.append((None, []))
        segments[-1][1].append(stripped)
    return [(speaker, " ".join(lines)) for speaker, lines in segments]


def _caption_blocks(cues: Iterable[tuple[int, str]]) -> list[Block]:
    """Cues (start ms, raw text) → merged speaker blocks. An unlabelled cue continues."""
    blocks: list[Block] = []
    for started_at_ms, raw in cues:
        for speaker, text in _caption_segments(raw):
            if not text:
                continue
            label = speaker if speaker is not None else (blocks[-1].label if blocks else "")
            blocks.append(Block(label, [text], started_at_ms))
    return merge_consecutive(blocks, joiner=" ")


def _count_cues(text: str, limits: Limits) -> None:
    cues = text.count("-->")
    if cues > limits.max_cues:
        raise ImportRejected(
            f"has too many captions ({cues:,}; the limit is {limits.max_cues:,})", "too_large"
        )


def parse_vtt(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """WebVTT: Teams (`<v Name>` voice tags, GUID cue ids) or Zoom (`Name: text`) captions."""
    text, encoding, notes = decode_text(data)
    check_text_length(text, limits)
    text = clean_text(text)
    _count_cues(text, limits)
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise ImportRejected(
            "is not a WebVTT caption file (it does not start with WEBVTT)", "mismatch"
        )
    with reading("WebVTT caption file"):
        import webvtt

        captions = webvtt.WebVTT.from_string(text).captions
        cues = [(caption.start_time.in_milliseconds(), caption.raw_text) for caption in captions]
    if not cues:
        raise ImportRejected("contains no captions", "empty")
    return finish(_caption_blocks(cues), limits=limits, encoding=encoding, notes=notes)


_SRT_TIMING = re.compile(
    r"^\s*(?P<start>\d{1,3}:\d{1,2}:\d{1,2}(?:[,.]\d{1,3})?)\s*-->\s*"
    r"(?P<end>\d{1,3}:\d{1,2}:\d{1,2}(?:[,.]\d{1,3})?)(?:\s.*)?$"
)


def parse_srt(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """SubRip captions: numbered cues with `00:00:01,000 --> 00:00:04,000` timings."""
    text, encoding, notes = decode_text(data)
    check_text_length(text, limits)
    text = clean_text(text)
    _count_cues(text, limits)
    cues: list[tuple[int, str]] = []
    for number, block in enumerate(paragraphs_from_lines(text.split("\n")), start=1):
        lines = block.lines
        timing_at = next(
            (index for index, line in enumerate(lines[:2]) if _SRT_TIMING.match(line)), None
        )
        if timing_at is None:
            raise ImportRejected(
                f"is not a valid SRT caption file (cue {number} has no timing line)", "damaged"
            )
        start = _SRT_TIMING.match(lines[timing_at])["start"]
        cues.append((clock_to_ms(start), "\n".join(lines[timing_at + 1 :])))
    if not cues:
        raise ImportRejected("contains no captions", "empty")
    return finish(_caption_blocks(cues), limits=limits, encoding=encoding, notes=notes)
