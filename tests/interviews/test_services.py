"""interviews.services: one transaction per file, pseudonyms in the text, the review step."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from coding.models import Quote
from interviews import services
from interviews.models import LocalSystem, Participant, SpeakerTurn, Transcript
from interviews.parsing import ImportRejected
from interviews.services import (
    LOCKED_MESSAGE,
    SpeakerChoice,
    import_transcript,
    next_free_pseudonyms,
    remap_speakers,
    save_review,
)
from tests.interviews import transcript_files as files

PSEUDONYMISED = files.EXPECTED_TEXT.replace("Jane Smith:", "P01:")


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def counts() -> tuple[int, int, int]:
    return (Transcript.objects.count(), SpeakerTurn.objects.count(), Participant.objects.count())


def do_import(project, name="interview.txt", data=None, **options):
    return import_transcript(
        project=project, filename=name, data=files.txt_bytes() if data is None else data, **options
    )


@pytest.mark.django_db
def test_import_stores_pseudonymised_text_exact_turns_and_the_original(project_a, enabler):
    result = do_import(project_a, user=enabler)
    transcript = result.transcript
    assert transcript.text == PSEUDONYMISED
    assert "Jane" not in transcript.text
    assert (
        result.summary
        == f"imported interview.txt as transcript {transcript.pk} (4 turns, 2 speakers)"
    )
    assert [speaker.target for speaker in result.speakers] == [
        "interviewer",
        "P01 (new participant)",
    ]
    turns = list(transcript.turns.order_by("index"))
    assert [
        (turn.speaker_label, transcript.text[turn.start : turn.end]) for turn in turns
    ] == list(files.PASSAGES)
    assert [turn.is_interviewer for turn in turns] == [True, False, True, False]
    participant = Participant.objects.get(project=project_a)
    assert participant.pseudonym == "P01"
    assert {turn.participant for turn in turns if not turn.is_interviewer} == {participant}
    assert list(transcript.participants.all()) == [participant]
    assert transcript.title == "interview"
    assert transcript.original_name == "interview.txt"
    assert transcript.original_format == "txt"
    assert transcript.original_file.name == f"originals/{transcript.uuid}"
    assert transcript.original_file.read() == files.txt_bytes()
    assert transcript.imported_by == enabler and transcript.enabler == enabler
    assert transcript.speakers_confirmed is False


@pytest.mark.django_db
def test_next_free_pseudonym_follows_the_highest(project_a, participant):
    Participant.objects.create(project=project_a, pseudonym="P07")
    assert next_free_pseudonyms(project_a, 2) == ["P08", "P09"]
    result = do_import(project_a)
    assert result.speakers[1].pseudonym == "P08"
    assert "P08: We were told" in result.transcript.text


@pytest.mark.django_db
def test_pseudonyms_are_unique_per_project(project_a, project_b):
    do_import(project_a)
    result = do_import(project_b)
    assert result.speakers[1].pseudonym == "P01"


@pytest.mark.django_db
def test_each_new_speaker_gets_its_own_participant(project_a):
    data = b"Facilitator: Hello both.\n\nAmy Lee: Hi.\n\nRaj Patel: Hello.\n\nAMY LEE: Again."
    result = do_import(project_a, data=data)
    assert result.transcript.text == (
        "Interviewer: Hello both.\n\nP01: Hi.\n\nP02: Hello.\n\nP01: Again."
    )
    assert [speaker.target for speaker in result.speakers] == [
        "interviewer",
        "P01 (new participant)",
        "P02 (new participant)",
    ]


@pytest.mark.django_db
def test_speaker_map_to_new_existing_and_interviewer(project_a, participant, local_system):
    data = b"Sam Jones: Hello.\n\nJane Smith: Hi.\n\nBob: Yes."
    result = do_import(
        project_a,
        data=data,
        local_system=local_system,
        speaker_map={"sam  jones": "interviewer", "JANE SMITH": "P01", "Bob": "P09"},
    )
    assert result.transcript.text == "Interviewer: Hello.\n\nP01: Hi.\n\nP09: Yes."
    assert [speaker.target for speaker in result.speakers] == [
        "interviewer",
        "P01 (existing participant)",
        "P09 (new participant)",
    ]
    assert Participant.objects.get(pseudonym="P09").local_system == local_system


@pytest.mark.django_db
def test_an_import_reads_only_the_pseudonyms_of_a_large_project(project_a, participant):
    """The project's participants are not loaded as rows: only their pseudonyms, and the
    rows the map names; the next free pseudonym still follows the highest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = b"Interviewer: Hello.\n\nJane Smith: Hi.\n\nBob: Yes."
    Participant.objects.bulk_create(
        Participant(project=project_a, pseudonym=f"P{n:03d}") for n in range(2, 300)
    )
    with CaptureQueriesContext(connection) as captured:
        result = do_import(project_a, data=data, speaker_map={"jane smith": "p01"})
    selects = [
        q["sql"].split(" FROM ")[0]
        for q in captured
        if q["sql"].startswith("SELECT") and ' FROM "interviews_participant"' in q["sql"]
    ]
    assert len(selects) == 2, selects
    assert '"pseudonym"' in selects[0] and '"role_title"' not in selects[0]  # names only
    named = [q["sql"] for q in captured if "IN ('P01')" in q["sql"]]
    assert len(named) == 1  # the row of the one participant the map names
    assert [speaker.target for speaker in result.speakers] == [
        "interviewer",
        "P01 (existing participant)",
        "P300 (new participant)",
    ]
    assert result.transcript.turns.get(index=1).participant == participant


