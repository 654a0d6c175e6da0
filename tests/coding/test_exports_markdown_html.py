import pytest

from coding.report import authoring
from coding.report.exports.html import render_html
from coding.report.exports.markdown import md, render_markdown
from coding.report.exports.rows import build_report
from tests.coding.export_setup import real_names_in, write_up
from tests.coding.report_data import build


@pytest.fixture
def data(project_a, enabler, project_admin, author):
    return write_up(build(project_a, enabler, project_admin), author)


def test_markdown_has_the_same_content_as_the_report(data):
    text = render_markdown(build_report(project=data.project))
    assert text.startswith("# Alpha study\n")
    assert text.index("## Tailored support") < text.index("## Blame culture")
    assert "**Raised by 4 of 5 interviewees in 3 of 3 systems.**" in text
    assert "> “\\[name\\]'s practice felt blamed.”" in text
    assert "> — *a GP lead of a primary care organisation*" in text
    assert real_names_in(text) == []


def test_markdown_escapes_syntax_in_user_text():
    assert md("# not a heading") == "\\# not a heading"
    assert md("- not a bullet\n1. nor a list") == "\\- not a bullet\n1\\. nor a list"
    assert md("[link](javascript:alert(1)) <script>x</script> *b* _i_ `c`") == (
        "\\[link\\]\\(javascript:alert\\(1\\)\\) \\<script\\>x\\</script\\> \\*b\\* \\_i\\_ \\`c\\`"
    )


def test_html_is_escaped_printable_and_complete(data, author):
    authoring.save_narrative(
        project=data.project, theme=data.themes["B"], version=1, user=author,
        narrative='<script>alert(1)</script> <img src=x onerror="alert(2)">',
    )  # fmt: skip
    html = render_html(build_report(project=data.project))
    assert html.startswith("<!doctype html>")
    assert "@media print" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<h1 class="report-title">Alpha study</h1>' in html
    assert html.index("<h2>Tailored support</h2>") < html.index("<h2>Blame culture</h2>")
    assert "Raised by 4 of 5 interviewees in 3 of 3 systems." in html
    assert "— a GP lead of a primary care organisation" in html
    assert real_names_in(html.replace("&#x27;", "'")) == []
