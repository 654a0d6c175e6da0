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
