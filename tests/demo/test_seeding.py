"""`seed_demo`: the demo content is consistent, realistic and loads idempotently."""

from __future__ import annotations

import hashlib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F

from aefront.demo import content
from aefront.demo.seeding import read_transcript, speaker_turns
from coding.models import Quote, QuoteTheme, Theme, ThemeSummary
from interviews.models import Membership, Participant, Project, SpeakerTurn, Transcript

pytestmark = pytest.mark.django_db

# Hashes of the seed report's 7-word runs: the report itself is not ours to copy in.
SEED_GRAMS = Path(__file__).resolve().parent.parent / "fixtures" / "seed_report_7grams.txt"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"interviews", "coding", "auth", "taggit"}:
            manager = getattr(model, "all_objects", model._default_manager)
            counts[model._meta.label] = manager.count()
    return counts


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def seeded(debug) -> str:
    return seed()


def test_running_twice_creates_nothing_new(debug):
    first = seed()
    after_first = row_counts()

    second = seed()

    assert row_counts() == after_first
    assert "created 4 users" in first
    assert "nothing new" in second
    assert after_first["interviews.Transcript"] == 8
    assert Quote.objects.values("transcript", "coder", "start", "end").distinct().count() == (
        Quote.objects.count()
    )


def test_prints_the_demo_logins_one_per_line(seeded):
    lines = seeded.splitlines()
    passwords = {user.username: user.password for user in content.USERS}

    for username in ("enabler", "author", "admin"):
        assert f"{username} / {passwords[username]}" in lines
        assert len(passwords[username]) >= 12
        assert get_user_model().objects.get(username=username).check_password(passwords[username])


def test_admin_is_a_superuser_and_the_others_are_not_staff(seeded):
    users = {user.username: user for user in get_user_model().objects.all()}

    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not any(users[name].is_staff for name in ("enabler", "enabler2", "author"))


def test_demo_project_roles_and_the_second_project(seeded):
    roles = dict(
        Membership.objects.filter(project__slug="demo").values_list("user__username", "role")
    )
    assert roles == {
        "enabler": "enabler",
        "enabler2": "enabler",
        "author": "author",
        "admin": "admin",
    }
    winter = Project.objects.get(slug="winter")
    assert not winter.members.filter(username="enabler").exists()
    assert winter.transcripts.count() == 1
    assert winter.themes.count() >= 3
    assert Quote.objects.filter(transcript__project=winter).count() >= 3


def test_demo_interviews_are_varied_and_of_realistic_length(seeded):
    demo = Project.objects.get(slug="demo")
    transcripts = list(demo.transcripts.all())

    assert len(transcripts) >= 6
    for transcript in transcripts:
        words = len(transcript.text.split())
        assert 600 <= words <= 1200, (transcript.title, words)
        assert transcript.participants.exists() and transcript.local_system is not None
    assert demo.local_systems.count() == 3
    kinds = set(
        Participant.objects.filter(project=demo).values_list("organisation_type", flat=True)
    )
    assert {"acute_trust", "ccg", "community_trust", "local_authority", "ambulance_trust"} <= kinds


def test_speaker_turns_point_exactly_at_what_was_said(seeded):
    for transcript in Transcript.objects.all():
        turns = list(SpeakerTurn.objects.filter(transcript=transcript).order_by("index"))
        paragraphs = transcript.text.split("\n\n")
        assert len(turns) == len(paragraphs)
        assert not transcript.text.endswith("\n")
        for turn, paragraph in zip(turns, paragraphs, strict=True):
            assert paragraph == f"{turn.speaker_label}: {transcript.text[turn.start : turn.end]}"
            assert turn.is_interviewer == (turn.speaker_label == "Interviewer")
            if not turn.is_interviewer:
                assert turn.participant.pseudonym == turn.speaker_label
                assert turn.participant in transcript.participants.all()


def test_speaker_turns_of_a_text(db):
    text = "Interviewer: Hi.\n\nP01: Hello 😊 there.\nNew line.\n\nP01: More."

    turns = speaker_turns(text)

    assert [(t.label, text[t.start : t.end]) for t in turns] == [
        ("Interviewer", "Hi."),
        ("P01", "Hello 😊 there.\nNew line."),
        ("P01", "More."),
    ]


def test_a_paragraph_without_a_speaker_is_an_error(db):
    from aefront.demo.seeding import DemoContentError

    with pytest.raises(DemoContentError, match="without a speaker label"):
        speaker_turns("Interviewer: Hi.\n\nno label here")


def test_every_quote_is_exact_and_valid(seeded):
    demo_quotes = Quote.objects.filter(transcript__project__slug="demo").select_related(
        "transcript"
    )

    assert demo_quotes.count() >= 60
    assert set(demo_quotes.values_list("coder__username", flat=True)) == {"enabler", "enabler2"}
    assert demo_quotes.filter(is_cleared=True).count() >= 10
    assert demo_quotes.exclude(memo="").exists()
    for quote in demo_quotes:
        quote.full_clean()
        assert quote.text == quote.transcript.text[quote.start : quote.end]
        assert quote.codings.exists()
    # Every coding stays inside its own project's codebook.
    assert not QuoteTheme.objects.exclude(
        tag__project=F("content_object__transcript__project")
    ).exists()


