"""coding/markup.py: the HTML builders escape every value they are given."""

from __future__ import annotations

from django.template import Context, Template
from django.utils.safestring import SafeString

from coding.layout import Segment
from coding.markup import QuoteGroup, esc, mark_piece, panel_html, safe_colour
from coding.reading import QuoteRow

PAYLOAD = "</script><script>alert(1)</script>\"'&"


def test_esc_escapes_markup_and_both_quotes():
    assert esc(PAYLOAD) == (
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&amp;"
    )


def test_safe_colour_accepts_only_hex():
    assert safe_colour("#a1B2c3") == "#a1B2c3"
    for bad in ("red", "#fff", "#12345g", "#123456;background:url(x)", None, ""):
        assert safe_colour(bad) == "#ffd54f"


def test_mark_piece_nests_marks_outermost_first_and_anchors_once():
    look = {3: ("q", "#111111"), 7: ("q multi", "#222222")}
    seen: set[int] = set()
    first = mark_piece(Segment("<b>", (3, 7), 0), look, seen)
    assert first == (
        '<mark class="q" id="quote-3" data-quote-id="3" data-quote-ids="3 7" '
        'style="--c:#111111;--u:#111111">'
        '<mark class="q multi" id="quote-7" data-quote-id="7" data-quote-ids="3 7" '
        'style="--c:#222222;--u:#222222">&lt;b&gt;</mark></mark>'
    )
    again = mark_piece(Segment("x", (7,), 3), look, seen)
    assert 'id="quote-7"' not in again
    assert mark_piece(Segment("<i>", (), 4), look, seen) == "&lt;i&gt;"


def test_panel_html_escapes_paths_excerpts_and_names():
    quote = QuoteRow(5, None, 0, 3, PAYLOAD, "", 1, PAYLOAD, None, None)
    html = panel_html([QuoteGroup(None, PAYLOAD, "#123456", [quote])])
    assert "<script>" not in html
    assert html.count(esc(PAYLOAD)) == 3
    assert 'href="#quote-5"' in html


def test_built_markup_renders_as_is_in_templates_and_plain_text_does_not():
    template = Template("{{ built }}|{{ plain }}")
    built = panel_html([])
    rendered = template.render(Context({"built": built, "plain": "<b>x</b>"}))
    assert rendered.startswith('<p class="empty">')
    rendered = template.render(Context({"built": SafeString("<b>x</b>"), "plain": "<b>x</b>"}))
    assert rendered == "<b>x</b>|&lt;b&gt;x&lt;/b&gt;"
