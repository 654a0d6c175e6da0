"""Re-anchoring after a correction: pure cases and a property test over random edits."""

from hypothesis import given, settings
from hypothesis import strategies as st

from coding.corrections import CHANGED, LOST, MOVED, reanchor, stretches

TEXT = "P01: We were told support would come.\n\nInterviewer: Why?\n\nP01: Nobody planned it."
TURNS = [(5, 37), (52, 56), (63, 81)]


def test_the_turns_are_where_the_fixture_says():
    assert [TEXT[s:e] for s, e in TURNS] == [
        "We were told support would come.", "Why?", "Nobody planned it."
    ]  # fmt: skip


def edit(bodies_changed: dict[int, str]):
    bodies = [bodies_changed.get(i, TEXT[s:e]) for i, (s, e) in enumerate(TURNS)]
    return reanchor(TEXT, TURNS, bodies)


def test_a_quote_after_an_edit_moves_with_its_text():
    corrected = edit({0: "We were told that support would come."})
    start = TEXT.index("Nobody")
    placed = corrected.place((start, start + 6), "Nobody")
    assert placed.status == MOVED
    assert corrected.text[placed.start : placed.end] == "Nobody"
    assert placed.start == start + len("that ")


def test_a_quote_whose_text_changed_is_flagged_with_the_new_text():
    corrected = edit({0: "We were told support would arrive."})
    start = TEXT.index("support")
    old = TEXT[start : start + len("support would come")]
    placed = corrected.place((start, start + len(old)), old)
    assert placed.status == CHANGED
    assert corrected.text[placed.start : placed.end] == "support would arrive"


def test_a_quote_whose_passage_went_is_placed_on_the_nearest_word_and_flagged():
    corrected = edit({1: ""})
    start = TEXT.index("Why?")
    placed = corrected.place((start, start + 4), "Why?")
    assert placed.status == LOST
    assert placed.end > placed.start
    assert corrected.text[placed.start : placed.end].strip()


def test_insertions_at_a_quote_edge_stay_outside_it():
    start = TEXT.index("support")
    end = start + len("support")
    corrected = edit({0: "We were told NHS support, soon, would come."})
    placed = corrected.place((start, end), "support")
    assert (placed.status, corrected.text[placed.start : placed.end]) == (MOVED, "support")


def test_a_quote_across_turns_moves_when_nothing_in_it_changed():
    start, end = TEXT.index("come."), TEXT.index("Why?") + 4
    corrected = edit({2: "Nobody planned it at all."})
    placed = corrected.place((start, end), TEXT[start:end])
    assert placed.status == MOVED


def test_without_turns_the_whole_text_is_one_stretch():
    assert stretches("abc", []) == [(0, 3)]


