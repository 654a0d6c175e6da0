"""coding/reading.py: the transcript HTML built over the layout, and the page filters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coding.layout import Block, blocks_for
from coding.models import Theme
from coding.reading import Filters, parse_filters, transcript_html
from tests.coding.marks import quote_texts, read_transcript, transcript_text

SPOKEN = "P01: Hello there.\n\nInterviewer: Why?\n\nP01: Because.\n"


class FakeQuote:
    def __init__(self, pk, start, end):
        self.pk, self.start, self.end = pk, start, end


def render(text, spans, blocks=None, links=None):
    theme = Theme(pk=1, name="T", colour="#123456")
    quotes = [FakeQuote(pk, s, e) for pk, s, e in spans]
    links = links if links is not None else {pk: [1] for pk, _, _ in spans}
    return str(transcript_html(text, blocks or blocks_for(text, []), quotes, links, {1: theme}))


def test_html_holds_exactly_the_text_and_every_quote_in_its_marks():
    spans = [(1, 0, 9), (2, 5, 30), (3, 10, 14), (4, 19, 23)]
    html = render(SPOKEN, spans)
    assert transcript_text(f'<div id="transcript">{html}</div>') == SPOKEN
    texts = quote_texts(f'<div id="transcript">{html}</div>')
    for pk, start, end in spans:
        assert texts[pk] == SPOKEN[start:end]


def test_each_quote_has_one_anchor_on_its_first_piece():
    html = render(SPOKEN, [(1, 0, 30), (2, 5, 10)])
    assert html.count('id="quote-1"') == 1
    assert html.count('id="quote-2"') == 1
    reader = read_transcript(f'<div id="transcript">{html}</div>')
    assert reader.pieces[1] >= 3  # split by quote 2 and by the paragraph break


def test_html_escapes_the_text():
    text = '<script>alert(1)</script> "><img src=x onerror=alert(2)> & done'
    html = render(text, [(1, 0, 8)])
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert transcript_text(f'<div id="transcript">{html}</div>') == text


def test_unsafe_colour_is_replaced():
    theme = Theme(pk=1, name="T", colour="red;background:url(x)")
    html = str(transcript_html("abc", [], [FakeQuote(1, 0, 2)], {1: [1]}, {1: theme}))
    assert "url(" not in html
    assert "--c:#ffd54f" in html


def test_text_outside_blocks_is_kept():
    text = "Title\n\nP01: Hi.\n"
    blocks = [Block(7, 15, "P01")]
    html = render(text, [(1, 3, 10)], blocks)
    assert transcript_text(f'<div id="transcript">{html}</div>') == text
    assert 'class="gap"' in html
    assert 'data-speaker="P01"' in html


def test_speaker_label_before_a_turn_is_marked_for_hiding_but_kept_as_text():
    text = "Interviewer: Hello.\n\nP01: Hi there.\n"
    blocks = [Block(13, 19, "Interviewer", True), Block(26, 35, "P01")]
    html = render(text, [], blocks)
    assert transcript_text(f'<div id="transcript">{html}</div>') == text
    assert html.count('class="gap speaker-label"') == 2
    assert 'class="gap"' not in html


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(st.sampled_from(list("ab \n<>&\"'") + ["😊", "e\u0301"]), min_size=1).map(
        "".join
    ),
    raw=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=8),
)
def test_property_html_round_trips_text_and_quotes(text, raw):
    spans = []
    for n, (a, b) in enumerate(raw):
        start, end = sorted((min(a, len(text)), min(b, len(text))))
        if start < end:
            spans.append((n + 1, start, end))
    html = f'<div id="transcript">{render(text, spans)}</div>'
    assert transcript_text(html) == text
    texts = quote_texts(html)
    for pk, start, end in spans:
        assert texts[pk] == text[start:end]


# --- filters and themes ------------------------------------------------------------


def test_parse_filters():
    filters = parse_filters({"theme": "3", "coder": "x", "mine": "1"})
    assert (filters.theme_id, filters.coder_id, filters.mine) == (3, None, True)
    assert filters.problems and "coder" in filters.problems[0]
    assert parse_filters({}).active is False
    assert Filters(mine=True).active is True
    assert parse_filters({"theme": "１"}).theme_id is None  # fullwidth digit
