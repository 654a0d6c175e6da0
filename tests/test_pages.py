"""The browser path: login → project list → project page → transcript page → theme list.

Each page as a member (200), a member of another project (404) and an anonymous
visitor (redirect to the login page, then back). The lists cost the same number of
queries for 1 row as for 20.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding.models import Quote, QuoteTheme, Theme
from interviews.models import Membership, Project, Transcript

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(project_a, transcript, theme):
    return {
        "project page": "/p/alpha/",
        "transcript page": f"/p/alpha/transcripts/{transcript.pk}/",
        "theme list": "/p/alpha/themes/",
    }


@pytest.mark.parametrize("page", ["project page", "transcript page", "theme list"])
@pytest.mark.parametrize("who", ["enabler", "author", "project_admin"])
def test_members_of_every_role_see_the_page(request, client, pages, page, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(pages[page])

    assert response.status_code == 200
    assert "Alpha study" in response.content.decode()


@pytest.mark.parametrize("page", ["project page", "transcript page", "theme list"])
def test_a_member_of_another_project_gets_404(client, outsider, pages, page):
    client.force_login(outsider)

    assert client.get(pages[page]).status_code == 404


@pytest.mark.parametrize("page", ["project list", "project page", "transcript page", "theme list"])
def test_anonymous_visitors_are_sent_to_login_and_back(client, pages, page):
    url = {**pages, "project list": "/"}[page]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(url)}"


def test_a_transcript_of_another_project_is_404_even_under_ones_own_project(
    client, enabler, transcript_b, theme_b
):
    client.force_login(enabler)

    assert client.get(f"/p/alpha/transcripts/{transcript_b.pk}/").status_code == 404
    assert client.get(f"/p/beta/transcripts/{transcript_b.pk}/").status_code == 404


def test_an_unknown_project_is_404(client, enabler):
    client.force_login(enabler)

    assert client.get("/p/no-such-project/").status_code == 404


def test_the_transcript_page_shows_the_text_with_its_quotes(
    client, enabler, transcript, theme, make_quote
):
    start = transcript.text.index("It never did.")
    quote_ = make_quote(transcript, start, start + len("It never did."), enabler, theme)
    client.force_login(enabler)

    html = client.get(f"/p/alpha/transcripts/{transcript.pk}/").content.decode()

    assert "It never did." in html
    assert f"quote-{quote_.pk}" in html


def test_the_project_list_shows_only_member_projects(client, enabler, project_a, project_b):
    client.force_login(enabler)

    html = client.get("/").content.decode()

    assert "Alpha study" in html and "Beta study" not in html


def test_the_theme_list_shows_counts_and_nesting(
    client, enabler, project_a, transcript, make_quote
):
    parent = Theme.objects.create(project=project_a, name="Culture and behaviour")
    child = Theme.objects.create(project=project_a, name="Blame culture", parent=parent)
    make_quote(transcript, 0, 5, enabler, child)
    make_quote(transcript, 5, 10, enabler, child)
    client.force_login(enabler)

    response = client.get("/p/alpha/themes/")

    rows = {theme.name: theme for theme in response.context["themes"]}
    assert (rows["Blame culture"].quote_count, rows["Blame culture"].transcript_count) == (2, 1)
    assert rows["Blame culture"].depth == 1


# Query counts: 1 row and 20 rows cost the same.


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_projects(user, n: int, start: int) -> None:
    for i in range(start, start + n):
        project = Project.objects.create(name=f"Study {i}", slug=f"study-{i}")
        Membership.objects.create(user=user, project=project, role="enabler")
        Transcript.objects.create(project=project, title="t", text="P01: hello")
        Theme.objects.create(project=project, name="Theme")


def add_transcripts(project, user, participant, local_system, n: int, start: int) -> None:
    for i in range(start, start + n):
        transcript = Transcript.objects.create(
            project=project,
            title=f"Interview {i}",
            text="P01: hello there",
            enabler=user,
            local_system=local_system,
        )
        transcript.participants.add(participant)
        Quote.objects.create(transcript=transcript, start=0, end=3, text="P01", coder=user)


def add_themes(project, transcript, user, n: int, start: int) -> None:
    parent = Theme.objects.filter(project=project, parent=None).first()
    for i in range(start, start + n):
        theme = Theme.objects.create(project=project, name=f"Theme {i}", parent=parent)
        quote_ = Quote.objects.create(
            transcript=transcript, start=i, end=i + 2, text=transcript.text[i : i + 2], coder=user
        )
        QuoteTheme.objects.create(content_object=quote_, tag=theme)


def test_project_list_costs_the_same_for_1_and_20_projects(client, enabler):
    client.force_login(enabler)
    add_projects(enabler, 1, 0)
    small = count_queries(client, "/")
    add_projects(enabler, 19, 1)
    large = count_queries(client, "/")
    assert small == large
    assert "Study 19" in client.get("/").content.decode()


def test_project_page_costs_the_same_for_1_and_20_transcripts(
    client, enabler, project_a, participant, local_system
):
    client.force_login(enabler)
    add_transcripts(project_a, enabler, participant, local_system, 1, 0)
    small = count_queries(client, "/p/alpha/")
    add_transcripts(project_a, enabler, participant, local_system, 19, 1)
    large = count_queries(client, "/p/alpha/")
    assert small == large
    assert client.get("/p/alpha/").content.decode().count("Interview ") >= 20


def test_theme_list_costs_the_same_for_1_and_20_themes(client, enabler, project_a, transcript):
    client.force_login(enabler)
    add_themes(project_a, transcript, enabler, 1, 0)
    small = count_queries(client, "/p/alpha/themes/")
    add_themes(project_a, transcript, enabler, 19, 1)
    large = count_queries(client, "/p/alpha/themes/")
    assert small == large
    assert len(client.get("/p/alpha/themes/").context["themes"]) == 20


def test_the_codebook_links_each_theme_to_its_page_quotes_and_admin(
    client, enabler, project_admin, project_a, transcript, make_quote
):
    parent = Theme.objects.create(project=project_a, name="Culture", description="How it feels.")
    child = Theme.objects.create(project=project_a, name="Blame culture", parent=parent)
    make_quote(transcript, 0, 5, enabler, child)
    client.force_login(enabler)
    html = client.get("/p/alpha/themes/").content.decode()
    page = f"/p/alpha/report/themes/{child.pk}/"
    assert f'href="{page}"' in html and f'href="{page}#quotes">Its 1 quote' in html
    assert "How it feels." in html and "No definition yet." in html
    assert "Level 2: " in html  # the indentation, said to screen readers too
    assert "Edit in admin" not in html  # not an admin
    project_admin.is_staff = True
    project_admin.save()
    client.force_login(project_admin)
    html = client.get("/p/alpha/themes/").content.decode()
    assert f'href="/admin/coding/theme/{child.pk}/change/"' in html
