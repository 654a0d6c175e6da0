import pytest
from django.core.exceptions import ValidationError

from coding.models import HeadlineQuote, Quote, RedactionTerm, ThemeSummary
from coding.report import authoring
from tests.coding.report_data import build


@pytest.fixture
def data(project_a, enabler, project_admin):
    return build(project_a, enabler, project_admin)


def test_first_save_creates_the_summary_and_raises_the_version(data, author):
    result = authoring.save_narrative(
        project=data.project, theme=data.themes["A"], narrative="  First draft.\r\n", version=0,
        user=author,
    )  # fmt: skip
    assert result.saved and not result.conflict
    summary = ThemeSummary.objects.get(theme=data.themes["A"])
    assert (summary.narrative, summary.version, summary.updated_by) == ("First draft.", 1, author)


def test_second_author_saving_from_a_stale_version_gets_a_conflict(data, author, project_admin):
    theme = data.themes["A"]
    first = authoring.save_narrative(
        project=data.project, theme=theme, narrative="Base", version=0, user=author
    )
    read_at = first.summary.version  # both authors open the page at version 1
    authoring.save_narrative(
        project=data.project, theme=theme, narrative="Admin's text", version=read_at,
        user=project_admin,
    )  # fmt: skip
    late = authoring.save_narrative(
        project=data.project, theme=theme, narrative="Author's text", version=read_at, user=author
    )
    assert late.conflict
    assert late.mine == "Author's text"
    assert late.summary.narrative == "Admin's text"  # theirs, untouched
    assert late.summary.version == 2
    stored = ThemeSummary.objects.get(theme=theme)
    assert (stored.narrative, stored.version) == ("Admin's text", 2)
    # Saving again from the version the conflict showed is a deliberate overwrite.
    merged = authoring.save_narrative(
        project=data.project, theme=theme, narrative="Merged", version=2, user=author
    )
    assert merged.saved and ThemeSummary.objects.get(theme=theme).narrative == "Merged"


def test_narrative_too_long_is_rejected(data, author):
    with pytest.raises(ValidationError, match="limit"):
        authoring.save_narrative(
            project=data.project, theme=data.themes["A"],
            narrative="x" * (authoring.MAX_NARRATIVE_CHARS + 1), version=0, user=author,
        )  # fmt: skip
    assert not ThemeSummary.objects.filter(narrative__startswith="x").exists()


def test_theme_of_another_project_is_rejected(data, author, theme_b):
    with pytest.raises(ValidationError, match="another project"):
        authoring.save_narrative(
            project=data.project, theme=theme_b, narrative="x", version=0, user=author
        )


def test_set_and_reorder_headlines(data, author):
    theme, q = data.themes["A"], data.quotes
    order = [q["q5"].pk, q["q1"].pk, q["q7"].pk]
    summary = authoring.set_headlines(
        project=data.project, theme=theme, quote_ids=order, expected=[], user=author
    )
    assert authoring.headline_ids(summary) == order
    moved = authoring.move_in_list(order, q["q7"].pk, "up")
    authoring.set_headlines(
        project=data.project, theme=theme, quote_ids=moved, expected=order, user=author
    )
    assert authoring.headline_ids(summary) == [q["q5"].pk, q["q7"].pk, q["q1"].pk]
    assert list(HeadlineQuote.objects.filter(summary=summary).values_list("position", flat=True)
                .order_by("position")) == [1, 2, 3]  # fmt: skip


def test_headlines_from_a_stale_page_are_refused(data, author):
    theme, q = data.themes["A"], data.quotes
    authoring.set_headlines(
        project=data.project, theme=theme, quote_ids=[q["q1"].pk], expected=[], user=author
    )
    with pytest.raises(ValidationError, match="Another author"):
        authoring.set_headlines(
            project=data.project, theme=theme, quote_ids=[q["q2"].pk], expected=[], user=author
        )
    assert authoring.headline_ids(ThemeSummary.objects.get(theme=theme)) == [q["q1"].pk]


@pytest.mark.parametrize("bad", ["other theme", "deleted", "duplicate", "other project"])
def test_headlines_must_be_live_quotes_of_the_theme(data, author, bad, transcript_b, outsider):
    theme, q = data.themes["C"], data.quotes
    ids = {
        "other theme": [q["q1"].pk],
        "deleted": [q["q9"].pk],
        "duplicate": [q["q4"].pk, q["q4"].pk],
        "other project": [
            Quote.objects.create(
                transcript=transcript_b, start=0, end=3, text="P01", coder=outsider
            ).pk
        ],
    }[bad]
    with pytest.raises(ValidationError):
        authoring.set_headlines(
            project=data.project, theme=theme, quote_ids=ids, expected=None, user=author
        )
    assert not HeadlineQuote.objects.exists()


