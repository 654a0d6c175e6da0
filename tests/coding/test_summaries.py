import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding.models import HeadlineQuote, Theme, ThemeSummary
from coding.report.summaries import (
    Filters,
    raised_by,
    sort_rows,
    summarise,
    summarise_theme,
    theme_admin_counts,
)
from coding.report.workspace import theme_workspace
from tests.coding.report_data import add_bulk_quotes, build


@pytest.fixture
def data(project_a, enabler, project_admin):
    return build(project_a, enabler, project_admin)


def counts(summary):
    return {
        row.theme.name: (row.quotes, row.interviews, row.participants, row.systems)
        for row in summary.rows
    }


def test_counts_on_the_hand_built_dataset(data):
    summary = summarise(data.project)
    assert (summary.totals.interviews, summary.totals.participants, summary.totals.systems) == (
        4,
        5,
        3,
    )
    assert counts(summary) == {
        "Blame culture": (5, 4, 4, 3),
        "Four-hour target": (2, 2, 2, 2),
        "Tailored support": (4, 3, 4, 2),
        "Shared ownership": (0, 0, 0, 0),
    }


def test_rows_are_in_tree_order_with_depth_and_path(data):
    rows = summarise(data.project).rows
    assert [(row.theme.name, row.depth) for row in rows] == [
        ("Blame culture", 0),
        ("Four-hour target", 1),
        ("Tailored support", 0),
        ("Shared ownership", 0),
    ]
    assert rows[1].path == "Blame culture › Four-hour target"


def test_organisation_type_breakdown_counts_participants(data):
    by_theme = {row.theme.name: row.by_org_type for row in summarise(data.project).rows}
    assert by_theme["Blame culture"] == {"acute_trust": 2, "ccg": 1, "primary_care": 1}
    assert by_theme["Tailored support"] == {
        "acute_trust": 1,
        "ccg": 1,
        "community_trust": 1,
        "primary_care": 1,
    }
    assert by_theme["Four-hour target"] == {"ccg": 1, "community_trust": 1}


def test_theme_by_system_and_by_organisation_type_matrices(data):
    summary = summarise(data.project)
    a, b, c = (data.themes[k].pk for k in "ABC")
    north, south, east = (data.systems[n].pk for n in ("Northfield", "Southvale", "Eastmoor"))
    assert summary.system_matrix[a] == {north: 3, south: 1, east: 1}
    assert summary.system_matrix[b] == {north: 2, east: 2}
    assert summary.system_matrix[c] == {north: 1, east: 1}
    assert summary.org_matrix[a] == {"acute_trust": 3, "ccg": 1, "primary_care": 1}
    assert summary.org_matrix[b] == {
        "acute_trust": 1,
        "ccg": 1,
        "community_trust": 1,
        "primary_care": 1,
    }
    assert data.themes["D"].pk not in summary.system_matrix


def test_cooccurrence_counts_quotes_coded_with_both_themes(data):
    summary = summarise(data.project)
    a, b, c, d = (data.themes[k].pk for k in "ABCD")
    co = summary.cooccurrence
    assert co[(a, b)] == co[(b, a)] == 1  # q1
    assert co[(a, c)] == co[(c, a)] == 1  # q4
    assert co[(b, c)] == co[(c, b)] == 1  # q6, in the group interview
    assert co.get((a, d), 0) == 0
    assert sum(co.values()) == 6


def test_saturation_curve_by_interview_date(data):
    points = summarise(data.project).saturation
    assert [(p.interview.title, p.new_themes, p.cumulative) for p in points] == [
        ("Interview T1", 2, 2),
        ("Interview T2", 1, 3),
        ("Interview T3", 0, 3),
        ("Interview T4", 0, 3),
    ]
    assert points[1].new_theme_names == ["Four-hour target"]


def test_filter_by_local_system(data):
    summary = summarise(data.project, Filters(local_system_id=data.systems["Northfield"].pk))
    assert (summary.totals.interviews, summary.totals.participants, summary.totals.systems) == (
        2,
        2,
        1,
    )
    assert counts(summary)["Blame culture"] == (3, 2, 2, 1)
    assert counts(summary)["Tailored support"] == (2, 2, 2, 1)
    a, b, c = (data.themes[k].pk for k in "ABC")
    assert summary.cooccurrence.get((a, b)) == 1
    assert summary.cooccurrence.get((b, c), 0) == 0


