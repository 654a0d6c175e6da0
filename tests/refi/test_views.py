"""The download and the import form: who may, what they get, and a refusal's words."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.models import Theme
from coding.refi.export import export_codebook

from .conftest import entries


def test_download_for_authors_and_admins(client, author, project_a, transcript):
    client.force_login(author)
    response = client.get(reverse("refi:qdpx", args=[project_a.slug]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "project.qde" in entries(response.content)


def test_download_refused_to_enablers_outsiders_and_anonymous(
    client, enabler, outsider, project_a
):
    url = reverse("refi:qdpx", args=[project_a.slug])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(enabler)
    assert client.get(url).status_code == 403


def test_import_form_is_for_project_admins(client, author, project_admin, project_a):
    url = reverse("refi:exchange", args=[project_a.slug])
    client.force_login(author)
    assert client.get(url).status_code == 403
    client.force_login(project_admin)
    page = client.get(url).content.decode()
    assert '<label for="id_file">' in page and 'for="id_preview"' in page


def test_codebook_preview_then_import(client, project_admin, project_a, project_b, theme_b):
    Theme.objects.create(project=project_b, name="Tailored support")
    data = export_codebook(project=project_b)
    url = reverse("refi:exchange", args=[project_a.slug])
    client.force_login(project_admin)
    upload = SimpleUploadedFile("b.qdc", data)
    response = client.post(url, {"file": upload, "preview": "on"})
    assert "would import" in response.content.decode()
    assert not Theme.objects.filter(project=project_a).exists()
    response = client.post(url, {"file": SimpleUploadedFile("b.qdc", data)})
    assert response.status_code == 200
    assert Theme.objects.filter(project=project_a).count() == 2


def test_a_refusal_names_the_file(client, project_admin, project_a):
    client.force_login(project_admin)
    url = reverse("refi:exchange", args=[project_a.slug])
    response = client.post(url, {"file": SimpleUploadedFile("evil.qdpx", b"nope")})
    assert response.status_code == 422
    assert "evil.qdpx is not a .qdpx file" in response.content.decode()


def test_an_import_in_the_background_is_a_job_with_its_report(
    client, project_admin, project_a, project_b, theme_b, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from aefront.jobs.models import Job

    Theme.objects.create(project=project_b, name="Tailored support")
    data = export_codebook(project=project_b)
    url = reverse("refi:exchange", args=[project_a.slug])
    client.force_login(project_admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"file": SimpleUploadedFile("b.qdc", data), "background": "on"})
    assert answer.status_code == 302 and answer["Location"] == f"/p/{project_a.slug}/jobs/"
    job = Job.objects.get()
    assert (job.kind, job.state, job.done, job.total) == ("exchange_import", "done", 2, 2)
    assert job.summary.startswith("b.qdc: imported 0 transcripts, 0 quotes, 2 themes")
    assert Theme.objects.filter(project=project_a).count() == 2
    with job.file.open("rb") as handle:
        text = handle.read().decode()
    assert text.startswith(job.summary) and "What came in" in text
    assert not default_storage.exists(job.params["key"])

    # A file of the wrong kind is refused on the page, and nothing is queued.
    refused = client.post(url, {"file": SimpleUploadedFile("x.docx", b"PK"), "background": "on"})
    assert refused.status_code == 422
    assert "x.docx: choose a .qdpx project" in refused.content.decode()
    assert Job.objects.count() == 1


def test_project_page_links(client, project_admin, enabler, project_a):
    client.force_login(project_admin)
    page = client.get(project_a.get_absolute_url()).content.decode()
    assert reverse("refi:qdpx", args=[project_a.slug]) in page
    assert reverse("refi:exchange", args=[project_a.slug]) in page
    client.force_login(enabler)
    page = client.get(project_a.get_absolute_url()).content.decode()
    assert reverse("refi:qdpx", args=[project_a.slug]) not in page


def test_admin_action_exports_a_qdc(client, project_admin, project_a, theme):
    client.force_login(project_admin)
    response = client.post(
        reverse("admin:interviews_project_changelist"),
        {"action": "export_qdc_action", "_selected_action": [project_a.pk]},
    )
    assert response.status_code == 200, response.content[:500]
    assert b"Tailored support" in response.content
    assert response["Content-Disposition"].endswith('codebook.qdc"')


def test_commands(tmp_path, project_a, transcript, theme, project_admin):
    from django.core.management import call_command

    out = io.StringIO()
    target = tmp_path / "a.qdpx"
    call_command("export_qdpx", project_a.slug, "-o", str(target), "--utf16", stdout=out)
    call_command("import_qdpx", str(target), "--project", "Imported", "--as", "admin_a",
                 stdout=out)  # fmt: skip
    call_command("export_qdc", project_a.slug, "-o", str(tmp_path / "c.qdc"), stdout=out)
    call_command("import_qdc", str(tmp_path / "c.qdc"), "--project", project_a.slug,
                 "--preview", stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "imported 1 transcripts" in text and "1 unchanged" in text
