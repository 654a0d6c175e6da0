"""The public API (/api/v1/): every endpoint of the schema as owner (project admin),
collaborator (enabler), author, outsider and anonymous; tokens and their scope; CSRF
for the session; JSON errors; constant query counts; the schema validates; and no
response ever carries a participant's real name."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from aefront.api.models import AccessToken
from aefront.api.tokens import digest_of, issue_token
from coding.models import HeadlineQuote, Quote, QuoteTheme, RedactionTerm, Theme, ThemeSummary
from interviews.models import (
    LocalSystem,
    Membership,
    Participant,
    Project,
    SpeakerTurn,
    Transcript,
)

REAL_NAME = "Zebedee Quimby-Fairweather"
ROLES = ("owner", "collaborator", "author", "outsider", "anonymous")
OK, NEW, GONE = 200, 201, 204

# (method, schema path) -> (body, {role: status}); "member" fills owner, collaborator, author.
E = {"owner": 403, "collaborator": 403, "author": 403}  # nobody in the project may


def statuses(owner, collaborator, author, outsider=404, anonymous=401):
    return {
        "owner": owner,
        "collaborator": collaborator,
        "author": author,
        "outsider": outsider,
        "anonymous": anonymous,
    }


ALL_READ = statuses(OK, OK, OK)
ADMIN_ONLY_READ = statuses(OK, 403, 403)
P = "/api/v1/projects/{project_slug}/"
CASES = {
    ("get", "/api/v1/projects/"): (None, statuses(OK, OK, OK, OK)),
    ("post", "/api/v1/projects/"): ({"name": "New", "slug": "new"}, statuses(403, 403, 403, 403)),
    ("get", P): (None, ALL_READ),
    ("patch", P): ({"description": "Changed"}, statuses(OK, 403, 403)),
    ("get", P + "memberships/"): (None, ADMIN_ONLY_READ),
    ("post", P + "memberships/"): (
        {"username": "newcomer", "role": "enabler"},
        statuses(NEW, 403, 403),
    ),
    ("get", P + "memberships/{id}/"): ("membership", ADMIN_ONLY_READ),
    ("patch", P + "memberships/{id}/"): ({"role": "enabler"}, statuses(OK, 403, 403)),
    ("delete", P + "memberships/{id}/"): (None, statuses(GONE, 403, 403)),
    ("get", P + "local-systems/"): (None, ALL_READ),
    ("get", P + "participants/"): (None, ALL_READ),
    ("get", P + "transcripts/"): (None, ALL_READ),
    ("post", P + "transcripts/"): ("upload", statuses(NEW, NEW, 403)),
    ("get", P + "transcripts/{id}/"): ("transcript", ALL_READ),
    ("patch", P + "transcripts/{id}/"): ({"title": "Board chair"}, statuses(OK, OK, 403)),
    ("get", P + "themes/"): (None, ALL_READ),
    ("post", P + "themes/"): ({"name": "Winter pressure"}, statuses(NEW, 403, 403)),
    ("get", P + "themes/{id}/"): ("theme", ALL_READ),
    ("patch", P + "themes/{id}/"): ({"description": "When to use"}, statuses(OK, 403, 403)),
    ("get", P + "quotes/"): (None, ALL_READ),
    ("post", P + "quotes/"): ("new_quote", statuses(NEW, NEW, 403)),
    ("get", P + "quotes/{id}/"): ("quote", ALL_READ),
    ("patch", P + "quotes/{id}/"): ({"memo": "A memo"}, statuses(OK, OK, 403)),
    ("delete", P + "quotes/{id}/"): (None, statuses(GONE, GONE, 403)),
    ("get", P + "summaries/"): (None, ALL_READ),
    ("get", P + "redaction-terms/"): (None, statuses(OK, 403, OK)),
    ("post", P + "redaction-terms/"): ({"term": "Jones"}, statuses(NEW, 403, NEW)),
    ("delete", P + "redaction-terms/{id}/"): (None, statuses(GONE, 403, GONE)),
    ("get", P + "export/"): ("export", statuses(OK, 403, OK)),
    ("get", "/api/v1/tokens/"): (None, statuses(OK, OK, OK, OK)),
    ("delete", "/api/v1/tokens/{id}/"): (None, statuses(GONE, GONE, GONE, GONE)),
}
PUBLIC = {("get", "/api/v1/schema/"), ("get", "/api/v1/docs/")}


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method, path) for path, item in schema["paths"].items() for method in item}


def test_every_endpoint_of_the_schema_is_in_the_matrix():
    assert schema_operations() == set(CASES)


def test_the_schema_validates():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "openapi: 3" in out.getvalue()


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/projects/{project_slug}/quotes/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"//cdn" not in docs.content and b"unpkg" not in docs.content
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content


# --- the cast and the objects ----------------------------------------------------------


@pytest.fixture
def world(project_a, enabler, author, project_admin, outsider, transcript, theme, make_user):
    participant = transcript.participants.get()
    participant.real_name = REAL_NAME
    participant.save()
    SpeakerTurn.objects.create(
        transcript=transcript, index=0, start=5, end=82, participant=participant,
        speaker_label=REAL_NAME,
    )  # fmt: skip
    quote = Quote.objects.create(
        transcript=transcript, start=5, end=12, text=transcript.text[5:12], coder=enabler
    )
    QuoteTheme.objects.create(content_object=quote, tag=theme)
    summary = ThemeSummary.objects.create(project=project_a, theme=theme, narrative="N")
    HeadlineQuote.objects.create(summary=summary, quote=quote)
    make_user("newcomer")
    users = {
        "owner": project_admin,
        "collaborator": enabler,
        "author": author,
        "outsider": outsider,
    }
    tokens = {
        role: issue_token(user=user, name="t", scope="write") for role, user in users.items()
    }
    return {
        "project": project_a,
        "transcript": transcript,
        "theme": theme,
        "quote": quote,
        "membership": Membership.objects.get(user=author),
        "term": RedactionTerm.objects.create(project=project_a, term="Smith"),
        "users": users,
        "tokens": tokens,
    }


def api_client(world, role: str) -> Client:
    if role == "anonymous":
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {world['tokens'][role][1]}")


def url_for(world, role, method, path) -> str:
    pk = {
        "memberships": world["membership"].pk,
        "transcripts": world["transcript"].pk,
        "themes": world["theme"].pk,
        "quotes": world["quote"].pk,
        "redaction-terms": world["term"].pk,
        "tokens": world["tokens"][role][0].pk if role in world["tokens"] else 1,
    }
    kind = path.rstrip("/").split("/")[-2]
    return path.format(project_slug=world["project"].slug, id=pk.get(kind, 0))


def send(client: Client, method: str, url: str, body, world):
    if body == "upload":
        upload = io.BytesIO(b"Interviewer: How was winter?\nP09: Long and hard.\n")
        upload.name = "winter.txt"
        return client.post(url, {"file": upload})
    if body == "export":
        return client.get(url, {"format": "csv"})
    if body == "new_quote":
        transcript = world["transcript"]
        body = {
            "transcript": transcript.pk, "start": 20, "end": 40,
            "text": transcript.text[20:40], "themes": [world["theme"].pk],
        }  # fmt: skip
    if isinstance(body, dict):
        return getattr(client, method)(url, json.dumps(body), content_type="application/json")
    return getattr(client, method)(url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), sorted(CASES))
def test_permissions_matrix(world, role, method, path):
    body, expected = CASES[(method, path)]
    response = send(
        api_client(world, role), method, url_for(world, role, method, path), body, world
    )
    assert response.status_code == expected[role], response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert REAL_NAME.encode() not in content
    assert b"speaker_label" not in content


@pytest.mark.django_db
def test_outsider_cannot_tell_a_project_exists(world):
    client = api_client(world, "outsider")
    real = client.get(f"/api/v1/projects/{world['project'].slug}/quotes/")
    missing = client.get("/api/v1/projects/no-such-project/quotes/")
    assert real.status_code == missing.status_code == 404
    assert real.json() == missing.json()


def test_the_token_read_carries_the_membership_of_the_urls_project_only(
    world, project_b, make_user
):
    """One statement reads the token, its user and the membership of the project in the
    URL: the role is that project's, another project's role never leaks across."""
    from tests.coding.test_api import work_statements

    Membership.objects.create(user=world["users"]["collaborator"], project=project_b, role="admin")
    client = api_client(world, "collaborator")
    with CaptureQueriesContext(connection) as queries:
        ours = client.get(f"/api/v1/projects/{world['project'].slug}/memberships/")
    assert ours.status_code == 403  # an enabler here, though an admin of project_b
    assert len(work_statements(queries)) == 1
    assert "interviews_membership" in work_statements(queries)[0]
    assert client.get(f"/api/v1/projects/{project_b.slug}/memberships/").status_code == 200
    world["users"]["collaborator"].is_active = False
    world["users"]["collaborator"].save()
    assert client.get(f"/api/v1/projects/{project_b.slug}/memberships/").status_code == 401


@pytest.mark.django_db
def test_superuser_creates_a_project_and_becomes_its_admin(make_user):
    boss = make_user("boss", is_superuser=True, is_staff=True)
    _, raw = issue_token(user=boss, name="t", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        "/api/v1/projects/",
        {"name": "Winter study", "slug": "winter"},
        content_type="application/json",
    )
    assert response.status_code == 201
    project = Project.objects.get(slug="winter")
    assert Membership.objects.get(project=project, user=boss).role == "admin"
    again = client.post(
        "/api/v1/projects/", {"name": "Again", "slug": "winter"}, content_type="application/json"
    )
    assert again.status_code == 400
    assert "slug" in again.json()["fields"]


# --- tokens -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_tokens_are_stored_hashed_and_revocable(world):
    token, raw = world["tokens"]["collaborator"]
    assert token.digest == digest_of(raw) and raw not in token.digest
    assert not AccessToken.objects.filter(digest=raw).exists()
    client = api_client(world, "collaborator")
    assert client.get("/api/v1/projects/").status_code == 200
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    refused = client.get("/api/v1/projects/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_bad_token_is_401_never_a_fallback_to_the_session(client, world):
    client.force_login(world["users"]["owner"])
    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION="Bearer aef_not-a-token")
    assert response.status_code == 401
    assert response.json()["error"]


@pytest.mark.django_db
def test_a_read_only_token_reads_but_never_writes(world):
    _, raw = issue_token(user=world["users"]["owner"], name="r", scope="read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/projects/{world['project'].slug}/themes/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Nope"}, content_type="application/json")
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]
    assert not Theme.objects.filter(name="Nope").exists()


@pytest.mark.django_db
def test_another_users_token_cannot_be_revoked(world):
    token, _ = world["tokens"]["owner"]
    response = api_client(world, "collaborator").delete(f"/api/v1/tokens/{token.pk}/")
    assert response.status_code == 404
    assert AccessToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.django_db
def test_the_tokens_page_shows_a_new_secret_once_and_revokes(client, enabler):
    client.force_login(enabler)
    assert client.get("/api/tokens/").status_code == 200
    made = client.post("/api/tokens/", {"name": "notebook", "scope": "write"})
    assert made.status_code == 201
    token = AccessToken.objects.get(user=enabler, name="notebook")
    secret = made.content.decode().split('<code id="new-token">')[1].split("</code>")[0]
    assert digest_of(secret) == token.digest
    assert secret not in client.get("/api/tokens/").content.decode()
    client.post(f"/api/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_the_command_prints_a_working_token(enabler):
    out = io.StringIO()
    call_command("create_api_token", "enabler_a", "--scope", "read", stdout=out)
    raw = out.getvalue().strip()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/projects/").status_code == 200


# --- session, CSRF, throttling, errors ----------------------------------------------------


@pytest.mark.django_db
def test_the_session_works_and_keeps_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["owner"])
    url = f"/api/v1/projects/{world['project'].slug}/themes/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"name": "No CSRF"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    token = Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {world['tokens']['owner'][1]}"
    )
    assert (
        token.post(url, {"name": "By token"}, content_type="application/json").status_code == 201
    )


@pytest.mark.django_db
def test_requests_past_the_rate_are_429_per_token(world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.AEFRONT_API_RATE_PER_MINUTE = 3
    owner, other = api_client(world, "owner"), api_client(world, "collaborator")
    codes = [owner.get("/api/v1/projects/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert owner.get("/api/v1/projects/").json()["error"]
    assert other.get("/api/v1/projects/").status_code == 200
    cache.clear()


@pytest.mark.django_db
def test_bad_input_names_the_field_and_the_reason(world):
    client = api_client(world, "collaborator")
    url = f"/api/v1/projects/{world['project'].slug}/quotes/"
    response = client.post(url, {"transcript": "x", "start": -1}, content_type="application/json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert {"transcript", "start", "end", "text"} <= set(fields)
    wrong = client.post(
        url,
        {
            "transcript": world["transcript"].pk,
            "start": 0,
            "end": 3,
            "text": "nope",
            "themes": [world["theme"].pk],
        },
        content_type="application/json",
    )
    assert wrong.status_code == 400 and "text" in wrong.json()["error"].lower()
    not_json = client.post(url, "{", content_type="application/json")
    assert not_json.status_code == 400 and not_json.json()["error"]
    bad_filter = client.get(url, {"created_after": "yesterday"})
    assert bad_filter.status_code == 400 and "created_after" in bad_filter.json()["fields"]


@pytest.mark.django_db
def test_another_projects_objects_are_404_in_bodies_too(world, transcript_b, theme_b):
    client = api_client(world, "collaborator")
    url = f"/api/v1/projects/{world['project'].slug}/quotes/"
    body = {
        "transcript": transcript_b.pk,
        "start": 0,
        "end": 4,
        "text": transcript_b.text[:4],
        "themes": [world["theme"].pk],
    }
    assert client.post(url, body, content_type="application/json").status_code == 404
    body.update(
        transcript=world["transcript"].pk, text=world["transcript"].text[:4], themes=[theme_b.pk]
    )
    assert client.post(url, body, content_type="application/json").status_code == 404
    assert not Quote.objects.filter(start=0, end=4, transcript=world["transcript"]).exists()


# --- what the endpoints answer ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_transcript_has_its_text_and_turns_with_pseudonyms(world):
    transcript = world["transcript"]
    response = api_client(world, "author").get(
        f"/api/v1/projects/{world['project'].slug}/transcripts/{transcript.pk}/"
    )
    data = response.json()
    assert data["text"] == transcript.text
    assert data["turns"] == [
        {"index": 0, "start": 5, "end": 82, "speaker": "P01", "participant": data["participants"][0],
         "is_interviewer": False, "started_at_ms": None}
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_transcripts_details_change_as_on_the_review_step(world, project_b, transcript_b):
    from interviews.models import LocalSystem

    transcript = world["transcript"]
    url = f"/api/v1/projects/{world['project'].slug}/transcripts/{transcript.pk}/"
    client = api_client(world, "collaborator")
    north = LocalSystem.objects.create(project=world["project"], name="North")
    body = {"title": "Chief executive", "interview_date": "2026-03-04",
            "local_system": north.pk, "title_is_safe": True}  # fmt: skip
    changed = client.patch(url, body, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Chief executive"
    transcript.refresh_from_db()
    assert (transcript.interview_date.isoformat(), transcript.local_system) == (
        "2026-03-04",
        north,
    )
    assert transcript.title_is_safe
    # A field left out keeps its value; null clears the system.
    client.patch(url, {"local_system": None}, content_type="application/json")
    transcript.refresh_from_db()
    assert (transcript.title, transcript.local_system) == ("Chief executive", None)
    # Another project's system is not there; a bad date names its field; nothing changes.
    elsewhere = LocalSystem.objects.create(project=project_b, name="Elsewhere")
    refused = client.patch(url, {"local_system": elsewhere.pk}, content_type="application/json")
    assert refused.status_code == 404
    bad = client.patch(url, {"interview_date": "31/02/2026"}, content_type="application/json")
    assert bad.status_code == 400 and "interview_date" in bad.json()["fields"]
    transcript.refresh_from_db()
    assert (transcript.title, transcript.local_system) == ("Chief executive", None)


def a_passage(world, **extra) -> tuple[Client, str, dict]:
    """The collaborator's client, the quotes URL and a body coding [20, 40) with the theme."""
    transcript = world["transcript"]
    body = {"transcript": transcript.pk, "start": 20, "end": 40, "text": transcript.text[20:40],
            "themes": [world["theme"].pk], **extra}  # fmt: skip
    url = f"/api/v1/projects/{world['project'].slug}/quotes/"
    return api_client(world, "collaborator"), url, body


