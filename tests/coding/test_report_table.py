"""coding/report_table.py: the theme table's rows are escaped and show every count."""

from __future__ import annotations

import re

import pytest

from coding.markup import esc
from coding.models import Theme
from coding.report.summaries import ThemeRow, Totals
from coding.report.table import theme_table_body, write_up

PAYLOAD = "</a><script>alert(1)</script>\"'&"


def cells(html: str) -> list[list[str]]:
    """Text of every cell, row by row (tags inside cells removed)."""
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html)
    ]


@pytest.fixture
def rows(project_a):
    parent = Theme.objects.create(project=project_a, name=PAYLOAD, order=1)
    child = Theme.objects.create(
        project=project_a, name="Child", parent=parent, order=1, is_active=False
    )
    return [
        ThemeRow(
            theme=parent,
            depth=0,
            path=PAYLOAD,
            quotes=7,
            interviews=3,
            participants=2,
            systems=1,
            by_org_type={"ccg": 2},
            has_narrative=True,
            headline_count=1,
        ),
        ThemeRow(
            theme=child,
            depth=1,
            path=f"{PAYLOAD} › Child",
            quotes=1,
            interviews=1,
            participants=1,
            systems=1,
            by_org_type={"acute_trust": 1},
            headline_count=2,
        ),
    ]


@pytest.mark.django_db
def test_rows_show_counts_out_of_the_totals_and_org_columns_in_order(rows):
    html = theme_table_body(
        rows, Totals(4, 5, 3), ["acute_trust", "ccg"], project_slug="alpha", flat=False
    )
    assert hasattr(html, "__html__")
    assert cells(html) == [
        [esc(PAYLOAD), "7", "3 of 4", "2 of 5", "1 of 3", "0", "2", "", "narrative, 1 headline"],
        ["Child (retired)", "1", "1 of 4", "1 of 5", "1 of 3", "1", "0", "", "2 headlines"],
    ]
    # The organisation types fold into a bar (for the eye), its parts in proportion.
    assert html.count('<svg class="org-bar"') == 2
    assert '<td class="org-bar-cell" aria-hidden="true">' in html
    assert 'width="96.0" height="12" fill="#41b6e6"' in html  # the child: all CCG
    assert '<th scope="row" class="depth-1">' in html
    assert html.count('<tr class="retired">') == 1
    assert f'href="/p/alpha/report/themes/{rows[0].theme.pk}/"' in html


@pytest.mark.django_db
def test_flat_rows_show_escaped_paths_without_indenting(rows):
    html = theme_table_body(rows, Totals(4, 5, 3), [], project_slug="alpha", flat=True)
    assert "<script>" not in html
    assert f"{esc(PAYLOAD)} › Child</a>" in html
    assert "depth-" not in html


@pytest.mark.django_db
def test_write_up_shows_a_dash_when_nothing_is_written(rows):
    rows[0].has_narrative, rows[0].headline_count = False, 0
    assert write_up(rows[0]) == '<span class="meta">—</span>'
    rows[0].headline_count = 3
    assert write_up(rows[0]) == "3 headlines"


def test_an_empty_codebook_gives_an_empty_body():
    assert theme_table_body([], Totals(0, 0, 0), [], project_slug="alpha", flat=False) == ""


def test_org_bar_is_proportional_and_empty_rows_show_a_dash():
    from coding.report.table import org_bar

    bar = org_bar([1, 3])
    assert 'x="0.0" width="24.0"' in bar and 'x="24.0" width="72.0"' in bar
    assert org_bar([0, 0]) == '<span class="meta">—</span>'