@pytest.mark.django_db
def test_speaker_map_names_nobody_in_the_file_is_reported(project_a):
    result = do_import(project_a, speaker_map={"Nobody Here": "P05"})
    assert result.notes == ("speaker map: 'Nobody Here' does not speak in this file",)


@pytest.mark.django_db
def test_caption_start_times_are_kept(project_a):
    result = do_import(project_a, name="call.vtt", data=files.teams_vtt_bytes())
    starts = list(
        result.transcript.turns.order_by("index").values_list("started_at_ms", flat=True)
    )
    assert starts == files.cue_start_ms()


@pytest.mark.django_db
def test_details_are_stored(project_a, local_system):
    result = do_import(
        project_a,
        local_system=local_system,
        interview_date=datetime.date(2018, 3, 14),
        title="Board chair",
    )
    transcript = result.transcript
    assert (transcript.title, transcript.interview_date, transcript.local_system) == (
        "Board chair",
        datetime.date(2018, 3, 14),
        local_system,
    )


@pytest.mark.django_db
def test_windows_1252_note_is_passed_on(project_a):
    result = do_import(project_a, data=files.cp1252_bytes())
    assert result.notes == ("decoded as Windows-1252 (the file is not UTF-8)",)


@pytest.mark.django_db
def test_hostile_but_valid_text_is_imported_intact(project_a):
    body = '<script>alert(1)</script> <img src=x onerror="alert(2)"> =HYPERLINK("http://x","y")'
    result = do_import(project_a, data=f"Jane: {body}\n\nInterviewer: +cmd|' /C calc'!A0".encode())
    assert result.transcript.text == (f"P01: {body}\n\nInterviewer: +cmd|' /C calc'!A0")


# --- nothing half-written ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "is empty"),
        ("photo.txt", files.PNG_BYTES, "content does not match .txt: it is a PNG image"),
        ("bomb.docx", files.ratio_bomb(), "file expands too large"),
        ("scan.pdf", files.image_pdf_bytes(), "has no text layer: run OCR first"),
    ],
)
def test_a_refusal_changes_nothing(project_a, transcript, name, data, reason):
    before, stored = counts(), media_files()
    text_before = transcript.text
    with pytest.raises(ImportRejected) as refused:
        do_import(project_a, name=name, data=data)
    assert reason in refused.value.reason
    assert counts() == before
    assert media_files() == stored
    transcript.refresh_from_db()
    assert transcript.text == text_before


@pytest.mark.django_db
def test_duplicate_content_is_refused(project_a):
    first = do_import(project_a)
    before, stored = counts(), media_files()
    with pytest.raises(ImportRejected) as refused:
        do_import(project_a, name="again.txt")
    assert refused.value.reason == (
        f"was already imported as transcript {first.transcript.pk} (same content)"
    )
    assert counts() == before and media_files() == stored


@pytest.mark.django_db
def test_bad_speaker_map_value_is_refused_cleanly(project_a):
    before = counts()
    with pytest.raises(ImportRejected, match="pseudonym"):
        do_import(project_a, speaker_map={"Jane Smith": "P" * 60})
    assert counts() == before


@pytest.mark.django_db
def test_local_system_of_another_project_is_refused(project_a, project_b):
    other = LocalSystem.objects.create(project=project_b, name="Elsewhere")
    with pytest.raises(ImportRejected, match="another project"):
        do_import(project_a, local_system=other)


@pytest.mark.django_db(transaction=True)
def test_a_failure_mid_import_rolls_back_rows_and_the_file(project_a, monkeypatch):
    before, stored = counts(), media_files()

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "_insert_turns", explode)
    with pytest.raises(RuntimeError):
        do_import(project_a)
    assert counts() == before
    assert media_files() == stored


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_file_is_written_removes_it(project_a, monkeypatch):
    before, stored = counts(), media_files()
    original_add = Transcript.participants.related_manager_cls.add

    def explode(self, *args, **kwargs):  # the import's last write
        assert media_files() != stored  # the file was written
        raise RuntimeError("late failure")

    monkeypatch.setattr(Transcript.participants.related_manager_cls, "add", explode)
    with pytest.raises(RuntimeError, match="late failure"):
        do_import(project_a)
    monkeypatch.setattr(Transcript.participants.related_manager_cls, "add", original_add)
    assert counts() == before
    assert media_files() == stored


