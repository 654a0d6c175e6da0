"""coding/services.py: every write validated, atomic, idempotent and row-based."""

from __future__ import annotations

import threading
import unicodedata
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding import forms, services
from coding.models import MAX_MEMO_CHARS, Quote, QuoteTheme, Theme
from interviews.access import get_project_access
from interviews.models import Membership, Project, Transcript

pytestmark = pytest.mark.django_db


def by(user, thing):
    """The user's access to the project of a quote, a transcript or a project."""
    if isinstance(thing, Quote):
        thing = thing.transcript
    project = thing if isinstance(thing, Project) else thing.project
    return get_project_access(user, project.slug)


def code(transcript, start, end, coder, *themes, **extra):
    return services.code_passage(
        access=by(coder, transcript),
        transcript=transcript,
        start=start,
        end=end,
        text=transcript.text[start:end],
        themes=list(themes),
        **extra,
    )


# --- code_passage: validation ----------------------------------------------------------


@pytest.mark.parametrize(
    "start, end",
    [(-1, 5), (5, 5), (9, 3), (0, 10_000), (2**31, 2**31 + 1), (2**63, 2**63 + 1), (0, 2**63)],
)
def test_out_of_range_offsets_are_refused(transcript, enabler, theme, start, end):
    with pytest.raises(services.CodingError, match="0 <= start < end"):
        services.code_passage(
            access=by(enabler, transcript),
            transcript=transcript,
            start=start,
            end=end,
            text="x",
            themes=[theme],
        )
    assert Quote.all_objects.count() == 0


@pytest.mark.parametrize("value", ["3", 3.0, 3.5, None, True, [3]])
def test_offsets_that_are_not_integers_are_refused(value):
    # The form binds the API's JSON: only JSON integers are offsets.
    form = forms.QuoteCreateForm(
        {"start": value, "end": 9, "text": "x", "themes": [1]}, json_mode=True
    )
    assert not form.is_valid()
    expected = "required" if value is None else "whole number"
    assert expected in " ".join(form.errors["start"])


def test_text_must_equal_the_transcript_slice(transcript, enabler, theme):
    with pytest.raises(services.CodingError, match="does not match"):
        services.code_passage(
            transcript=transcript,
            start=0,
            end=3,
            text="P02",
            access=by(enabler, transcript),
            themes=[theme],
        )
    assert Quote.all_objects.count() == 0


def test_theme_of_another_project_is_refused(transcript, enabler, theme_b):
    with pytest.raises(services.CodingError, match="another project"):
        code(transcript, 0, 3, enabler, theme_b)
    assert Quote.all_objects.count() == 0


def test_retired_theme_is_refused(transcript, enabler, theme):
    theme.is_active = False
    theme.save()
    with pytest.raises(services.CodingError, match="retired"):
        code(transcript, 0, 3, enabler, theme)
    assert Quote.all_objects.count() == 0


def test_a_quote_needs_a_theme(transcript, enabler):
    with pytest.raises(services.CodingError, match="at least one theme"):
        code(transcript, 0, 3, enabler)


def test_author_may_not_code(transcript, author, theme):
    with pytest.raises(PermissionDenied, match="coding"):
        code(transcript, 0, 3, author, theme)
    assert Quote.all_objects.count() == 0


def test_outsider_may_not_code(transcript, outsider, theme):
    with pytest.raises(Http404):
        code(transcript, 0, 3, outsider, theme)


def test_a_transcript_of_another_project_is_not_found(transcript, project_b, enabler, theme):
    Membership.objects.create(user=enabler, project=project_b, role=Membership.Role.ENABLER)
    with pytest.raises(Http404):
        services.code_passage(
            access=by(enabler, project_b),
            transcript=transcript,
            start=0,
            end=3,
            text=transcript.text[0:3],
            themes=[theme],
        )
    assert Quote.all_objects.count() == 0


