"""Agreement through the database: the comparison, the command and the pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from coding import agreement, services
from coding.models import Adoption, Theme
from interviews.access import get_project_access
from interviews.models import Membership, Transcript

TEXT = "x" * 1000


@pytest.fixture
def third(make_user, project_a):
    user = make_user("enabler_three")
    Membership.objects.create(user=user, project=project_a, role=Membership.Role.ENABLER)
    return user


@pytest.fixture
def long_transcript(project_a):
    return Transcript.objects.create(project=project_a, title="Long one", text=TEXT)


def assign(project_admin, transcript, *coders, blind=True):
    access = get_project_access(project_admin, transcript.project.slug)
    services.assign_transcripts(
        access=access, transcripts=[transcript], coder_ids=[c.pk for c in coders], blind=blind
    )


def test_the_hand_computed_case_through_the_database(
    project_a, project_admin, enabler, second, long_transcript, theme, make_quote
):
    assign(project_admin, long_transcript, enabler, second)
    make_quote(long_transcript, 0, 600, enabler, theme)
    make_quote(long_transcript, 100, 600, second, theme)
    comparison = agreement.compare(project=project_a, coders=[enabler, second])
    rows = {("ALL" if r.transcript is None else r.transcript.pk): r for r in comparison.rows}
    for row in rows.values():
        assert row.pairs[0].kappa == pytest.approx(0.80)
        assert row.pairs[0].percent == pytest.approx(90.0)
    assert set(rows) == {long_transcript.pk, "ALL"}


def test_command_csv_has_the_issue_columns_and_a_pooled_row(
    project_a, project_admin, enabler, second, long_transcript, theme, make_quote
):
    assign(project_admin, long_transcript, enabler, second)
    make_quote(long_transcript, 0, 600, enabler, theme)
    make_quote(long_transcript, 100, 600, second, theme)
    out = io.StringIO()
    call_command(
        "agreement", "alpha", "--coders", "enabler_a", "enabler_two", "--format", "csv",
        stdout=out,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["theme", "transcript", "coder_a", "coder_b", "percent_agreement", "kappa"]
    assert rows[1:] == [
        [theme.name, str(long_transcript.pk), "enabler_a", "enabler_two", "90.00", "0.8000"],
        [theme.name, "ALL", "enabler_a", "enabler_two", "90.00", "0.8000"],
    ]


def test_command_table_and_three_coders_get_alpha(
    project_a, project_admin, enabler, second, third, make_quote
):
    transcript = Transcript.objects.create(project=project_a, title="Ten", text="abcdefghij")
    theme = Theme.objects.create(project=project_a, name="Blame culture")
    assign(project_admin, transcript, enabler, second, third)
    make_quote(transcript, 0, 6, enabler, theme)
    make_quote(transcript, 0, 6, second, theme)
    make_quote(transcript, 0, 4, third, theme)
    out = io.StringIO()
    call_command(
        "agreement", "alpha", "--coders", "enabler_a", "enabler_two", "enabler_three",
        "--transcript", str(transcript.pk), "--format", "csv", stdout=out,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][-1] == "alpha"
    assert {row[-1] for row in rows[1:]} == {f"{83 / 112:.4f}"}
    assert len(rows) == 1 + 2 * 3  # per transcript and pooled, three pairs each
    table = io.StringIO()
    call_command(
        "agreement", "alpha", "--coders", "enabler_a", "enabler_two", "enabler_three",
        stdout=table,
    )  # fmt: skip
    lines = table.getvalue().splitlines()
    assert lines[0].split() == [
        "theme", "transcript", "coder_a", "coder_b", "percent_agreement", "kappa", "alpha"
    ]  # fmt: skip
    assert len({len(line) for line in lines[1:]}) == 1  # aligned columns


def test_command_refuses_bad_input(project_a, enabler, second):
    with pytest.raises(CommandError, match="No project"):
        call_command("agreement", "nope", "--coders", "a", "b")
    with pytest.raises(CommandError, match="at least two"):
        call_command("agreement", "alpha", "--coders", "enabler_a", "enabler_a")
    with pytest.raises(CommandError, match="Not a member"):
        call_command("agreement", "alpha", "--coders", "enabler_a", "ghost")
    with pytest.raises(CommandError, match="No transcript to compare"):
        call_command("agreement", "alpha", "--coders", "enabler_a", "enabler_two")


def test_identical_and_disjoint_codings_through_the_command(
    project_a, project_admin, enabler, second, long_transcript, theme, make_quote
):
    other = Theme.objects.create(project=project_a, name="Four-hour pressure")
    assign(project_admin, long_transcript, enabler, second)
    make_quote(long_transcript, 0, 100, enabler, theme)
    make_quote(long_transcript, 0, 100, second, theme)
    make_quote(long_transcript, 0, 500, enabler, other)
    make_quote(long_transcript, 500, 1000, second, other)
    comparison = agreement.compare(project=project_a, coders=[enabler, second])
    pooled = {row.theme: row.pairs[0] for row in comparison.pooled}
    assert pooled[theme.name].kappa == pytest.approx(1.0)
    assert pooled[other.name].kappa == pytest.approx(-1.0)
    assert pooled[other.name].band == "poor"


def test_agreement_page_shows_the_table_with_bands(
    client, project_a, project_admin, enabler, second, long_transcript, theme, make_quote
):
    assign(project_admin, long_transcript, enabler, second)
    make_quote(long_transcript, 0, 600, enabler, theme)
    make_quote(long_transcript, 100, 600, second, theme)
    client.force_login(project_admin)
    page = client.get(reverse("coding:agreement", args=["alpha"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "0.80" in body and "band-good" in body and "below 0.4" in body
    assert "enabler_a / enabler_two" in body


def test_the_viewer_walks_disagreements_and_a_lead_records_an_adoption(
    client, project_a, project_admin, enabler, second, long_transcript, theme, make_quote
):
    assign(project_admin, long_transcript, enabler, second)
    make_quote(long_transcript, 0, 600, enabler, theme)
    make_quote(long_transcript, 100, 600, second, theme)
    make_quote(long_transcript, 900, 950, second, theme)
    url = reverse("coding:disagreement", args=["alpha", long_transcript.pk, theme.pk])
    query = f"coder={enabler.pk}&coder={second.pk}"
    client.force_login(project_admin)
    first = client.get(f"{url}?{query}").content.decode()
    assert "Disagreement 1 of 2" in first and "Next disagreement" in first
    second_page = client.get(f"{url}?{query}&d=2").content.decode()
    assert "Disagreement 2 of 2" in second_page and "Previous disagreement" in second_page
    response = client.post(
        url + "decide/",
        {"start": 0, "end": 100, "choice": f"adopt:{enabler.pk}", "index": 0,
         "coder": [enabler.pk, second.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert (adoption.decision, adoption.adopted_coder, adoption.decided_by) == (
        "adopt", enabler, project_admin
    )  # fmt: skip
    assert adoption.versions == [[enabler.pk, 0, 600, "x" * 600]]


def test_only_an_admin_decides(
    client, project_a, project_admin, enabler, second, long_transcript, theme
):
    url = reverse("coding:decide", args=["alpha", long_transcript.pk, theme.pk])
    client.force_login(enabler)
    response = client.post(url, {"start": 0, "end": 1, "choice": "both", "coder": [enabler.pk]})
    assert response.status_code == 403
    assert not Adoption.objects.exists()