def test_codebook_has_two_levels_descriptions_and_distinct_legible_colours(seeded):
    themes = list(Theme.objects.filter(project__slug="demo"))

    assert len(themes) >= 10
    parents = [t for t in themes if t.parent_id is None]
    children = [t for t in themes if t.parent_id is not None]
    assert len(parents) >= 2 and len(children) >= 8
    assert all(child.parent.parent_id is None for child in children)
    assert all(theme.description for theme in themes)
    assert len({theme.colour.lower() for theme in themes}) == len(themes)
    for theme in themes:
        assert contrast(theme.colour, "#1d1d1b") >= 4.5, theme.name
    names = {theme.name for theme in themes}
    assert {"Tailored support", "Blame culture", "Four-hour target pressure"} <= names
    assert ThemeSummary.objects.filter(project__slug="demo").count() >= 2
    assert ThemeSummary.objects.filter(headlines__isnull=False).distinct().count() >= 2


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_demo_texts_do_not_copy_the_seed_report():
    lines = SEED_GRAMS.read_text(encoding="utf-8").splitlines()
    seed_grams = {line for line in lines if line and not line.startswith("#")}
    assert len(seed_grams) > 500, "the seed report's fingerprint is missing"

    def fingerprint(words: list[str]) -> set[str]:
        runs = (" ".join(words[i : i + 7]) for i in range(len(words) - 6))
        return {hashlib.blake2b(run.encode(), digest_size=8).hexdigest() for run in runs}

    # The fingerprint works: a sentence from the seed report is recognised.
    assert fingerprint("sacking chief executives to make an example of them".split()) & seed_grams
    for spec in content.PROJECTS:
        for transcript in spec.transcripts:
            words = re.findall(r"[\w']+", read_transcript(transcript.key).lower())
            assert not fingerprint(words) & seed_grams, transcript.key


def test_edits_made_in_the_demo_survive_a_rerun(debug):
    seed()
    theme = Theme.objects.get(project__slug="demo", name="Blame culture")
    theme.description = "Edited by an admin."
    theme.save()
    enabler = get_user_model().objects.get(username="enabler")
    enabler.set_password("a-new-password-of-mine")
    enabler.save()

    output = seed()

    theme.refresh_from_db()
    assert theme.description == "Edited by an admin."
    assert "enabler / (password changed since seeding; kept)" in output
    enabler.refresh_from_db()
    assert enabler.check_password("a-new-password-of-mine")


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="publicly known passwords"):
        seed()

    assert not Project.objects.exists()
    assert "project demo" in seed(allow_without_debug=True)


def test_inconsistent_content_fails_cleanly_and_writes_nothing(debug, monkeypatch):
    broken = content.DemoQuote(
        "northvale-p01", "Words nobody said.", ("Blame culture",), "enabler"
    )
    demo = content.DEMO.__class__(**{**content.DEMO.__dict__, "quotes": (broken,)})
    monkeypatch.setattr("aefront.demo.seeding.PROJECTS", (demo,))

    with pytest.raises(CommandError, match="quote found 0 times"):
        seed()

    assert not Project.objects.exists()
    assert not get_user_model().objects.exists()


def test_seed_demo_help_works():
    with pytest.raises(SystemExit) as exit_info:
        call_command("seed_demo", "--help", stdout=StringIO())
    assert exit_info.value.code == 0


def test_seeded_transcript_renders_in_admin_with_its_speaker_turns(client, seeded):
    admin = get_user_model().objects.get(username="admin")
    transcript = Transcript.objects.get(title__startswith="Northvale: primary care")
    client.force_login(admin)

    response = client.get(f"/admin/interviews/transcript/{transcript.pk}/change/")

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.forms) == transcript.turns.count()
    choices = set(formset.forms[0].fields["participant"].queryset)
    assert choices == set(Participant.objects.filter(project=transcript.project))


def test_the_demo_report_looks_like_the_seed(seeded):
    """Every theme with quotes is in the report, with a narrative and cleared headline
    quotes; parents with sub-themes are sections; nothing is thin, an inline quote reads."""
    from coding.models import Theme
    from coding.report.exports.rows import build_report
    from interviews.models import Project

    project = Project.objects.get(slug="demo")
    report = build_report(project=project)
    with_quotes = {
        theme.name
        for theme in Theme.objects.filter(project=project, codings__isnull=False).distinct()
    }
    assert {section.heading for section in report.sections} == with_quotes
    assert report.thin_sections == []
    assert all(section.narrative and section.quotes for section in report.sections)
    levels = {section.heading: section.level for section in report.sections}
    assert levels["National support"] == 1 and levels["Tailored support"] == 2
    assert levels["Shared ownership"] == 1  # its parent has no quotes, so is not in
    assert [str(left).split(":")[0] for left in report.not_included] == ["System leadership"]
    rationalise = next(s for s in report.sections if s.heading.startswith("Rationalise"))
    assert "“Stop adding and start integrating.” was how one director" in rationalise.narrative
