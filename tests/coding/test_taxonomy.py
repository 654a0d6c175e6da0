"""Codebook services: merge, retire, reactivate and copy, with no coding lost."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coding.models import HeadlineQuote, Quote, QuoteTheme, Theme, ThemeSummary
from coding.taxonomy import copy_codebook, merge_themes, reactivate_themes, retire_themes

pytestmark = pytest.mark.django_db


def themes_of(quote: Quote) -> set[str]:
    return set(QuoteTheme.objects.filter(content_object=quote).values_list("tag__name", flat=True))


@pytest.fixture
def codebook(project_a):
    def make(name: str, parent: Theme | None = None, **extra) -> Theme:
        return Theme.objects.create(project=project_a, name=name, parent=parent, **extra)

    return make


def test_merge_moves_every_coding_without_duplicates(transcript, enabler, make_quote, codebook):
    keep = codebook("Blame culture")
    old = codebook("Naming and shaming")
    other = codebook("Finger pointing")
    unrelated = codebook("Tailored support")
    both = make_quote(transcript, 0, 10, enabler, keep, old)
    only_old = make_quote(transcript, 10, 20, enabler, old)
    two_merged = make_quote(transcript, 20, 30, enabler, old, other)
    untouched = make_quote(transcript, 30, 40, enabler, unrelated, other)
    codings_before = QuoteTheme.objects.count()

    result = merge_themes(survivor=keep, others=[old, other])

    assert themes_of(both) == {"Blame culture"}
    assert themes_of(only_old) == {"Blame culture"}
    assert themes_of(two_merged) == {"Blame culture"}
    assert themes_of(untouched) == {"Tailored support", "Blame culture"}
    assert not Theme.objects.filter(pk__in=[old.pk, other.pk]).exists()
    assert result.codings_moved == 3
    assert result.duplicates_dropped == 2
    assert QuoteTheme.objects.count() == codings_before - 2
    assert set(result.merged_names) == {"Naming and shaming", "Finger pointing"}


def test_merge_keeps_codings_of_soft_deleted_quotes(transcript, enabler, make_quote, codebook):
    keep, old = codebook("Keep"), codebook("Old")
    quote = make_quote(transcript, 0, 10, enabler, old)
    Quote.all_objects.filter(pk=quote.pk).update(deleted_at="2024-01-01T00:00:00Z")

    merge_themes(survivor=keep, others=[old])

    assert themes_of(quote) == {"Keep"}


def test_merge_moves_children_under_the_survivor(codebook):
    keep = codebook("Support")
    old = codebook("Help")
    child = codebook("Early help", parent=old)

    result = merge_themes(survivor=keep, others=[old])

    child.refresh_from_db()
    assert child.parent == keep
    assert result.children_moved == 1


def test_merging_a_parent_into_its_grandchild_leaves_no_cycle(codebook):
    top = codebook("Top")
    middle = codebook("Middle", parent=top)
    bottom = codebook("Bottom", parent=middle)

    merge_themes(survivor=bottom, others=[top])

    bottom.refresh_from_db()
    middle.refresh_from_db()
    assert bottom.parent is None
    assert middle.parent == bottom
    assert bottom.path == "Bottom"
    assert middle.path == "Bottom › Middle"


def test_merge_combines_summaries_and_headlines(
    project_a, transcript, enabler, make_quote, codebook
):
    keep, old = codebook("Keep"), codebook("Old")
    shared = make_quote(transcript, 0, 10, enabler, keep, old)
    extra = make_quote(transcript, 10, 20, enabler, old)
    keep_summary = ThemeSummary.objects.create(project=project_a, theme=keep, narrative="Kept.")
    old_summary = ThemeSummary.objects.create(project=project_a, theme=old, narrative="Merged.")
    HeadlineQuote.objects.create(summary=keep_summary, quote=shared, position=0)
    HeadlineQuote.objects.create(summary=old_summary, quote=shared, position=0)
    HeadlineQuote.objects.create(summary=old_summary, quote=extra, position=1)

    merge_themes(survivor=keep, others=[old])

    summary = ThemeSummary.objects.get(theme=keep)
    assert ThemeSummary.objects.count() == 1
    assert summary.narrative.startswith("Kept.")
    assert "Merged." in summary.narrative and "Old" in summary.narrative
    assert list(summary.headlines.values_list("quote_id", "position")) == [
        (shared.pk, 0),
        (extra.pk, 1),
    ]


def test_merge_moves_a_summary_to_a_survivor_without_one(project_a, codebook):
    keep, old = codebook("Keep"), codebook("Old")
    ThemeSummary.objects.create(project=project_a, theme=old, narrative="Only one.")

    merge_themes(survivor=keep, others=[old])

    assert ThemeSummary.objects.get().theme == keep


def test_merge_refuses_themes_of_two_projects_and_changes_nothing(
    transcript, enabler, make_quote, codebook, theme_b
):
    keep = codebook("Keep")
    quote = make_quote(transcript, 0, 10, enabler, keep)

    with pytest.raises(ValidationError, match="one project"):
        merge_themes(survivor=keep, others=[theme_b])

    assert Theme.objects.filter(pk=theme_b.pk).exists()
    assert themes_of(quote) == {"Keep"}


def test_merge_needs_another_theme(codebook):
    keep = codebook("Keep")
    with pytest.raises(ValidationError, match="at least one other"):
        merge_themes(survivor=keep, others=[keep])


def test_retire_hides_but_keeps_codings_and_reactivate_restores(
    transcript, enabler, make_quote, codebook
):
    theme = codebook("Old idea")
    quote = make_quote(transcript, 0, 10, enabler, theme)

    assert retire_themes(themes=[theme]) == 1
    theme.refresh_from_db()
    assert theme.is_active is False
    assert themes_of(quote) == {"Old idea"}
    assert retire_themes(themes=[theme]) == 0

    assert reactivate_themes(themes=[theme]) == 1
    theme.refresh_from_db()
    assert theme.is_active is True


def test_copy_codebook_copies_names_descriptions_colours_order_and_nesting(
    project_a, project_b, transcript, enabler, make_quote, codebook
):
    parent = codebook("National support", colour="#90caf9", description="Parent.", order=3)
    child = codebook("Tailored support", parent=parent, colour="#a5d6a7", order=1)
    retired = codebook("Old", is_active=False)
    codebook("Under retired", parent=retired)
    codebook("Proposed", is_proposed=True)
    make_quote(transcript, 0, 10, enabler, child)

    copies = copy_codebook(source=project_a, target=project_b)

    copied = {theme.name: theme for theme in Theme.objects.filter(project=project_b)}
    assert set(copied) == {"National support", "Tailored support", "Under retired"}
    assert len(copies) == 3
    assert copied["National support"].description == "Parent."
    assert copied["National support"].colour == "#90caf9"
    assert copied["National support"].order == 3
    assert copied["Tailored support"].parent == copied["National support"]
    assert copied["Under retired"].parent is None
    assert QuoteTheme.objects.filter(tag__project=project_b).count() == 0
    assert Theme.objects.filter(project=project_a).count() == 5


def test_copy_codebook_refuses_clashing_names_and_writes_nothing(project_a, project_b, codebook):
    codebook("Blame culture")
    codebook("Shared ownership")
    Theme.objects.create(project=project_b, name="blame CULTURE")

    with pytest.raises(ValidationError, match="blame CULTURE"):
        copy_codebook(source=project_a, target=project_b)

    assert Theme.objects.filter(project=project_b).count() == 1


def test_copy_codebook_refuses_the_same_project(project_a, codebook):
    codebook("Anything")
    with pytest.raises(ValidationError, match="different project"):
        copy_codebook(source=project_a, target=project_a)


def test_copy_codebook_refuses_an_empty_source(project_a, project_b):
    with pytest.raises(ValidationError, match="no active themes"):
        copy_codebook(source=project_a, target=project_b)
