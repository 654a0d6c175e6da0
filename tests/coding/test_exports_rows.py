import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding.report.exports.rows import QUOTE_COLUMNS, ExportOptions, build_report, quote_rows
from coding.report.summaries import Filters
from tests.coding.export_setup import real_names_in, write_up
from tests.coding.report_data import add_bulk_quotes, build


@pytest.fixture
def data(project_a, enabler, project_admin, author):
    project_a.report_title = "Messages from the front line"
    project_a.save()
    return write_up(build(project_a, enabler, project_admin), author)


def test_report_sections_in_the_authors_order(data):
    report = build_report(project=data.project)
    assert report.title == "Messages from the front line"
    assert [s.heading for s in report.sections] == ["Tailored support", "Blame culture"]
    assert [left.path for left in report.not_included] == [
        "Blame culture › Four-hour target",
        "Shared ownership",
    ]
    assert report.scope == "All interviews"
    assert report.totals_line == "Based on 4 interviews with 5 interviewees in 3 local systems."


def test_report_says_what_it_leaves_out_and_why(data):
    report = build_report(project=data.project)
    assert [str(left) for left in report.not_included] == [
        "Blame culture › Four-hour target: 2 quotes, 0 cleared, no narrative and no headline "
        "quotes — not in the report",
        "Shared ownership: 0 quotes, 0 cleared, no narrative and no headline quotes — not in "
        "the report",
    ]
    support, blame = report.sections
    # Cleared counts come from one-to-one (q1, q3, q5) and group-interview quotes (q7).
    assert (blame.quote_count, blame.cleared_count) == (5, 3)
    assert (support.quote_count, support.cleared_count) == (4, 2)
    assert support.warnings == []
    assert blame.warnings == ["1 headline quote left out (not cleared or outside the filters)"]
    assert report.thin_sections == [blame]


def test_included_theme_without_narrative_or_cleared_quote_is_warned(data, author):
    from coding.report import authoring

    theme = data.themes["C"]
    authoring.set_headlines(
        project=data.project, theme=theme, quote_ids=[data.quotes["q4"].pk], expected=None,
        user=author,
    )  # fmt: skip
    report = build_report(project=data.project)
    section = next(s for s in report.sections if s.theme_id == theme.pk)
    assert section.warnings == [
        "no narrative",
        "no cleared headline quote in the report",
        "1 headline quote left out (not cleared or outside the filters)",
    ]


def test_section_content_is_redacted_and_attributed(data):
    blame = build_report(project=data.project).sections[1]
    assert blame.paragraphs == ["Blame came from the region.", "[name] was named in public."]
    assert blame.raised_by == "Raised by 4 of 5 interviewees in 3 of 3 systems"
    assert [(q.text, q.attribution) for q in blame.quotes] == [
        ("[name]'s practice felt blamed.", "a GP lead of a primary care organisation"),
        (
            "We were blamed, and [name]'s team needed tailored support.",
            "a chief executive of an acute trust",
        ),
    ]
    assert blame.left_out == 1  # q2 is not cleared
    support = build_report(project=data.project).sections[0]
    assert support.paragraphs == ["Support worked when planned with [hospital]."]
    assert support.quotes[0].text == "Support was planned with us, [name] said, not parachuted in."


def test_all_quotes_and_opt_in_details(data):
    options = ExportOptions(all_quotes=True, with_pseudonyms=True, with_systems=True)
    blame = build_report(project=data.project, options=options).sections[1]
    assert [q.attribution for q in blame.quotes] == [
        "a GP lead of a primary care organisation (P05, Eastmoor)",
        "a chief executive of an acute trust (P01, Northfield)",
        "a chief executive of an acute trust (P01, Northfield)",
    ]
    assert blame.left_out == 0


def test_filters_apply_to_the_report(data):
    filters = Filters(local_system_id=data.systems["Eastmoor"].pk)
    report = build_report(project=data.project, filters=filters)
    blame = report.sections[1]
    assert blame.raised_by == "Raised by 1 of 2 interviewees in 1 of 1 system"
    assert [q.text for q in blame.quotes] == ["[name]'s practice felt blamed."]
    assert report.scope == "Limited to local system Eastmoor"
    dated = build_report(
        project=data.project,
        filters=Filters(date_from=datetime.date(2018, 1, 1), date_to=datetime.date(2018, 1, 31)),
    )
    assert dated.scope == "Limited to interviews from 01 January 2018 to 31 January 2018"


