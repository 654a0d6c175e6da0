"""Theme suggestions, similar passages and headline picks: lexical always, the local
model too (CI installs the [suggest] extra, so the model tests never skip there)."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings

from coding import embeddings, suggest
from coding.models import Embedding, Theme
from coding.passages import index_transcript

from .finding_setup import make_turn_transcript

pytestmark = pytest.mark.django_db

SIGNS = {
    "Four-hour target pressure": (
        "Pressure of the four-hour A&E standard and how chasing it distorts decisions.",
        [
            "The four-hour number is published against my trust, so it feels like my problem.",
            "Chasing the four-hour standard made us move patients to the wrong wards.",
        ],
    ),
    "Blame culture": (
        "The language of blame, failure and holding to account; naming and shaming.",
        [
            "Every call from the regulator starts with who is at fault.",
            "We were named and shamed in the press before anyone asked us why.",
        ],
    ),
    "Tailored support": (
        "Support shaped around this system's own problems rather than a template.",
        [],  # no quotes yet: its description alone speaks for it
    ),
}


@pytest.fixture
def coded(project_a, transcript, enabler, make_quote):
    """Themes with descriptions; quotes appended to the transcript text and coded."""
    pieces, spans = [transcript.text], []
    for name, (_, quotes) in SIGNS.items():
        for text in quotes:
            start = sum(len(p) for p in pieces) + 1
            pieces.append("\n" + text)
            spans.append((name, start, start + len(text)))
    transcript.text = "".join(pieces)
    transcript.save()
    themes = {
        name: Theme.objects.create(project=project_a, name=name, description=description)
        for name, (description, _) in SIGNS.items()
    }
    for name, start, end in spans:
        make_quote(transcript, start, end, enabler, themes[name])
    return themes


def test_prototypes_weigh_the_description_against_the_quotes():
    docs = np.array([[1.0, 0.0], [0.0, 1.0]])
    quotes = np.array([[0.0, 1.0], [0.0, 1.0]])
    members = [np.array([0, 1]), np.array([], dtype=np.int64)]
    protos = suggest.prototypes(docs, quotes, members)
    w = suggest.DOC_WEIGHT
    assert protos[0] == pytest.approx(np.array([w, 2.0]) / np.hypot(w, 2.0))
    assert protos[1] == pytest.approx([0.0, 1.0])  # no quotes: the description alone
    sure = suggest.confidences(np.array([0.2, 0.5]), "lexical")
    assert sure.sum() == pytest.approx(1.0) and sure[1] > sure[0]


def test_mmr_prefers_different_quotes_and_other_places():
    vectors = np.array([[1.0, 0.0], [0.99, 0.14], [0.6, 0.8]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    centre = np.array([1.0, 0.0])
    assert suggest.mmr(vectors, centre, 2, balance=0.3) == [0, 2]
    assert suggest.mmr(vectors, centre, 2, balance=0.9) == [0, 1]
    assert suggest.mmr(vectors, centre, 1, places=["a", "a", "b"]) == [0]


def test_lexical_suggestions_rank_the_theme_whose_words_match(project_a, coded):
    ranking = suggest.suggest_themes(
        project=project_a, text="They named and shamed us and asked who was at fault."
    )
    assert ranking.backend == "lexical"
    assert ranking.suggestions[0].name == "Blame culture"
    assert len(ranking.suggestions) == 3
    assert sum(s.confidence for s in ranking.suggestions) <= 1.0 + 1e-9


def test_a_theme_without_quotes_is_suggested_from_its_description(project_a, coded):
    ranking = suggest.suggest_themes(
        project=project_a, text="Support shaped around our own problems, not a template."
    )
    assert ranking.suggestions[0].name == "Tailored support"


def test_retired_themes_are_never_suggested(project_a, coded):
    coded["Blame culture"].is_active = False
    coded["Blame culture"].save()
    ranking = suggest.suggest_themes(project=project_a, text="named and shamed, at fault")
    assert "Blame culture" not in {s.name for s in ranking.suggestions}


def test_suggest_endpoint(client, enabler, author, outsider, coded):
    url = "/p/alpha/suggest/themes/"
    client.force_login(author)  # reading suggestions is for every member
    response = client.post(url, {"text": "named and shamed"}, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["backend"] == "lexical" and "lexical" in data["backend_label"]
    assert data["suggestions"][0]["name"] == "Blame culture"
    assert set(data["suggestions"][0]) == {"id", "name", "path", "score", "confidence"}
    assert client.post(url, {"text": 5}, content_type="application/json").status_code == 400
    assert client.get(url).status_code == 405
    client.force_login(outsider)
    assert client.post(url, {"text": "x"}, content_type="application/json").status_code == 404


def test_the_coding_page_knows_the_suggest_url_and_the_dialog_has_the_box(
    client, enabler, transcript
):
    client.force_login(enabler)
    body = client.get(transcript.get_absolute_url()).content.decode()
    assert '"suggest": "/p/alpha/suggest/themes/"' in body
    assert 'id="qd-suggest"' in body and 'aria-labelledby="qd-suggest-heading"' in body


def test_suggest_command(project_a, coded, capsys):
    call_command("suggest", "alpha", "named and shamed for every failure")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    score, name = lines[0].split("\t")
    assert float(score) > 0 and name == "Blame culture"
    assert lines[-1].startswith("backend: lexical")


def test_similar_passages_page_lists_uncoded_passages(
    client, enabler, project_a, participant, coded, make_quote
):
    turned = make_turn_transcript(project_a, participant)
    index_transcript(transcript=turned)
    start = turned.text.index("The four-hour")
    quote = make_quote(turned, start, start + 30, enabler, coded["Blame culture"])
    client.force_login(enabler)
    response = client.get(f"/p/alpha/quotes/{quote.pk}/similar/")
    body = response.content.decode()
    assert response.status_code == 200
    offered = body.split("Tick the passages")[1]
    assert "hangs over every decision" not in offered  # coded: not offered
    assert "What does the target do" in offered
    assert "#at-" in body and 'name="match"' in body


def test_theme_page_suggests_headline_quotes_when_asked(client, author, coded):
    client.force_login(author)
    theme = coded["Blame culture"]
    page = client.get(f"/p/alpha/report/themes/{theme.pk}/", {"cleared": "all"})
    body = page.content.decode()
    assert 'id="suggested-headlines"' in body and "(suggestion " not in body
    assert 'href="?cleared=all&amp;suggest=1#suggested-headlines">Suggest headline quotes' in body
    asked = client.get(f"/p/alpha/report/themes/{theme.pk}/", {"suggest": "1"}).content.decode()
    assert asked.count("(suggestion ") == 2
    assert "ranked on this server with" in asked


# --- the local model ------------------------------------------------------------------------

# Skipped on a machine without the extra; under CI=true a skip fails (tests/conftest.py),
# and CI installs it (make install-dev: '.[dev,suggest]').
model = pytest.mark.skipif(
    not embeddings.model_installed(), reason="the [suggest] extra is not installed"
)


@pytest.fixture
def with_model(settings):
    if not embeddings.model_installed():
        pytest.fail("CI must install the [suggest] extra: pip install -e '.[dev,suggest]'")
    settings.AEFRONT_SUGGEST_BACKEND = "model"
    return settings


@model
def test_model_ranks_a_paraphrase_that_shares_few_words(project_a, coded, with_model):
    ranking = suggest.suggest_themes(
        project=project_a,
        text="Whenever something slips, the first question from above is whose head should roll.",
    )
    assert ranking.backend == "model"
    assert ranking.suggestions[0].name == "Blame culture"
    assert Embedding.objects.filter(quote__isnull=False).count() == 4  # filled in the request


@model
def test_model_embeddings_are_stored_after_commit(
    project_a,
    transcript,
    enabler,
    theme,
    make_quote,
    with_model,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        quote = make_quote(transcript, 0, 30, enabler, theme)
    stored = Embedding.objects.get(quote=quote)
    vector = embeddings.from_bytes(stored.vector)
    assert vector.shape == (embeddings.DIMENSIONS,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)
    assert stored.text_sha == embeddings.sha(quote.text)


@model
def test_by_default_a_saved_quote_waits_for_the_suggestion_that_needs_it(
    project_a,
    transcript,
    enabler,
    theme,
    make_quote,
    with_model,
    settings,
    django_capture_on_commit_callbacks,
):
    """EMBED_ON_SAVE=off (production's default): saving loads no model in the web
    process; the first suggestion request embeds what it is missing."""
    settings.AEFRONT_EMBED_ON_SAVE = "off"
    with django_capture_on_commit_callbacks(execute=True):
        quote = make_quote(transcript, 0, 30, enabler, theme)
    assert not Embedding.objects.filter(quote=quote).exists()
    suggest.suggest_themes(project=project_a, text="Whose head should roll this time?")
    assert Embedding.objects.filter(quote=quote).exists()


@model
def test_no_outbound_connection_is_attempted(project_a, coded, with_model, monkeypatch):
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"network call attempted to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))
    monkeypatch.setattr(embeddings, "_model", None)  # load it again, under the patch
    ranking = suggest.suggest_themes(project=project_a, text="Who is to blame this time?")
    call_command("suggest", "alpha", "Who is to blame this time?")
    assert ranking.backend == "model" and ranking.suggestions
    assert attempts == []


@model
@override_settings(AEFRONT_SUGGEST_BACKEND="model")
def test_discover_groups_passages_with_the_model(project_a, participant):
    from coding.discover import class_tfidf, discover

    turns = tuple(
        ("P01", text)
        for text in (
            "The discharge lounge closed and patients waited for transport home for hours on end.",
            "Patients waited hours for transport home because the discharge lounge was closed.",
            "Waiting for transport home kept patients in beds long after the discharge decision.",
            "Our board meets the council every month and we share one plan for winter now.",
            "We now share one winter plan with the council and meet as one board each month.",
            "The council and our board agreed one winter plan and meet monthly to check it.",
        )
    )
    index_transcript(transcript=make_turn_transcript(project_a, participant, turns=turns))
    backend, clusters = discover(project=project_a)
    assert backend == "model"
    assert sorted(c.size for c in clusters) == [3, 3]
    keywords = class_tfidf(["transport home discharge home", "winter plan council plan"], top=1)
    assert keywords == [["home"], ["plan"]]


@model
def test_embed_command_fills_missing_vectors(project_a, coded, participant, with_model, capsys):
    from coding.models import Passage

    make_turn_transcript(project_a, participant)
    call_command("embed", "alpha")
    out = capsys.readouterr().out
    assert "quotes: 4 embedded" in out
    assert Embedding.objects.filter(passage__isnull=False).count() == Passage.objects.count() > 5
    call_command("embed", "alpha")
    assert "quotes: 0 embedded" in capsys.readouterr().out


def test_embed_command_says_when_the_model_is_not_in_use(project_a):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not installed"):
        call_command("embed", "alpha")
