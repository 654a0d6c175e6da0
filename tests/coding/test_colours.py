"""Theme colours: distinct palette colours at creation, 3:1 stripes and underlines."""

from __future__ import annotations

import pytest

from coding import colours
from coding.markup import strong_colour
from coding.models import Theme
from coding.services import find_or_propose_theme
from interviews.access import get_project_access


def test_the_palette_is_distinct_and_every_strong_variant_reaches_3_to_1():
    assert len(set(colours.PALETTE)) == len(colours.PALETTE)
    for colour in (*colours.PALETTE, "#ffffff", "#ffd54f", "#f0e442", "#000000"):
        assert colours.contrast(colours.strong(colour), colours.PAGE) >= 3.0
        # Black text stays readable on the fill (4.5:1 and more).
        if colour in colours.PALETTE:
            assert colours.contrast(colour, "#1d1d1b") >= 4.5


def test_next_colour_takes_an_unused_one_then_the_least_used():
    assert colours.next_colour([]) == colours.PALETTE[0]
    assert colours.next_colour([colours.PALETTE[0].upper()]) == colours.PALETTE[1]
    everything = list(colours.PALETTE) + [colours.PALETTE[0], colours.PALETTE[2]]
    assert colours.next_colour(everything) == colours.PALETTE[1]


@pytest.mark.django_db
def test_new_themes_get_distinct_colours_and_a_chosen_one_is_kept(project_a, project_admin):
    made = [
        Theme.objects.create(project=project_a, name=f"T{n}") for n in range(len(colours.PALETTE))
    ]
    assert sorted(theme.colour for theme in made) == sorted(colours.PALETTE)
    chosen = Theme.objects.create(project=project_a, name="Chosen", colour="#123456")
    assert chosen.colour == "#123456"
    proposed = find_or_propose_theme(
        access=get_project_access(project_admin, project_a.slug), name="While coding"
    )
    assert proposed.colour in colours.PALETTE
    made[0].colour = colours.UNCHOSEN
    made[0].save()  # an admin may still set any colour, this one included
    made[0].refresh_from_db()
    assert made[0].colour == colours.UNCHOSEN


def test_strong_colour_is_safe_for_any_input():
    assert strong_colour('"><script>') == colours.strong(colours.UNCHOSEN)
    assert strong_colour(None).startswith("#") and len(strong_colour(None)) == 7


@pytest.mark.django_db
def test_a_new_themes_slug_and_colour_come_from_one_statement_of_bounded_rows(project_a):
    """The read behind a new theme's slug and colour returns the slugs that start as its
    own and one row per colour, not a row per theme: with 40 themes of 2 colours, a
    base two of them share, the answer is 4 rows, and the slug and colour are right.
    A colour in upper case counts as the same colour."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coding.taxonomy import create_theme

    first, second = colours.PALETTE[:2]
    Theme.objects.bulk_create(
        [
            Theme(project=project_a, name=f"Other {n}", slug=f"other-{n}", colour=first)
            for n in range(20)
        ]
        + [
            Theme(project=project_a, name=f"Another {n}", slug=f"another-{n}", colour=second)
            for n in range(18)
        ]
        + [
            Theme(project=project_a, name="Blame", slug="blame", colour=second.upper()),
            Theme(project=project_a, name="Blame!", slug="blame-2", colour=second),
        ]
    )
    new = Theme(project=project_a, name="Blame")
    with CaptureQueriesContext(connection) as queries:
        slug = new.unique_slug()
    assert (slug, new.colour) == ("blame-3", colours.PALETTE[2])
    (read,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(*_as_executed(read["sql"], connection))
        assert len(cursor.fetchall()) == 2 + 2  # two slugs, two colours
    # Every colour used at least once: the least used one (first holds 20, second 20).
    Theme.objects.bulk_create(
        Theme(project=project_a, name=f"Full {c}", slug=f"full-{c}", colour=c)
        for c in colours.PALETTE[2:]
    )
    made = create_theme(project=project_a, name="One more")
    assert made.colour == colours.PALETTE[2]
    assert made.slug == "one-more"


def _as_executed(sql: str, connection) -> tuple[str, list]:
    """A captured statement runs again as captured (its parameters are inlined)."""
    return sql.replace("%", "%%"), []
