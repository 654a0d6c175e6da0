"""Positions at the boundary, without the database: units, CRLF counting, normalisation
with an offset map, and the choice of convention (SPEC §5.3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coding.refi import positions
from coding.refi.positions import CODE_POINTS, UTF16, Convention
from interviews.parsing.core import clean_text

texts = st.text(
    alphabet=st.sampled_from(list("ab é\u0301e\r\n\u2028\x0b\x01😊𝒮\u1100\u1161\u11a8")),
    max_size=40,
)


@given(texts)
def test_normalise_gives_what_the_transcript_import_gives(raw):
    assert positions.normalise(raw).text == clean_text(raw)


@given(texts, st.data())
def test_exact_positions_map_onto_the_same_text(raw, data):
    clean = positions.normalise(raw)
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, len(raw)))
    placed = clean.place(start, end)
    if placed is not None:
        expected = clean_text(raw[start:end])
        assert clean.text[placed[0] : placed[1]] == expected


@given(st.text(max_size=30), st.data())
def test_utf16_round_trip(text, data):
    index = data.draw(st.integers(0, len(text)))
    table = positions.utf16_offsets(text)
    assert positions.from_units(table, table[index]) == index
    assert table[-1] == len(text.encode("utf-16-le")) // 2


def test_inside_a_surrogate_pair_cannot_be_placed():
    located = positions.locate("a😊b", [(2, 4)], Convention(UTF16, 2))
    assert located[0].start is None and "half" in located[0].problem


def test_crlf_counted_as_one_for_atlas():
    raw = "one\r\ntwo\r\nthree"
    found = positions.detect(raw, [(8, 13)], "ATLAS.ti 9")
    assert found.convention == Convention(CODE_POINTS, 1)
    place = found.located[0]
    assert raw[place.start : place.end] == "three"


def test_a_wrong_origin_is_overruled_by_word_boundaries():
    raw = "😊😊😊 alpha beta gamma delta\r\n" * 3
    text16 = positions.utf16_offsets(raw)
    words = [(raw.index(w), raw.index(w) + len(w)) for w in ("alpha", "beta", "gamma", "delta")]
    spans = [(text16[a], text16[b]) for a, b in words]
    found = positions.detect(raw, spans, "Some tool")  # prefers code points
    assert found.switched and found.convention.unit == UTF16
    assert found.score == 4


def test_word_boundaries():
    assert positions.on_word_boundaries("hello world", 0, 5)
    assert not positions.on_word_boundaries("hello world", 1, 5)
    assert positions.on_word_boundaries("é😊x", 1, 2)


def test_aefronts_own_convention_stands_even_off_word_boundaries():
    """Two quotes of aefront's coders, neither on word boundaries in code points, which a
    UTF-16 reading would put on boundaries: an aefront file is read as it says."""
    from coding.refi.positions import CODE_POINTS, detect

    raw = "a a a aaa aa𝒮 aaaaaaaaaaa a a aaaaaaaaaaa a a"
    spans = [(0, 15), (30, 31)]
    ours = detect(raw, spans, "aefront 0.1.0")
    assert ours.convention.unit == CODE_POINTS and not ours.switched
    assert [(p.start, p.end) for p in ours.located] == spans
    theirs = detect(raw, spans, "Some other tool")
    assert theirs.switched  # another tool's file still gets the boundary check