@pytest.mark.django_db
def test_coding_a_passage_goes_through_the_service(world):
    theme = world["theme"]
    client, url, body = a_passage(world, new_theme="Weekend cover", memo="first")
    made = client.post(url, body, content_type="application/json").json()
    quote = Quote.objects.get(pk=made["id"])
    assert made["uuid"] == str(quote.uuid)
    proposed = Theme.objects.get(name="Weekend cover")
    assert proposed.is_proposed  # an enabler's new theme waits for an admin, as on the page
    assert sorted(made["themes"]) == sorted([theme.pk, proposed.pk])
    # The same span again adds to the same quote, as the page does.
    again = client.post(
        url, {**body, "new_theme": "", "memo": "second"}, content_type="application/json"
    )
    assert again.json()["id"] == quote.pk
    patched = client.patch(
        f"{url}{quote.pk}/", {"themes": [theme.pk]}, content_type="application/json"
    ).json()
    assert patched["themes"] == [theme.pk]
    other = api_client(world, "owner").get(url, {"coder": "enabler_a", "theme": proposed.pk})
    assert other.json()["count"] == 0


@pytest.mark.django_db
def test_a_token_writes_audit_entries_in_its_users_name(world):
    """The audit trail names who coded a passage through the API, as on the page."""
    client, url, body = a_passage(world)
    made = client.post(url, body, content_type="application/json", REMOTE_ADDR="10.1.2.3")
    assert made.status_code == 201, made.content
    entry = LogEntry.objects.get_for_object(Quote.objects.get(pk=made.json()["id"])).get()
    assert entry.action == LogEntry.Action.CREATE
    assert (entry.actor, entry.remote_addr) == (world["users"]["collaborator"], "10.1.2.3")
    themes = api_client(world, "owner").post(
        f"/api/v1/projects/{world['project'].slug}/themes/",
        {"name": "Winter pressure"},
        content_type="application/json",
    )
    theme_entry = LogEntry.objects.get_for_object(Theme.objects.get(pk=themes.json()["id"]))
    assert theme_entry.get().actor == world["users"]["owner"]


