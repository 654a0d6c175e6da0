from coding.models import Passage
from coding.passages import chunks, index_missing, index_transcript, sentences

from .finding_setup import TURNS, make_turn_transcript


def test_sentences_split_at_stops_and_keep_exact_offsets():
    text = "One thing. Another “thing.” A third? Yes… done"
    found = [text[s.start : s.end] for s in sentences(text, 0, len(text))]
    assert found == ["One thing.", "Another “thing.”", "A third?", "Yes…", "done"]


def test_chunks_group_sentences_up_to_the_word_limit():
    text = " ".join(f"Sentence {n} has five words." for n in range(30))
    spans = chunks(text, 0, len(text), max_words=20)
    assert all(len(text[s.start : s.end].split()) <= 20 for s in spans)
    assert text[spans[0].start : spans[-1].end] == text


def test_index_transcript_cuts_turns_with_their_speakers(db, project_a, participant):
    transcript = make_turn_transcript(project_a, participant)
    count = index_transcript(transcript=transcript)
    passages = list(Passage.objects.filter(transcript=transcript))
    assert count == len(passages) == 5
    for passage in passages:
        assert passage.text == transcript.text[passage.start : passage.end]
        assert not passage.text.startswith(("P01:", "Interviewer:"))
    assert [p.is_interviewer for p in passages] == [False, True, False, True, False]
    assert passages[0].participant == participant
    assert index_missing(project_a.pk) == 0  # already indexed


def test_a_committed_transcript_save_rebuilds_its_passages(
    db, project_a, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transcript = make_turn_transcript(project_a, participant)
    assert Passage.objects.filter(transcript=transcript).count() == 5


def test_indexing_costs_the_same_for_5_turns_or_50(
    db, project_a, participant, django_assert_num_queries
):
    """The turns are read with their participants: no query per turn (an upload of a
    long interview once ran one per speaker turn)."""
    short = make_turn_transcript(project_a, participant, title="Short")
    long = make_turn_transcript(project_a, participant, title="Long", turns=TURNS * 10)
    # a savepoint pair, the old passages (none), the turns with participants, one insert
    with django_assert_num_queries(5) as short_queries:
        index_transcript(transcript=short)
    with django_assert_num_queries(len(short_queries.captured_queries)):
        assert index_transcript(transcript=long) == 50
    assert Passage.objects.filter(transcript=long, participant=participant).count() == 30


# --- a new transcript's passages go to the task worker ----------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
INTERVIEW = (
    b"Interviewer: What happens at the front door?\n\n"
    b"Ali: The ambulance handover queue grows every winter. Nobody owns it."
)


def _import(project, name="front-door.txt", data=INTERVIEW):
    from interviews.services import import_transcript

    return import_transcript(project=project, filename=name, data=data).transcript


def test_a_new_transcripts_passages_are_queued_not_cut_in_the_import(
    db, project_a, django_capture_on_commit_callbacks
):
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from coding.jobs import cut_passages
    from coding.search import search

    with override_settings(TASKS=DATABASE_TASKS):
        with django_capture_on_commit_callbacks(execute=True):
            transcript = _import(project_a)
    assert not Passage.objects.filter(transcript=transcript).exists()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "coding.jobs.cut_passages"
    assert queued.args_kwargs == {"args": [transcript.pk], "kwargs": {}}

    # The worker runs it: the passages are cut, once.
    assert cut_passages.call(transcript.pk) == 2
    assert cut_passages.call(transcript.pk) == 0
    hits = search(project=project_a, query="handover").hits
    assert [hit.transcript_id for hit in hits] == [transcript.pk]


def test_search_finds_a_just_imported_transcript_before_the_worker_ran(
    db, project_a, django_capture_on_commit_callbacks
):
    from django.test import override_settings

    from coding.jobs import cut_passages
    from coding.search import search

    with override_settings(TASKS=DATABASE_TASKS):
        with django_capture_on_commit_callbacks(execute=True):
            transcript = _import(project_a)
    hits = search(project=project_a, query="ambulance").hits
    assert [hit.transcript_id for hit in hits] == [transcript.pk]
    assert cut_passages.call(transcript.pk) == 0  # the reader cut them first
    assert Passage.objects.filter(transcript=transcript).count() == 2


def test_with_the_immediate_backend_an_import_has_passages_once_committed(
    db, project_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transcript = _import(project_a)
    texts = list(Passage.objects.filter(transcript=transcript).values_list("text", flat=True))
    assert texts == [
        "What happens at the front door?",
        "The ambulance handover queue grows every winter. Nobody owns it.",
    ]


def test_correcting_an_existing_transcript_rebuilds_its_passages_at_once(
    db, project_a, django_capture_on_commit_callbacks
):
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        transcript = _import(project_a)
    with override_settings(TASKS=DATABASE_TASKS):
        with django_capture_on_commit_callbacks(execute=True):
            transcript.text = transcript.text.replace("winter", "spring")
            transcript.save()
    assert not DBTaskResult.objects.exists()  # not queued: done in the request
    assert Passage.objects.filter(transcript=transcript, text__contains="spring").count() == 1


def test_an_import_stands_when_its_passages_cannot_be_queued(
    db, project_a, django_capture_on_commit_callbacks, monkeypatch
):
    from coding import jobs
    from coding.search import search

    class QueueDown:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("the queue is down")

    monkeypatch.setattr(jobs, "cut_passages", QueueDown())
    with django_capture_on_commit_callbacks(execute=True):
        transcript = _import(project_a)
    assert not Passage.objects.filter(transcript=transcript).exists()
    assert [hit.transcript_id for hit in search(project=project_a, query="winter").hits] == [
        transcript.pk
    ]


def test_a_queued_import_commits_with_its_job_or_not_at_all(db, project_a):
    # The database queue's row is written in the import's transaction: a rolled-back
    # import leaves no job behind, a committed one exactly its own.
    from django.db import transaction
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_TASKS):
        try:
            with transaction.atomic():
                _import(project_a)
                assert DBTaskResult.objects.count() == 1  # queued inside, before any commit
                raise RuntimeError("the request fails after the import")
        except RuntimeError:
            pass
        assert not DBTaskResult.objects.exists()
        transcript = _import(project_a, name="again.txt")
    assert DBTaskResult.objects.get().args_kwargs == {"args": [transcript.pk], "kwargs": {}}
