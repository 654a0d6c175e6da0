"""Coding models: the database and clean() keep quotes and codebooks consistent."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coding.models import Quote, QuoteTheme, Theme, ThemeSummary

pytestmark = pytest.mark.django_db


def raw_quote(transcript, coder, start: int, end: int, text: str | None = None) -> Quote:
    return Quote(
        transcript=transcript,
        start=start,
        end=end,
        text=transcript.text[max(start, 0) : end] if text is None else text,
        coder=coder,
    )


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 5), (9, 3)])
def test_database_refuses_an_empty_or_negative_range(transcript, enabler, start, end):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_quote(transcript, enabler, start, end, text="x").save()


def test_clean_refuses_an_end_beyond_the_text(transcript, enabler):
    quote = raw_quote(transcript, enabler, 10, len(transcript.text) + 1)

    with pytest.raises(ValidationError, match="0 <= start < end"):
        quote.full_clean()


def test_clean_refuses_text_that_does_not_match_the_transcript(transcript, enabler):
    quote = raw_quote(transcript, enabler, 0, 5, text="Hello")

    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "does not match" in str(error.value.message_dict["text"])


def test_clean_accepts_a_span_after_an_emoji_counted_in_code_points(transcript, enabler):
    start = transcript.text.index("It never did.")
    quote = raw_quote(transcript, enabler, start, start + len("It never did."))

    quote.full_clean()

    assert quote.text == "It never did."
    assert transcript.text.index("😊") < start


def test_one_live_quote_per_coder_and_span_but_deleted_ones_do_not_count(
    transcript, enabler, author
):
    first = raw_quote(transcript, enabler, 0, 5)
    first.save()
    raw_quote(transcript, author, 0, 5).save()  # another coder: team coding
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_quote(transcript, enabler, 0, 5).save()

    Quote.objects.filter(pk=first.pk).update(deleted_at="2024-01-01T00:00:00Z")
    raw_quote(transcript, enabler, 0, 5).save()
    assert Quote.objects.count() == 2
    assert Quote.all_objects.count() == 3


def test_a_theme_is_applied_to_a_quote_once(transcript, enabler, theme, make_quote):
    quote = make_quote(transcript, 0, 5, enabler, theme)

    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteTheme.objects.create(content_object=quote, tag=theme)


def test_a_coded_theme_cannot_be_deleted(transcript, enabler, theme, make_quote):
    from django.db.models import ProtectedError

    make_quote(transcript, 0, 5, enabler, theme)

    with pytest.raises(ProtectedError):
        theme.delete()


def test_theme_names_are_unique_per_project_in_any_case(project_a):
    Theme.objects.create(project=project_a, name="Blame culture")

    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(project=project_a, name="BLAME CULTURE", slug="other")
    with pytest.raises(ValidationError):
        Theme(project=project_a, name="blame culture", slug="x").full_clean()


def test_the_same_theme_name_is_allowed_in_another_project(project_a, project_b):
    Theme.objects.create(project=project_a, name="Blame culture")
    other = Theme(project=project_b, name="Blame culture")
    other.slug = other.unique_slug()

    other.full_clean()
    other.save()

    assert other.slug == "blame-culture"


def test_theme_slugs_are_unique_per_project(project_a, project_b):
    Theme.objects.create(project=project_a, name="Blame", slug="blame")

    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(project=project_a, name="Blame 2", slug="blame")
    Theme.objects.create(project=project_b, name="Blame", slug="blame")


def test_a_new_theme_gets_a_free_slug(project_a):
    Theme.objects.create(project=project_a, name="Blame culture")
    Theme.objects.create(project=project_a, name="Blame culture!")  # same slug base

    assert sorted(Theme.objects.values_list("slug", flat=True)) == [
        "blame-culture",
        "blame-culture-2",
    ]


def test_theme_parent_must_be_in_the_same_project_and_not_a_cycle(project_a, theme_b):
    top = Theme.objects.create(project=project_a, name="Top")
    child = Theme.objects.create(project=project_a, name="Child", parent=top)

    top.parent = child
    with pytest.raises(ValidationError, match="inside itself"):
        top.full_clean()
    child.parent = theme_b
    with pytest.raises(ValidationError, match="another project"):
        child.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.filter(pk=top.pk).update(parent=top)


def test_theme_path_shows_the_nesting(project_a):
    top = Theme.objects.create(project=project_a, name="Culture")
    child = Theme.objects.create(project=project_a, name="Blame", parent=top)

    assert child.path == "Culture › Blame"
    assert str(child) == "Blame"


def test_one_summary_per_theme(project_a, theme):
    ThemeSummary.objects.create(project=project_a, theme=theme)

    with pytest.raises(IntegrityError), transaction.atomic():
        ThemeSummary.objects.create(project=project_a, theme=theme)


def test_quote_url_points_into_its_transcript_page(transcript, enabler, make_quote):
    quote = make_quote(transcript, 0, 5, enabler)

    assert quote.get_absolute_url() == (f"/p/alpha/transcripts/{transcript.pk}/#quote-{quote.pk}")


def test_a_slug_with_like_wildcards_matches_only_itself(project_a):
    """The slug read is a LIKE on the slug's start: names with its wildcards (`_` stays
    in a slug) and slugs that other slugs start with still get a free slug of their own,
    and a theme keeps its own slug."""
    Theme.objects.create(project=project_a, name="axb", slug="axb")
    Theme.objects.create(project=project_a, name="a_b first", slug="a_b")
    assert Theme(project=project_a, name="a_b").unique_slug() == "a_b-2"
    assert Theme(project=project_a, name="a%b").unique_slug() == "ab"
    assert Theme(project=project_a, name="ax").unique_slug() == "ax"
    Theme.objects.create(project=project_a, name="100 first", slug="100")
    assert Theme(project=project_a, name="100").unique_slug() == "100-2"
    taken = Theme.objects.get(slug="axb")
    assert taken.unique_slug() == "axb"  # its own slug is not taken from it
