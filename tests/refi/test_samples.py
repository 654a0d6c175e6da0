"""The real exports in shared/refi: NVivo's coding comes in whole and on its words,
ATLAS.ti's (whose texts are missing) is refused by name, or gives only its codebook."""

from __future__ import annotations

import pytest

from coding.models import Quote, Theme
from coding.refi import positions
from coding.refi.importer import import_qdpx
from coding.refi.qde import RefiError
from interviews.models import Project, Transcript

from .conftest import ATLAS, NVIVO, shared


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


def test_nvivo_selections_sit_on_their_coders_word_boundaries(nvivo_report):
    quotes = Quote.objects.filter(transcript__project__name="Oltas").select_related("transcript")
    off = [
        q for q in quotes if not positions.on_word_boundaries(q.transcript.text, q.start, q.end)
    ]
    # Three selections end or start inside a word under every reading; they are kept
    # exactly where NVivo put them and listed in the report, never moved.
    assert len(off) == 3
    listed = [note for note in nvivo_report.notes if "does not start and end" in note]
    assert len(listed) == 3
    assert any("UTF-16 units, CRLF counted as 2" in note for note in nvivo_report.notes)


def test_atlas_sample_is_refused_naming_the_missing_files(db, project_admin):
    data = shared(ATLAS).read_bytes()
    with pytest.raises(RefiError) as refused:
        import_qdpx(data=data, label="atlas.qdpx", project_name="Atlas", user=project_admin)
    assert "01106019-2518-43DD-BBD1-8F0252BACB30.txt" in refused.value.reason
    assert "missing" in refused.value.reason
    assert not Project.objects.filter(name="Atlas").exists()


def test_atlas_sample_codebook_only_on_request(db, project_admin):
    data = shared(ATLAS).read_bytes()
    report = import_qdpx(data=data, label="atlas.qdpx", project_name="Atlas",
                         user=project_admin, codebook_only=True)  # fmt: skip
    project = Project.objects.get(name="Atlas")
    assert Theme.objects.filter(project=project).count() == 14
    assert not Transcript.objects.filter(project=project).exists()
    assert any("only text sources" in line for line in report.skipped)


def test_shared_examples_import(db, project_admin):
    report = import_qdpx(
        data=shared("examples/minimal-text-project.qdpx").read_bytes(),
        label="minimal.qdpx", project_name="Minimal", user=project_admin,
    )  # fmt: skip
    assert report.counts.get("transcripts") == 1


def test_nvivo_project_exports_valid_and_comes_back_the_same(nvivo_report, project_admin):
    from coding.refi.export import export_project

    from .conftest import assert_valid, entries

    project = Project.objects.get(name="Oltas")
    exported = export_project(project=project, utf16=True)
    assert_valid(entries(exported.data)["project.qde"])
    again = import_qdpx(data=exported.data, label="back.qdpx", project_name="Oltas again",
                        user=project_admin)  # fmt: skip
    assert again.counts["quotes"] == 188 and not again.skipped
    back = Quote.objects.filter(transcript__project__name="Oltas again")
    assert sorted((q.text, tuple(sorted(q.themes.names()))) for q in back) == sorted(
        (q.text, tuple(sorted(q.themes.names())))
        for q in Quote.objects.filter(transcript__project=project)
    )
