"""Hostile and broken archives are refused with the file's name, storing nothing."""

from __future__ import annotations

import io
import zipfile

import pytest

from coding.models import Quote, Theme
from coding.refi.importer import import_qdpx
from coding.refi.qde import RefiError
from interviews.models import Project, Transcript

from .conftest import qdpx

GUID_S = "DD23C919-4EF7-4DB5-B4CA-68A2F51D3D36"
GUID_C = "EF8A3957-2A1B-4904-B5E6-5B70F6A39160"
GUID_U = "182304A3-2260-4804-9DEC-45E2D7E313B1"


def qde(selection='startPosition="0" endPosition="5"', code_ref=GUID_C, prolog=""):
    return f"""<?xml version="1.0" encoding="utf-8"?>{prolog}
<Project xmlns="urn:QDA-XML:project:1.0" name="Hostile">
  <Users><User guid="{GUID_U}" name="coder"/></Users>
  <CodeBook><Codes><Code guid="{GUID_C}" name="Stress" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{GUID_S}" name="t" plainTextPath="internal://{GUID_S}.txt">
    <PlainTextSelection guid="4C76A01C-8831-43C7-9C9E-77A9FE7F06B9" {selection}>
      <Coding guid="3352098E-5C5C-443F-A25C-CB234C204FCC" creatingUser="{GUID_U}">
        <CodeRef targetGUID="{code_ref}"/></Coding>
    </PlainTextSelection></TextSource></Sources>
</Project>"""


TEXT = {f"sources/{GUID_S}.txt": "Hello world, all good.".encode()}


def refused(data: bytes) -> str:
    with pytest.raises(RefiError) as error:
        import_qdpx(data=data, label="evil.qdpx", project_name="Evil")
    assert not Project.objects.filter(name="Evil").exists()
    assert not Theme.objects.exists() and not Transcript.objects.exists()
    assert not Quote.all_objects.exists()
    return error.value.reason


def test_a_good_archive_imports(db):
    report = import_qdpx(data=qdpx(qde(), TEXT), label="good.qdpx", project_name="Good")
    assert report.counts["quotes"] == 1
    assert Quote.objects.get().text == "Hello"


def test_zip_slip(db):
    reason = refused(qdpx(qde(), {**TEXT, "../../etc/evil.txt": b"x"}))
    assert "evil.qdpx" in reason and "unsafe path" in reason and "../../etc/evil.txt" in reason


def test_absolute_path(db):
    assert "unsafe path" in refused(qdpx(qde(), {**TEXT, "/tmp/evil.txt": b"x"}))


def test_zip_bomb_by_declared_sizes(db, settings):
    settings.AEFRONT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde())
        archive.writestr(f"sources/{GUID_S}.txt", b"a" * (60 * 1024 * 1024))
    reason = refused(buffer.getvalue())
    assert "evil.qdpx" in reason and ("expands too large" in reason or "compressed" in reason)


def test_not_a_zip(db):
    assert "not a .qdpx file" in refused(b"<Project/>")


def test_truncated_zip(db):
    assert "damaged" in refused(qdpx(qde(), TEXT)[:-30])


def test_not_xml(db):
    assert "not well-formed XML" in refused(qdpx(b"\x00\x01 not xml", TEXT))


def test_not_a_project(db):
    assert "not a REFI-QDA project" in refused(qdpx("<Other/>", TEXT))


def test_xxe(db):
    prolog = '<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    assert "entity or DTD" in refused(qdpx(qde(prolog=prolog), TEXT))


def test_billion_laughs(db):
    prolog = '<!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    assert "entity or DTD" in refused(qdpx(qde(prolog=prolog), TEXT))


def test_position_out_of_range(db):
    reason = refused(qdpx(qde('startPosition="0" endPosition="500"'), TEXT))
    assert "out of range" in reason and "evil.qdpx" in reason


