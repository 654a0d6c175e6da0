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
