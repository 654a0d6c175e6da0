"""The coding page's reads as constant SQL (coding/reading.py, interviews/access.py,
aefront/rows.py) give what their ORM definitions give, whatever the round, the role and
the bin, on both databases; and the page's big parts are spliced in once, intact."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from coding import progress, services
from coding.models import AnchorFlag, CoderStatus, Quote, QuoteTheme, Theme
from coding.reading import (
    blind_hidden,
    blind_viewer,
    codebook_with_uses,
    open_flags,
    page_columns,
    page_quotes,
    visible_quotes,
)
from interviews.access import Column, get_project_access, get_transcript_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(transcript, enabler, second, theme, project_a, make_quote):
    """Quotes of two coders with two themes, one quote binned, one without a theme."""
    other = Theme.objects.create(project=project_a, name="Blame culture", colour="#e53935")
    quotes = [
        make_quote(transcript, 0, 4, enabler, theme, other),
        make_quote(transcript, 5, 9, second, theme),
        make_quote(transcript, 10, 14, second, other),
        make_quote(transcript, 15, 19, enabler),
    ]
    binned = make_quote(transcript, 20, 24, second, theme)
    binned.deleted_at = timezone.now()
    binned.save()
    return quotes


ROUNDS = ["none", "blind", "revealed", "open"]


def _set_round(state, access, transcript, coders):
    if state == "none":
        return
    services.assign_transcripts(
        access=access, transcripts=[transcript], coder_ids=[c.pk for c in coders]
    )
    coding_round = transcript.coding_round
    coding_round.blind = state != "open"
    coding_round.revealed_at = timezone.now() if state == "revealed" else None
    coding_round.save()


def _orm_uses(access) -> dict[int, int]:
    """codebook_with_uses' counts by their ORM definition: live codings, the blind rule."""
    gone = Q(deleted_at__isnull=False)
    viewer = blind_viewer(access)
    if viewer is not None:
        gone |= blind_hidden(viewer)
    hidden = Quote.all_objects.filter(gone, pk=OuterRef("content_object_id"))
    codings = QuoteTheme.objects.filter(tag__project=access.project).exclude(Exists(hidden))
    counts = dict(codings.values_list("tag").annotate(n=Count("*")).values_list("tag", "n"))
    return {theme.pk: counts.get(theme.pk, 0) for theme in access.project.themes.all()}


@pytest.mark.parametrize("state", ROUNDS)
def test_the_page_reads_what_the_orm_rule_shows_every_member(
    state, project_admin, enabler, second, author, transcript, coded
):
    admin_access = get_project_access(project_admin, "alpha")
    _set_round(state, admin_access, transcript, [enabler, second])
    for user in (project_admin, enabler, second, author):
        access = get_project_access(user, "alpha")
        quotes, links = page_quotes(access, transcript)
        expected = list(visible_quotes(access, transcript).order_by("start", "end", "pk"))
        assert [q.pk for q in quotes] == [q.pk for q in expected], (state, user.username)
        for row, quote in zip(quotes, expected, strict=True):
            assert (row.uuid, row.text, row.coder_name) == (
                quote.uuid, quote.text, quote.coder.username
            )  # fmt: skip
            assert (row.created_at, row.updated_at) == (quote.created_at, quote.updated_at)
            assert sorted(links[row.pk]) == sorted(quote.codings.values_list("tag_id", flat=True))
        uses = {theme.pk: theme.uses for theme in codebook_with_uses(access.project.pk, access)}
        assert uses == _orm_uses(access), (state, user.username)
    if state == "blind":  # the rule did hide something: the test can tell
        hidden = page_quotes(get_project_access(enabler, "alpha"), transcript)[0]
        assert {q.coder_id for q in hidden} == {enabler.pk}


