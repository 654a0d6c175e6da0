"""coding/api.py: the JSON endpoints, with every validation rule and every kind of caller."""

from __future__ import annotations

import json
import unicodedata
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding.models import Quote, QuoteTheme, Theme
from interviews.models import Membership, Project, Transcript

pytestmark = pytest.mark.django_db


def quotes_url(transcript) -> str:
    return reverse("coding:api_quotes", args=[transcript.project.slug, transcript.pk])


def quote_url(quote, name="coding:api_quote", **extra) -> str:
    return reverse(name, kwargs={"project_slug": "alpha", "quote_id": quote.pk, **extra})


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def body_for(transcript, start, end, theme, **extra):
    body = {
        "start": start,
        "end": end,
        "text": transcript.text[start:end],
        "themes": [theme.pk],
    }
    body.update(extra)
    return body


@pytest.fixture
def as_enabler(client, enabler):
    client.force_login(enabler)
    return client


# --- create: what it costs -----------------------------------------------------------------


def membership_reads(queries) -> int:
    return sum('"interviews_membership"' in query["sql"] for query in queries)


@pytest.mark.parametrize("with_new_theme", [False, True])
def test_quote_creation_reads_the_membership_once(as_enabler, transcript, theme, with_new_theme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    extra = {"new_theme": "Discharge delays"} if with_new_theme else {}
    with CaptureQueriesContext(connection) as queries:
        response = post_json(
            as_enabler, quotes_url(transcript), body_for(transcript, 0, 3, theme, **extra)
        )
    assert response.status_code == 201, response.content
    assert membership_reads(queries.captured_queries) == 1
    assert Theme.objects.filter(name="Discharge delays").exists() is with_new_theme


def test_a_refused_quote_with_a_new_theme_writes_nothing(as_enabler, transcript, theme):
    body = body_for(transcript, 0, 3, theme, new_theme="Never saved", text="not the text")
    response = post_json(as_enabler, quotes_url(transcript), body)
    assert response.status_code == 400
    assert not Theme.objects.filter(name="Never saved").exists()
    assert Quote.all_objects.count() == 0


# --- create: the C1 list and the other validation rules --------------------------------


@pytest.mark.parametrize(
    "start, end",
    [
        (-1, 5),
        (5, 5),
        (9, 3),
        (0, 10_000),
        (2**31, 2**31 + 5),
        (2**63, 2**63 + 5),
        (0, 2**63),
        ("0", "5"),
        (0.0, 5.0),
        (0, 5.5),
        (None, 5),
        (0, None),
        (True, 5),
    ],
)
def test_create_refuses_bad_offsets_with_400(as_enabler, transcript, theme, start, end):
    body = {"start": start, "end": end, "text": transcript.text[0:5], "themes": [theme.pk]}
    response = post_json(as_enabler, quotes_url(transcript), body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert Quote.all_objects.count() == 0


def test_offset_error_names_the_field(as_enabler, transcript, theme):
    body = {"start": "3", "end": 5, "text": "x", "themes": [theme.pk]}
    response = post_json(as_enabler, quotes_url(transcript), body)
    assert response.json()["error"].startswith("start:")


def test_create_refuses_a_huge_json_number(as_enabler, transcript, theme):
    raw = '{"start": 0, "end": 1' + "0" * 5000 + ', "text": "P", "themes": [%d]}' % theme.pk
    response = as_enabler.post(quotes_url(transcript), data=raw, content_type="application/json")
    assert response.status_code == 400
    assert Quote.all_objects.count() == 0


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"text"', "{", "NaN"])
def test_create_refuses_bodies_that_are_not_a_json_object(as_enabler, transcript, raw):
    response = as_enabler.post(quotes_url(transcript), data=raw, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_create_refuses_text_that_does_not_match(as_enabler, transcript, theme):
    body = body_for(transcript, 0, 5, theme, text="P02: ")
    response = post_json(as_enabler, quotes_url(transcript), body)
    assert response.status_code == 400
    assert "does not match" in response.json()["error"]


@pytest.mark.parametrize("text", [None, 5, ["P01: "]])
def test_create_refuses_text_that_is_not_a_string(as_enabler, transcript, theme, text):
    response = post_json(
        as_enabler, quotes_url(transcript), body_for(transcript, 0, 5, theme, text=text)
    )
    assert response.status_code == 400


def test_create_refuses_a_theme_of_another_project(as_enabler, transcript, theme_b):
    response = post_json(as_enabler, quotes_url(transcript), body_for(transcript, 0, 5, theme_b))
    assert response.status_code == 400
    assert "no theme" in response.json()["error"]
    assert Quote.all_objects.count() == 0


def test_create_refuses_a_retired_theme(as_enabler, transcript, theme):
    theme.is_active = False
    theme.save()
    response = post_json(as_enabler, quotes_url(transcript), body_for(transcript, 0, 5, theme))
    assert response.status_code == 400
    assert "retired" in response.json()["error"]


@pytest.mark.parametrize("themes", [[], ["1"], [1.5], "1", [None]])
def test_create_refuses_missing_or_malformed_themes(as_enabler, transcript, themes):
    body = {"start": 0, "end": 5, "text": transcript.text[:5], "themes": themes}
    response = post_json(as_enabler, quotes_url(transcript), body)
    assert response.status_code == 400


def test_create_refuses_a_bad_uuid(as_enabler, transcript, theme):
    response = post_json(
        as_enabler, quotes_url(transcript), body_for(transcript, 0, 5, theme, uuid="nope")
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("uuid:")


def test_bad_new_theme_writes_nothing(as_enabler, transcript, theme):
    body = body_for(transcript, 0, 5, theme, new_theme="Fresh", text="wrong")
    response = post_json(as_enabler, quotes_url(transcript), body)
    assert response.status_code == 400
    assert Theme.objects.filter(name="Fresh").count() == 0


# --- create: who may ------------------------------------------------------------------


def test_author_gets_403(client, author, transcript, theme):
    client.force_login(author)
    response = post_json(client, quotes_url(transcript), body_for(transcript, 0, 5, theme))
    assert response.status_code == 403
    assert response.json()["error"]
    assert Quote.all_objects.count() == 0


def test_outsider_gets_404(client, outsider, transcript, theme):
    client.force_login(outsider)
    response = post_json(client, quotes_url(transcript), body_for(transcript, 0, 5, theme))
    assert response.status_code == 404
    assert Quote.all_objects.count() == 0


def test_member_of_a_gets_404_for_a_transcript_of_b(as_enabler, transcript_b, theme_b):
    url = reverse("coding:api_quotes", args=["alpha", transcript_b.pk])
    response = post_json(as_enabler, url, body_for(transcript_b, 0, 5, theme_b))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, transcript, theme):
    response = post_json(client, quotes_url(transcript), body_for(transcript, 0, 5, theme))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Quote.all_objects.count() == 0


def test_post_without_csrf_token_is_refused(enabler, transcript, theme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enabler)
    response = post_json(client, quotes_url(transcript), body_for(transcript, 0, 5, theme))
    assert response.status_code == 403
    assert Quote.all_objects.count() == 0


def test_post_with_csrf_token_is_accepted(enabler, transcript, theme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enabler)
    page = client.get(transcript.get_absolute_url())
    token = page.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = client.post(
        quotes_url(transcript),
        data=json.dumps(body_for(transcript, 0, 5, theme)),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201


def test_wrong_method_answers_405_for_members(as_enabler, transcript, theme, make_quote, enabler):
    quote = make_quote(transcript, 0, 5, enabler, theme)
    response = as_enabler.get(quote_url(quote, "coding:api_quote_delete"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert Quote.objects.count() == 1


# --- create: success, idempotency -------------------------------------------------------


def test_create_returns_the_saved_quote(as_enabler, transcript, theme, enabler):
    start = transcript.text.index("It never")
    end = start + len("It never did.")
    response = post_json(
        as_enabler, quotes_url(transcript), body_for(transcript, start, end, theme, memo="note")
    )
    assert response.status_code == 201
    assert response["Cache-Control"].count("no-store") == 1
    data = response.json()["quote"]
    quote = Quote.objects.get()
    assert data["id"] == quote.pk
    assert (data["start"], data["end"], data["text"]) == (start, end, "It never did.")
    assert data["themes"] == [theme.pk]
    assert data["theme_details"][0]["path"] == "Tailored support"
    assert data["coder"] == {"id": enabler.pk, "name": "enabler_a"}
    assert data["memo"] == "note"
    assert data["can_edit"] is True
    assert quote.text == transcript.text[start:end]


def test_create_by_form_post(as_enabler, transcript, theme, project_a):
    other = Theme.objects.create(project=project_a, name="Blame culture")
    response = as_enabler.post(
        quotes_url(transcript),
        {"start": "0", "end": "5", "text": transcript.text[:5], "themes": [theme.pk, other.pk]},
    )
    assert response.status_code == 201
    assert set(Quote.objects.get().themes.all()) == {theme, other}


@pytest.mark.parametrize("start", ["-1", "1.0", "0x1", " 1", "", "1e3"])
def test_form_post_refuses_non_digit_offsets(as_enabler, transcript, theme, start):
    response = as_enabler.post(
        quotes_url(transcript),
        {"start": start, "end": "5", "text": transcript.text[:5], "themes": [theme.pk]},
    )
    assert response.status_code == 400
    assert Quote.all_objects.count() == 0


def test_same_uuid_twice_is_one_quote(as_enabler, transcript, theme):
    key = str(uuid.uuid4())
    body = body_for(transcript, 0, 5, theme, uuid=key)
    first = post_json(as_enabler, quotes_url(transcript), body)
    second = post_json(as_enabler, quotes_url(transcript), body)
    assert first.json()["quote"]["id"] == second.json()["quote"]["id"]
    assert first.json()["quote"]["uuid"] == key
    assert Quote.all_objects.count() == 1
    assert QuoteTheme.objects.count() == 1


def test_same_span_twice_is_one_quote_with_both_themes(as_enabler, transcript, theme, project_a):
    other = Theme.objects.create(project=project_a, name="Blame culture")
    post_json(as_enabler, quotes_url(transcript), body_for(transcript, 0, 5, theme))
    response = post_json(as_enabler, quotes_url(transcript), body_for(transcript, 0, 5, other))
    assert Quote.all_objects.count() == 1
    assert sorted(response.json()["quote"]["themes"]) == sorted([theme.pk, other.pk])


def test_create_with_a_new_theme_proposes_it(as_enabler, transcript, enabler):
    body = {"start": 0, "end": 5, "text": transcript.text[:5], "new_theme": "Winter pressure"}
    response = post_json(as_enabler, quotes_url(transcript), body)
    assert response.status_code == 201
    theme = Theme.objects.get(name="Winter pressure")
    assert theme.is_proposed and theme.proposed_by == enabler
    assert response.json()["quote"]["theme_details"][0]["proposed"] is True


def test_new_theme_refused_when_the_project_forbids_it(as_enabler, transcript, project_a):
    project_a.enablers_can_propose_themes = False
    project_a.save()
    body = {"start": 0, "end": 5, "text": transcript.text[:5], "new_theme": "Winter pressure"}
    response = post_json(as_enabler, quotes_url(transcript), body)
    assert response.status_code == 400
    assert "only an admin" in response.json()["error"]
    assert Quote.all_objects.count() == 0
    assert Theme.objects.filter(name="Winter pressure").count() == 0


# --- the other endpoints --------------------------------------------------------------


@pytest.fixture
def quote(transcript, enabler, theme, make_quote):
    start = transcript.text.index("support would")
    return make_quote(transcript, start, start + len("support"), enabler, theme)


@pytest.fixture
def other_theme(project_a):
    return Theme.objects.create(project=project_a, name="Blame culture", colour="#e91e63")


def test_detail(as_enabler, quote):
    response = as_enabler.get(quote_url(quote))
    assert response.status_code == 200
    assert response.json()["quote"]["text"] == "support"


def test_add_theme_by_id_and_by_new_name(as_enabler, quote, other_theme):
    url = quote_url(quote, "coding:api_quote_add_theme")
    response = post_json(as_enabler, url, {"theme": other_theme.pk})
    assert response.status_code == 200
    assert other_theme.pk in response.json()["quote"]["themes"]
    response = post_json(as_enabler, url, {"new_theme": "Handover delays"})
    assert response.status_code == 200
    assert set(quote.themes.values_list("name", flat=True)) == {
        "Tailored support",
        "Blame culture",
        "Handover delays",
    }


def test_add_theme_validation(as_enabler, quote, theme_b, other_theme):
    url = quote_url(quote, "coding:api_quote_add_theme")
    assert post_json(as_enabler, url, {}).status_code == 400
    assert post_json(as_enabler, url, {"theme": "1"}).status_code == 400
    assert post_json(as_enabler, url, {"theme": theme_b.pk}).status_code == 400
    other_theme.is_active = False
    other_theme.save()
    response = post_json(as_enabler, url, {"theme": other_theme.pk})
    assert response.status_code == 400
    assert "retired" in response.json()["error"]
    assert quote.themes.count() == 1


def test_remove_theme(as_enabler, quote, theme, other_theme):
    QuoteTheme.objects.create(content_object=quote, tag=other_theme)
    url = quote_url(quote, "coding:api_quote_remove_theme", theme_id=theme.pk)
    response = as_enabler.post(url)
    assert response.status_code == 200
    assert response.json()["quote"]["themes"] == [other_theme.pk]
    last = quote_url(quote, "coding:api_quote_remove_theme", theme_id=other_theme.pk)
    assert as_enabler.post(last).status_code == 400


def test_remove_theme_of_another_project_is_404(as_enabler, quote, theme_b):
    url = quote_url(quote, "coding:api_quote_remove_theme", theme_id=theme_b.pk)
    assert as_enabler.post(url).status_code == 404


def test_edit_memo(as_enabler, quote):
    url = quote_url(quote, "coding:api_quote_memo")
    response = post_json(as_enabler, url, {"memo": "<b>why</b>"})
    assert response.status_code == 200
    quote.refresh_from_db()
    assert quote.memo == "<b>why</b>"
    assert post_json(as_enabler, url, {"memo": 5}).status_code == 400
    assert post_json(as_enabler, url, {"memo": "x" * 10_001}).status_code == 400


def test_adjust(as_enabler, quote, transcript):
    url = quote_url(quote, "coding:api_quote_adjust")
    response = post_json(as_enabler, url, {"edge": "end", "action": "widen"})
    assert response.status_code == 200
    assert response.json()["quote"]["text"] == "support would"
    response = post_json(as_enabler, url, {"edge": "start", "action": "widen"})
    assert response.json()["quote"]["text"] == "told support would"
    quote.refresh_from_db()
    assert transcript.text[quote.start : quote.end] == quote.text == "told support would"
    assert post_json(as_enabler, url, {"edge": "middle", "action": "widen"}).status_code == 400
    assert post_json(as_enabler, url, {"edge": "end", "action": "grow"}).status_code == 400


def test_adjust_past_one_word_is_400(as_enabler, quote):
    url = quote_url(quote, "coding:api_quote_adjust")
    response = post_json(as_enabler, url, {"edge": "end", "action": "narrow"})
    assert response.status_code == 400
    assert "one word" in response.json()["error"]


def test_delete_then_undo(as_enabler, quote):
    response = as_enabler.post(quote_url(quote, "coding:api_quote_delete"))
    assert response.status_code == 200
    assert response.json()["quote"]["deleted"] is True
    assert Quote.objects.count() == 0
    assert as_enabler.get(quote_url(quote)).status_code == 404
    response = as_enabler.post(quote_url(quote, "coding:api_quote_restore"))
    assert response.status_code == 200
    assert response.json()["quote"]["deleted"] is False
    assert Quote.objects.get().pk == quote.pk


def test_other_coder_may_not_edit_but_an_admin_may(
    client, quote, make_user, project_a, project_admin
):
    colleague = make_user("colleague")
    Membership.objects.create(user=colleague, project=project_a, role=Membership.Role.ENABLER)
    client.force_login(colleague)
    assert client.get(quote_url(quote)).json()["quote"]["can_edit"] is False
    for name in ("coding:api_quote_memo", "coding:api_quote_delete", "coding:api_quote_adjust"):
        response = post_json(
            client, quote_url(quote, name), {"memo": "x", "edge": "end", "action": "widen"}
        )
        assert response.status_code == 403, name
    client.force_login(project_admin)
    assert client.post(quote_url(quote, "coding:api_quote_delete")).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "coding:api_quote_add_theme",
        "coding:api_quote_memo",
        "coding:api_quote_adjust",
        "coding:api_quote_delete",
        "coding:api_quote_restore",
    ],
)
def test_author_gets_403_on_every_write(client, author, quote, name):
    client.force_login(author)
    response = post_json(client, quote_url(quote, name), {"memo": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "coding:api_quote",
        "coding:api_quote_add_theme",
        "coding:api_quote_memo",
        "coding:api_quote_adjust",
        "coding:api_quote_delete",
        "coding:api_quote_restore",
    ],
)
def test_outsider_gets_404_and_anonymous_is_sent_to_login(client, outsider, quote, name):
    for method in ("get", "post"):
        response = getattr(client, method)(quote_url(quote, name))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    client.force_login(outsider)
    for method in ("get", "post"):
        assert getattr(client, method)(quote_url(quote, name)).status_code == 404
    assert Quote.objects.get().memo == ""


# --- polling -------------------------------------------------------------------------


def test_list_and_changes_since(as_enabler, quote, transcript):
    response = as_enabler.get(quotes_url(transcript))
    assert response.status_code == 200
    body = response.json()
    assert [q["id"] for q in body["quotes"]] == [quote.pk]
    assert body["themes"][0]["name"] == "Tailored support"
    since = body["now"]
    assert as_enabler.get(quotes_url(transcript), {"since": since}).json()["quotes"] == []
    as_enabler.post(quote_url(quote, "coding:api_quote_delete"))
    changed = as_enabler.get(quotes_url(transcript), {"since": since}).json()["quotes"]
    assert [(q["id"], q["deleted"]) for q in changed] == [(quote.pk, True)]


def test_since_must_be_a_date(as_enabler, transcript):
    response = as_enabler.get(quotes_url(transcript), {"since": "yesterday"})
    assert response.status_code == 400


def test_author_may_read_the_list(client, author, quote, transcript):
    client.force_login(author)
    body = client.get(quotes_url(transcript)).json()
    assert body["quotes"][0]["can_edit"] is False


def test_list_query_count_is_fixed(
    as_enabler, transcript, enabler, theme, make_quote, django_assert_num_queries
):
    make_quote(transcript, 0, 3, enabler, theme)
    with django_assert_num_queries(7):
        as_enabler.get(quotes_url(transcript))
    for n in range(1, 30):
        make_quote(transcript, n, n + 3, enabler, theme)
    with django_assert_num_queries(7):
        as_enabler.get(quotes_url(transcript))


# --- property: the API accepts iff 0 <= s < e <= len, and stores text[s:e] ----------------

PIECES = st.sampled_from(
    list("ab c\n.") + ["\r\n", "\r", "😊", "𝒜", "🇬🇧", "e\u0301", "\u0301", "שלום", "مرحبا", "“"]
)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pieces=st.lists(PIECES, min_size=1, max_size=30),
    start=st.integers(min_value=-2, max_value=70),
    end=st.integers(min_value=-2, max_value=70),
)
def test_property_api_accepts_iff_in_range(as_enabler, project_a, theme, pieces, start, end):
    raw = "".join(pieces)
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    transcript = Transcript.objects.create(project=project_a, title="t", text=text)
    body = {
        "start": start,
        "end": end,
        "text": text[max(start, 0) : max(end, 0)],
        "themes": [theme.pk],
    }
    response = post_json(as_enabler, quotes_url(transcript), body)
    if 0 <= start < end <= len(text):
        assert response.status_code == 201, response.json()
        stored = Quote.objects.get(pk=response.json()["quote"]["id"])
        assert stored.text == text[start:end]
        assert response.json()["quote"]["text"] == text[start:end]
    else:
        assert response.status_code == 400
        assert not Quote.all_objects.filter(transcript=transcript).exists()


def test_create_costs_a_fixed_number_of_queries(
    as_enabler, transcript, theme, make_quote, enabler, django_assert_max_num_queries
):
    counts = []
    for n in range(3):
        for k in range(20):  # more quotes on the transcript each round
            make_quote(transcript, 40 + n * 20 + k, 45 + n * 20 + k, enabler, theme)
        # 13 statements and 8 savepoint commands: session, user, access, transcript, themes,
        # role, uuid, span, check constraint, 2 inserts, and the 2 reads of the answer; the
        # audit trail's 2 entries (the quote's and its coding's, which reads its project).
        with django_assert_max_num_queries(24) as captured:
            body = body_for(transcript, n, n + 4, theme, uuid=str(uuid.uuid4()))
            assert post_json(as_enabler, quotes_url(transcript), body).status_code == 201
        counts.append(len(captured.captured_queries))
    assert len(set(counts)) == 1


def work_statements(queries) -> list[str]:
    """The statements that read or write rows, without the BEGIN and COMMIT of the one
    transaction (which the query log shows as statements too)."""
    control = ("BEGIN", "COMMIT", "ROLLBACK")
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(control) and not is_bookkeeping(q["sql"])
    ]


def is_bookkeeping(sql: str) -> bool:
    """The audit trail's entries (issue 14: one per row written, in the same transaction)
    with the content type it names (read once per process, then cached): counted by
    `audit_entries`, not against the write's own budget."""
    return sql.startswith('INSERT INTO "auditlog_logentry"') or "django_content_type" in sql


def audit_entries(queries) -> int:
    return sum(
        1 for q in queries.captured_queries if 'INSERT INTO "auditlog_logentry"' in q["sql"]
    )


def quote_writes(queries) -> list[str]:
    """The statements that write the quote and its codings: one WITH statement on
    PostgreSQL (coding/quote_insert.py, its audit entry too), two INSERTs elsewhere."""
    return [
        sql
        for sql in work_statements(queries)
        if sql.startswith(("INSERT", "WITH")) and "coding_quote" in sql
    ]


def assert_one_write_per_table(queries) -> None:
    writes = quote_writes(queries)
    if connection.vendor == "postgresql":
        assert len(writes) == 1 and writes[0].startswith("WITH"), writes
        assert all(
            f'INSERT INTO "{t}"' in writes[0] for t in ("coding_quote", "coding_quotetheme")
        )
    else:
        assert [sql.split()[0] for sql in writes] == ["INSERT", "INSERT"], writes


@pytest.mark.django_db(transaction=True)
def test_a_quote_post_costs_at_most_6_statements_after_the_session(enabler, transcript, theme):
    """Issue 19: one membership read, one insert per table, no savepoint that protects
    nothing. The session and its user cost two reads before the view (7 in all)."""
    from django.test import Client

    client = Client()
    client.force_login(enabler)
    url = f"/p/{transcript.project.slug}/transcripts/{transcript.pk}/quotes/"
    body = {"start": 5, "end": 12, "text": transcript.text[5:12], "themes": [theme.pk]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201
    statements = work_statements(queries)
    view = [sql for sql in statements if "django_session" not in sql and "auth_user" not in sql]
    assert len(view) <= 5, view  # membership, transcript, codebook, 2 inserts (or 1)
    assert len(statements) <= 7, statements
    assert not any("SAVEPOINT" in sql for sql in statements)
    assert_one_write_per_table(queries)
    assert audit_entries(queries) >= 1  # the new quote is on the trail
    # The trail's diff once read the quote's reverse one-to-one embedding: one query more.
    assert not any("coding_embedding" in q["sql"] for q in queries.captured_queries)
    assert response.json()["quote"]["themes"] == [theme.pk]
    assert response.json()["quote"]["theme_details"][0]["name"] == theme.name


@pytest.mark.django_db(transaction=True)
def test_an_api_quote_post_costs_at_most_6_statements(enabler, transcript, theme):
    from django.test import Client

    from aefront.api.tokens import issue_token

    _, raw = issue_token(user=enabler, name="t", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {
        "transcript": transcript.pk,
        "start": 5,
        "end": 12,
        "text": transcript.text[5:12],
        "themes": [theme.pk],
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/api/v1/projects/{transcript.project.slug}/quotes/",
            body,
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    statements = work_statements(queries)
    # token + user + membership in one read, the transcript with the themes, 2 inserts
    # (1 on PostgreSQL)
    assert len(statements) <= (3 if connection.vendor == "postgresql" else 4), statements
    assert "api_accesstoken" in statements[0] and "interviews_membership" in statements[0]
    assert "interviews_transcript" in statements[1] and "coding_theme" in statements[1]
    assert not any("interviews_membership" in sql for sql in statements[1:])
    assert not any("SAVEPOINT" in sql for sql in statements)
    assert_one_write_per_table(queries)
    assert audit_entries(queries) >= 1
    assert response.json()["themes"] == [theme.pk]


@pytest.mark.django_db
def test_an_api_quote_post_reads_its_themes_with_the_transcript(enabler, transcript, theme):
    """The themes come joined to the transcript's row: two themes (one named twice) are
    both coded; a theme of another project, or none at all, answers 404 and writes
    nothing; another project's transcript is a 404 before any theme is looked at."""
    from django.test import Client

    from aefront.api.tokens import issue_token

    _, raw = issue_token(user=enabler, name="t", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    project = transcript.project
    second = Theme.objects.create(project=project, name="Second theme")
    other = Project.objects.create(name="Elsewhere", slug="elsewhere")
    foreign = Theme.objects.create(project=other, name="Foreign theme")
    foreign_transcript = Transcript.objects.create(project=other, title="Theirs", text="x" * 40)
    url = f"/api/v1/projects/{project.slug}/quotes/"

    def post(themes, at=5, on=transcript.pk):
        body = {"transcript": on, "start": at, "end": at + 4, "themes": themes}
        body["text"] = transcript.text[at : at + 4]
        return client.post(url, body, content_type="application/json")

    both = post([second.pk, theme.pk, second.pk])
    assert both.status_code == 201, both.content
    assert sorted(both.json()["themes"]) == sorted([theme.pk, second.pk])
    before = Quote.objects.count()
    refused = post([theme.pk, foreign.pk], at=20)
    assert refused.status_code == 404
    assert f"No theme {foreign.pk}" in refused.json()["error"]
    assert post([theme.pk + foreign.pk + 1000], at=20).status_code == 404
    assert post([theme.pk], at=20, on=foreign_transcript.pk).json()["error"] == (
        "No such transcript."
    )
    assert Quote.objects.count() == before


@pytest.mark.django_db
def test_a_retry_of_a_deleted_quote_answers_that_quote(client, enabler, transcript, theme):
    client.force_login(enabler)
    url = f"/p/{transcript.project.slug}/transcripts/{transcript.pk}/quotes/"
    key = str(uuid.uuid4())
    body = {"start": 5, "end": 12, "text": transcript.text[5:12], "themes": [theme.pk]}
    first = client.post(url, {**body, "uuid": key}, content_type="application/json").json()
    Quote.objects.filter(pk=first["quote"]["id"]).update(deleted_at="2026-01-01T00:00:00Z")
    again = client.post(url, {**body, "uuid": key}, content_type="application/json")
    assert again.status_code == 201
    assert again.json()["quote"]["id"] == first["quote"]["id"]
    assert again.json()["quote"]["deleted"] is True
    assert again.json()["quote"]["themes"] == [theme.pk]


@pytest.mark.django_db(transaction=True)
def test_an_api_quote_write_reads_its_passage_not_the_whole_text(enabler, transcript, theme):
    """The transcript is read for a write with its passage only (SUBSTR in the database),
    in code points as everywhere: accents and an emoji before the passage, a passage
    past the end refused naming the length, a changed text refused, another id 404."""
    from django.test import Client

    from aefront.api.tokens import issue_token

    transcript.text = "Café 😀 naïve: the ward’s staff were ✨ brilliant. " * 40
    transcript.save()
    _, raw = issue_token(user=enabler, name="t", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/projects/{transcript.project.slug}/quotes/"
    text = transcript.text

    def post(start, end, said=None, transcript_id=transcript.pk):
        body = {"transcript": transcript_id, "start": start, "end": end, "themes": [theme.pk]}
        body["text"] = text[start:end] if said is None else said
        return client.post(url, body, content_type="application/json")

    start = text.index("✨", 500)
    with CaptureQueriesContext(connection) as queries:
        made = post(start, start + 12)
    assert made.status_code == 201, made.content
    assert made.json()["text"] == "✨ brilliant." == text[start : start + 12]
    reads = [q["sql"] for q in queries.captured_queries if "interviews_transcript" in q["sql"]]
    assert len(reads) == 1 and "SUBSTR(" in reads[0]
    assert '"text"' not in reads[0].replace('SUBSTR(t."text"', "")  # nothing else of it

    past = post(len(text) - 3, len(text) + 4, said=text[-3:])
    assert past.status_code == 400
    assert f"end <= {len(text)}" in past.content.decode()
    changed = post(start, start + 12, said="✨ brilliant!")
    assert changed.status_code == 400 and "does not match" in changed.content.decode()
    assert post(start, start + 12, transcript_id=transcript.pk + 999).status_code == 404
    assert Quote.objects.filter(transcript=transcript).count() == 1
