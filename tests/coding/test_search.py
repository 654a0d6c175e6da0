"""Search on both databases: ranking, stemming, phrases, snippets, filters, links."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding.passages import index_transcript
from coding.search import Filters, fts5_query, search, terms

from .finding_setup import make_turn_transcript, other_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(project_a, participant):
    transcript = make_turn_transcript(project_a, participant)
    index_transcript(transcript=transcript)
    return transcript


def texts(results):
    return ["".join(t for t, _ in hit.snippet) for hit in results.hits]


def test_terms_keep_phrases_and_drop_operators():
    assert terms('"four-hour target" blame OR NEAR(') == [
        ("four-hour target", True),
        ("blame", False),
        ("OR", False),
        ("NEAR", False),
    ]
    assert fts5_query('a"b c') == '"a b" "c"'


def test_every_word_must_match_and_stems_match(project_a, indexed):
    results = search(project=project_a, query="targets")  # stem of target
    assert {hit.kind for hit in results.hits} == {"passage"}
    assert len(results.hits) == 3
    assert search(project=project_a, query="target blame").hits == []


def test_ranking_puts_the_denser_passage_first(project_a, indexed):
    results = search(project=project_a, query="matter")
    first = texts(results)[0]
    assert "Targets matter, but patients matter more" in first


def test_phrase_search_needs_the_words_in_order(project_a, indexed):
    hits = search(project=project_a, query='"four-hour target"').hits
    assert len(hits) == 1
    assert hits[0].speaker == "P01"
    assert search(project=project_a, query='"target four-hour"').hits == []


def test_snippets_mark_the_hits_and_link_to_the_exact_place(project_a, indexed):
    hit = search(project=project_a, query="clock").hits[0]
    assert ("clock", True) in hit.snippet
    assert hit.url == f"{indexed.get_absolute_url()}#at-{hit.start}-{hit.end}"
    assert "clock watchers" in indexed.text[hit.start : hit.end]


def test_quotes_and_memos_are_found_with_links_to_the_quote(
    project_a, indexed, enabler, theme, make_quote
):
    start = indexed.text.index("When figures")
    quote = make_quote(indexed, start, start + 40, enabler, theme)
    quote.memo = "Morale after dismissals: compare with P04."
    quote.save()
    kinds = {hit.kind: hit for hit in search(project=project_a, query="dismissals").hits}
    assert set(kinds) == {"memo"}
    assert kinds["memo"].url.endswith(f"#quote-{quote.pk}")
    kinds = {hit.kind for hit in search(project=project_a, query="figures slip").hits}
    assert kinds == {"passage", "quote"}


def test_filters(project_a, indexed, enabler, theme, make_quote, local_system):
    speaker = Filters(speaker="interviewer")
    assert {
        h.speaker for h in search(project=project_a, query="target", filters=speaker).hits
    } == {"Interviewer"}
    start = indexed.text.index("It turns managers")
    make_quote(indexed, start, start + 20, enabler, theme)
    coded = search(project=project_a, query="target", filters=Filters(coded="coded")).hits
    assert [h.kind for h in coded] == ["passage"]  # the quote itself does not say "target"
    assert "clock" in indexed.text[coded[0].start : coded[0].end]
    uncoded = search(project=project_a, query="target", filters=Filters(coded="uncoded")).hits
    assert len(uncoded) == 2 and all(h.kind == "passage" for h in uncoded)
    themed = search(project=project_a, query="target", filters=Filters(theme_id=theme.pk)).hits
    assert [h.kind for h in themed] == ["passage"]
    assert (
        search(project=project_a, query="target", filters=Filters(organisation_type="ccg")).hits
        == []
    )
    acute = Filters(organisation_type="acute_trust", system_id=local_system.pk)
    assert len(search(project=project_a, query="four-hour", filters=acute).hits) == 1


def test_another_projects_text_is_never_found(project_a, project_b, indexed, transcript_b):
    index_transcript(transcript=transcript_b)
    assert search(project=project_b, query="four-hour").hits == []
    assert search(project=project_b, query="parachuted").hits


def test_hostile_queries_are_plain_words(project_a, indexed):
    for query in ['NEAR("a" "b")', "text:four", '"', "*", "AND OR NOT", "four-hour -target"]:
        search(project=project_a, query=query)  # no syntax error reaches the user


def test_search_page_escapes_and_links(client, enabler, project_a, participant):
    transcript = make_turn_transcript(
        project_a, participant, turns=(("P01", "The <script>alert(1)</script> target."),)
    )
    index_transcript(transcript=transcript)
    client.force_login(enabler)
    response = client.get("/p/alpha/search/", {"q": "target", "speaker": "participant"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body and "alert(1)" in body  # escaped (SQLite) or dropped
    assert "&lt;script&gt;" in body or connection.vendor == "postgresql"
    assert "<mark>target</mark>" in body
    assert f"{transcript.get_absolute_url()}#at-" in body
    assert '<label for="id_q">Search for</label>' in body


def test_search_page_as_outsider_and_anonymous(client, outsider, project_a):
    assert client.get("/p/alpha/search/?q=x").status_code == 302
    client.force_login(outsider)
    assert client.get("/p/alpha/search/?q=x").status_code == 404


def test_search_page_costs_the_same_for_1_or_20_transcripts(
    client, enabler, project_a, participant
):
    client.force_login(enabler)
    make_turn_transcript(project_a, participant, title="T0")

    def cost() -> int:
        client.get("/p/alpha/search/", {"q": "target"})  # indexes what is missing
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/p/alpha/search/", {"q": "target"}).status_code == 200
        return len(captured)

    small = cost()
    for n in range(1, 20):
        make_turn_transcript(
            project_a, other_participant(project_a) if n == 1 else participant, title=f"T{n}"
        )
    assert cost() == small


def test_search_command(project_a, indexed, capsys):
    call_command("search", "alpha", '"clock watchers"')
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("passage\tTurns\tP01\t")
    assert "[clock watchers]" in out[0] or "[clock] [watchers]" in out[0]


@pytest.mark.postgres
def test_postgres_uses_the_gin_index(project_a, indexed):
    from django.contrib.postgres.search import SearchQuery

    from coding.models import Passage
    from coding.search import _pg_vector

    # No ordering (which would join the transcripts), and no plain index scans: the
    # only way left to find the rows without reading the table is the GIN index.
    query = (
        Passage.objects.annotate(v=_pg_vector("coding_passage", "text"))
        .filter(v=SearchQuery("four-hour target", search_type="phrase", config="english"))
        .order_by()
        .values("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "coding_passage_search_gin" in plan