def test_quote_rows_columns_and_order(data):
    rows = list(quote_rows(project=data.project, options=ExportOptions(all_quotes=True)))
    assert tuple(rows[0]) == QUOTE_COLUMNS
    body = rows[1:]
    # 8 live quotes with 11 codings; theme tree order A, C, B; D has none.
    assert len(body) == 11
    assert [r[0] for r in body] == (
        ["Blame culture"] * 5 + ["Blame culture › Four-hour target"] * 2 + ["Tailored support"] * 4
    )
    first = body[0]
    assert first[1] == "We were blamed, and [name]'s team needed tailored support."
    # Neither the title nor the coder's username: both can hold a name.
    assert first[2:] == [
        f"Interview {data.transcripts['T1'].pk}", "", "chief executive", "acute trust", "",
        "2018-01-10", str(data.quotes["q1"].start), str(data.quotes["q1"].end), "Coder 1", "yes",
        str(data.quotes["q1"].uuid),
    ]  # fmt: skip


def test_quote_rows_list_every_coded_quote_with_its_clearance(data):
    rows = list(quote_rows(project=data.project))[1:]
    # The issue: CSV and XLSX hold all coded quotes; the `cleared` column tells them apart.
    assert len(rows) == 11  # 8 live quotes, 11 codings
    assert sorted(r[-2] for r in rows) == ["no"] * 6 + ["yes"] * 5
    # The last column is the quote's stable id, the uuid the API returns.
    assert {r[-1] for r in rows} == {
        str(q.uuid) for q in data.quotes.values() if q.codings.exists() and q.deleted_at is None
    }
    # cleared: q1 (A, B), q3 (B), q5 (A), q7 (A)
    cleared = {
        (str(data.quotes[k].start), str(data.quotes[k].end)) for k in ("q1", "q3", "q5", "q7")
    }
    assert {(r[8], r[9]) for r in rows if r[-2] == "yes"} == cleared
    assert not {(r[8], r[9]) for r in rows if r[-2] == "no"} & cleared


def test_quote_rows_pseudonyms_and_systems_on_request(data):
    with_details = list(
        quote_rows(
            project=data.project, options=ExportOptions(with_pseudonyms=True, with_systems=True)
        )
    )[1:]
    assert with_details[0][3:7] == ["P01", "chief executive", "acute trust", "Northfield"]


def test_quote_rows_respect_organisation_filter(data):
    rows = list(
        quote_rows(
            project=data.project,
            filters=Filters(organisation_type="primary_care"),
            options=ExportOptions(all_quotes=True),
        )
    )[1:]
    assert sorted(r[1] for r in rows) == [
        "Tailored support came late.",
        "[name]'s practice felt blamed.",
    ]


def test_no_real_name_in_any_row(data):
    rows = list(quote_rows(project=data.project, options=ExportOptions(all_quotes=True)))
    text = "\n".join("\t".join(r) for r in rows)
    assert real_names_in(text) == []
    assert "Smithson" in text  # a longer word is not a name


def count_queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_quotes(data, enabler):
    themes = [data.themes["A"], data.themes["B"]]
    add_bulk_quotes(data.transcripts["T3"], enabler, themes, 2)
    options = ExportOptions(all_quotes=True)
    small_rows = count_queries(lambda: list(quote_rows(project=data.project, options=options)))
    small_report = count_queries(lambda: build_report(project=data.project, options=options))
    add_bulk_quotes(data.transcripts["T3"], enabler, themes, 990)
    big_rows = count_queries(lambda: list(quote_rows(project=data.project, options=options)))
    assert big_rows == small_rows
    assert (
        count_queries(lambda: build_report(project=data.project, options=options)) == small_report
    )
    assert len(list(quote_rows(project=data.project, options=options))) == 1 + 11 + 2 * 992


