import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from coding.models import Quote, QuoteTheme
from tests.coding.export_setup import real_names_in
from tests.coding.report_data import build

CHANGELIST = "/admin/coding/theme/"


@pytest.fixture
def data(project_a, enabler, project_admin):
    return build(project_a, enabler, project_admin)


def read(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_action_exports_the_selected_themes_quotes(
    client, data, project_admin, theme_b, transcript_b, outsider
):
    quote = Quote.objects.create(
        transcript=transcript_b, start=0, end=3, text="P01", coder=outsider
    )
    QuoteTheme.objects.create(content_object=quote, tag=theme_b)
    client.force_login(project_admin)
    selected = [data.themes["C"].pk, data.themes["B"].pk, theme_b.pk]
    response = client.post(
        CHANGELIST, {"action": "export_quotes_csv", ACTION_CHECKBOX_NAME: selected}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read(response)
    assert rows[0][:3] == ["project", "theme path", "quote"]
    body = rows[1:]
    # C: q4, q6; B: q1, q3, q6, q8 - every quote, cleared or not; nothing of project B.
    assert len(body) == 6
    assert {row[0] for row in body} == {"alpha"}
    assert [row[1] for row in body] == ["Blame culture › Four-hour target"] * 2 + [
        "Tailored support"
    ] * 4
    assert {row[4] for row in body} >= {"P01", "P04"}  # pseudonyms inside the team
    assert real_names_in("\n".join(",".join(row) for row in rows)) == []


def test_action_is_listed_in_the_theme_admin(client, data, project_admin):
    client.force_login(project_admin)
    html = client.get(CHANGELIST).content.decode()
    assert 'value="export_quotes_csv"' in html
    assert "Export the selected themes&#x27; quotes as CSV" in html
