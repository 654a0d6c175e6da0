"""Every file in ../shared/corpus/real/ (real files from public projects, beside the
repository as in CI) imports with its text intact, or is refused with "<file>: <reason>",
through the web endpoint and the command alike.

"Intact" is measured against an independent extraction (`bench.fidelity`:
pdftotext -layout, the raw XML text, the caption lines…): at least 98% of the
reference's words (with a letter; speaker names aside, since captions repeat them on
every cue) are in the stored turns, labels included."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from bench.fidelity import reference_text, word_recall, words
from interviews.models import Transcript

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"
FILES = sorted(path for path in CORPUS.glob("*") if path.name != "SOURCES.md")
THRESHOLD = 0.98
REFUSED = {
    "pypdf-libreoffice-writer-password.pdf": "is password-protected",
    "textract-ocr_text.pdf": "has no text layer: run OCR first",
    "textract-raw_text.doc": "is a .doc file, which cannot be imported",
}


def test_the_corpus_is_here():
    assert len(FILES) >= 36, f"{CORPUS} should hold the real files (shared/corpus/real)"


def stored_text(transcript: Transcript) -> tuple[str, frozenset[str]]:
    turns = list(transcript.turns.order_by("index"))
    text = " ".join(f"{turn.speaker_label} {transcript.text[turn.start : turn.end]}"
                    for turn in turns)  # fmt: skip
    names = frozenset(word for turn in turns for word in words(turn.speaker_label))
    return text, names


def assert_intact(path: Path, transcript: Transcript) -> None:
    text, names = stored_text(transcript)
    recall = word_recall(reference_text(path.name, path.read_bytes()), text, names)
    assert recall >= THRESHOLD, f"{path.name}: {recall:.1%} of its words kept"


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_through_the_web_endpoint(client, enabler, path):
    client.force_login(enabler)
    response = client.post(
        reverse("imports:upload_file", args=["alpha"]),
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    if path.name in REFUSED:
        assert 400 <= response.status_code < 500
        assert response.json()["error"].startswith(f"{path.name}: {REFUSED[path.name]}")
        assert not Transcript.objects.exists()
        return
    assert response.status_code == 201, response.content
    assert_intact(path, Transcript.objects.get(pk=response.json()["id"]))


def test_through_the_command(project_a):
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"{len(REFUSED)} of {len(FILES)} files refused"):
        call_command("import_transcripts", project_a.slug, *map(str, FILES), stdout=out)
    lines = out.getvalue().splitlines()
    for name, reason in REFUSED.items():
        assert f"refused {name}: {reason}" in "\n".join(lines)
    by_name = {transcript.original_name: transcript for transcript in Transcript.objects.all()}
    assert set(by_name) == {path.name for path in FILES} - set(REFUSED)
    for path in FILES:
        if path.name not in REFUSED:
            assert_intact(path, by_name[path.name])