def test_the_transcript_read_holds_its_relations_and_columns(
    project_admin, enabler, second, transcript, transcript_b, coded
):
    access = get_project_access(enabler, "alpha")
    read = get_transcript_with(access, transcript.pk, page_columns(access))
    assert read.text == transcript.text and read.interview_date == transcript.interview_date
    assert read.local_system.name == transcript.local_system.name
    assert read.enabler == enabler and read.project is access.project
    assert read.has_round is False and read.has_flags is False  # bools on SQLite too
    transcript.local_system = transcript.enabler = None
    transcript.save()
    bare = get_transcript_with(access, transcript.pk)
    assert bare.local_system is None and bare.enabler is None  # a LEFT JOIN's NULLs
    with pytest.raises(Http404):
        get_transcript_with(access, transcript_b.pk)  # another project's
    transcript.deleted_at = timezone.now()
    transcript.save()
    with pytest.raises(Http404):
        get_transcript_with(access, transcript.pk)  # in the bin


@pytest.mark.parametrize("role", ["admin", "coder"])
def test_has_flags_is_the_open_flags_rule(role, project_admin, enabler, second, transcript, coded):
    user = project_admin if role == "admin" else enabler
    access = get_project_access(user, "alpha")
    AnchorFlag.objects.create(  # on the second coder's quote
        quote=coded[1], version=1, old_start=5, old_end=9, old_text="x", new_text="y", reason="r"
    )
    flagged = get_transcript_with(access, transcript.pk, page_columns(access)).has_flags
    assert flagged is open_flags(transcript, access).exists()
    assert flagged is (role == "admin")


def test_the_status_columns_give_the_coders_status(
    project_admin, enabler, second, transcript, coded
):
    access = get_project_access(enabler, "alpha")
    columns = progress.status_columns(enabler)
    read = get_transcript_with(access, transcript.pk, columns)
    mine = Quote.all_objects.filter(transcript=transcript, coder=enabler)
    assert read.my_last == max(q.updated_at for q in mine)
    assert isinstance(read.my_last, datetime.datetime) and read.my_last.tzinfo is not None
    assert read.my_said is None and read.my_round_done is None and read.my_revealed is None
    assert progress.my_status(access, read) == progress.my_status(access, transcript)
    done = CoderStatus.objects.create(transcript=transcript, coder=enabler, done_at=timezone.now())
    read = get_transcript_with(access, transcript.pk, columns)
    assert read.my_said == done.done_at
    assert progress.my_status(access, read) == progress.my_status(access, transcript)
    assert progress.my_status(access, read) != progress.my_status(
        get_project_access(second, "alpha"), transcript
    )


def test_a_column_takes_its_parameters_in_order(enabler, transcript, coded):
    access = get_project_access(enabler, "alpha")
    columns = [
        Column("a", "SELECT COUNT(*) FROM coding_quote WHERE coder_id = %s AND transcript_id = t.id",
               Quote._meta.get_field("start"), (enabler.pk,)),
        Column("b", "SELECT %s", Quote._meta.get_field("start"), (7,)),
    ]  # fmt: skip
    read = get_transcript_with(access, transcript.pk, columns)
    assert (read.a, read.b) == (2, 7)


def test_the_page_splices_its_parts_in_once(client, enabler, transcript, coded):
    transcript.title = "<!--part:transcript_html--> & <!--part:panel_html-->"
    transcript.save()
    client.force_login(enabler)
    page = client.get(transcript.get_absolute_url()).content.decode()
    assert "<!--part:" not in page  # the title's copy is escaped, the markers are gone
    assert "&lt;!--part:transcript_html--&gt; &amp;" in page
    assert page.count('id="coding-data"') == 1 and page.count('id="quote-panel"') == 1
    body = re.search(r'<div id="transcript"[^>]*>(.*?)</div>\s*</div>\s*<button', page, re.S)
    assert f'id="quote-{coded[0].pk}"' in body.group(1)
    assert (
        page.index('id="transcript"')
        < page.index('id="quote-panel"')
        < page.index('id="coding-data"')
    )
    assert page.rstrip().endswith("</html>")
