"""Project, membership, people and transcript admin, scoped to a project admin's projects."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from coding.models import Theme
from interviews.models import LocalSystem, Membership, Participant, Project, Transcript

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def b_world(project_b, transcript_b):
    system = LocalSystem.objects.create(project=project_b, name="Southfield")
    person = Participant.objects.create(project=project_b, pseudonym="P09", local_system=system)
    return {"system": system, "participant": person, "transcript": transcript_b}


def listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_admin_index_lists_the_project_models_for_a_project_admin(client, project_admin):
    client.force_login(project_admin)

    html = client.get("/admin/").content.decode()

    for name in ("Projects", "Memberships", "Local systems", "Participants", "Transcripts"):
        assert name in html
    assert "Themes" in html and "Theme summaries" in html
    assert "Users" not in html  # accounts stay with superusers


@pytest.mark.parametrize(
    ("url", "own", "other"),
    [
        ("/admin/interviews/project/", "project_a", "project_b"),
        ("/admin/interviews/localsystem/", "local_system", "b_system"),
        ("/admin/interviews/participant/", "participant", "b_participant"),
        ("/admin/interviews/transcript/", "transcript", "transcript_b"),
    ],
)
def test_project_admin_sees_only_own_objects(
    request, client, project_admin, b_world, url, own, other
):
    own_object = request.getfixturevalue(own)
    other_object = {
        "b_system": b_world["system"],
        "b_participant": b_world["participant"],
    }.get(other) or request.getfixturevalue(other)
    client.force_login(project_admin)

    assert [obj.pk for obj in listed(client.get(url))] == [own_object.pk]
    assert client.get(f"{url}{own_object.pk}/change/").status_code == 200
    refused = client.get(f"{url}{other_object.pk}/change/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert client.get(f"{url}{other_object.pk}/history/").status_code == 302


def test_superuser_sees_every_project(client, superuser, project_a, project_b):
    client.force_login(superuser)

    assert {p.slug for p in listed(client.get("/admin/interviews/project/"))} == {
        "alpha",
        "beta",
    }


def test_membership_list_is_scoped(client, project_admin, enabler, outsider):
    client.force_login(project_admin)

    members = listed(client.get("/admin/interviews/membership/"))

    assert {m.user.username for m in members} == {"admin_a", "enabler_a"}
    hidden = Membership.objects.get(user=outsider)
    assert client.get(f"/admin/interviews/membership/{hidden.pk}/change/").status_code == 302


def test_project_admin_can_add_a_member_but_only_to_own_projects(
    client, project_admin, project_a, project_b, make_user
):
    newcomer = make_user("newcomer")
    client.force_login(project_admin)

    form = client.get("/admin/interviews/membership/add/").context["adminform"].form
    assert list(form.fields["project"].queryset) == [project_a]
    assert newcomer in form.fields["user"].queryset

    refused = client.post(
        "/admin/interviews/membership/add/",
        {"user": newcomer.pk, "project": project_b.pk, "role": "admin"},
    )
    assert refused.status_code == 200
    assert not Membership.objects.filter(user=newcomer).exists()

    added = client.post(
        "/admin/interviews/membership/add/",
        {"user": newcomer.pk, "project": project_a.pk, "role": "enabler"},
    )
    assert added.status_code == 302
    assert Membership.objects.get(user=newcomer).project == project_a


def test_only_superusers_add_or_delete_projects(client, project_admin, superuser, project_a):
    client.force_login(project_admin)
    assert client.get("/admin/interviews/project/add/").status_code == 403
    assert client.get(f"/admin/interviews/project/{project_a.pk}/delete/").status_code == 403

    client.force_login(superuser)
    assert client.get("/admin/interviews/project/add/").status_code == 200


def test_project_admin_edits_project_details_but_not_its_slug(client, project_admin, project_a):
    client.force_login(project_admin)
    url = f"/admin/interviews/project/{project_a.pk}/change/"
    prefix = "memberships"
    data = {
        "name": "Alpha study (renamed)",
        "slug": "stolen",
        "description": "",
        "report_title": "",
        f"{prefix}-TOTAL_FORMS": 0,
        f"{prefix}-INITIAL_FORMS": 0,
    }

    response = client.post(url, data)

    assert response.status_code == 302
    project_a.refresh_from_db()
    assert (project_a.name, project_a.slug) == ("Alpha study (renamed)", "alpha")


def test_participant_form_refuses_a_local_system_of_another_project(
    client, superuser, project_a, b_world
):
    client.force_login(superuser)

    response = client.post(
        "/admin/interviews/participant/add/",
        {
            "project": project_a.pk,
            "pseudonym": "P10",
            "organisation_type": "ccg",
            "local_system": b_world["system"].pk,
        },
    )

    assert response.status_code == 200
    assert "belongs to another project" in response.content.decode()
    assert not Participant.objects.filter(pseudonym="P10").exists()


def test_participant_pseudonym_stays_unique_when_the_project_is_read_only(
    client, project_admin, project_a, participant
):
    other = Participant.objects.create(project=project_a, pseudonym="P02")
    client.force_login(project_admin)

    response = client.post(
        f"/admin/interviews/participant/{other.pk}/change/",
        {"pseudonym": "p01", "organisation_type": "ccg"},
    )

    assert response.status_code == 200
    other.refresh_from_db()
    assert other.pseudonym == "P02"


def test_transcript_text_is_read_only_and_transcripts_are_not_added_here(
    client, project_admin, transcript, local_system, participant, enabler
):
    client.force_login(project_admin)
    url = f"/admin/interviews/transcript/{transcript.pk}/change/"
    page = client.get(url)
    assert 'name="text"' not in page.content.decode()
    assert "We were told support would come" in page.content.decode()
    form = page.context["adminform"].form
    assert list(form.fields["participants"].queryset) == [participant]
    assert list(form.fields["local_system"].queryset) == [local_system]
    assert set(form.fields["enabler"].queryset) == {enabler, project_admin}  # members of A

    response = client.post(
        url,
        {
            "title": "Renamed interview",
            "text": "overwritten",
            "local_system": local_system.pk,
            "participants": [participant.pk],
            "turns-TOTAL_FORMS": 0,
            "turns-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    transcript.refresh_from_db()
    assert transcript.title == "Renamed interview"
    assert transcript.text.startswith("P01: We were told")
    assert client.get("/admin/interviews/transcript/add/").status_code == 403


def test_transcript_form_refuses_participants_of_another_project(
    client, superuser, transcript, b_world
):
    client.force_login(superuser)

    response = client.post(
        f"/admin/interviews/transcript/{transcript.pk}/change/",
        {
            "title": transcript.title,
            "participants": [b_world["participant"].pk],
            "turns-TOTAL_FORMS": 0,
            "turns-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert list(transcript.participants.all()) != [b_world["participant"]]


def test_copy_codebook_action_confirms_then_copies(client, superuser, project_a, project_b):
    parent = Theme.objects.create(project=project_a, name="National support", colour="#90caf9")
    Theme.objects.create(project=project_a, name="Tailored support", parent=parent)
    client.force_login(superuser)
    selected = {"action": "copy_codebook_action", ACTION_CHECKBOX_NAME: [project_b.pk]}

    confirm = client.post("/admin/interviews/project/", {**selected, "index": 0})

    assert confirm.status_code == 200
    assert list(confirm.context["form"].fields["source"].queryset) == [project_a]
    assert not Theme.objects.filter(project=project_b).exists()

    done = client.post(
        "/admin/interviews/project/", {**selected, "apply": "yes", "source": project_a.pk}
    )

    assert done.status_code == 302
    copied = {t.name: t for t in Theme.objects.filter(project=project_b)}
    assert copied["Tailored support"].parent == copied["National support"]


def test_copy_codebook_action_reports_clashes_without_copying(
    client, superuser, project_a, project_b
):
    Theme.objects.create(project=project_a, name="Blame culture")
    Theme.objects.create(project=project_b, name="Blame culture")
    client.force_login(superuser)

    response = client.post(
        "/admin/interviews/project/",
        {
            "action": "copy_codebook_action",
            ACTION_CHECKBOX_NAME: [project_b.pk],
            "apply": "yes",
            "source": project_a.pk,
        },
    )

    assert response.status_code == 200
    assert "already has themes named Blame culture" in response.content.decode()
    assert Theme.objects.filter(project=project_b).count() == 1


def test_project_admin_cannot_copy_from_a_project_they_do_not_administer(
    client, project_admin, project_a, project_b
):
    Theme.objects.create(project=project_b, name="Secret theme")
    second = Project.objects.create(name="Gamma", slug="gamma")
    Membership.objects.create(user=project_admin, project=second, role="admin")
    client.force_login(project_admin)

    response = client.post(
        "/admin/interviews/project/",
        {
            "action": "copy_codebook_action",
            ACTION_CHECKBOX_NAME: [second.pk],
            "apply": "yes",
            "source": project_b.pk,
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Theme.objects.filter(project=second).exists()


def test_transcript_list_does_not_load_the_text(client, project_admin, transcript):
    client.force_login(project_admin)

    response = client.get("/admin/interviews/transcript/")

    row = listed(response)[0]
    assert "text" in row.get_deferred_fields()
    assert Transcript.objects.count() == 1
