"""The original-file download: members who import only, as an inert attachment."""

import pytest
from django.core.files.base import ContentFile

from interviews.models import Transcript

pytestmark = pytest.mark.django_db

PAYLOAD = b"<html><script>alert(1)</script></html>"


@pytest.fixture
def with_original(transcript):
    transcript.original_name = "Jöhn ‮cod.txt"
    transcript.original_format = "txt"
    transcript.original_file.save("ignored.txt", ContentFile(PAYLOAD), save=True)
    return transcript


def url(transcript: Transcript) -> str:
    return f"/p/{transcript.project.slug}/transcripts/{transcript.pk}/original/"


def test_enabler_downloads_the_original_as_an_inert_attachment(client, enabler, with_original):
    client.force_login(enabler)
    response = client.get(url(with_original))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PAYLOAD
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''J%C3%B6hn" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "no-store"


def test_the_transcript_page_links_the_original_for_enablers_only(
    client, enabler, author, with_original
):
    client.force_login(enabler)
    assert url(with_original).encode() in client.get(with_original.get_absolute_url()).content
    client.force_login(author)
    assert url(with_original).encode() not in client.get(with_original.get_absolute_url()).content


def test_report_author_may_not_fetch_originals(client, author, with_original):
    client.force_login(author)
    assert client.get(url(with_original)).status_code == 403


def test_outsider_and_anonymous_cannot_fetch_it(client, outsider, with_original):
    assert client.get(url(with_original)).status_code == 302
    client.force_login(outsider)
    assert client.get(url(with_original)).status_code == 404


def test_no_original_or_a_missing_file_is_404(client, enabler, transcript, with_original):
    client.force_login(enabler)
    other = Transcript.objects.create(project=transcript.project, title="Typed", text="Hi.")
    assert client.get(url(other)).status_code == 404
    with_original.original_file.storage.delete(with_original.original_file.name)
    assert client.get(url(with_original)).status_code == 404