def test_negative_and_reversed_positions(db):
    assert "out of range" in refused(qdpx(qde('startPosition="-3" endPosition="2"'), TEXT))
    assert "out of range" in refused(qdpx(qde('startPosition="9" endPosition="2"'), TEXT))


def test_position_not_a_number(db):
    assert "not a number" in refused(qdpx(qde('startPosition="x" endPosition="2"'), TEXT))


def test_dangling_code_reference(db):
    reason = refused(qdpx(qde(code_ref="00000000-0000-0000-0000-000000000001"), TEXT))
    assert "00000000-0000-0000-0000-000000000001" in reason and "does not define" in reason


def test_missing_source_text(db):
    reason = refused(qdpx(qde(), {}))
    assert f"sources/{GUID_S}.txt" in reason


def test_not_utf8_text(db):
    reason = refused(qdpx(qde(), {f"sources/{GUID_S}.txt": b"caf\xe9 \xff"}))
    assert "not UTF-8" in reason and GUID_S in reason


def test_two_project_files(db):
    assert "more than one" in refused(qdpx(qde(), {**TEXT, "other.qde": qde().encode()}))


def test_nothing_is_written_to_disk(db, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    import_qdpx(data=qdpx(qde(), TEXT), label="good.qdpx", project_name="Good")
    assert list(tmp_path.iterdir()) == []


def test_inline_text_and_an_nvivo_style_annotation(db):
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1:0" name="Inline" origin="NVivo 14">
  <CodeBook><Codes><Code guid="{{{GUID_C}}}" name="Stress" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{GUID_S.lower()}" name="t">
    <PlainTextContent>Hello world 😊, all good.</PlainTextContent>
    <PlainTextSelection guid="4C76A01C-8831-43C7-9C9E-77A9FE7F06B9" startPosition="6"
      endPosition="11" name=""><Description>a comment</Description></PlainTextSelection>
    <PlainTextSelection guid="5C76A01C-8831-43C7-9C9E-77A9FE7F06B9" startPosition="16"
      endPosition="24" name="all good"><Coding guid="6C76A01C-8831-43C7-9C9E-77A9FE7F06B9">
      <CodeRef targetGUID="{GUID_C.lower()}"/></Coding></PlainTextSelection>
  </TextSource></Sources>
  <Notes><Note guid="7C76A01C-8831-43C7-9C9E-77A9FE7F06B9" name="ann">
    <PlainTextContent>an annotation</PlainTextContent></Note></Notes>
  <Links><Link guid="8C76A01C-8831-43C7-9C9E-77A9FE7F06B9"
    originGUID="7C76A01C-8831-43C7-9C9E-77A9FE7F06B9"
    targetGUID="4C76A01C-8831-43C7-9C9E-77A9FE7F06B9"/></Links>
</Project>"""
    report = import_qdpx(data=qdpx(xml), label="inline.qdpx", project_name="Inline")
    quotes = {q.text: q for q in Quote.objects.all()}
    assert set(quotes) == {"world", "all good"}
    assert quotes["world"].memo == "a comment\n\nan annotation"
    assert list(quotes["all good"].themes.names()) == ["Stress"]
    assert quotes["all good"].coder.username.startswith("refi-")
    assert not [line for line in report.notes if "differ" in line]


def test_importing_the_same_file_twice_adds_nothing_twice(db):
    data = qdpx(qde(), TEXT)
    import_qdpx(data=data, label="good.qdpx", project_name="Good")
    again = import_qdpx(data=data, label="good.qdpx", project_name="Good")
    assert Transcript.objects.count() == 1 and Quote.objects.count() == 1
    assert any("already in the project" in line for line in again.skipped)
    assert Theme.objects.count() == 1


def test_preview_stores_nothing(db):
    report = import_qdpx(data=qdpx(qde(), TEXT), label="good.qdpx", project_name="Good",
                         preview=True)  # fmt: skip
    assert report.counts["quotes"] == 1 and "nothing was stored" in report.headline
    assert not Project.objects.exists() and not Quote.all_objects.exists()