@pytest.mark.django_db
def test_a_bad_file_does_not_stop_the_good_ones(project_a):
    batch = [
        ("one.txt", files.txt_bytes()),
        ("bad.docx", files.PNG_BYTES),
        ("two.docx", files.docx_bytes()),
        ("empty.srt", b""),
        ("three.vtt", files.zoom_vtt_bytes()),
    ]
    outcomes = []
    for name, data in batch:
        try:
            outcomes.append(do_import(project_a, name=name, data=data).display_name)
        except ImportRejected as refused:
            outcomes.append(f"refused {name}: {refused.reason}")
    assert outcomes == [
        "one.txt",
        "refused bad.docx: content does not match .docx: it is a PNG image",
        "two.docx",
        "refused empty.srt: is empty",
        "three.vtt",
    ]
    assert Transcript.objects.filter(project=project_a).count() == 3
    # Jane Smith is a new participant in each file: the import cannot know they are one.
    assert sorted(Participant.objects.values_list("pseudonym", flat=True)) == ["P01", "P02", "P03"]


# --- review step ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_remap_to_an_existing_participant_rebuilds_text_and_offsets(
    project_a, participant, enabler
):
    participant.pseudonym = "P12"
    participant.save()
    imported = do_import(project_a).transcript
    auto = Participant.objects.get(pseudonym="P13")
    result = remap_speakers(
        transcript=imported,
        mapping={"jane smith": SpeakerChoice(participant=participant, remember_name=True)},
        user=enabler,
    )
    imported.refresh_from_db()
    assert imported.text == files.EXPECTED_TEXT.replace("Jane Smith:", "P12:")
    turns = list(imported.turns.order_by("index"))
    assert [(t.speaker_label, imported.text[t.start : t.end]) for t in turns] == list(
        files.PASSAGES
    )
    assert {t.participant for t in turns if t.participant} == {participant}
    assert list(imported.participants.all()) == [participant]
    assert imported.speakers_confirmed
    assert result.removed_participants == ("P13",)
    assert not Participant.objects.filter(pk=auto.pk).exists()
    participant.refresh_from_db()
    assert participant.real_name == "Jane Smith"


@pytest.mark.django_db
def test_remap_to_a_new_participant_with_details_and_the_interviewer(
    project_a, local_system, enabler
):
    imported = do_import(project_a).transcript
    remap_speakers(
        transcript=imported,
        mapping={
            "Jane Smith": SpeakerChoice(
                new_pseudonym="P20",
                details={
                    "role_title": "chief executive",
                    "organisation_type": "acute_trust",
                    "local_system": local_system,
                },
            ),
            "Interviewer": SpeakerChoice(new_pseudonym="P21"),
        },
        user=enabler,
    )
    imported.refresh_from_db()
    assert imported.text == files.EXPECTED_TEXT.replace("Jane Smith:", "P20:").replace(
        "Interviewer:", "P21:"
    )
    new = Participant.objects.get(pseudonym="P20")
    assert (new.role_title, new.organisation_type, new.local_system) == (
        "chief executive",
        "acute_trust",
        local_system,
    )
    assert new.real_name == "Jane Smith"  # kept by default, to redact it from exports
    remap_speakers(
        transcript=imported,
        mapping={"Interviewer": SpeakerChoice(interviewer=True)},
        user=enabler,
    )
    imported.refresh_from_db()
    assert imported.text == files.EXPECTED_TEXT.replace("Jane Smith:", "P20:")
    assert not Participant.objects.filter(pseudonym="P21").exists()


@pytest.mark.django_db
def test_remap_refuses_a_taken_pseudonym(project_a, participant, enabler):
    imported = do_import(project_a).transcript
    with pytest.raises(ValidationError):
        remap_speakers(
            transcript=imported,
            mapping={"Jane Smith": SpeakerChoice(new_pseudonym="p01")},
            user=enabler,
        )


