"""Import pages: roles, the per-file JSON endpoint, the no-JS batch form, the review step."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from interviews.models import LocalSystem, Participant, SpeakerTurn, Transcript
from interviews.services import import_transcript
from tests.interviews import transcript_files as files

pytestmark = pytest.mark.django_db

UPLOAD = reverse("imports:upload", args=["alpha"])
FILE = reverse("imports:upload_file", args=["alpha"])


def review_url(transcript) -> str:
    return reverse("imports:review", args=[transcript.project.slug, transcript.pk])


def counts():
    return Transcript.objects.count(), SpeakerTurn.objects.count(), Participant.objects.count()


def post_file(client, name: str, data: bytes, **extra):
    return client.post(FILE, {"file": SimpleUploadedFile(name, data), **extra})


@pytest.fixture
def imported(project_a, enabler):
    return import_transcript(
        project=project_a, filename="interview.txt", data=files.txt_bytes(), user=enabler
    ).transcript


# --- who may use the pages ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["enabler", "project_admin"])
def test_members_who_import_see_the_upload_page(client, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(UPLOAD)
    assert response.status_code == 200
    assert b"Import transcripts" in response.content
    assert b'type="file"' in response.content and b"multiple" in response.content
    assert b'src="/static/js/upload.js"' in response.content


def test_author_gets_403_everywhere(client, author, imported):
    client.force_login(author)
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD).status_code == 403
    response = post_file(client, "a.txt", files.txt_bytes())
    assert response.status_code == 403
    assert "does not allow" in response.json()["error"]
    assert client.get(review_url(imported)).status_code == 403
    assert client.post(review_url(imported), {"title": "x"}).status_code == 403


def test_outsider_gets_404_everywhere(client, outsider, imported):
    client.force_login(outsider)
    before = counts()
    assert client.get(UPLOAD).status_code == 404
    assert (
        client.post(UPLOAD, {"files": [SimpleUploadedFile("a.txt", b"P1: x")]}).status_code == 404
    )
    assert post_file(client, "a.txt", files.txt_bytes()).status_code == 404
    assert client.get(review_url(imported)).status_code == 404
    assert client.post(review_url(imported), {"title": "x"}).status_code == 404
    assert counts() == before


def test_anonymous_is_sent_to_login(client, imported):
    for url in (UPLOAD, FILE, review_url(imported)):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")


def test_a_transcript_of_another_project_is_404_through_this_project(
    client, enabler, transcript_b
):
    client.force_login(enabler)
    url = reverse("imports:review", args=["alpha", transcript_b.pk])
    assert client.get(url).status_code == 404


def test_nav_link_only_for_import_roles(client, enabler, author, project_a):
    client.force_login(enabler)
    assert b"Import transcripts</a>" in client.get(project_a.get_absolute_url()).content
    client.force_login(author)
    assert b"Import transcripts</a>" not in client.get(project_a.get_absolute_url()).content


def test_upload_page_costs_the_same_queries_for_few_and_many_waiting(
    client, enabler, project_a, django_assert_num_queries
):
    client.force_login(enabler)

    def queries_for_page() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(UPLOAD).status_code == 200
        return len(captured)

    Transcript.objects.create(project=project_a, title="one", text="x")
    few = queries_for_page()
    Transcript.objects.bulk_create(
        Transcript(project=project_a, title=f"t{n}", text="x") for n in range(30)
    )
    LocalSystem.objects.bulk_create(
        LocalSystem(project=project_a, name=f"System {n}") for n in range(10)
    )
    with django_assert_num_queries(few):
        client.get(UPLOAD)


# --- the per-file endpoint ------------------------------------------------------------------


def test_one_good_file_gives_201_with_the_transcript(client, enabler, local_system):
    client.force_login(enabler)
    response = post_file(
        client, "Interview 3.docx", files.docx_bytes(), local_system=local_system.pk
    )
    assert response.status_code == 201
    body = response.json()
    transcript = Transcript.objects.get()
    assert body["id"] == transcript.pk
    assert body["name"] == "Interview 3.docx"
    assert body["turns"] == 7
    assert body["speakers"] == [
        {"pseudonym": "Interviewer", "created": False},
        {"pseudonym": "P01", "created": True},
    ]
    assert body["review_url"] == review_url(transcript)
    assert (
        body["message"]
        == f"imported Interview 3.docx as transcript {transcript.pk} (7 turns, 2 speakers)"
    )
    assert transcript.local_system == local_system
    assert transcript.imported_by == enabler
    assert "Jane" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "status", "error"),
    [
        ("empty.txt", b"", 422, "empty.txt: is empty"),
        (
            "photo.txt",
            files.PNG_BYTES,
            415,
            "photo.txt: content does not match .txt: it is a PNG image",
        ),
        (
            "tool.docx",
            files.ELF_BYTES,
            415,
            "tool.docx: content does not match .docx: it is an ELF executable",
        ),
        (
            "cut.docx",
            files.docx_bytes()[:3000],
            422,
            "cut.docx: is damaged or truncated (it is not a readable ZIP package)",
        ),
        (
            "fake.pdf",
            b"hello",
            415,
            "fake.pdf: is not a PDF (content does not match .pdf: it has no PDF header)",
        ),
        (
            "nul.txt",
            b"P01: a\x00b",
            422,
            "nul.txt: content does not match .txt: it contains NUL bytes",
        ),
        ("bomb.docx", files.declared_size_bomb(), 413, "bomb.docx: file expands too large"),
        (
            "xxe.docx",
            files.hostile_docx(files.XXE_DOCTYPE, b"&xxe;"),
            422,
            "xxe.docx: contains XML entity or DTD declarations",
        ),
        (
            "lol.odt",
            files.hostile_odt(files.LAUGHS_DOCTYPE, b"&lol9;"),
            422,
            "lol.odt: contains XML entity or DTD declarations",
        ),
        (
            "macro.docx",
            files.macro_docx(),
            422,
            "macro.docx: contains macros (macros not allowed)",
        ),
        ("scan.pdf", files.image_pdf_bytes(), 422, "scan.pdf: has no text layer: run OCR first"),
        (
            "old.doc",
            b"x",
            415,
            "old.doc: is a .doc file, which cannot be imported: save it as .docx",
        ),
        ("..\\..\\evil\u202e.txt", files.PNG_BYTES, 415, "evil.txt: content does not match .txt"),
    ],
)
def test_refused_files_get_a_4xx_naming_the_file_and_nothing_is_stored(
    client, enabler, transcript, name, data, status, error
):
    client.force_login(enabler)
    before = counts()
    response = post_file(client, name, data)
    assert response.status_code == status
    assert response.json()["error"].startswith(error)
    assert "Traceback" not in response.content.decode()
    assert counts() == before


def test_oversized_file_is_refused_by_the_upload_handler(client, enabler, settings):
    settings.AEFRONT_MAX_UPLOAD_BYTES = 1024
    client.force_login(enabler)
    response = post_file(client, "big.txt", b"P01: " + b"a" * 5000)
    assert response.status_code == 413
    assert response.json()["error"] == "big.txt: is too large (the limit is 1.0 KiB)"
    assert Transcript.objects.count() == 0


def test_no_file(client, enabler):
    client.force_login(enabler)
    response = client.post(FILE, {})
    assert response.status_code == 400
    assert response.json()["error"] == "upload: file: This field is required."


def test_local_system_of_another_project_is_a_form_error(client, enabler, project_b):
    other = LocalSystem.objects.create(project=project_b, name="Elsewhere")
    client.force_login(enabler)
    response = post_file(client, "a.txt", files.txt_bytes(), local_system=other.pk)
    assert response.status_code == 400
    assert response.json()["error"].startswith("a.txt: Local system: Select a valid choice.")


def test_get_on_the_endpoint_is_405(client, enabler):
    client.force_login(enabler)
    response = client.get(FILE)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_endpoint_needs_the_csrf_token_and_accepts_it_in_a_header(enabler):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enabler)
    assert post_file(client, "a.txt", files.txt_bytes()).status_code == 403
    client.get(UPLOAD)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        FILE,
        {"file": SimpleUploadedFile("a.txt", files.txt_bytes())},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


# --- the no-JavaScript batch form -----------------------------------------------------------------


def test_batch_form_reports_every_file(client, enabler):
    client.force_login(enabler)
    response = client.post(
        UPLOAD,
        {
            "files": [
                SimpleUploadedFile("one.txt", files.txt_bytes()),
                SimpleUploadedFile("photo.txt", files.PNG_BYTES),
                SimpleUploadedFile("call.vtt", files.teams_vtt_bytes()),
            ]
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Imported:</strong> imported one.txt as transcript" in page
    assert "Refused:</strong> photo.txt: content does not match .txt: it is a PNG image" in page
    assert "Imported:</strong> imported call.vtt as transcript" in page
    assert page.count("Review speakers") == 2
    assert Transcript.objects.count() == 2


def test_batch_form_with_only_bad_files_is_422(client, enabler):
    client.force_login(enabler)
    response = client.post(UPLOAD, {"files": [SimpleUploadedFile("e.txt", b"")]})
    assert response.status_code == 422
    assert "e.txt: is empty" in response.content.decode()


def test_batch_form_without_files_is_400(client, enabler):
    client.force_login(enabler)
    response = client.post(UPLOAD, {})
    assert response.status_code == 400
    assert "Choose at least one file." in response.content.decode()


def test_batch_form_oversized_file_is_named(client, enabler, settings):
    settings.AEFRONT_MAX_UPLOAD_BYTES = 2048
    client.force_login(enabler)
    response = client.post(
        UPLOAD,
        {
            "files": [
                SimpleUploadedFile("big.txt", b"x" * 5000),
                SimpleUploadedFile("small.txt", b"Jane: hello"),
            ]
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "big.txt: is too large" in page
    assert "imported small.txt" in page


def test_hostile_text_is_shown_escaped(client, enabler):
    client.force_login(enabler)
    body = b'Jane: <script>alert(1)</script> <img src=x onerror="alert(2)"> =HYPERLINK("x")'
    transcript_id = post_file(client, "x<b>.txt", body).json()["id"]
    transcript = Transcript.objects.get(pk=transcript_id)
    assert transcript.text == body.decode().replace("Jane:", "P01:")
    page = client.get(review_url(transcript)).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- the review step -----------------------------------------------------------------------------


def speaker_post(transcript, **speakers):
    """The review form's data, with per-speaker overrides: s0={"target": ...}."""
    data = {"title": transcript.title, "interview_date": "", "local_system": ""}
    for index in range(2):
        data.update(
            {
                f"s{index}_target": "interviewer" if index == 0 else "new",
                f"s{index}_pseudonym": "",
                f"s{index}_role_title": "",
                f"s{index}_organisation_type": "other",
                f"s{index}_local_system": "",
            }
        )
    for key, values in speakers.items():
        for name, value in values.items():
            data[f"{key}_{name}"] = value
    return data


