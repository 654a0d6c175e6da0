"""coding/layout.py: the segment sweep and the blocks of the coding page."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coding.layout import blocks_for, segments
from interviews.models import SpeakerTurn

TEXT = "abcdefghijklmnopqrstuvwxyz"


def pieces(text, spans, cuts=()):
    return [(s.text, s.quote_ids) for s in segments(text, spans, cuts)]


def test_no_quotes_is_one_piece():
    assert pieces(TEXT, []) == [(TEXT, ())]


def test_overlapping_quotes_split_into_three_pieces():
    assert pieces(TEXT, [(1, 0, 10), (2, 5, 15)]) == [
        ("abcde", (1,)),
        ("fghij", (1, 2)),
        ("klmno", (2,)),
        ("pqrstuvwxyz", ()),
    ]


def test_nested_quotes_list_the_outer_quote_first():
    assert pieces(TEXT, [(9, 5, 10), (3, 0, 20)]) == [
        ("abcde", (3,)),
        ("fghij", (3, 9)),
        ("klmnopqrst", (3,)),
        ("uvwxyz", ()),
    ]


def test_same_span_twice_and_touching_quotes():
    assert pieces(TEXT, [(1, 0, 3), (2, 0, 3), (3, 3, 6)]) == [
        ("abc", (1, 2)),
        ("def", (3,)),
        ("ghijklmnopqrstuvwxyz", ()),
    ]


def test_cuts_split_pieces_without_quotes():
    assert pieces("abcdef", [], cuts=[2, 4]) == [("ab", ()), ("cd", ()), ("ef", ())]


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(min_size=1, max_size=60),
    raw=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=12),
)
def test_property_pieces_rejoin_and_list_exactly_the_covering_quotes(text, raw):
    spans = []
    for n, (a, b) in enumerate(raw):
        start, end = sorted((min(a, len(text)), min(b, len(text))))
        if start < end:
            spans.append((n, start, end))
    found = segments(text, spans)
    assert "".join(piece.text for piece in found) == text
    for piece in found:
        covering = {n for n, start, end in spans if start <= piece.start < end}
        assert set(piece.quote_ids) == covering
        assert all(
            start <= piece.start and piece.start + len(piece.text) <= end
            for n, start, end in spans
            if n in covering
        )


# --- blocks ----------------------------------------------------------------------------

SPOKEN = "P01: Hello there.\n\nInterviewer: Why?\n\nP01: Because.\n"


def turn(index, start, end, **extra):
    return SpeakerTurn(index=index, start=start, end=end, **extra)


def test_paragraphs_when_there_are_no_turns():
    blocks = blocks_for(SPOKEN, [])
    assert [SPOKEN[b.start : b.end] for b in blocks] == [
        "P01: Hello there.",
        "Interviewer: Why?",
        "P01: Because.",
    ]
    assert {b.kind for b in blocks} == {"para"}


def test_turns_are_trimmed_ordered_and_never_overlap():
    turns = [
        turn(1, 17, 38, is_interviewer=True),  # starts and ends on blank lines
        turn(0, 0, 19),
        turn(2, 30, len(SPOKEN)),  # overlaps the turn before: clamped
    ]
    blocks = blocks_for(SPOKEN, turns)
    assert [SPOKEN[b.start : b.end] for b in blocks] == [
        "P01: Hello there.",
        "Interviewer: Why?",
        "P01: Because.",
    ]
    assert [b.speaker for b in blocks] == ["", "Interviewer", ""]
    for left, right in zip(blocks, blocks[1:], strict=False):
        assert left.end <= right.start


# --- the HTML -------------------------------------------------------------------------