@pytest.mark.django_db
def test_remap_is_locked_after_the_first_quote(project_a, enabler, make_quote):
    imported = do_import(project_a).transcript
    quote = make_quote(imported, 0, 11, enabler)
    text_before = imported.text
    with pytest.raises(ValidationError) as refused:
        remap_speakers(
            transcript=imported,
            mapping={"Jane Smith": SpeakerChoice(interviewer=True)},
            user=enabler,
        )
    assert refused.value.messages == [LOCKED_MESSAGE]
    imported.refresh_from_db()
    assert imported.text == text_before
    # Even a deleted quote keeps the lock: it can be restored.
    Quote.all_objects.filter(pk=quote.pk).update(deleted_at=datetime.datetime.now(datetime.UTC))
    with pytest.raises(ValidationError):
        remap_speakers(transcript=imported, mapping={}, user=enabler)


@pytest.mark.django_db
def test_save_review_sets_details_even_when_the_mapping_is_locked(
    project_a, local_system, enabler, make_quote
):
    imported = do_import(project_a).transcript
    make_quote(imported, 0, 11, enabler)
    assert (
        save_review(
            transcript=imported,
            title="Chief executive, Northfield",
            interview_date=datetime.date(2018, 2, 1),
            local_system=local_system,
            mapping=None,
            user=enabler,
        )
        is None
    )
    imported.refresh_from_db()
    assert imported.title == "Chief executive, Northfield"
    assert imported.local_system == local_system


def test_an_import_costs_the_same_for_4_turns_or_400(
    project_a, enabler, local_system, django_capture_on_commit_callbacks
):
    """No query per speaker turn (the passages once read each turn's participant) and
    none re-checking rows the import already holds (its project, system and user)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(name: str, turns: int) -> list[str]:
        body = "\n\n".join(
            f"{'Interviewer' if n % 2 else 'Ali'}: turn {n} of {name}." for n in range(turns)
        )
        with CaptureQueriesContext(connection) as captured:
            with django_capture_on_commit_callbacks(execute=True):
                import_transcript(
                    project=project_a,
                    filename=f"{name}.txt",
                    data=body.encode(),
                    user=enabler,
                    local_system=local_system,
                )
        return [q["sql"] for q in captured.captured_queries]

    def reads(sqls: list[str]) -> list[str]:  # bulk inserts come in batches on SQLite
        return [sql for sql in sqls if not sql.startswith("INSERT")]

    statements("warm-up", 4)
    few, many = statements("few", 4), statements("many", 400)
    assert len(reads(many)) == len(reads(few)), reads(many)
    assert not any(sql.startswith('SELECT 1 AS "a"') for sql in few), few
    assert SpeakerTurn.objects.filter(transcript__title="many").count() == 400


@pytest.mark.django_db
def test_an_interview_of_2500_turns_is_stored_whole_in_order(project_a):
    """More turns than one PostgreSQL statement takes (1,000): every one, in order."""
    body = "\n\n".join(f"{'Interviewer' if n % 2 else 'Ali'}: turn {n}." for n in range(2_500))
    result = do_import(project_a, name="long.txt", data=body.encode())
    turns = list(result.transcript.turns.select_related("participant").order_by("index"))
    assert [turn.index for turn in turns] == list(range(2_500))
    text = result.transcript.text
    assert [text[turn.start : turn.end] for turn in turns] == [f"turn {n}." for n in range(2_500)]
    assert [turn.is_interviewer for turn in turns[:4]] == [False, True, False, True]
    assert {turn.participant.pseudonym for turn in turns if not turn.is_interviewer} == {"P01"}


@pytest.mark.django_db
def test_turns_are_written_exactly_whatever_their_labels_hold(transcript, participant):
    # On PostgreSQL the turns go in by COPY, whose text format gives meaning to
    # backslashes, tabs and line breaks: a label holding them comes back as written.
    labels = ["Dr\\Smith", "tab\there", "two\nlines", "cr\rhere", "\\N", "", "Zoë 😊"]
    SpeakerTurn.objects.filter(transcript=transcript).delete()
    services._insert_turns(
        (transcript.pk, index, index * 10, index * 10 + 5, label, participant.pk, index == 0,
         None if index % 2 else index * 1000)
        for index, label in enumerate(labels)
    )  # fmt: skip
    stored = SpeakerTurn.objects.filter(transcript=transcript).order_by("index")
    assert [
        (t.speaker_label, t.start, t.end, t.participant_id, t.is_interviewer, t.started_at_ms)
        for t in stored
    ] == [
        (label, i * 10, i * 10 + 5, participant.pk, i == 0, None if i % 2 else i * 1000)
        for i, label in enumerate(labels)
    ]


@pytest.mark.django_db
def test_a_turn_that_breaks_a_constraint_is_an_integrity_error(transcript):
    from django.db import IntegrityError, transaction

    SpeakerTurn.objects.filter(transcript=transcript).delete()
    row = (transcript.pk, 0, 0, 5, "A", None, False, None)
    with pytest.raises(IntegrityError), transaction.atomic():
        services._insert_turns([row, row])  # the same index twice
