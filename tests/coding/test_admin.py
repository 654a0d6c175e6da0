"""Theme admin: nested list with counts at a fixed query cost, merge and retire actions,
rename, escaping, and scoping to a project admin's own projects."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding.models import Quote, QuoteTheme, Theme, ThemeSummary

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/coding/theme/"
XSS = "<script>window.__xss=1</script><img src=x onerror=alert(1)>"


def theme_codings() -> set[tuple[int, str]]:
    return set(QuoteTheme.objects.values_list("content_object_id", "tag__name"))


@pytest.fixture
def superuser(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


def build_codebook(project, transcript, coder, size: int, prefix: str) -> None:
    """`size` themes, half of them children, each coding its own quote."""
    parents = [
        Theme.objects.create(project=project, name=f"{prefix} parent {n}", order=n)
        for n in range(max(size // 2, 1))
    ]
    children = [
        Theme.objects.create(
            project=project, name=f"{prefix} child {n}", parent=parents[n % len(parents)]
        )
        for n in range(size - len(parents))
    ]
    for theme in parents + children:
        start = Quote.all_objects.count()
        quote = Quote.objects.create(
            transcript=transcript,
            start=start,
            end=start + 5,
            text=transcript.text[start : start + 5],
            coder=coder,
        )
        QuoteTheme.objects.create(content_object=quote, tag=theme)


def changelist_queries(client, user) -> tuple[int, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(captured), len(response.context["cl"].result_list)


@pytest.mark.parametrize("who", ["superuser", "project_admin"])
def test_theme_changelist_costs_the_same_for_1_and_20_themes(
    request, client, project_a, transcript, enabler, who
):
    user = request.getfixturevalue(who)
    build_codebook(project_a, transcript, enabler, 1, "first")
    small, rows = changelist_queries(client, user)
    assert rows == 1
    build_codebook(project_a, transcript, enabler, 19, "more")
    large, rows = changelist_queries(client, user)
    assert rows == 20
    assert small == large


def test_theme_changelist_shows_nesting_colour_description_and_counts(
    client, project_admin, project_a, transcript, enabler, make_quote
):
    parent = Theme.objects.create(project=project_a, name="Culture and behaviour")
    child = Theme.objects.create(
        project=project_a,
        name="Blame culture",
        parent=parent,
        colour="#ffab91",
        description="Naming and shaming.",
    )
    make_quote(transcript, 0, 5, enabler, child)
    make_quote(transcript, 5, 10, enabler, child, parent)
    deleted = make_quote(transcript, 10, 15, enabler, child)
    Quote.all_objects.filter(pk=deleted.pk).update(deleted_at="2024-01-01T00:00:00Z")
    client.force_login(project_admin)

    response = client.get(CHANGELIST)

    html = response.content.decode()
    assert "Culture and behaviour › Blame culture" in html
    assert "#ffab91" in html
    assert "Naming and shaming." in html
    rows = {theme.pk: theme for theme in response.context["cl"].result_list}
    assert (rows[child.pk].quote_n, rows[child.pk].transcript_n) == (2, 1)
    assert (rows[parent.pk].quote_n, rows[parent.pk].transcript_n) == (1, 1)
    names = [theme.name for theme in response.context["cl"].result_list]
    assert names.index("Culture and behaviour") < names.index("Blame culture")


def test_theme_names_and_descriptions_are_escaped_in_admin(
    client, project_admin, project_a, transcript, enabler, make_quote
):
    parent = Theme.objects.create(project=project_a, name=XSS, description=XSS)
    child = Theme.objects.create(project=project_a, name="child " + XSS[:40], parent=parent)
    make_quote(transcript, 0, 5, enabler, parent)
    client.force_login(project_admin)

    pages = [
        client.get(CHANGELIST),
        client.get(f"{CHANGELIST}{parent.pk}/change/"),
        client.get(f"{CHANGELIST}{child.pk}/change/"),
        client.post(
            CHANGELIST,
            {"action": "merge_selected", ACTION_CHECKBOX_NAME: [parent.pk, child.pk], "index": 0},
        ),
    ]

    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>window.__xss" not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html


def test_merge_action_asks_for_the_survivor_then_merges(
    client, project_admin, project_a, transcript, enabler, make_quote
):
    keep = Theme.objects.create(project=project_a, name="Blame culture")
    old = Theme.objects.create(project=project_a, name="Naming and shaming")
    child = Theme.objects.create(project=project_a, name="Weekly calls", parent=old)
    both = make_quote(transcript, 0, 5, enabler, keep, old)
    only_old = make_quote(transcript, 5, 10, enabler, old)
    ThemeSummary.objects.create(project=project_a, theme=old, narrative="About shaming.")
    client.force_login(project_admin)
    selected = {"action": "merge_selected", ACTION_CHECKBOX_NAME: [keep.pk, old.pk]}

    confirm = client.post(CHANGELIST, {**selected, "index": 0})

    assert confirm.status_code == 200
    assert "admin/coding/theme/merge_confirmation.html" in [t.name for t in confirm.templates]
    assert Theme.objects.filter(pk=old.pk).exists()
    html = confirm.content.decode()
    assert 'name="survivor"' in html and 'value="apply"' not in html
    assert 'name="apply" value="yes"' in html

    done = client.post(CHANGELIST, {**selected, "apply": "yes", "survivor": keep.pk}, follow=True)

    assert done.redirect_chain and done.redirect_chain[0][1] == 302
    assert "Merged Naming and shaming into Blame culture" in done.content.decode()
    assert not Theme.objects.filter(pk=old.pk).exists()
    assert theme_codings() == {(both.pk, "Blame culture"), (only_old.pk, "Blame culture")}
    child.refresh_from_db()
    assert child.parent == keep
    assert ThemeSummary.objects.get().theme == keep


def test_merge_action_without_a_survivor_shows_the_form_again(client, project_admin, project_a):
    one = Theme.objects.create(project=project_a, name="One")
    two = Theme.objects.create(project=project_a, name="Two")
    client.force_login(project_admin)

    response = client.post(
        CHANGELIST,
        {"action": "merge_selected", ACTION_CHECKBOX_NAME: [one.pk, two.pk], "apply": "yes"},
    )

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Theme.objects.count() == 2


def test_merge_action_refuses_a_single_theme(client, project_admin, project_a):
    one = Theme.objects.create(project=project_a, name="One")
    client.force_login(project_admin)

    response = client.post(
        CHANGELIST,
        {"action": "merge_selected", ACTION_CHECKBOX_NAME: [one.pk], "index": 0},
        follow=True,
    )

    assert "Select at least two themes" in response.content.decode()
    assert Theme.objects.filter(pk=one.pk).exists()


def test_merge_action_refuses_themes_of_two_projects(client, superuser, project_a, theme_b):
    mine = Theme.objects.create(project=project_a, name="Mine")
    client.force_login(superuser)

    response = client.post(
        CHANGELIST,
        {"action": "merge_selected", ACTION_CHECKBOX_NAME: [mine.pk, theme_b.pk], "index": 0},
        follow=True,
    )

    assert "different projects cannot be merged" in response.content.decode()
    assert Theme.objects.count() == 2


def test_retire_and_reactivate_actions_keep_codings(
    client, project_admin, project_a, transcript, enabler, make_quote
):
    theme = Theme.objects.create(project=project_a, name="Old idea")
    quote = make_quote(transcript, 0, 5, enabler, theme)
    client.force_login(project_admin)

    client.post(
        CHANGELIST,
        {"action": "retire_selected", ACTION_CHECKBOX_NAME: [theme.pk], "index": 0},
    )
    theme.refresh_from_db()
    assert theme.is_active is False
    assert theme_codings() == {(quote.pk, "Old idea")}

    client.post(
        CHANGELIST,
        {"action": "reactivate_selected", ACTION_CHECKBOX_NAME: [theme.pk], "index": 0},
    )
    theme.refresh_from_db()
    assert theme.is_active is True


def theme_form(theme: Theme, **changes) -> dict:
    data = {
        "name": theme.name,
        "slug": theme.slug,
        "parent": theme.parent_id or "",
        "description": theme.description,
        "colour": theme.colour,
        "order": theme.order,
        "is_active": "on" if theme.is_active else "",
        "is_proposed": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_rename_renews_the_slug_unless_the_slug_is_set(client, project_admin, project_a):
    theme = Theme.objects.create(project=project_a, name="Blame")
    client.force_login(project_admin)
    url = f"{CHANGELIST}{theme.pk}/change/"

    response = client.post(url, theme_form(theme, name="Blame culture"))
    assert response.status_code == 302
    theme.refresh_from_db()
    assert (theme.name, theme.slug) == ("Blame culture", "blame-culture")

    client.post(url, theme_form(theme, name="Blame and shame", slug="kept-slug"))
    theme.refresh_from_db()
    assert (theme.name, theme.slug) == ("Blame and shame", "kept-slug")


def test_rename_to_an_existing_name_is_refused(client, project_admin, project_a):
    Theme.objects.create(project=project_a, name="Blame culture")
    theme = Theme.objects.create(project=project_a, name="Blame")
    client.force_login(project_admin)

    response = client.post(
        f"{CHANGELIST}{theme.pk}/change/", theme_form(theme, name="BLAME CULTURE")
    )

    assert response.status_code == 200
    theme.refresh_from_db()
    assert theme.name == "Blame"


def test_add_theme_makes_a_slug_and_refuses_a_parent_of_another_project(
    client, project_admin, project_a, project_b, theme_b
):
    client.force_login(project_admin)

    response = client.post(
        f"{CHANGELIST}add/",
        {"project": project_a.pk, "name": "Shared ownership", "colour": "#aed581", "order": 0},
    )
    assert response.status_code == 302
    assert Theme.objects.get(project=project_a).slug == "shared-ownership"

    refused = client.post(
        f"{CHANGELIST}add/",
        {
            "project": project_a.pk,
            "name": "Sneaky",
            "colour": "#aed581",
            "order": 0,
            "parent": theme_b.pk,
        },
    )
    assert refused.status_code == 200
    assert not Theme.objects.filter(name="Sneaky").exists()


def test_project_admin_sees_only_own_themes(client, project_admin, theme, theme_b):
    client.force_login(project_admin)

    response = client.get(CHANGELIST)

    assert [t.pk for t in response.context["cl"].result_list] == [theme.pk]
    assert "Beta study" not in response.content.decode()
    other = client.get(f"{CHANGELIST}{theme_b.pk}/change/")
    assert other.status_code == 302
    assert other["Location"] == "/admin/"
    assert client.get(f"{CHANGELIST}{theme_b.pk}/delete/").status_code == 302
    assert client.get(f"{CHANGELIST}{theme_b.pk}/history/").status_code == 302


def test_project_admin_cannot_act_on_another_projects_themes(
    client, project_admin, theme, theme_b
):
    client.force_login(project_admin)

    client.post(
        CHANGELIST,
        {"action": "retire_selected", ACTION_CHECKBOX_NAME: [theme_b.pk], "index": 0},
    )

    theme_b.refresh_from_db()
    assert theme_b.is_active is True


def test_foreign_key_menus_offer_only_own_projects(
    client, project_admin, project_a, project_b, theme, theme_b
):
    client.force_login(project_admin)

    form = client.get(f"{CHANGELIST}add/").context["adminform"].form

    assert list(form.fields["project"].queryset) == [project_a]
    assert list(form.fields["parent"].queryset) == [theme]


def test_staff_without_admin_role_sees_no_themes(client, make_user, project_a, theme):
    staff = make_user("staff_only", is_staff=True)
    client.force_login(staff)

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{theme.pk}/change/").status_code == 403


def test_enabler_cannot_reach_admin(client, enabler, theme):
    client.force_login(enabler)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_summary_admin_is_scoped_and_records_the_editor(
    client, project_admin, project_a, project_b, theme, theme_b
):
    mine = ThemeSummary.objects.create(project=project_a, theme=theme, narrative="Draft.")
    theirs = ThemeSummary.objects.create(project=project_b, theme=theme_b, narrative="Secret.")
    client.force_login(project_admin)

    listing = client.get("/admin/coding/themesummary/")
    assert [s.pk for s in listing.context["cl"].result_list] == [mine.pk]
    assert client.get(f"/admin/coding/themesummary/{theirs.pk}/change/").status_code == 302

    response = client.post(
        f"/admin/coding/themesummary/{mine.pk}/change/",
        {"narrative": "Final.", "headlines-TOTAL_FORMS": 0, "headlines-INITIAL_FORMS": 0},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.narrative, mine.version, mine.updated_by) == ("Final.", 1, project_admin)


def test_redaction_terms_are_scoped(client, project_admin, project_a, project_b):
    from coding.models import RedactionTerm

    RedactionTerm.objects.create(project=project_a, term="Smith")
    hidden = RedactionTerm.objects.create(project=project_b, term="Jones")
    client.force_login(project_admin)

    response = client.get("/admin/coding/redactionterm/")

    assert [t.term for t in response.context["cl"].result_list] == ["Smith"]
    assert client.get(f"/admin/coding/redactionterm/{hidden.pk}/change/").status_code == 302


def test_taggits_global_tags_are_not_offered_in_admin(client, superuser):
    client.force_login(superuser)

    html = client.get("/admin/").content.decode()

    assert "/admin/coding/theme/" in html
    assert "/admin/taggit/tag/" not in html
