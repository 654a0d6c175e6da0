"""coding/report_charts.py: chart markup is escaped and carries the summary's numbers."""

from __future__ import annotations

import datetime
import re

import pytest

from coding.markup import esc
from coding.report.charts import (
    CELL,
    HEADER_HEIGHT,
    LABEL_WIDTH,
    Saturation,
    charts,
    heatmap,
    saturation_chart,
    shade,
)
from coding.report.summaries import InterviewInfo, SaturationPoint, summarise
from tests.coding.report_data import build

PAYLOAD = "</title><script>alert(1)</script>\"'&"


def cells_of(svg: str) -> list[tuple[int, int, str, int]]:
    """(x, y, colour class, count) of every drawn heatmap cell."""
    return [
        (int(x), int(y), css, int(n))
        for x, y, css, n in re.findall(
            r'<g transform="translate\((\d+),(\d+)\)" class="(h\d)"><title>[^<]*</title>'
            r'<rect width="25" height="25"/><text x="13" y="17">(\d+)</text></g>',
            svg,
        )
    ]


def table_rows(table: str) -> list[list[str]]:
    return [
        re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]


def test_heatmap_cells_link_to_their_quotes_escaped():
    chart = heatmap(
        key="k", title="T", description="d", unit="quotes",
        row_items=[(1, "One", "One")], column_items=[("a", "A", "A"), ("b", "B", "B")],
        values={1: {"a": 2}},
        link=lambda row, column: f'/cell/{row}/?c={column}&x="><script>',
    )  # fmt: skip
    assert chart.svg.count('<a class="cell-link"') == 1  # empty cells are not links
    assert chart.top == 2 and chart.shades == [f"h{n}" for n in range(1, 9)]  # the legend
    assert f'href="{esc(chr(47) + "cell/1/?c=a&x=" + chr(34) + "><script>")}"' in chart.svg
    assert 'aria-label="One × A: 2 quotes, show the quotes"' in chart.svg
    assert 'role="group"' in chart.svg and 'aria-hidden="true" focusable' not in chart.svg
    plain = heatmap(
        key="k", title="T", description="d", unit="quotes", row_items=[(1, "One", "One")],
        column_items=[("a", "A", "A")], values={1: {"a": 2}},
    )  # fmt: skip
    assert "cell-link" not in plain.svg and 'aria-hidden="true" focusable' in plain.svg


def test_shade_scales_counts_to_eight_classes():
    assert shade(0, 10) == "" and shade(3, 0) == ""
    assert shade(1, 8) == "h1" and shade(8, 8) == "h8" and shade(9, 8) == "h8"
    assert shade(1, 1000) == "h1" and shade(500, 1000) == "h4"


def test_heatmap_escapes_every_label_and_draws_only_non_zero_cells():
    chart = heatmap(
        key="k",
        title=f"Title {PAYLOAD}",
        description="d",
        unit=f"unit {PAYLOAD}",
        row_items=[(1, f"row {PAYLOAD}", f"full row {PAYLOAD}"), (2, "Second", "Second")],
        column_items=[("a", f"col {PAYLOAD}", f"full col {PAYLOAD}"), ("b", "B", "B")],
        values={1: {"a": 3, "b": 0}, 2: {"b": 1}},
    )
    for html in (chart.svg, chart.table):
        assert "<script>" not in html and "</title><script>" not in html
        assert hasattr(html, "__html__")
    assert esc(f"full row {PAYLOAD}") in chart.svg and esc(f"full col {PAYLOAD}") in chart.svg
    assert cells_of(chart.svg) == [
        (LABEL_WIDTH, HEADER_HEIGHT, "h8", 3),
        (LABEL_WIDTH + CELL, HEADER_HEIGHT + CELL, "h3", 1),
    ]
    assert f"<title>{esc(f'full row {PAYLOAD}')} × {esc(f'full col {PAYLOAD}')}: 3 " in chart.svg
    assert table_rows(chart.table) == [
        ["Theme", esc(f"full col {PAYLOAD}"), "B"],
        [esc(f"full row {PAYLOAD}"), "3", "0"],
        ["Second", "0", "1"],
    ]
    assert f"<caption>{esc(f'Title {PAYLOAD}: unit {PAYLOAD}')}</caption>" in chart.table
    assert not chart.empty


