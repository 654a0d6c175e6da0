"""aefront/rows.py: distinct_by_parent's stepping through an index gives what DISTINCT
gives, on both databases; and the exports that use it (coder labels, the redaction's
speaker labels) and the export's interview order."""

from __future__ import annotations

import datetime

import pytest

from aefront.rows import distinct_by_parent
from coding.models import Quote, Theme
from coding.report.exports.rows import ExportOptions, coder_labels, quote_rows
from coding.report.redaction import NameSources
from coding.report.summaries import interview_infos
from interviews.models import SpeakerTurn, Transcript

LABELS = ["Jane Smith", "JANE SMITH", "Interviewer", "Zoë", "Ünal", "a", "B", "b", ""]


def _transcript(project, n: int, **fields) -> Transcript:
    text = "x" * 200
    return Transcript.objects.create(project=project, title=f"T{n}", text=text, **fields)


@pytest.mark.django_db
def test_stepping_through_the_index_finds_what_distinct_finds(project_a, project_b, make_user):
    coders = [make_user(f"coder{n}") for n in range(4)]
    made = [_transcript(project_a, n) for n in range(5)]
    made[4].deleted_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)  # the bin's too
    made[4].save()
    elsewhere = _transcript(project_b, 9)
    for n, transcript in enumerate(made):
        for index, label in enumerate(LABELS[n : n + 4]):
            SpeakerTurn.objects.create(
                transcript=transcript, index=index, start=index * 10, end=index * 10 + 5,
                speaker_label=label,
            )  # fmt: skip
        for k, coder in enumerate(coders[: n % 4 + 1]):
            Quote.all_objects.create(
                transcript=transcript, start=k, end=k + 3, text="xxx", coder=coder
            )
    SpeakerTurn.objects.create(transcript=elsewhere, index=0, start=0, end=5, speaker_label="Out")
    Quote.objects.create(transcript=elsewhere, start=0, end=3, text="xxx", coder=make_user("o"))

    turns = SpeakerTurn.objects.filter(transcript__project=project_a).exclude(speaker_label="")
    labels = distinct_by_parent(
        SpeakerTurn,
        "transcript_id",
        "speaker_label",
        Transcript.all_objects.filter(project=project_a),
        above="",
    )
    assert sorted(labels) == sorted(set(turns.values_list("speaker_label", flat=True)))
    assert "Out" not in labels and len(labels) == len(set(labels))
    ids = distinct_by_parent(
        Quote, "transcript_id", "coder_id", Transcript.all_objects.filter(project=project_a), 0
    )
    assert sorted(ids) == sorted(c.pk for c in coders)
    assert coder_labels(project_a) == {c.pk: f"Coder {n}" for n, c in enumerate(coders, 1)}
    sources = NameSources.for_project(project_a)
    assert "Out" not in sources.speaker_labels and "Zoë" in sources.speaker_labels


@pytest.mark.django_db
def test_an_export_runs_in_interview_order_whatever_the_ids(project_a, enabler, theme):
    # Created out of order: undated last, then by date, then by title, then by id.
    specs = [
        (None, "Alpha"), (datetime.date(2018, 5, 1), "beta"), (datetime.date(2018, 1, 1), "Zed"),
        (datetime.date(2018, 5, 1), "Beta"), (datetime.date(2018, 1, 1), "Zed"), (None, "Aardvark"),
    ]  # fmt: skip
    made = [_transcript(project_a, n, interview_date=d) for n, (d, _) in enumerate(specs)]
    for transcript, (_, title) in zip(made, specs, strict=True):
        transcript.title = title
        transcript.save()
        for start in (40, 10):
            quote = Quote.objects.create(
                transcript=transcript, start=start, end=start + 5, text="xxxxx", coder=enabler
            )
            quote.themes.add(theme)
    Theme.objects.create(project=project_a, name="Unused")
    order = list(interview_infos(project_a))
    dates = [Transcript.objects.get(pk=pk).interview_date for pk in order]
    assert dates[-2:] == [None, None] and dates[:2] == [datetime.date(2018, 1, 1)] * 2
    rows = list(quote_rows(project=project_a, options=ExportOptions(all_quotes=True)))[1:]
    assert [(r[2], r[8]) for r in rows] == [
        (f"Interview {pk}", start) for pk in order for start in ("10", "40")
    ]
