"""Quotes from other tools under the one-turn rule: a selection across speaker turns
comes in as one quote per turn (labels left out), or as one quote from the first
speaker's words to the last's in a project that allows multi-turn quotes."""

from __future__ import annotations

from coding.models import Quote, QuoteTheme, Theme
from coding.refi.export import export_project
from coding.refi.importer import import_qdpx
from coding.services import parts_in_turns
from interviews.models import Project, Transcript

TEXT = "P01: We waited all winter.\n\nInterviewer: Why?\n\nP01: Nobody owned the flow."


def exported(project_a, participant, enabler):
    """A .qdpx whose one quote runs from P01's first turn into the second."""
    transcript = Transcript.objects.create(project=project_a, title="T", text=TEXT)
    transcript.participants.add(participant)
    theme = Theme.objects.create(project=project_a, name="Flow")
    start, end = TEXT.index("waited"), TEXT.index(" the flow")
    quote = Quote.objects.create(transcript=transcript, start=start, end=end,
                                 text=TEXT[start:end], coder=enabler, memo="why")  # fmt: skip
    QuoteTheme.objects.create(content_object=quote, tag=theme)
    return export_project(project=project_a).data


def test_a_selection_across_turns_comes_in_as_one_quote_per_turn(
    db, project_a, participant, enabler, project_admin
):
    report = import_qdpx(data=exported(project_a, participant, enabler), label="x.qdpx",
                         project_name="Copy", user=project_admin)  # fmt: skip
    copy = Transcript.objects.get(project__name="Copy")
    texts = sorted(
        (q.start, q.text, q.memo, tuple(q.themes.names()))
        for q in Quote.objects.filter(transcript=copy)
    )
    assert [t[1] for t in texts] == ["waited all winter.", "Why?", "Nobody owned"]
    assert {t[2:] for t in texts} == {("why", ("Flow",))}
    assert report.counts["quotes"] == 3
    assert any("crossed 3 speaker turns, stored as 3 quotes" in n for n in report.notes)
    spans = copy.turn_spans()
    for start, _text, _memo, _themes in texts:  # every one inside a turn's words
        assert any(s <= start < e for s, e in spans)


def test_a_multi_turn_project_keeps_one_quote_without_labels(
    db, project_a, participant, enabler, project_admin
):
    data = exported(project_a, participant, enabler)
    target = Project.objects.create(name="Focus groups", slug="focus", multi_turn_quotes=True)
    import_qdpx(data=data, label="x.qdpx", project=target, user=project_admin)
    quote = Quote.objects.get(transcript__project=target)
    assert quote.text == TEXT[TEXT.index("waited") : TEXT.index(" the flow")]


def test_parts_in_turns():
    spans = [(5, 26), (41, 45), (52, 71)]
    assert parts_in_turns(spans, 10, 60) == [(10, 26), (41, 45), (52, 60)]
    assert parts_in_turns(spans, 27, 40) == []  # only a label
    assert parts_in_turns(spans, 0, 60, multi_turn=True) == [(5, 60)]
    assert parts_in_turns([], 3, 9) == [(3, 9)]
