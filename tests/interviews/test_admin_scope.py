"""ProjectFixedForm: related objects chosen in admin must belong to the form's project."""

import pytest

from coding.admin import ThemeForm, ThemeSummaryForm
from interviews.admin import TranscriptForm
from interviews.models import LocalSystem, Participant

pytestmark = pytest.mark.django_db


def test_theme_parent_of_another_project_is_refused(project_a, theme_b):
    form = ThemeForm(
        data={"project": project_a.pk, "name": "Child", "parent": theme_b.pk, "colour": "#ffd54f",
              "order": 0, "is_active": "on"},
    )  # fmt: skip
    assert not form.is_valid()
    assert form.errors["parent"] == ["The parent theme belongs to another project."]


def test_theme_parent_of_the_same_project_is_accepted(project_a, theme):
    form = ThemeForm(
        data={"project": project_a.pk, "name": "Child", "parent": theme.pk, "colour": "#ffd54f",
              "order": 0, "is_active": "on"},
    )  # fmt: skip
    assert form.is_valid(), form.errors


def test_summary_theme_of_another_project_is_refused(project_a, theme_b):
    form = ThemeSummaryForm(data={"project": project_a.pk, "theme": theme_b.pk, "narrative": ""})
    assert not form.is_valid()
    assert form.errors["theme"] == ["This theme belongs to another project."]


def test_transcript_system_and_participants_of_another_project_are_refused(
    transcript, project_b, participant
):
    foreign_system = LocalSystem.objects.create(project=project_b, name="Elsewhere")
    foreign = Participant.objects.create(project=project_b, pseudonym="P99")
    data = {
        "title": transcript.title,
        "local_system": foreign_system.pk,
        "participants": [participant.pk, foreign.pk],
    }
    form = TranscriptForm(data=data, instance=transcript)
    assert not form.is_valid()
    assert form.errors["local_system"] == ["This local system belongs to another project."]
    assert form.errors["participants"] == ["Some participants belong to another project."]

    form = TranscriptForm(
        data={"title": transcript.title, "participants": [participant.pk]}, instance=transcript
    )
    assert form.is_valid(), form.errors


# --- "view on site" --------------------------------------------------------------------


def view_on_site_url(obj) -> str:
    from django.contrib.contenttypes.models import ContentType

    return f"/admin/r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


def test_view_on_site_of_another_projects_transcript_is_404(client, project_admin, transcript_b):
    client.force_login(project_admin)

    response = client.get(view_on_site_url(transcript_b))

    assert response.status_code == 404
    assert transcript_b.project.slug not in response.content.decode()
    assert "Location" not in response.headers


def test_view_on_site_of_an_own_transcript_redirects_to_it(client, project_admin, transcript):
    client.force_login(project_admin)

    response = client.get(view_on_site_url(transcript))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(transcript.get_absolute_url())


def test_view_on_site_of_another_project_is_404_and_a_superuser_may(
    client, project_admin, project_b, make_user
):
    client.force_login(project_admin)
    assert client.get(view_on_site_url(project_b)).status_code == 404

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    response = client.get(view_on_site_url(project_b))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(project_b.get_absolute_url())


@pytest.mark.parametrize("object_id", ["999999", "not-a-number", "9" * 30])
def test_view_on_site_of_a_missing_or_malformed_id_is_404(client, project_admin, project_a,
                                                        object_id):  # fmt: skip
    client.force_login(project_admin)
    url = view_on_site_url(project_a).rsplit("/", 2)[0] + f"/{object_id}/"
    assert client.get(url).status_code == 404


def test_view_on_site_needs_a_staff_session(client, enabler, transcript):
    client.force_login(enabler)
    response = client.get(view_on_site_url(transcript))
    assert response.status_code == 302
    assert "/admin/login/" in response.headers["Location"]