def test_memo_length_is_limited(transcript, enabler, theme):
    with pytest.raises(services.CodingError, match="memo"):
        code(transcript, 0, 3, enabler, theme, memo="x" * (MAX_MEMO_CHARS + 1))


# --- code_passage: what it stores ----------------------------------------------------


def test_code_passage_after_an_emoji_stores_code_points(transcript, enabler, theme):
    start = transcript.text.index("It never")
    quote = code(transcript, start, start + len("It never did."), enabler, theme, memo="m")
    quote.refresh_from_db()
    assert quote.text == "It never did."
    assert transcript.text[quote.start : quote.end] == quote.text
    assert list(quote.themes.all()) == [theme]
    assert quote.memo == "m"
    assert quote.coder == enabler


def test_same_uuid_twice_stores_one_quote(transcript, enabler, theme):
    key = uuid.uuid4()
    first = code(transcript, 0, 3, enabler, theme, key=key)
    again = code(transcript, 0, 3, enabler, theme, key=str(key))
    assert first.pk == again.pk
    assert Quote.all_objects.count() == 1
    assert QuoteTheme.objects.count() == 1
    assert Quote.objects.get().uuid == key


def test_same_uuid_on_another_span_is_refused(transcript, enabler, theme):
    key = uuid.uuid4()
    code(transcript, 0, 3, enabler, theme, key=key)
    with pytest.raises(services.CodingError, match="uuid"):
        code(transcript, 0, 4, enabler, theme, key=key)
    assert Quote.all_objects.count() == 1


def test_same_uuid_of_another_coder_is_refused(transcript, enabler, project_admin, theme):
    key = uuid.uuid4()
    code(transcript, 0, 3, enabler, theme, key=key)
    with pytest.raises(services.CodingError, match="uuid"):
        code(transcript, 0, 3, project_admin, theme, key=key)


def test_bad_uuid_is_refused(transcript, enabler, theme):
    with pytest.raises(services.CodingError, match="uuid"):
        code(transcript, 0, 3, enabler, theme, key="not-a-uuid")


def test_same_span_twice_adds_themes_to_one_quote(transcript, enabler, theme, project_a):
    other = Theme.objects.create(project=project_a, name="Blame culture")
    first = code(transcript, 0, 3, enabler, theme, memo="first")
    again = code(transcript, 0, 3, enabler, other, memo="second")
    assert first.pk == again.pk
    assert Quote.all_objects.count() == 1
    assert set(Quote.objects.get().themes.all()) == {theme, other}
    assert Quote.objects.get().memo == "first\n\nsecond"


def test_same_span_by_two_coders_is_two_quotes(transcript, enabler, project_admin, theme):
    code(transcript, 0, 3, enabler, theme)
    code(transcript, 0, 3, project_admin, theme)
    assert Quote.objects.count() == 2


def test_overlapping_and_nested_quotes_are_allowed(transcript, enabler, theme):
    code(transcript, 0, 20, enabler, theme)
    code(transcript, 10, 30, enabler, theme)
    code(transcript, 12, 15, enabler, theme)
    assert Quote.objects.count() == 3


# --- themes: find or propose -------------------------------------------------------------


def test_enabler_proposes_a_new_theme(project_a, enabler):
    theme = services.find_or_propose_theme(access=by(enabler, project_a), name="  Winter   beds ")
    assert (theme.name, theme.is_proposed, theme.proposed_by, theme.is_active) == (
        "Winter beds",
        True,
        enabler,
        True,
    )
    assert theme.project == project_a


def test_existing_name_in_any_case_is_reused(project_a, enabler, theme):
    assert (
        services.find_or_propose_theme(access=by(enabler, project_a), name="TAILORED support")
        == theme
    )
    assert Theme.objects.count() == 1


def test_proposing_is_refused_when_the_project_forbids_it(project_a, enabler):
    project_a.enablers_can_propose_themes = False
    project_a.save()
    with pytest.raises(services.CodingError, match="only an admin"):
        services.find_or_propose_theme(access=by(enabler, project_a), name="New")
    assert Theme.objects.count() == 0