def test_lower_triangle_heatmap_draws_below_the_diagonal_and_tables_everything():
    items = [(n, f"T{n}", f"T{n}") for n in (1, 2, 3)]
    values = {1: {2: 4, 3: 1}, 2: {1: 4, 3: 2}, 3: {1: 1, 2: 2}}
    chart = heatmap(
        key="co",
        title="Co",
        description="",
        unit="quotes",
        row_items=items,
        column_items=items,
        values=values,
        lower_triangle=True,
    )
    drawn = {
        ((x - LABEL_WIDTH) // CELL, (y - HEADER_HEIGHT) // CELL): n
        for x, y, _, n in cells_of(chart.svg)
    }
    assert drawn == {(0, 1): 4, (0, 2): 1, (1, 2): 2}  # (column, row), below the diagonal
    assert table_rows(chart.table)[1:] == [
        ["T1", "0", "4", "1"],
        ["T2", "4", "0", "2"],
        ["T3", "1", "2", "0"],
    ]
    assert '<polygon class="grid-bg"' in chart.svg


def test_an_empty_heatmap_says_so():
    chart = heatmap(
        key="e",
        title="E",
        description="",
        unit="quotes",
        row_items=[],
        column_items=[(1, "S", "S")],
        values={},
    )
    assert chart.empty


class FakeSummary:
    def __init__(self, saturation):
        self.saturation = saturation


def test_saturation_chart_draws_a_bar_per_new_theme_interview_and_escapes_titles():
    points = [
        SaturationPoint(
            1, InterviewInfo(1, PAYLOAD, datetime.date(2018, 1, 10), None), 2, 2, ["A", PAYLOAD]
        ),
        SaturationPoint(2, InterviewInfo(2, "Two", None, None), 0, 2, []),
    ]
    chart = saturation_chart(FakeSummary(points))
    assert "<script>" not in chart.svg and "<script>" not in chart.table
    assert chart.svg.count('<rect class="bar"') == 1
    assert chart.svg.count('<text class="xtick"') == 2
    assert '<polyline class="cumulative" points="222.5,20.0 567.5,20.0"/>' in chart.svg
    assert table_rows(chart.table)[1:] == [
        ["1", "10 Jan 2018", esc(PAYLOAD), "2", "2", esc(f"A, {PAYLOAD}")],
        ["2", "no date", "Two", "0", "2", ""],
    ]
    assert isinstance(chart, Saturation) and not chart.empty
    assert saturation_chart(FakeSummary([])).empty


@pytest.mark.django_db
def test_charts_show_the_summary_numbers(project_a, enabler, project_admin):
    data = build(project_a, enabler, project_admin)
    summary = summarise(data.project)
    built = charts(summary)
    systems = table_rows(built["system_heatmap"].table)
    assert systems[0] == ["Theme", "Eastmoor", "Northfield", "Southvale"]
    by_path = {row[0]: row[1:] for row in systems[1:]}
    assert by_path["Blame culture"] == ["1", "3", "1"]
    assert by_path["Blame culture › Four-hour target"] == ["1", "1", "0"]
    co = {row[0]: row[1:] for row in table_rows(built["cooccurrence"].table)[1:]}
    assert co["Blame culture"] == ["0", "1", "1", "0"]  # with C (q4) and B (q1)
    saturation = table_rows(built["saturation"].table)[1:]
    assert [row[3] for row in saturation] == ["2", "1", "0", "0"]


def test_each_chart_downloads_as_svg_and_png(client, project_a, enabler, project_admin, author):
    from django.urls import reverse

    from tests.coding.report_data import build

    data = build(project_a, enabler, project_admin)
    client.force_login(author)

    def url(key, fmt):
        return reverse(
            "report:chart", kwargs={"project_slug": project_a.slug, "key": key, "fmt": fmt}
        )

    for key in ("systems", "org-types", "cooccurrence", "saturation"):
        svg = client.get(url(key, "svg"))
        assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
        assert svg["Content-Disposition"] == f'attachment; filename="alpha-{key}.svg"'
        assert b"<style>" in svg.content and b'fill="#fff"' in svg.content
        png = client.get(url(key, "png"))
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    system = data.systems["Northfield"].pk
    filtered = client.get(url("systems", "svg") + f"?system={system}").content
    assert filtered != client.get(url("systems", "svg")).content  # the page's filters apply
    assert b"Eastmoor: 2 quotes" not in filtered
    assert client.get(url("nonsense", "svg")).status_code == 404
    assert client.get(url("systems", "gif")).status_code == 404
    client.force_login(enabler)
    assert client.get(url("systems", "svg")).status_code == 403


def test_labels_are_whole_and_saturation_marks_first_appearances(
    project_a, enabler, project_admin
):
    from coding.models import Theme
    from coding.report.charts import charts
    from coding.report.summaries import summarise
    from tests.coding.report_data import build

    build(project_a, enabler, project_admin)
    long_name = "A theme whose name is long enough to need two lines on the chart"
    Theme.objects.filter(project=project_a, name="Shared ownership").update(name=long_name)
    drawn = charts(summarise(project_a))
    svg = str(drawn["system_heatmap"].svg)
    assert "A theme whose name is long enough to</tspan>" in svg
    assert "need two lines on the chart</tspan>" in svg
    saturation = str(drawn["saturation"].svg)
    assert saturation.count('class="first"') == 2  # T1 brings A and B, T2 brings C
    assert ">themes</text>" in saturation and "interview (by date)" in saturation


@pytest.mark.django_db
def test_heatmaps_show_shares_of_participants_with_their_legend(project_a, enabler, project_admin):
    data = build(project_a, enabler, project_admin)
    built = charts(summarise(data.project), values="shares")
    systems = built["system_heatmap"]
    assert systems.percent and systems.unit == "of participants"
    rows = table_rows(systems.table)
    assert rows[0] == ["Theme", "Eastmoor", "Northfield", "Southvale"]
    by_path = {row[0]: row[1:] for row in rows[1:]}
    assert by_path["Blame culture"] == ["50%", "100%", "100%"]
    assert by_path["Blame culture › Four-hour target"] == ["50%", "50%", "0%"]
    assert (systems.lightest, systems.darkest) == ("1%", "100% of participants")
    svg = str(systems.svg)
    assert "Blame culture × Eastmoor: 50% of participants" in svg
    assert svg.count('class="cell-link"') == 7  # every non-empty cell still opens its quotes
    assert {n for *_, n in cells_of(svg)} == {50, 100}
    orgs = {row[0]: row[1:] for row in table_rows(built["org_heatmap"].table)[1:]}
    assert orgs["Blame culture › Four-hour target"] == ["0%", "100%", "100%", "0%"]
    # The co-occurrence heatmap counts quotes either way; counts stay the default.
    assert built["cooccurrence"].table == charts(summarise(data.project))["cooccurrence"].table
    assert not charts(summarise(data.project))["system_heatmap"].percent