def test_redaction_list_wins_over_opted_in_system_names(data):
    from coding.models import RedactionTerm

    RedactionTerm.objects.create(project=data.project, term="Eastmoor", replacement="[place]")
    options = ExportOptions(all_quotes=True, with_systems=True)
    rows = list(quote_rows(project=data.project, options=options))[1:]
    assert "Eastmoor" not in {row[6] for row in rows}
    assert "[place]" in {row[6] for row in rows}
    blame = build_report(project=data.project, options=options).sections[1]
    assert blame.quotes[0].attribution == "a GP lead of a primary care organisation ([place])"


def test_a_quote_across_turns_is_attributed_to_every_speaker_in_it(data, author):
    """A focus group's quote across turns (a project's multi_turn_quotes) names each
    speaker in its attribution and in the CSV's speaker columns."""
    from coding.models import Quote, QuoteTheme
    from coding.report import authoring

    q6, q7 = data.quotes["q6"], data.quotes["q7"]
    transcript = q6.transcript
    both = Quote.objects.create(
        transcript=transcript, start=q6.start, end=q7.end, coder=q6.coder, is_cleared=True,
        text=transcript.text[q6.start : q7.end],
    )  # fmt: skip
    QuoteTheme.objects.create(content_object=both, tag=data.themes["A"])
    authoring.set_headlines(
        project=data.project, theme=data.themes["A"], quote_ids=[both.pk], expected=None,
        user=author,
    )  # fmt: skip
    blame = next(
        s for s in build_report(project=data.project).sections if s.theme_id == data.themes["A"].pk
    )
    p04, p05 = data.participants["P04"], data.participants["P05"]
    assert blame.quotes[0].attribution == (
        "a director of nursing of a community trust and a GP lead of a primary care organisation"
    )
    rows = list(quote_rows(project=data.project, options=ExportOptions(with_pseudonyms=True)))
    (row,) = [r for r in rows[1:] if r[-1] == str(both.uuid) and r[0] == "Blame culture"]
    assert row[3] == f"{p04.pseudonym}; {p05.pseudonym}"
    assert row[4] == f"{p04.role_title}; {p05.role_title}"
    single = [r for r in rows[1:] if r[-1] == str(q7.uuid)][0]
    assert single[3] == p05.pseudonym  # a quote inside one turn names one speaker


def one_themes_quote_ids(data, theme, **filters) -> list[str]:
    rows = quote_rows(
        project=data.project,
        filters=Filters(**filters),
        options=ExportOptions(all_quotes=True),
        theme_ids={theme.pk},
    )
    return [row[-1] for row in list(rows)[1:]]


def test_one_themes_rows_keep_to_the_interviews_in_scope(data, transcript_b):
    """One theme's codings are read by the theme alone; the interview of each row is
    checked after: out of the bin, of this project, inside the dates."""
    from django.utils import timezone

    from coding.models import Quote, QuoteTheme
    from interviews.models import Transcript

    theme, q = data.themes["A"], data.quotes
    in_order = [str(q[k].uuid) for k in ("q1", "q2", "q4", "q5", "q7")]
    assert one_themes_quote_ids(data, theme) == in_order
    assert one_themes_quote_ids(data, theme, date_from=datetime.date(2018, 2, 1)) == in_order[2:]
    # A live quote on a transcript in the bin, and a quote of another project's transcript
    # coded with this project's theme (no service makes either): neither is exported.
    Transcript.all_objects.filter(pk=data.transcripts["T3"].pk).update(deleted_at=timezone.now())
    foreign = Quote.objects.create(
        transcript=transcript_b, start=0, end=5, text=transcript_b.text[:5], coder=q["q1"].coder
    )
    QuoteTheme.objects.create(content_object=foreign, tag=theme)
    assert one_themes_quote_ids(data, theme) == [
        key for key in in_order if key != str(q["q5"].uuid)
    ]


def test_one_themes_rows_cost_the_same_queries_for_few_and_many_quotes(
    data, enabler, django_assert_num_queries
):
    theme = data.themes["B"]
    options = ExportOptions(with_pseudonyms=True, with_systems=True, with_memos=True)

    def rows() -> list[list[str]]:
        return list(quote_rows(project=data.project, options=options, theme_ids={theme.pk}))

    few = count_queries(rows)
    add_bulk_quotes(data.transcripts["T3"], enabler, [theme], 500)
    with django_assert_num_queries(few):
        many = rows()
    assert len(many) == 1 + 4 + 500