def test_admin_may_always_add_a_theme(project_a, project_admin):
    project_a.enablers_can_propose_themes = False
    project_a.save()
    theme = services.find_or_propose_theme(access=by(project_admin, project_a), name="New")
    assert theme.is_proposed is False
    assert theme.proposed_by == project_admin


def test_retired_name_is_not_reused(project_a, enabler, theme):
    theme.is_active = False
    theme.save()
    with pytest.raises(services.CodingError, match="retired"):
        services.find_or_propose_theme(access=by(enabler, project_a), name=theme.name)


def test_blank_and_long_names_are_refused(project_a, enabler):
    with pytest.raises(services.CodingError, match="Type a theme name"):
        services.find_or_propose_theme(access=by(enabler, project_a), name="   ")
    with pytest.raises(services.CodingError, match="100"):
        services.find_or_propose_theme(access=by(enabler, project_a), name="x" * 101)


def test_author_may_not_propose(project_a, author):
    with pytest.raises(PermissionDenied):
        services.find_or_propose_theme(access=by(author, project_a), name="New")


# --- edits ---------------------------------------------------------------------------


@pytest.fixture
def other_theme(project_a):
    return Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")


def test_add_and_remove_theme(transcript, enabler, theme, other_theme):
    quote = code(transcript, 0, 3, enabler, theme)
    services.add_theme(access=by(enabler, quote), quote=quote, theme=other_theme)
    services.add_theme(
        access=by(enabler, quote), quote=quote, theme=other_theme
    )  # twice: still one row
    assert set(quote.themes.all()) == {theme, other_theme}
    assert QuoteTheme.objects.count() == 2
    services.remove_theme(access=by(enabler, quote), quote=quote, theme=theme)
    assert list(quote.themes.all()) == [other_theme]


def test_last_theme_cannot_be_removed(transcript, enabler, theme):
    quote = code(transcript, 0, 3, enabler, theme)
    with pytest.raises(services.CodingError, match="at least one theme"):
        services.remove_theme(access=by(enabler, quote), quote=quote, theme=theme)


def test_removing_a_theme_the_quote_lacks_is_refused(transcript, enabler, theme, other_theme):
    quote = code(transcript, 0, 3, enabler, theme)
    with pytest.raises(services.CodingError, match="not tagged"):
        services.remove_theme(access=by(enabler, quote), quote=quote, theme=other_theme)


def test_add_retired_or_foreign_theme_is_refused(transcript, enabler, theme, other_theme, theme_b):
    quote = code(transcript, 0, 3, enabler, theme)
    other_theme.is_active = False
    other_theme.save()
    with pytest.raises(services.CodingError, match="retired"):
        services.add_theme(access=by(enabler, quote), quote=quote, theme=other_theme)
    with pytest.raises(services.CodingError, match="another project"):
        services.add_theme(access=by(enabler, quote), quote=quote, theme=theme_b)


def test_a_refused_passage_proposes_no_theme(transcript, enabler, theme):
    with pytest.raises(services.CodingError, match="does not match"):
        services.code_passage(
            access=by(enabler, transcript),
            transcript=transcript,
            start=0,
            end=3,
            text="nope",
            new_theme="Brand new theme",
        )
    assert not Theme.objects.filter(name="Brand new theme").exists()


def test_new_theme_is_proposed_and_applied_in_one_call(transcript, enabler):
    quote = code(transcript, 0, 3, enabler, new_theme="Winter pressure")
    proposed = Theme.objects.get(name="Winter pressure")
    assert proposed.is_proposed
    assert list(quote.themes.all()) == [proposed]


def test_edit_memo(transcript, enabler, theme):
    quote = code(transcript, 0, 3, enabler, theme)
    services.edit_memo(access=by(enabler, quote), quote=quote, memo="Why this matters")
    quote.refresh_from_db()
    assert quote.memo == "Why this matters"


