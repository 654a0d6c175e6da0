"""Codebook exchange: .qdc files from aefront, Taguette, QualCoder, NVivo and ATLAS.ti
styles, with a preview of what is added, renamed and merged."""

from __future__ import annotations

import pytest

from coding.models import Theme
from coding.refi.codebook import import_codebook
from coding.refi.export import export_codebook
from coding.refi.qde import RefiError

from .conftest import assert_valid, shared

# Taguette 1.5.2 writes this: flat dotted paths, no descriptions, an empty <Sets/>.
TAGUETTE_QDC = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.5.2"><Codes>
<Code guid="0C0A4C28-0B0C-5B5E-9C6A-3D4E5F6A7B8C" name="leadership.visible" isCodable="true"/>
<Code guid="1C0A4C28-0B0C-5B5E-9C6A-3D4E5F6A7B8C" name="tailored support" isCodable="true"/>
</Codes><Sets/></CodeBook>"""
# QualCoder writes a BOM; NVivo for Mac the 1:0 namespace.
QUALCODER_QDC = (
    "\ufeff<?xml version='1.0' encoding='utf-8'?>"
    '<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="QualCoder 3.6"><Codes>'
    '<Code guid="{AAAAAAAA-0B0C-5B5E-9C6A-3D4E5F6A7B8C}" name="Category" isCodable="false"'
    ' color="#FF000080"><Description>A folder</Description>'
    '<Code guid="BBBBBBBB-0B0C-5B5E-9C6A-3D4E5F6A7B8C" name="Blame culture" isCodable="true"'
    ' color="#0a0"/></Code></Codes></CodeBook>'
).encode("utf-8")


def test_export_is_valid(project_a, theme):
    Theme.objects.create(project=project_a, name="Child", parent=theme, description="d")
    xml = export_codebook(project=project_a)
    assert_valid(xml, "Codebook.xsd")


def test_preview_stores_nothing_and_says_what_would_change(project_a, theme):
    result = import_codebook(project=project_a, data=TAGUETTE_QDC, label="t.qdc", preview=True)
    assert result.plan.summary == "1 added, 0 renamed, 1 merged, 0 unchanged"
    assert Theme.objects.filter(project=project_a).count() == 1


def test_taguette_codebook_applies(project_a, theme):
    import_codebook(project=project_a, data=TAGUETTE_QDC, label="t.qdc")
    assert set(Theme.objects.filter(project=project_a).values_list("name", flat=True)) == {
        "Tailored support",
        "leadership.visible",
    }


def test_qualcoder_codebook_with_bom_braces_and_odd_colours(project_a):
    import_codebook(project=project_a, data=QUALCODER_QDC, label="q.qdc")
    child = Theme.objects.get(project=project_a, name="Blame culture")
    assert child.parent.name == "Category" and child.colour == "#00aa00"
    assert child.parent.description == "A folder"
    assert str(child.uuid).upper() == "BBBBBBBB-0B0C-5B5E-9C6A-3D4E5F6A7B8C"


def test_renamed_by_guid(project_a, theme):
    xml = export_codebook(project=project_a).replace(b"Tailored support", b"Tailored help")
    result = import_codebook(project=project_a, data=xml, label="mine.qdc")
    assert result.plan.summary == "0 added, 1 renamed, 0 merged, 0 unchanged"
    theme.refresh_from_db()
    assert theme.name == "Tailored help"


def test_round_trip_into_another_project(project_a, project_b, theme):
    Theme.objects.create(project=project_a, name="Child", parent=theme, colour="#123456")
    xml = export_codebook(project=project_a)
    import_codebook(project=project_b, data=xml, label="a.qdc")
    assert export_codebook(project=project_b).replace(b"", b"") != b""
    child = Theme.objects.get(project=project_b, name="Child")
    assert child.parent.name == "Tailored support" and child.colour == "#123456"


def test_nvivo_project_codebook_reads_from_a_qde(db, project_a):
    import zipfile

    with zipfile.ZipFile(shared("samples/nvivo-win-12.6_oltas0517.qdpx")) as archive:
        xml = archive.read("project.qde")
    result = import_codebook(project=project_a, data=xml, label="project.qde", preview=True)
    assert result.plan.count("added") > 100


@pytest.mark.parametrize(
    "data, words",
    [
        (b"not xml", "not well-formed"),
        (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", "no codes"),
        (b"<Other/>", "not a REFI-QDA codebook"),
        (b'<!DOCTYPE c [<!ENTITY x "y">]><CodeBook/>', "entity or DTD"),
    ],
)
def test_bad_codebooks_are_refused(project_a, data, words):
    with pytest.raises(RefiError) as refused:
        import_codebook(project=project_a, data=data, label="bad.qdc")
    assert words in refused.value.reason and "bad.qdc" in refused.value.reason
    assert not Theme.objects.filter(project=project_a).exists()