def test_review_page_lists_speakers_with_a_sample_and_shows_pseudonyms(client, enabler, imported):
    client.force_login(enabler)
    response = client.get(review_url(imported))
    assert response.status_code == 200
    page = response.content.decode()
    # Keeping the spoken name (to redact it) is the default; the title is not yet safe.
    assert re.search(r'name="s1_remember_name"[^>]*checked', page)
    assert not re.search(r'name="title_is_safe"[^>]*checked', page)
    assert "<legend>Interviewer" in page and "<legend>Jane Smith" in page
    assert "What would have helped, in your view?" in page
    assert "P01: We were told support" in page  # the preview
    assert 'value="P02"' in page  # the next free pseudonym is suggested


def test_review_previews_the_first_turns_as_stored(client, enabler, project_a):
    """Each of the first turns: the label in the file, who it became, what was said
    (escaped); a wrongly detected speaker shows before coding starts."""
    text = "Agenda: <b>winter</b>\n\n" + "\n\n".join(
        f"{'Interviewer' if n % 2 else 'Jane'}: turn {n}" for n in range(1, 12)
    )
    transcript = import_transcript(
        project=project_a, filename="t.txt", data=text.encode(), user=enabler
    ).transcript
    client.force_login(enabler)
    page = client.get(review_url(transcript)).content.decode()
    table = page.split('class="first-turns"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
    assert rows == [
        ("(no speaker)", "(no label)", "Agenda: &lt;b&gt;winter&lt;/b&gt;"),
        ("Interviewer", "Interviewer", "turn 1"),
        ("Jane", "P01", "turn 2"),
        ("Interviewer", "Interviewer", "turn 3"),
        ("Jane", "P01", "turn 4"),
        ("Interviewer", "Interviewer", "turn 5"),
    ]


def test_review_maps_a_speaker_to_a_new_participant(client, enabler, imported, local_system):
    client.force_login(enabler)
    data = speaker_post(
        imported,
        s1={
            "target": "new",
            "pseudonym": "P07",
            "role_title": "chief executive",
            "organisation_type": "acute_trust",
            "local_system": local_system.pk,
            "remember_name": "on",
        },
    )
    data.update(
        {"title": "Chief executive", "interview_date": "2018-03-14", "title_is_safe": "on"}
    )
    response = client.post(review_url(imported), data)
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.text == files.EXPECTED_TEXT.replace("Jane Smith:", "P07:")
    assert imported.title == "Chief executive"
    assert imported.title_is_safe  # the reviewer confirmed it names no one
    assert str(imported.interview_date) == "2018-03-14"
    assert imported.speakers_confirmed
    new = Participant.objects.get(pseudonym="P07")
    assert (new.role_title, new.organisation_type, new.local_system, new.real_name) == (
        "chief executive",
        "acute_trust",
        local_system,
        "Jane Smith",
    )
    assert not Participant.objects.filter(pseudonym="P01").exists()  # auto-created, now unused
    page = client.get(response["Location"]).content.decode()
    assert "Speakers saved: Interviewer → interviewer, Jane Smith → P07 (new participant)." in page
    assert "P01 was removed: no transcript uses it now." in page
    assert "P07: We were told" in page


def test_review_maps_a_speaker_to_an_existing_participant(client, enabler, participant, imported):
    other = Participant.objects.create(project=imported.project, pseudonym="P09")
    client.force_login(enabler)
    data = speaker_post(imported, s1={"target": f"p{other.pk}"})
    assert client.post(review_url(imported), data).status_code == 302
    imported.refresh_from_db()
    assert "P09: We were told" in imported.text
    other.refresh_from_db()
    assert other.role_title == ""  # details untouched: the fields were not edited


def test_review_refuses_a_taken_or_missing_pseudonym(client, enabler, participant, imported):
    client.force_login(enabler)
    text_before = imported.text
    response = client.post(review_url(imported), speaker_post(imported, s1={"pseudonym": "p01"}))
    assert response.status_code == 400
    assert (
        "P01 is already a participant: choose it from the list instead."
        in response.content.decode()
    )
    response = client.post(review_url(imported), speaker_post(imported, s1={"pseudonym": ""}))
    assert response.status_code == 400
    assert "Give Jane Smith a pseudonym." in response.content.decode()
    imported.refresh_from_db()
    assert imported.text == text_before


def test_review_is_locked_after_the_first_quote(client, enabler, imported, make_quote):
    make_quote(imported, 13, 30, enabler)
    client.force_login(enabler)
    page = client.get(review_url(imported)).content.decode()
    assert (
        "the\n  speakers can no longer change" in page or "speakers can no longer change" in page
    )
    assert "disabled" in page
    text_before = imported.text
    data = speaker_post(imported, s1={"target": "interviewer"})
    data["title"] = "New title"
    response = client.post(review_url(imported), data)
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.text == text_before
    assert imported.title == "New title"
    assert (
        "Details saved. The speakers can no longer change."
        in client.get(review_url(imported)).content.decode()
    )


def test_review_page_query_count_does_not_grow_with_speakers(
    client, enabler, project_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = import_transcript(
        project=project_a, filename="a.txt", data=files.txt_bytes()
    ).transcript
    many = "\n\n".join(f"Person {n}: line {n} £ é" for n in range(1, 25)).encode()
    large = import_transcript(project=project_a, filename="b.txt", data=many).transcript
    client.force_login(enabler)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(review_url(small)).status_code == 200
    with django_assert_max_num_queries(len(captured)):
        assert client.get(review_url(large)).status_code == 200