def gaps(text, spans):
    edges = [0] + [edge for span in spans for edge in span] + [len(text)]
    return [text[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]


@st.composite
def transcripts_and_edits(draw):
    alphabet = st.sampled_from(list("ab cé😊\n"))
    n = draw(st.integers(1, 4))
    bodies = [draw(st.text(alphabet, min_size=1, max_size=30)) for _ in range(n)]
    text, turns, at = "", [], 0
    for i, body in enumerate(bodies):
        label = ("\n\n" if i else "") + f"P0{i}: "
        text += label + body
        at += len(label)
        turns.append((at, at + len(body)))
        at += len(body)
    new_bodies = []
    for body in bodies:
        if draw(st.booleans()):
            new_bodies.append(body)
            continue
        chars = list(body)
        for _ in range(draw(st.integers(1, 4))):
            where = draw(st.integers(0, len(chars)))
            kind = draw(st.sampled_from(["insert", "delete", "replace"]))
            piece = draw(st.text(alphabet, min_size=1, max_size=5))
            if kind == "insert":
                chars[where:where] = list(piece)
            elif chars:
                end = min(len(chars), where + draw(st.integers(1, 5)))
                chars[where:end] = [] if kind == "delete" else list(piece)
        new_bodies.append("".join(chars))
    quotes = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        quotes.append((start, end))
    return text, turns, new_bodies, quotes


@settings(max_examples=300, deadline=None)
@given(transcripts_and_edits())
def test_property_every_quote_keeps_its_text_invariant_and_turns_stay_consistent(case):
    text, turns, new_bodies, quotes = case
    corrected = reanchor(text, turns, new_bodies)
    if not corrected.text:
        return
    # Turns: each new stretch holds its new body; the text between them is unchanged.
    assert [corrected.text[s:e] for s, e in corrected.stretches] == new_bodies
    assert gaps(corrected.text, corrected.stretches) == gaps(text, turns)
    for start, end in quotes:
        old = text[start:end]
        placed = corrected.place((start, end), old)
        assert 0 <= placed.start < placed.end <= len(corrected.text)
        if placed.status == MOVED:
            # Nothing shifts silently: a quote that moved has exactly its old text.
            assert corrected.text[placed.start : placed.end] == old
        untouched = all(
            text[s:e] == body or end <= s or start >= e
            for (s, e), body in zip(turns, new_bodies, strict=True)
        )
        if untouched:
            assert placed.status == MOVED


# --- through the database --------------------------------------------------------------

import pytest  # noqa: E402
from django.urls import reverse  # noqa: E402
from hypothesis import HealthCheck  # noqa: E402

from coding.corrections import correct_transcript  # noqa: E402
from coding.models import AnchorFlag, Quote  # noqa: E402
from coding.trail import TrailFilters, entries  # noqa: E402
from interviews.access import get_project_access  # noqa: E402
from interviews.models import SpeakerTurn, Transcript, TranscriptVersion  # noqa: E402


@pytest.fixture
def turned(project_a, enabler):
    transcript = Transcript.objects.create(
        project=project_a, title="Turns", text=TEXT, enabler=enabler
    )
    for index, (start, end) in enumerate(TURNS):
        SpeakerTurn.objects.create(transcript=transcript, index=index, start=start, end=end)
    return transcript


def quote_on(transcript, coder, theme, make_quote, words):
    start = transcript.text.index(words)
    return make_quote(transcript, start, start + len(words), coder, theme)


def test_a_correction_keeps_reanchors_and_flags_quotes(
    client, enabler, project_admin, turned, theme, make_quote, project_a
):
    kept = quote_on(turned, enabler, theme, make_quote, "Nobody planned")
    changed = quote_on(turned, enabler, theme, make_quote, "support would come")
    other_coders = quote_on(turned, project_admin, theme, make_quote, "Why?")
    client.force_login(enabler)
    url = reverse("coding:correct", args=["alpha", turned.pk])
    assert "Turn 1" in client.get(url).content.decode()
    response = client.post(
        url,
        {"version": 1, "note": "misheard", "turn_0": "We were told that support would arrive.",
         "turn_1": "Why?", "turn_2": "Nobody planned it."},
    )  # fmt: skip
    assert response.status_code == 302
    turned.refresh_from_db()
    assert turned.text_version == 2
    for quote in Quote.all_objects.filter(transcript=turned):
        assert quote.text == turned.text[quote.start : quote.end]
    kept.refresh_from_db()
    assert kept.text == "Nobody planned"
    changed.refresh_from_db()
    assert changed.text == "support would arrive"
    flag = AnchorFlag.objects.get()
    assert (flag.quote, flag.old_text, flag.new_text) == (
        changed, "support would come", "support would arrive"
    )  # fmt: skip
    other_coders.refresh_from_db()
    assert other_coders.text == "Why?"
    turns = list(SpeakerTurn.objects.filter(transcript=turned).order_by("index"))
    assert turned.text[turns[0].start : turns[0].end] == "We were told that support would arrive."
    version = TranscriptVersion.objects.get(transcript=turned)
    assert (version.number, version.text, version.note) == (1, TEXT, "misheard")
    page = client.get(turned.get_absolute_url()).content.decode()
    assert "Quotes to review after a correction" in page and "support would come" in page
    audit = list(
        entries(project_a, TrailFilters(transcript_id=turned.pk, object_type="transcript"))
    )
    changes = [e for e in audit if e.action == e.Action.UPDATE]  # one entry: the correction
    assert len(changes) == 1 and changes[0].changes["quotes_flagged"] == 1
    versions = client.get(reverse("coding:versions", args=["alpha", turned.pk]), {"v": 1})
    assert "Nobody planned it." in versions.content.decode()


def test_a_stale_editor_and_another_enabler_are_refused(
    client, turned, make_user, project_a, enabler
):
    from coding.services import CodingError
    from interviews.models import Membership

    with pytest.raises(CodingError, match="reload"):
        correct_transcript(
            access=get_project_access(enabler, "alpha"), transcript=turned,
            bodies={0: "x"}, expected_version=7,
        )  # fmt: skip
    stranger = make_user("someone")
    Membership.objects.create(user=stranger, project=project_a, role=Membership.Role.ENABLER)
    client.force_login(stranger)
    assert client.get(reverse("coding:correct", args=["alpha", turned.pk])).status_code == 403


EDITS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 40), st.text(st.sampled_from(list("ab .😊")),
              max_size=4), st.integers(0, 4)),
    min_size=1, max_size=4,
)  # fmt: skip


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(edits=EDITS, spans=st.lists(st.tuples(st.integers(0, 80), st.integers(1, 10)), max_size=5))
def test_property_the_invariant_holds_in_the_database_after_random_corrections(
    edits, spans, project_admin, project_a, theme
):
    transcript = Transcript.objects.create(project=project_a, title="P", text=TEXT)
    for index, (start, end) in enumerate(TURNS):
        SpeakerTurn.objects.create(transcript=transcript, index=index, start=start, end=end)
    for start, length in spans:
        end = min(start + length, len(TEXT))
        Quote.objects.get_or_create(
            transcript=transcript, coder=project_admin, start=start, end=end,
            defaults={"text": TEXT[start:end]},
        )  # fmt: skip
    access = get_project_access(project_admin, "alpha")
    for turn, where, piece, cut in edits:
        transcript.refresh_from_db()
        turns = list(SpeakerTurn.objects.filter(transcript=transcript).order_by("index"))
        body = transcript.text[turns[turn].start : turns[turn].end]
        where = min(where, len(body))
        new = body[:where] + piece + body[where + cut :]
        if new == body or not new.strip():
            continue
        correct_transcript(
            access=access, transcript=transcript, bodies={turn: new},
            expected_version=transcript.text_version,
        )  # fmt: skip
        transcript.refresh_from_db()
        for quote in Quote.all_objects.filter(transcript=transcript):
            assert quote.text == transcript.text[quote.start : quote.end]
        turns = list(SpeakerTurn.objects.filter(transcript=transcript).order_by("index"))
        assert all(a.end <= b.start for a, b in zip(turns, turns[1:], strict=False))
        assert turns[-1].end <= len(transcript.text)
    transcript.delete()