def test_only_the_coder_or_an_admin_may_edit(
    transcript, enabler, project_admin, make_user, project_a, theme
):
    colleague = make_user("colleague")
    Membership.objects.create(user=colleague, project=project_a, role=Membership.Role.ENABLER)
    quote = code(transcript, 0, 3, enabler, theme)
    with pytest.raises(PermissionDenied, match="Only the coder"):
        services.edit_memo(access=by(colleague, quote), quote=quote, memo="mine now")
    with pytest.raises(PermissionDenied):
        services.delete_quote(access=by(colleague, quote), quote=quote)
    services.edit_memo(access=by(project_admin, quote), quote=quote, memo="admin note")
    quote.refresh_from_db()
    assert quote.memo == "admin note"
    assert quote.deleted_at is None


TEXT = "Alpha beta  gamma delta."


@pytest.mark.parametrize(
    "start, end, edge, action, expected",
    [
        (6, 10, "start", "widen", "Alpha beta"),
        (7, 10, "start", "widen", "beta"),  # a word cut in half is completed first
        (6, 10, "end", "widen", "beta  gamma"),
        (6, 11, "end", "widen", "beta  gamma"),  # ends on a space: skips it
        (0, 17, "start", "narrow", "beta  gamma"),
        (0, 17, "end", "narrow", "Alpha beta"),
        (0, 23, "end", "widen", "Alpha beta  gamma delta."),
    ],
)
def test_adjusted_span(start, end, edge, action, expected):
    new_start, new_end = services.adjusted_span(TEXT, start, end, edge=edge, action=action)
    assert TEXT[new_start:new_end] == expected


@pytest.mark.parametrize(
    "start, end, edge, action",
    [
        (0, 5, "start", "widen"),
        (18, 24, "end", "widen"),
        (0, 5, "start", "narrow"),
        (0, 5, "end", "narrow"),
    ],
)
def test_adjusted_span_refuses_at_the_edges(start, end, edge, action):
    with pytest.raises(services.CodingError):
        services.adjusted_span(TEXT, start, end, edge=edge, action=action)


def test_adjust_quote_recomputes_the_text(transcript, enabler, theme):
    start = transcript.text.index("support would")
    quote = code(transcript, start, start + len("support"), enabler, theme)
    services.adjust_quote(access=by(enabler, quote), quote=quote, edge="end", action="widen")
    quote.refresh_from_db()
    assert quote.text == "support would"
    services.adjust_quote(access=by(enabler, quote), quote=quote, edge="start", action="widen")
    quote.refresh_from_db()
    assert quote.text == "told support would"
    assert transcript.text[quote.start : quote.end] == quote.text
    services.adjust_quote(access=by(enabler, quote), quote=quote, edge="start", action="narrow")
    services.adjust_quote(access=by(enabler, quote), quote=quote, edge="end", action="narrow")
    quote.refresh_from_db()
    assert quote.text == "support"


def test_adjust_onto_an_existing_span_is_a_conflict(transcript, enabler, theme):
    code(transcript, 0, 7, enabler, theme)  # "P01: We"
    quote = code(transcript, 0, 4, enabler, theme)  # "P01:"
    with pytest.raises(services.CodingError) as caught:
        services.adjust_quote(access=by(enabler, quote), quote=quote, edge="end", action="widen")
    assert caught.value.status == 409


def test_delete_is_soft_and_undo_restores(transcript, enabler, theme):
    quote = code(transcript, 0, 3, enabler, theme)
    services.delete_quote(access=by(enabler, quote), quote=quote)
    assert Quote.objects.count() == 0
    assert Quote.all_objects.get().deleted_at is not None
    assert QuoteTheme.objects.count() == 1  # kept, for the undo
    services.restore_quote(access=by(enabler, quote), quote=quote)
    restored = Quote.objects.get()
    assert restored.pk == quote.pk
    assert list(restored.themes.all()) == [theme]