@pytest.mark.django_db
def test_only_the_coder_or_an_admin_changes_a_quote(world, make_user):
    second = make_user("enabler_two")
    Membership.objects.create(user=second, project=world["project"], role="enabler")
    _, raw = issue_token(user=second, name="t", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/projects/{world['project'].slug}/quotes/{world['quote'].pk}/"
    assert (
        client.patch(url, {"memo": "mine now"}, content_type="application/json").status_code == 403
    )
    assert client.delete(url).status_code == 403
    assert Quote.objects.get(pk=world["quote"].pk).memo == ""


@pytest.mark.django_db
def test_quote_filters(world, make_quote):
    transcript, theme = world["transcript"], world["theme"]
    other_theme = Theme.objects.create(project=world["project"], name="Other")
    later = make_quote(transcript, 30, 40, world["users"]["owner"], other_theme)
    client = api_client(world, "author")
    url = f"/api/v1/projects/{world['project'].slug}/quotes/"

    def ids(**params):
        return [row["id"] for row in client.get(url, params).json()["results"]]

    assert ids() == [world["quote"].pk, later.pk]
    assert ids(theme=theme.pk) == [world["quote"].pk]
    assert ids(coder="admin_a") == [later.pk]
    assert ids(transcript=transcript.pk + 1000) == []
    assert ids(created_after=later.created_at.isoformat()) == []
    assert ids(created_before=later.created_at.isoformat()) == [world["quote"].pk]


@pytest.mark.django_db
def test_one_themes_csv_carries_the_quote_uuid(world, make_quote):
    other_theme = Theme.objects.create(project=world["project"], name="Other")
    make_quote(world["transcript"], 30, 40, world["users"]["owner"], other_theme)
    response = api_client(world, "author").get(
        f"/api/v1/projects/{world['project'].slug}/export/",
        {"format": "csv", "theme": world["theme"].pk},
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 2
    assert str(world["quote"].uuid) in lines[1]
    assert REAL_NAME not in body


@pytest.mark.django_db
def test_one_themes_csv_costs_the_same_queries_for_1_and_500_quotes(
    world, django_assert_num_queries
):
    from tests.coding.report_data import add_bulk_quotes

    client = api_client(world, "author")  # not an admin: the blind rule is in the query
    url = f"/api/v1/projects/{world['project'].slug}/export/"
    params = {"format": "csv", "theme": world["theme"].pk}

    def csv_rows() -> list[list[str]]:
        response = client.get(url, params)
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert REAL_NAME not in body
        return list(csv.reader(io.StringIO(body)))

    csv_rows()  # the token's first use is written down once
    with CaptureQueriesContext(connection) as few:
        assert len(csv_rows()) == 2
    add_bulk_quotes(world["transcript"], world["users"]["collaborator"], [world["theme"]], 500)
    with django_assert_num_queries(len(few)):
        rows = csv_rows()
    assert len(rows) == 1 + 501


@pytest.mark.django_db
def test_the_codebook_comes_in_tree_order_with_paths(world):
    parent = world["theme"]
    owner = api_client(world, "owner")
    url = f"/api/v1/projects/{world['project'].slug}/themes/"
    child = owner.post(
        url, {"name": "Step-up", "parent": parent.pk}, content_type="application/json"
    )
    assert child.status_code == 201
    assert child.json()["path"] == f"{parent.name} › Step-up"
    rows = owner.get(url).json()["results"]
    assert [(row["name"], row["depth"]) for row in rows] == [(parent.name, 0), ("Step-up", 1)]
    loop = owner.patch(
        f"{url}{parent.pk}/", {"parent": child.json()["id"]}, content_type="application/json"
    )
    assert loop.status_code == 400 and "parent" in loop.json()["fields"]


# --- query counts ---------------------------------------------------------------------------


def grow(world, kind: str, n: int) -> None:
    project, user = world["project"], world["users"]["owner"]
    if kind == "projects":
        made = Project.objects.bulk_create(
            Project(name=f"Extra {i}", slug=f"extra-{i}") for i in range(n)
        )
        Membership.objects.bulk_create(
            Membership(user=user, project=p, role="admin") for p in made
        )
    elif kind == "memberships":
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.bulk_create(
            get_user_model()(username=f"member{i}") for i in range(n)
        )
        Membership.objects.bulk_create(Membership(user=u, project=project) for u in users)
    elif kind == "local-systems":
        LocalSystem.objects.bulk_create(
            LocalSystem(project=project, name=f"S{i}") for i in range(n)
        )
    elif kind == "participants":
        Participant.objects.bulk_create(
            Participant(project=project, pseudonym=f"X{i}", real_name=REAL_NAME) for i in range(n)
        )
    elif kind == "transcripts":
        made = Transcript.objects.bulk_create(
            Transcript(project=project, title=f"T{i}", text="x y z", enabler=user)
            for i in range(n)
        )
        person = Participant.objects.filter(project=project).first()
        Transcript.participants.through.objects.bulk_create(
            Transcript.participants.through(transcript=t, participant=person) for t in made
        )
    elif kind == "themes":
        Theme.objects.bulk_create(
            Theme(project=project, name=f"Theme {i}", slug=f"theme-{i}") for i in range(n)
        )
    elif kind == "quotes":
        theme = world["theme"]
        transcript = Transcript.objects.create(project=project, title="Long", text="ab" * n)
        made = Quote.objects.bulk_create(
            Quote(transcript=transcript, start=i, end=i + 1, text=transcript.text[i], coder=user)
            for i in range(n)
        )
        QuoteTheme.objects.bulk_create(QuoteTheme(content_object=q, tag=theme) for q in made)
    elif kind == "summaries":
        themes = Theme.objects.bulk_create(
            Theme(project=project, name=f"S theme {i}", slug=f"s-theme-{i}") for i in range(n)
        )
        summaries = ThemeSummary.objects.bulk_create(
            ThemeSummary(project=project, theme=t) for t in themes
        )
        HeadlineQuote.objects.bulk_create(
            HeadlineQuote(summary=s, quote=world["quote"]) for s in summaries
        )
    elif kind == "redaction-terms":
        RedactionTerm.objects.bulk_create(
            RedactionTerm(project=project, term=f"Name{i}") for i in range(n)
        )
    elif kind == "tokens":
        AccessToken.objects.bulk_create(
            AccessToken(user=user, name=f"t{i}", prefix="aef_x", digest=f"{i:064d}")
            for i in range(n)
        )


LISTS = [path for method, path in sorted(CASES) if method == "get" and "{id}" not in path]
LISTS = [path for path in LISTS if not path.endswith(("export/", "/{project_slug}/"))]


def count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 1000})
    assert response.status_code == 200, response.content[:200]
    return len(queries), response.json()["count"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTS)
