"""Bad input answers 4xx, never 500: huge ids, deep JSON, lone surrogates, impossible
dates, and confidential pages are never cached."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from coding.models import Quote, Theme
from coding.report.exports.csv import neutralise

pytestmark = pytest.mark.django_db

HUGE = str(2**63)


@pytest.fixture
def as_enabler(client, enabler):
    client.force_login(enabler)
    return client


def post_json(client, url, raw: str):
    return client.post(url, data=raw, content_type="application/json")


@pytest.mark.parametrize(
    "path",
    [
        f"/p/alpha/transcripts/{HUGE}/",
        f"/p/alpha/transcripts/{HUGE}/quotes/",
        f"/p/alpha/quotes/{HUGE}/",
        f"/p/alpha/report/themes/{HUGE}/",
        f"/p/alpha/import/{HUGE}/review/",
        f"/p/alpha/transcripts/{'9' * 40}/",
    ],
)
def test_ids_no_row_can_have_are_404(as_enabler, transcript, path):
    assert as_enabler.get(path).status_code == 404


def test_a_huge_theme_id_in_the_body_is_400(as_enabler, transcript, theme):
    url = reverse("coding:api_quotes", args=["alpha", transcript.pk])
    body = {"start": 0, "end": 3, "text": transcript.text[:3], "themes": [2**63]}
    response = post_json(as_enabler, url, json.dumps(body))
    assert response.status_code == 400
    assert "themes" in response.json()["error"]


def test_deeply_nested_json_is_400(as_enabler, transcript):
    url = reverse("coding:api_quotes", args=["alpha", transcript.pk])
    response = post_json(as_enabler, url, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert "nested" in response.json()["error"]


@pytest.mark.parametrize("field", ["memo", "new_theme"])
def test_a_lone_surrogate_is_400_and_writes_nothing(as_enabler, transcript, theme, field):
    url = reverse("coding:api_quotes", args=["alpha", transcript.pk])
    raw = json.dumps({"start": 0, "end": 3, "text": transcript.text[:3], "themes": [theme.pk]})
    raw = raw[:-1] + f', "{field}": "a\\ud800b"}}'
    response = post_json(as_enabler, url, raw)
    assert response.status_code == 400
    assert field in response.json()["error"]
    assert Quote.all_objects.count() == 0
    assert Theme.objects.count() == 1


@pytest.mark.parametrize(
    "since",
    [
        "2026-13-01T00:00:00",
        "2026-02-30T10:00:00",
        "2026-01-01T25:00:00",
        "2026-01-01T10:00+99:00",
    ],
)
def test_impossible_since_dates_are_400(as_enabler, transcript, since):
    url = reverse("coding:api_quotes", args=["alpha", transcript.pk])
    response = as_enabler.get(url, {"since": since})
    assert response.status_code == 400
    assert "since" in response.json()["error"]


@pytest.mark.parametrize("cell", [" =2+3", "  +1", " @SUM(A1)", "=1", "-2"])
def test_formulas_after_spaces_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


def test_plain_cells_are_kept():
    assert neutralise("a = b") == "a = b"
    assert neutralise("") == ""


def test_a_row_is_neutralised_cell_by_cell_as_neutralise_would():
    from aefront.cells import FORMULA_TRIGGERS, neutralised

    cells = ["", " ", "  ", "a", "a=b", "'=1", " x", "\u00a0=1", "›", 12, None, -3]
    cells += [f"{space}{trigger}x" for trigger in FORMULA_TRIGGERS for space in ("", " ", "   ")]
    assert neutralised(cells) == [neutralise(str(cell)) for cell in cells]
    assert neutralised(["-3", " @x", "ok"]) == ["'-3", "' @x", "ok"]


@pytest.mark.parametrize(
    "name, args",
    [
        ("interviews:project_detail", ["alpha"]),
        ("report:summary", ["alpha"]),
        ("report:preview", ["alpha"]),
        ("coding:theme_list", ["alpha"]),
    ],
)
def test_confidential_pages_are_never_cached(client, project_admin, transcript, name, args):
    client.force_login(project_admin)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_theme_workspace_is_never_cached(client, project_admin, theme):
    client.force_login(project_admin)
    response = client.get(reverse("report:theme", args=["alpha", theme.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