def test_recoding_a_deleted_span_makes_a_new_quote_and_blocks_its_undo(transcript, enabler, theme):
    quote = code(transcript, 0, 3, enabler, theme)
    services.delete_quote(access=by(enabler, quote), quote=quote)
    fresh = code(transcript, 0, 3, enabler, theme)
    assert fresh.pk != quote.pk
    with pytest.raises(services.CodingError) as caught:
        services.restore_quote(access=by(enabler, quote), quote=quote)
    assert caught.value.status == 409


# --- property: random texts and random offsets --------------------------------------------

ALPHABET = st.sampled_from(
    list("ab c\n\t.")
    + [
        "\r\n",
        "\r",
        "😊",
        "𝒜",
        "🇬🇧",
        "e\u0301",
        "\u0301",
        "שלום",
        "مرحبا",
        "\u200f",
        "“",
        "”",
        "£",
    ]
)


def normalise(raw: str) -> str:
    """As the importer stores text: \\n line ends, NFC."""
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pieces=st.lists(ALPHABET, min_size=1, max_size=40),
    start=st.integers(min_value=-3, max_value=90),
    end=st.integers(min_value=-3, max_value=90),
)
def test_property_accepted_iff_in_range_and_text_is_exact(
    project_a, enabler, theme, pieces, start, end
):
    text = normalise("".join(pieces))
    transcript = Transcript.objects.create(project=project_a, title="t", text=text)
    submitted = text[max(start, 0) : max(end, 0)]
    valid = 0 <= start < end <= len(text)
    try:
        quote = services.code_passage(
            transcript=transcript,
            start=start,
            end=end,
            text=submitted,
            access=by(enabler, transcript),
            themes=[theme],
        )
    except services.CodingError:
        assert not valid
        assert not Quote.all_objects.filter(transcript=transcript).exists()
        return
    assert valid
    stored = Quote.objects.get(pk=quote.pk)
    assert stored.text == text[start:end]
    assert (stored.start, stored.end) == (start, end)


# --- concurrency (PostgreSQL) -------------------------------------------------------------


def run_threads(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def runner(n):
        try:
            barrier.wait(timeout=30)
            work(n)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_threads_of_twenty_five_quotes_store_exactly_250(
    transcript, theme, make_user, project_a
):
    coders = []
    for n in range(10):
        user = make_user(f"coder{n}")
        Membership.objects.create(user=user, project=project_a, role=Membership.Role.ENABLER)
        coders.append(user)
    transcript_id, theme_id = transcript.pk, theme.pk

    def work(n):
        mine = Transcript.objects.select_related("project").get(pk=transcript_id)
        my_theme = Theme.objects.get(pk=theme_id)
        for i in range(25):
            start = i * 4
            services.code_passage(
                transcript=mine,
                start=start,
                end=start + 3,
                text=mine.text[start : start + 3],
                access=by(coders[n], mine),
                themes=[my_theme],
                key=uuid.uuid4(),
            )

    errors = run_threads(10, work)
    assert errors == []
    assert Quote.objects.filter(transcript_id=transcript_id).count() == 250
    assert QuoteTheme.objects.count() == 250


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_threads_retrying_the_same_25_quotes_store_25(transcript, theme, enabler):
    keys = [uuid.uuid4() for _ in range(25)]
    transcript_id, theme_id = transcript.pk, theme.pk

    def work(n):
        mine = Transcript.objects.select_related("project").get(pk=transcript_id)
        my_theme = Theme.objects.get(pk=theme_id)
        for i in range(25):
            start = i * 4
            services.code_passage(
                transcript=mine,
                start=start,
                end=start + 3,
                text=mine.text[start : start + 3],
                access=by(enabler, mine),
                themes=[my_theme],
                key=keys[i] if n % 2 else None,
            )

    errors = run_threads(10, work)
    assert errors == []
    assert Quote.objects.filter(transcript_id=transcript_id).count() == 25
    assert QuoteTheme.objects.count() == 25
