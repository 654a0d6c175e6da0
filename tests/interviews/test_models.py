"""Interviews models: constraints, names and URLs."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from interviews.models import (
    LocalSystem,
    Membership,
    Participant,
    Project,
    SpeakerTurn,
    Transcript,
    original_upload_path,
)

pytestmark = pytest.mark.django_db


def test_project_slug_is_unique(project_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(name="Another", slug="alpha")


def test_one_membership_per_user_and_project(enabler, project_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=enabler, project=project_a, role="admin")


def test_local_system_and_pseudonym_unique_per_project_in_any_case(
    project_a, project_b, local_system, participant
):
    with pytest.raises(IntegrityError), transaction.atomic():
        LocalSystem.objects.create(project=project_a, name="NORTHFIELD")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(project=project_a, pseudonym="p01")
    LocalSystem.objects.create(project=project_b, name="Northfield")
    Participant.objects.create(project=project_b, pseudonym="P01")


def test_speaker_turn_range_and_index(transcript):
    SpeakerTurn.objects.create(transcript=transcript, index=0, start=0, end=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeakerTurn.objects.create(transcript=transcript, index=0, start=10, end=20)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeakerTurn.objects.create(transcript=transcript, index=1, start=20, end=10)


def test_participant_attribution_reads_role_and_organisation(participant):
    assert participant.attribution == "chief executive, acute trust"
    assert str(participant) == "P01"


def test_urls_of_project_and_transcript(project_a, transcript):
    assert project_a.get_absolute_url() == "/p/alpha/"
    assert transcript.get_absolute_url() == f"/p/alpha/transcripts/{transcript.pk}/"


def test_original_files_are_stored_under_a_uuid_never_the_given_name(transcript):
    path = original_upload_path(transcript, "../../etc/passwd.txt")

    assert path == f"originals/{transcript.uuid}"


def test_membership_reads_well(enabler):
    membership = Membership.objects.get(user=enabler)

    assert str(membership) == "enabler_a (Enabler) in Alpha study"


@pytest.mark.postgres
def test_on_postgres_a_transcripts_text_is_stored_uncompressed_for_fast_substrings(transcript):
    """The theme page cuts each quote's turn out of the text in SQL: from a compressed
    value PostgreSQL must decompress the whole interview first (migration 0006)."""
    from django.db import connection

    Transcript.objects.filter(pk=transcript.pk).update(text="P01: " + "word " * 20_000)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'interviews_transcript'::regclass AND attname = 'text'"
        )
        assert cursor.fetchone()[0] == "e"
        cursor.execute(
            "SELECT pg_column_compression(text), octet_length(text) "
            "FROM interviews_transcript WHERE id = %s",
            [transcript.pk],
        )
        assert cursor.fetchone() == (None, 5 + 5 * 20_000)
