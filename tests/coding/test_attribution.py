import pytest

from coding.report.attribution import (
    Speaker,
    SpeakerIndex,
    for_export,
    in_app,
    indefinite,
)
from interviews.models import OrganisationType, Participant
from tests.coding.report_data import build


def speaker(**overrides) -> Speaker:
    values = {
        "pk": 1,
        "pseudonym": "P03",
        "role_title": "chief executive",
        "organisation_type": OrganisationType.ACUTE_TRUST,
        "local_system_id": 7,
        "local_system_name": "Northfield",
    }
    values.update(overrides)
    return Speaker(**values)


def test_in_app_attribution():
    assert in_app(speaker()) == "Chief executive, acute trust (P03, Northfield)"
    assert in_app(speaker(local_system_name="")) == "Chief executive, acute trust (P03)"
    assert in_app(None).startswith("Unattributed")


def test_export_attribution_is_role_and_organisation_type_only():
    assert for_export(speaker()) == "a chief executive of an acute trust"
    assert for_export(speaker(organisation_type=OrganisationType.CCG)) == (
        "a chief executive of a CCG"
    )
    assert for_export(speaker(role_title="")) == "an interviewee from an acute trust"
    assert for_export(None) == "an interviewee"


def test_pseudonym_and_system_only_when_opted_in():
    assert for_export(speaker(), with_pseudonym=True) == (
        "a chief executive of an acute trust (P03)"
    )
    assert for_export(speaker(), with_system=True) == (
        "a chief executive of an acute trust (Northfield)"
    )
    assert for_export(speaker(), with_pseudonym=True, with_system=True) == (
        "a chief executive of an acute trust (P03, Northfield)"
    )


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("chief executive", "a chief executive"),
        ("operations director", "an operations director"),
        ("A&E consultant", "an A&E consultant"),
        ("GP lead", "a GP lead"),
        ("NHS manager", "an NHS manager"),
        ("honorary fellow", "an honorary fellow"),
        ("university lead", "a university lead"),
        ("an existing article", "an existing article"),
    ],
)
def test_indefinite_article(phrase, expected):
    assert indefinite(phrase) == expected


@pytest.fixture
def data(project_a, enabler, project_admin):
    return build(project_a, enabler, project_admin)


def test_speaker_of_a_group_interview_comes_from_the_turn(data, django_assert_num_queries):
    with django_assert_num_queries(3):
        index = SpeakerIndex.load(data.project)
    q6, q7 = data.quotes["q6"], data.quotes["q7"]
    assert index.speaker(q6.transcript_id, q6.start).pseudonym == "P04"
    assert index.speaker(q7.transcript_id, q7.start).pseudonym == "P05"
    # The interviewer's turn has no participant: unattributed.
    assert index.speaker(q6.transcript_id, 0) is None
    q1 = data.quotes["q1"]
    assert index.speaker(q1.transcript_id, q1.start).pseudonym == "P01"


def test_small_number_warning_below_three(data):
    index = SpeakerIndex.load(data.project)
    p01 = index.speakers[data.participants["P01"].pk]
    assert "Only 1 participant has this role" in index.small_number_warning(p01)
    for n in (2, 3):
        Participant.objects.create(
            project=data.project,
            pseudonym=f"PX{n}",
            role_title="Chief  Executive",  # same role, other spacing and case
            organisation_type=OrganisationType.ACUTE_TRUST,
            local_system=data.systems["Northfield"],
        )
        index = SpeakerIndex.load(data.project)
        warning = index.small_number_warning(index.speakers[data.participants["P01"].pk])
        if n == 2:
            assert warning.startswith("Only 2 participants have this role")
        else:
            assert warning == ""
    assert index.small_number_warning(None) == ""