def test_filter_by_organisation_type_uses_the_speaker_in_group_interviews(data):
    summary = summarise(data.project, Filters(organisation_type="primary_care"))
    assert (summary.totals.interviews, summary.totals.participants, summary.totals.systems) == (
        1,
        1,
        1,
    )
    assert counts(summary)["Blame culture"] == (1, 1, 1, 1)  # q7 by P05
    assert counts(summary)["Tailored support"] == (1, 1, 1, 1)  # q8 by P05
    assert counts(summary)["Four-hour target"] == (0, 0, 0, 0)  # q6 is P04's
    assert sum(summary.cooccurrence.values()) == 0
    community = summarise(data.project, Filters(organisation_type="community_trust"))
    b, c = data.themes["B"].pk, data.themes["C"].pk
    assert community.cooccurrence[(b, c)] == 1


def test_filter_by_coder_narrows_quotes_not_totals(data, project_admin):
    summary = summarise(data.project, Filters(coder_id=project_admin.pk))
    assert (summary.totals.interviews, summary.totals.participants) == (4, 5)
    assert counts(summary)["Blame culture"] == (1, 1, 1, 1)
    assert counts(summary)["Tailored support"] == (0, 0, 0, 0)
    a, c = data.themes["A"].pk, data.themes["C"].pk
    assert summary.cooccurrence == {(a, c): 1, (c, a): 1}


def test_filter_by_interview_dates(data):
    summary = summarise(
        data.project,
        Filters(date_from=datetime.date(2018, 2, 1), date_to=datetime.date(2018, 3, 31)),
    )
    assert (summary.totals.interviews, summary.totals.participants, summary.totals.systems) == (
        2,
        2,
        2,
    )
    assert counts(summary)["Blame culture"] == (2, 2, 2, 2)
    assert counts(summary)["Tailored support"] == (1, 1, 1, 1)
    assert [p.interview.title for p in summary.saturation] == ["Interview T2", "Interview T3"]


def test_deleted_quotes_and_other_projects_do_not_count(data, transcript_b, theme_b, outsider):
    from coding.models import Quote, QuoteTheme

    quote = Quote.objects.create(
        transcript=transcript_b, start=0, end=4, text="P01:", coder=outsider
    )
    QuoteTheme.objects.create(content_object=quote, tag=theme_b)
    summary = summarise(data.project)
    assert counts(summary)["Blame culture"][0] == 5
    assert theme_b.pk not in {row.theme.pk for row in summary.rows}


def row_figures(row):
    return (row.path, row.quotes, row.cleared, row.interviews, row.participants, row.systems)


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"organisation_type": "primary_care"},
        {"organisation_type": "community_trust"},
        {"date_from": datetime.date(2018, 2, 1)},
        {"coder": True},
        {"system": True},
    ],
    ids=repr,
)
def test_one_themes_count_is_its_row_of_the_whole_summary(data, project_admin, filters):
    """The theme page counts its theme alone (summarise_theme); each figure, and the totals
    it is out of, must be the summary page's, one-to-one and group interviews alike."""
    filters = dict(filters)
    if filters.pop("coder", False):
        filters["coder_id"] = project_admin.pk
    if filters.pop("system", False):
        filters["local_system_id"] = data.systems["Northfield"].pk
    summary = summarise(data.project, Filters(**filters))
    assert any(row.quotes for row in summary.rows)
    for row in summary.rows:
        one = summarise_theme(data.project, row.theme, Filters(**filters))
        assert row_figures(one.row) == row_figures(row)
        assert one.totals == summary.totals


def test_sort_rows_by_any_column(data):
    summary = summarise(data.project)
    rows, sort = sort_rows(summary.rows, "-quotes")
    assert sort == "-quotes"
    assert [row.quotes for row in rows] == [5, 4, 2, 0]
    rows, _ = sort_rows(summary.rows, "participants")
    assert [row.participants for row in rows] == [0, 2, 4, 4]
    rows, _ = sort_rows(summary.rows, "-org:acute_trust")
    assert rows[0].theme.name == "Blame culture"
    rows, sort = sort_rows(summary.rows, "nonsense")
    assert sort == "theme" and rows[0].theme.name == "Blame culture"


