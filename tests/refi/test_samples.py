"""The real exports in shared/refi: NVivo's coding comes in whole and on its words,
ATLAS.ti's (whose texts are missing) is refused by name, or gives only its codebook."""

from __future__ import annotations

import pytest

from coding.models import Quote, Theme
from coding.refi.importer import import_qdpx
from interviews.models import Project, Transcript

from .conftest import NVIVO, shared


@pytest.fixture
def nvivo_report(db, project_admin):
    data = shared(NVIVO).read_bytes()
    return import_qdpx(data=data, label="oltas.qdpx", project_name="Oltas", user=project_admin)


def test_nvivo_imports_every_coded_selection(nvivo_report):
    project = Project.objects.get(name="Oltas")
    quotes = Quote.objects.filter(transcript__project=project)
    codings = sum(q.themes.count() for q in quotes)
    assert codings == 303
    assert nvivo_report.counts.get("selections skipped", 0) == 0
    assert Transcript.objects.filter(project=project).count() == 2
    assert Theme.objects.filter(project=project).count() == 152
    for quote in quotes:
        assert quote.text == quote.transcript.text[quote.start : quote.end]
        assert "\r" not in quote.transcript.text
    print(nvivo_report.headline, *nvivo_report.notes, sep="\n")