def test_move_in_list():
    assert authoring.move_in_list([1, 2, 3], 3, "up") == [1, 3, 2]
    assert authoring.move_in_list([1, 2, 3], 1, "down") == [2, 1, 3]
    assert authoring.move_in_list([1, 2, 3], 1, "up") == [1, 2, 3]
    assert authoring.move_in_list([1, 2, 3], 3, "top") == [3, 1, 2]
    assert authoring.move_in_list([1, 2, 3], 2, "remove") == [1, 3]
    assert authoring.move_in_list([1, 2], 5, "add") == [1, 2, 5]
    with pytest.raises(ValidationError):
        authoring.move_in_list([1, 2], 5, "up")


def test_clear_and_withdraw(data, author, transcript_b, outsider):
    q1 = data.quotes["q1"]
    assert (
        authoring.set_cleared(project=data.project, quote_ids=[q1.pk], cleared=True, user=author)
        == 1
    )
    q1.refresh_from_db()
    assert q1.is_cleared
    authoring.set_cleared(project=data.project, quote_ids=[q1.pk], cleared=False, user=author)
    q1.refresh_from_db()
    assert not q1.is_cleared
    foreign = Quote.objects.create(
        transcript=transcript_b, start=0, end=3, text="P01", coder=outsider
    )
    with pytest.raises(ValidationError):
        authoring.set_cleared(
            project=data.project, quote_ids=[q1.pk, foreign.pk], cleared=True, user=author
        )
    q1.refresh_from_db()
    foreign.refresh_from_db()
    assert not q1.is_cleared and not foreign.is_cleared  # nothing half-written


def test_report_order(data, author, theme_b):
    a, b, c = data.themes["A"], data.themes["B"], data.themes["C"]
    authoring.set_report_order(project=data.project, theme_ids=[b.pk, a.pk], user=author)
    positions = dict(ThemeSummary.objects.values_list("theme_id", "position"))
    assert positions == {b.pk: 1, a.pk: 2}
    authoring.set_report_order(project=data.project, theme_ids=[c.pk], user=author)
    positions = dict(ThemeSummary.objects.values_list("theme_id", "position"))
    assert positions == {b.pk: None, a.pk: None, c.pk: 1}
    with pytest.raises(ValidationError):
        authoring.set_report_order(project=data.project, theme_ids=[theme_b.pk], user=author)


def test_moving_a_theme_in_the_report_order_costs_the_same_for_4_themes_or_40(data, author):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coding.models import Theme

    def reverse_order() -> int:
        ids = list(
            ThemeSummary.objects.filter(project=data.project)
            .order_by("-position", "-pk")
            .values_list("theme_id", flat=True)
        )
        with CaptureQueriesContext(connection) as done:
            authoring.set_report_order(project=data.project, theme_ids=ids, user=author)
        assert (
            list(
                ThemeSummary.objects.filter(project=data.project)
                .order_by("position")
                .values_list("theme_id", flat=True)
            )
            == ids
        )
        return len(done.captured_queries)

    for theme in data.themes.values():
        authoring.summary_for(project=data.project, theme=theme)
    few = reverse_order()
    for n in range(36):
        theme = Theme.objects.create(project=data.project, name=f"Extra {n}")
        authoring.summary_for(project=data.project, theme=theme)
    assert reverse_order() == few <= 8


def test_redaction_terms(data):
    term = authoring.add_redaction_term(
        project=data.project, term="  Northfield  General ", replacement=""
    )
    assert (term.term, term.replacement) == ("Northfield General", "[name]")
    with pytest.raises(ValidationError, match="already"):
        authoring.add_redaction_term(
            project=data.project, term="NORTHFIELD general", replacement="x"
        )
    with pytest.raises(ValidationError, match="two letters"):
        authoring.add_redaction_term(project=data.project, term="J", replacement="x")
    authoring.remove_redaction_term(project=data.project, term_id=term.pk)
    assert not RedactionTerm.objects.exists()
    with pytest.raises(ValidationError):
        authoring.remove_redaction_term(project=data.project, term_id=term.pk)
