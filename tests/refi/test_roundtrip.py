"""Export, import into a new project, export again: the same transcripts, quotes and
codebook; every export valid against the schemas; and a property over random quotes."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding.models import Quote, QuoteTheme, Theme
from coding.refi import positions
from coding.refi.export import export_codebook, export_project
from coding.refi.importer import import_qdpx
from coding.refi.qde import guid_key, parse_xml, read_project
from interviews.models import LocalSystem, Participant, Project, Transcript
from interviews.services import import_transcript

from .conftest import assert_valid, entries

CRLF_UPLOAD = (
    "Interviewer: How did winter go?\r\n\r\n"
    "Jane Smith: It was hard 😊 — the café queue 🚑🚑 was out of the door.\r\n"
    "We asked for support, re\u0301ally.\r\n\r\n"
    "Interviewer: And the board?\r\n\r\n"
    "Jane Smith: They listened, eventually. 👍🏽 Next year 𝒮 will be better.\r\n"
).encode("utf-8")


def snapshot(data: bytes):
    """What a round trip must keep, keyed by content (GUIDs differ between projects)."""
    files = entries(data)
    refi = read_project(parse_xml(files["project.qde"], "x"), "x")
    codes = {code.guid: code for code in refi.all_codes()}
    notes = {note.guid: note.text for note in refi.notes}

    def code_tree(items, parent=""):
        for code in items:
            yield (parent, code.name, code.colour, code.description)
            yield from code_tree(code.children, code.name)

    texts = {}
    quotes = set()
    for source in refi.sources:
        text = files[f"sources/{source.guid}.txt"].decode("utf-8")
        texts[source.name] = text
        for selection in source.selections:
            quotes.add(
                (
                    source.name,
                    text[selection.start : selection.end],
                    selection.start,
                    selection.end,
                    tuple(sorted(codes[c.code].name for c in selection.codings)),
                    refi.users[selection.creator],
                    "".join(notes[ref] for ref in selection.note_refs),
                )
            )
    cases = {
        (case.name, tuple(sorted(case.values.values())), len(case.sources)) for case in refi.cases
    }
    return texts, quotes, set(code_tree(refi.codes)), cases


@pytest.fixture
def demo(project_a, enabler, project_admin, local_system, make_quote):
    result = import_transcript(
        project=project_a, filename="winter interview.txt", data=CRLF_UPLOAD, user=enabler,
        local_system=local_system,
    )  # fmt: skip
    transcript = result.transcript
    parent = Theme.objects.create(project=project_a, name="Pressure", colour="#aa0000",
                                  description="When people feel\nthe target.")  # fmt: skip
    child = Theme.objects.create(project=project_a, name="Four-hour target", parent=parent)
    other = Theme.objects.create(project=project_a, name="Tailored support", colour="#00aa00")
    text = transcript.text
    assert "\r" not in text and "😊" in text
    for phrase, coder, themes in (
        ("It was hard 😊", enabler, [child, parent]),
        ("the café queue 🚑🚑 was out of the door", project_admin, [other]),
        ("We asked for support, réally", enabler, [other]),
        ("Next year 𝒮 will be better", enabler, []),
    ):
        start = text.index(phrase)
        make_quote(transcript, start, start + len(phrase), coder, *themes)
    Quote.objects.filter(transcript=transcript, coder=project_admin).update(
        memo="Ask <again> & see"
    )
    return project_a


@pytest.mark.parametrize("utf16", [False, True])
def test_round_trip_keeps_transcripts_quotes_and_codebook(demo, project_admin, utf16):
    first = export_project(project=demo, utf16=utf16)
    assert_valid(entries(first.data)["project.qde"])
    report = import_qdpx(data=first.data, label="demo.qdpx", project_name="Copy of demo",
                         user=project_admin)  # fmt: skip
    copy = Project.objects.get(name="Copy of demo")
    assert report.created_project and report.counts["quotes"] == 4
    assert not report.skipped
    second = export_project(project=copy, utf16=utf16)
    assert_valid(entries(second.data)["project.qde"])
    assert snapshot(first.data) == snapshot(second.data)
    original = Transcript.objects.get(project=demo)
    copied = Transcript.objects.get(project=copy)
    assert copied.text == original.text
    assert copied.participants.get().pseudonym == original.participants.get().pseudonym
    assert copied.local_system.name == original.local_system.name
    assert copied.turns.filter(participant__isnull=False).exists()


def test_guids_are_stable_across_exports(demo):
    one, two = export_project(project=demo), export_project(project=demo)
    assert entries(one.data) == entries(two.data)
    qde = entries(one.data)["project.qde"].decode()
    quote = Quote.objects.filter(transcript__project=demo).first()
    assert str(quote.uuid).upper() in qde
    assert str(Transcript.objects.get(project=demo).uuid).upper() in qde


def test_utf16_positions_count_emoji_twice(demo):
    data = entries(export_project(project=demo, utf16=True).data)
    refi = read_project(parse_xml(data["project.qde"], "x"), "x")
    assert "UTF-16" in refi.origin
    source = refi.sources[0]
    text = data[f"sources/{source.guid}.txt"].decode()
    table = positions.utf16_offsets(text)
    quote = Quote.objects.get(transcript__project=demo, text__startswith="Next year")
    selection = next(s for s in source.selections if guid_key(s.guid) == str(quote.uuid).upper())
    assert (selection.start, selection.end) == (table[quote.start], table[quote.end])
    assert selection.start > quote.start


def test_exported_text_is_utf8_lf_without_bom(demo):
    data = entries(export_project(project=demo).data)
    texts = [value for name, value in data.items() if name.startswith("sources/")]
    assert texts and all(not t.startswith(b"\xef\xbb\xbf") and b"\r" not in t for t in texts)


def test_codebook_export_is_valid_and_nested(demo):
    xml = export_codebook(project=demo)
    assert_valid(xml, "Codebook.xsd")
    assert b"Four-hour target" in xml and b"NoteRef" not in xml


def test_export_has_no_real_names_or_speaker_labels(demo):
    Participant.objects.filter(project=demo).update(real_name="Jane Smith")
    qde = entries(export_project(project=demo).data)["project.qde"].decode()
    assert "Jane Smith" not in qde and "winter interview" not in qde


def test_export_query_count_is_flat(demo, django_assert_max_num_queries, enabler, make_quote):
    transcript = Transcript.objects.get(project=demo)
    with django_assert_max_num_queries(12):
        export_project(project=demo)
    LocalSystem.objects.create(project=demo, name="Southfield")
    for n in range(20):
        make_quote(transcript, n, n + 1, enabler, *Theme.objects.filter(project=demo)[:2])
    with django_assert_max_num_queries(12):
        export_project(project=demo)


words = st.text(alphabet="abcé😊🚑𝒮 \n", min_size=1, max_size=12)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pieces=st.lists(words, min_size=3, max_size=12),
    picks=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 40), st.booleans()), max_size=6),
    utf16=st.booleans(),
)
def test_property_random_quotes_survive_a_round_trip(
    db, project_admin, enabler, pieces, picks, utf16
):
    tag = uuid.uuid4().hex[:8]
    project = Project.objects.create(name=f"Prop {tag}", slug=f"prop-{tag}")
    text = positions.normalise(" ".join(pieces)).text
    transcript = Transcript.objects.create(project=project, title="T", text=text)
    theme = Theme.objects.create(project=project, name="Theme")
    seen = set()
    for start, length, coded in picks:
        start = start % len(text)
        end = min(len(text), start + length)
        # Paragraphs come back as turns, and a quote lies inside one (the one-turn rule).
        if end <= start or (start, end) in seen or "\n\n" in text[max(start - 1, 0) : end + 1]:
            continue
        seen.add((start, end))
        quote = Quote.objects.create(transcript=transcript, start=start, end=end,
                                     text=text[start:end], coder=enabler, memo=f"m{start}")  # fmt: skip
        if coded:
            QuoteTheme.objects.create(content_object=quote, tag=theme)
    first = export_project(project=project, utf16=utf16)
    import_qdpx(data=first.data, label="p.qdpx", project_name=f"Back {tag}", user=project_admin)
    back = Project.objects.get(name=f"Back {tag}")
    got = {
        (q.start, q.end, q.text, q.memo, q.coder_id, tuple(q.themes.names()))
        for q in Quote.objects.filter(transcript__project=back)
    }
    want = {
        (q.start, q.end, q.text, q.memo, q.coder_id, tuple(q.themes.names()))
        for q in Quote.objects.filter(transcript=transcript)
    }
    assert got == want
    assert snapshot(first.data) == snapshot(export_project(project=back, utf16=utf16).data)


def test_the_demo_project_round_trips(db, settings):
    """The seeded demo, plus an upload with emoji and CRLF, out and back in."""
    from aefront.demo.seeding import seed_demo
    from coding.services import code_passage
    from interviews.access import ProjectAccess

    settings.DEBUG = True
    report = seed_demo()
    slug = report.projects[0][0]
    project = Project.objects.get(slug=slug)
    admin_user = project.memberships.filter(role="admin").first().user
    upload = import_transcript(project=project, filename="crlf.txt", data=CRLF_UPLOAD,
                               user=admin_user).transcript  # fmt: skip
    access = ProjectAccess(project=project, role="admin", user=admin_user)
    phrase = "the café queue 🚑🚑 was out of the door"
    start = upload.text.index(phrase)
    code_passage(access=access, transcript=upload, start=start, end=start + len(phrase),
                 text=phrase, themes=list(Theme.objects.filter(project=project)[:2]),
                 memo="emoji and CRLF")  # fmt: skip
    first = export_project(project=project)
    assert_valid(entries(first.data)["project.qde"])
    imported = import_qdpx(data=first.data, label="demo.qdpx", project_name="Demo copy",
                           user=admin_user)  # fmt: skip
    assert not imported.skipped
    copy = Project.objects.get(name="Demo copy")
    assert imported.counts["quotes"] == Quote.objects.filter(transcript__project=project).count()
    assert snapshot(first.data) == snapshot(export_project(project=copy).data)
