"""Where the team stands: per-coder status (reopened by coding again), the progress page's
coverage, counts, filters and sorting, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coding import progress, services
from coding.models import Quote
from interviews.access import get_project_access
from interviews.models import LocalSystem, SpeakerTurn, Transcript

pytestmark = pytest.mark.django_db


def url(project, **query):
    from urllib.parse import urlencode

    return reverse("coding:progress", args=[project.slug]) + (
        f"?{urlencode(query)}" if query else ""
    )


def test_status_reads_not_started_in_progress_done_and_reopens(
    enabler, transcript, theme, project_a
):
    access = get_project_access(enabler, project_a.slug)
    assert progress.my_status(access, transcript) == progress.NOT_STARTED
    quote = services.code_passage(
        access=access, transcript=transcript, start=5, end=12,
        text=transcript.text[5:12], themes=[theme],
    )  # fmt: skip
    assert progress.my_status(access, transcript) == progress.IN_PROGRESS
    services.set_coder_status(access=access, transcript=transcript, done=True)
    assert progress.my_status(access, transcript) == progress.DONE
    # Coding there again reopens it, with no step of its own.
    services.edit_memo(access=access, quote=quote, memo="one more thought")
    assert progress.my_status(access, transcript) == progress.IN_PROGRESS
    services.set_coder_status(access=access, transcript=transcript, done=True)
    services.set_coder_status(access=access, transcript=transcript, done=False)
    assert progress.my_status(access, transcript) == progress.IN_PROGRESS


def test_the_coder_marks_done_from_the_coding_page(client, enabler, transcript, theme, make_quote):
    make_quote(transcript, 5, 12, enabler, theme)
    client.force_login(enabler)
    page = client.get(transcript.get_absolute_url())
    assert b'id="my-status">in progress<' in page.content
    status_url = reverse("coding:coder_status", args=["alpha", transcript.pk])
    response = client.post(status_url, {"done": "1"})
    assert response.status_code == 302
    assert b'id="my-status">done<' in client.get(transcript.get_absolute_url()).content
    assert client.post(status_url, {"done": "maybe"}).status_code == 302  # named refusal
    assert b"Select a valid choice" in client.get(transcript.get_absolute_url()).content


def test_an_author_has_no_status_to_set(client, author, transcript):
    client.force_login(author)
    status_url = reverse("coding:coder_status", args=["alpha", transcript.pk])
    assert client.post(status_url, {"done": "1"}).status_code == 403
    assert b"my-status" not in client.get(transcript.get_absolute_url()).content


@pytest.fixture
def team(project_a, enabler, project_admin, transcript, theme, make_quote, local_system):
    """Two transcripts: the sample one with turns (P01, interviewer, P01), and another in
    another local system, awaiting speaker review."""
    for index, (start, end) in enumerate(((5, 82), (97, 120), (127, 212))):
        SpeakerTurn.objects.create(
            transcript=transcript, index=index, start=start, end=end, is_interviewer=index == 1
        )
    north = LocalSystem.objects.create(project=project_a, name="North")
    other = Transcript.objects.create(
        project=project_a, title="Another interview", text="One two three four.",
        local_system=north, speakers_confirmed=False,
    )  # fmt: skip
    make_quote(transcript, 5, 82, enabler, theme)  # all of P01's first turn
    make_quote(transcript, 97, 120, enabler, theme)  # the interviewer: not counted
    make_quote(other, 0, 3, project_admin, theme)
    return transcript, other


def test_the_progress_page_shows_coverage_coders_status_and_review(client, enabler, team):
    transcript, other = team
    services.set_coder_status(
        access=get_project_access(enabler, "alpha"), transcript=transcript, done=True
    )
    client.force_login(enabler)
    response = client.get(url(transcript.project))
    assert response.status_code == 200
    rows = {row.title: row for row in response.context["progress"].transcripts}
    sample = rows[transcript.title]
    assert sample.percent == round(77 / (77 + 85) * 100)  # participant words only
    assert sample.status == progress.DONE and sample.quotes == 2
    assert not sample.awaiting_review
    assert rows["Another interview"].awaiting_review
    assert rows["Another interview"].coders[0].name == "admin_a"
    assert rows["Another interview"].status == progress.IN_PROGRESS
    assert b"Awaiting speaker review" in response.content
    coders = {row.name: row for row in response.context["progress"].coders}
    assert (coders["enabler_a"].done, coders["admin_a"].in_progress) == (1, 1)


def test_filters_and_sorting(client, enabler, project_admin, team):
    transcript, other = team
    client.force_login(enabler)

    def titles(**query):
        response = client.get(url(transcript.project, **query))
        assert response.status_code == 200
        return [row.title for row in response.context["progress"].transcripts]

    assert titles() == ["Another interview", transcript.title]
    assert titles(sort="-title") == [transcript.title, "Another interview"]
    assert titles(sort="coverage") == ["Another interview", transcript.title]
    assert titles(sort="-review") == ["Another interview", transcript.title]
    assert titles(system=other.local_system_id) == ["Another interview"]
    assert titles(coder=project_admin.pk) == ["Another interview"]
    assert titles(coder=enabler.pk, status="in progress") == [transcript.title]
    assert titles(status="done") == []
    assert titles(status="nonsense", sort="'; drop", coder="x") == titles()


def test_the_coders_column_and_the_coders_table_sort(client, enabler, team):
    transcript, _other = team
    services.set_coder_status(
        access=get_project_access(enabler, "alpha"), transcript=transcript, done=True
    )
    client.force_login(enabler)
    response = client.get(url(transcript.project, sort="-coders"))
    # The Coders column sorts by how far the coders have got: done before started.
    assert [row.title for row in response.context["progress"].transcripts] == [
        transcript.title,
        "Another interview",
    ]

    def names(**query):
        response = client.get(url(transcript.project, **query))
        assert response.status_code == 200
        return [row.name for row in response.context["progress"].coders]

    everyone = names()
    assert everyone == sorted(everyone, key=str.casefold)
    assert names(csort="-name") == everyone[::-1]
    assert names(csort="-done")[0] == "enabler_a"
    assert names(csort="-in_progress")[0] == "admin_a"
    assert names(csort="nonsense") == everyone
    # Each header links to its sort, keeps the other table's sort, and says aria-sort.
    response = client.get(url(transcript.project, sort="-quotes", csort="done"))
    html = response.content.decode()
    assert (
        'aria-sort="ascending"><a href="?sort=-quotes&amp;csort=-done#coders-heading">Done' in html
    )
    assert 'href="?sort=-quotes&amp;csort=name#coders-heading">Coder<' in html


def test_the_page_costs_the_same_for_2_and_20_transcripts(
    client, enabler, team, project_a, theme, make_quote, django_assert_num_queries
):
    client.force_login(enabler)
    with django_assert_num_queries(11):  # session, user, access; 8 reads (progress.py)
        client.get(url(project_a))
    for n in range(18):
        extra = Transcript.objects.create(project=project_a, title=f"T{n}", text="Words here.")
        make_quote(extra, 0, 5, enabler, theme)
        SpeakerTurn.objects.create(transcript=extra, index=0, start=0, end=11)
        services.set_coder_status(
            access=get_project_access(enabler, "alpha"), transcript=extra, done=True
        )
    with django_assert_num_queries(11):  # session, user, access; 8 reads (progress.py)
        response = client.get(url(project_a))
    assert len(response.context["progress"].transcripts) == 20


def test_a_blind_round_hides_the_others_counts_from_an_enabler(
    client, enabler, project_admin, team, project_a
):
    transcript, _ = team
    services.assign_transcripts(
        access=get_project_access(project_admin, "alpha"),
        transcripts=[transcript],
        coder_ids=[enabler.pk, project_admin.pk],
    )
    admin_quote = Quote.objects.create(
        transcript=transcript, start=130, end=140, text=transcript.text[130:140],
        coder=project_admin,
    )  # fmt: skip
    Quote.objects.filter(pk=admin_quote.pk).update(updated_at=timezone.now())
    client.force_login(enabler)
    rows = {r.title: r for r in client.get(url(project_a)).context["progress"].transcripts}
    names = [cell.name for cell in rows[transcript.title].coders]
    assert names == ["admin_a", "enabler_a"]
    assert rows[transcript.title].coders[0].quotes == 0  # theirs are hidden until revealed
    client.force_login(project_admin)
    rows = {r.title: r for r in client.get(url(project_a)).context["progress"].transcripts}
    assert rows[transcript.title].coders[0].quotes == 1


def test_a_round_reveal_does_not_reopen_anyone(
    enabler, project_admin, transcript, theme, project_a
):
    admin = get_project_access(project_admin, "alpha")
    mine = get_project_access(enabler, "alpha")
    services.assign_transcripts(
        access=admin, transcripts=[transcript], coder_ids=[enabler.pk, project_admin.pk]
    )
    services.code_passage(access=mine, transcript=transcript, start=5, end=12,
                          text=transcript.text[5:12], themes=[theme])  # fmt: skip
    services.mark_done(access=mine, transcript=transcript)
    services.code_passage(access=admin, transcript=transcript, start=20, end=30,
                          text=transcript.text[20:30], themes=[theme])  # fmt: skip
    # The admin codes after the enabler said done; then the admin's done reveals the round.
    services.mark_done(access=admin, transcript=transcript)
    assert progress.my_status(mine, transcript) == progress.DONE
    assert progress.my_status(admin, transcript) == progress.DONE


def test_the_coders_are_the_coding_members_and_whoever_coded_here(
    project_admin, enabler, author, transcript, transcript_b, django_user_model
):
    """The admin and the enabler (members who code), a former member whose quote stays,
    not an author who codes nothing, nor someone who coded only in another project."""
    from interviews.models import Membership

    former = django_user_model.objects.create_user("former", password="x" * 12)
    elsewhere = django_user_model.objects.create_user("elsewhere", password="x" * 12)
    Quote.objects.create(
        transcript=transcript, start=0, end=4, text=transcript.text[:4], coder=former
    )
    Membership.objects.create(
        user=elsewhere, project=transcript_b.project, role=Membership.Role.ENABLER
    )
    Quote.objects.create(
        transcript=transcript_b, start=0, end=4, text=transcript_b.text[:4], coder=elsewhere
    )
    access = get_project_access(project_admin, transcript.project.slug)
    assert set(progress._coders(access).values()) == {
        project_admin.username,
        enabler.username,
        former.username,
    }
    assert author.memberships.filter(project=transcript.project).exists()