def test_raised_by_line(data):
    summary = summarise(data.project)
    row = summary.row_by_theme[data.themes["A"].pk]
    assert raised_by(row, summary.totals) == "Raised by 4 of 5 interviewees in 3 of 3 systems"


def test_summary_records_what_authors_have_written(data):
    summary = ThemeSummary.objects.create(
        project=data.project, theme=data.themes["B"], narrative="Text"
    )
    HeadlineQuote.objects.create(summary=summary, quote=data.quotes["q1"], position=1)
    row = summarise(data.project).row_by_theme[data.themes["B"].pk]
    assert row.has_narrative and row.headline_count == 1


def test_admin_counts_in_one_query(data, django_assert_num_queries):
    with django_assert_num_queries(1):
        themes = {
            t.name: (t.quote_count, t.interview_count)
            for t in theme_admin_counts(Theme.objects.filter(project=data.project))
        }
    assert themes["Blame culture"] == (5, 4)
    assert themes["Shared ownership"] == (0, 0)


def queries_for(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def test_query_count_is_the_same_for_10_and_1000_quotes(data, enabler):
    themes = [data.themes["A"], data.themes["B"]]
    add_bulk_quotes(data.transcripts["T3"], enabler, themes, 2)  # 10 live quotes
    small = queries_for(lambda: summarise(data.project))
    small_workspace = queries_for(lambda: theme_workspace(data.project, data.themes["A"]))
    add_bulk_quotes(data.transcripts["T3"], enabler, themes, 990)
    assert queries_for(lambda: summarise(data.project)) == small
    assert queries_for(lambda: theme_workspace(data.project, data.themes["A"])) == small_workspace
    assert small <= 12
    assert summarise(data.project).row_by_theme[data.themes["A"].pk].quotes == 5 + 992


def test_theme_workspace_lists_quotes_with_attribution_and_warnings(data):
    workspace = theme_workspace(data.project, data.themes["A"])
    assert workspace.page.paginator.count == 5
    by_key = {view.quote.pk: view for view in workspace.quotes}
    q1 = by_key[data.quotes["q1"].pk]
    assert q1.attribution == "Chief executive, acute trust (P01, Northfield)"
    assert q1.published_attribution == "a chief executive of an acute trust"
    assert "Jane Smith" not in q1.published_text and "[name]'s team" in q1.published_text
    assert q1.redacted
    # Every participant here is alone in their role, organisation type and system.
    assert q1.warning.startswith("Only 1 participant has this role")
    assert workspace.warnings == 5
    q7 = by_key[data.quotes["q7"].pk]
    assert q7.attribution == "GP lead, primary care (P05, Eastmoor)"


def test_participant_shares_per_system_and_organisation_type(data):
    """Of each column's participants in scope, the share who raised the theme."""
    summary = summarise(data.project)
    a, b, c = (data.themes[k].pk for k in "ABC")
    north, south, east = (data.systems[n].pk for n in ("Northfield", "Southvale", "Eastmoor"))
    # Northfield: P01 and P02; Southvale: P03; Eastmoor: P04 and P05 (the group interview).
    assert summary.totals.system_participants == {north: 2, south: 1, east: 2}
    assert summary.totals.org_participants == {
        "acute_trust": 2, "ccg": 1, "community_trust": 1, "primary_care": 1
    }  # fmt: skip
    systems = summary.participant_shares("system")
    assert systems[a] == {north: 1.0, south: 1.0, east: 0.5}  # P05 of P04, P05
    assert systems[b] == {north: 1.0, east: 1.0}
    assert systems[c] == {north: 0.5, east: 0.5}  # q4 by P02, q6 by P04
    orgs = summary.participant_shares("org")
    assert orgs[a] == {"acute_trust": 1.0, "ccg": 1.0, "primary_care": 1.0}
    assert orgs[c] == {"ccg": 1.0, "community_trust": 1.0}
    # Inside a filter, out of the participants in scope only.
    only = summarise(data.project, Filters(organisation_type="acute_trust"))
    assert only.totals.org_participants == {"acute_trust": 2}
    assert only.participant_shares("system")[a] == {north: 1.0, south: 1.0}