def test_list_endpoints_cost_the_same_for_1_and_1000_rows(world, path):
    from django.core.cache import cache

    cache.clear()
    client = api_client(world, "owner")
    kind = path.rstrip("/").split("/")[-1]
    url = url_for(world, "owner", "get", path)
    few, few_rows = count_queries(client, url)
    grow(world, kind, 1000)
    many, many_rows = count_queries(client, url)
    assert many_rows >= few_rows + 1000
    assert many == few
    if kind == "participants":
        assert REAL_NAME.encode() not in client.get(url, {"page_size": 1000}).content


def test_every_list_endpoint_has_a_query_count_case():
    lists = {path for method, path in schema_operations() if method == "get"}
    lists -= {
        path for path in lists if "{id}" in path or path.endswith(("export/", "/{project_slug}/"))
    }
    assert lists == set(LISTS)


@pytest.mark.django_db
def test_reverse_names_are_stable():
    assert reverse("api:quotes", args=["alpha"]) == "/api/v1/projects/alpha/quotes/"


@pytest.mark.django_db
def test_pages_and_api_answers_are_compressed(world, client):
    transcript = world["transcript"]
    Transcript.objects.filter(pk=transcript.pk).update(text=transcript.text * 40)
    api = api_client(world, "author")
    url = f"/api/v1/projects/{world['project'].slug}/transcripts/{transcript.pk}/"
    plain = api.get(url)
    squeezed = api.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert squeezed["Content-Encoding"] == "gzip"
    assert len(squeezed.content) < len(plain.content) / 3
    client.force_login(world["users"]["collaborator"])
    page = client.get(transcript.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"


@pytest.mark.django_db
def test_the_fast_lists_answer_what_the_serializers_document(world):
    from aefront.api.serializers import QuoteSerializer, TranscriptDetailSerializer

    client = api_client(world, "author")
    base = f"/api/v1/projects/{world['project'].slug}"
    listed = client.get(f"{base}/quotes/").json()["results"][0]
    assert listed == QuoteSerializer(world["quote"]).data
    assert client.get(f"{base}/quotes/{world['quote'].pk}/").json() == listed
    detail = client.get(f"{base}/transcripts/{world['transcript'].pk}/").json()
    assert detail == json.loads(
        json.dumps(TranscriptDetailSerializer(world["transcript"]).data, default=str)
    )


# --- hostile input ---------------------------------------------------------------------------

WRITES = sorted((method, path) for method, path in CASES if method in {"post", "patch"})


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_no_generated_body_makes_a_5xx(world, method, path):
    from hypothesis import HealthCheck, given, settings

    from tests.test_fuzz_endpoints import body

    client = api_client(world, "owner")
    client.raise_request_exception = False
    url = url_for(world, "owner", method, path)

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(sent=body)
    def check(sent):
        kind, payload = sent
        send = getattr(client, method)
        if kind == "json":
            response = send(url, payload, content_type="application/json")
        elif method == "post":
            response = send(url, payload)
        else:
            response = send(
                url,
                urlencode(payload, doseq=True),
                content_type="application/x-www-form-urlencoded",
            )
        assert response.status_code < 500, f"{method} {url} {kind} {payload!r:.300}"
        if response.status_code >= 400:
            assert response.json()["error"]

    check()


@pytest.mark.django_db
def test_the_tokens_page_needs_a_login_and_a_csrf_token(world):
    anonymous = Client()
    assert anonymous.get("/api/tokens/")["Location"].startswith("/accounts/login/")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["users"]["collaborator"])
    assert strict.post("/api/tokens/", {"name": "x", "scope": "write"}).status_code == 403
    other, _ = world["tokens"]["owner"]
    strict_page = Client()
    strict_page.force_login(world["users"]["collaborator"])
    strict_page.post(f"/api/tokens/{other.pk}/revoke/")
    assert AccessToken.objects.get(pk=other.pk).revoked_at is None


@pytest.mark.django_db(transaction=True)
def test_creating_a_theme_or_a_project_is_as_cheap_as_a_quote(world, make_user):
    from tests.coding.test_api import work_statements

    owner = api_client(world, "owner")
    url = f"/api/v1/projects/{world['project'].slug}/themes/"
    with CaptureQueriesContext(connection) as queries:
        made = owner.post(url, {"name": "Bed pressure"}, content_type="application/json")
    assert made.status_code == 201
    # token + membership in one read, the codebook's slugs, the insert
    assert len(work_statements(queries)) <= 3, work_statements(queries)
    assert (made.json()["depth"], made.json()["path"]) == (0, "Bed pressure")
    child = owner.post(
        url,
        {"name": "Corridor care", "parent": made.json()["id"]},
        content_type="application/json",
    )
    assert (child.json()["depth"], child.json()["path"]) == (1, "Bed pressure › Corridor care")
    again = owner.post(url, {"name": "BED pressure"}, content_type="application/json")
    assert again.status_code == 400 and "name" in again.json()["fields"]
    boss = make_user("boss", is_superuser=True)
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_token(user=boss, name='t', scope='write')[1]}"
    )
    with CaptureQueriesContext(connection) as queries:
        made = client.post(
            "/api/v1/projects/", {"name": "N", "slug": "n"}, content_type="application/json"
        )
    assert made.status_code == 201
    # the token, then the project and its admin: one statement on PostgreSQL, else two
    assert len(work_statements(queries)) <= (2 if connection.vendor == "postgresql" else 3)


def test_an_upload_answers_its_participants_without_reading_them_back(world):
    from tests.coding.test_api import work_statements

    owner = api_client(world, "owner")
    text = "Interviewer: Hello.\nZoe: First.\nAdam: Second.\nZoe: Third.\nAdam: Fourth.\n"
    upload = SimpleUploadedFile("two.txt", text.encode(), "text/plain")
    url = f"/api/v1/projects/{world['project'].slug}/transcripts/"
    with CaptureQueriesContext(connection) as queries:
        made = owner.post(url, {"file": upload})
    assert made.status_code == 201, made.content
    stored = Transcript.objects.get(pk=made.json()["id"])
    in_order = list(stored.participants.order_by("pseudonym").values_list("pk", flat=True))
    assert len(in_order) == 2 and made.json()["participants"] == in_order
    reads = [sql for sql in work_statements(queries) if sql.startswith("SELECT")]
    assert not [sql for sql in reads if "interviews_transcript_participants" in sql], reads
