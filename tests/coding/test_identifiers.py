"""The identifier review's detector: recall on the labelled set, kinds, offsets, speed."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest

from coding.report.identifiers import KINDS, Flag, IdentifierFinder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "identifiers"
LABELLED = FIXTURES / "labelled.jsonl"
# Written after the detector was tuned and never tuned on: the honest recall figure.
HELDOUT = FIXTURES / "heldout.jsonl"


def labelled(path: Path = LABELLED) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def overlaps(flag: Flag, start: int, end: int) -> bool:
    return flag.start < end and start < flag.end


@pytest.fixture(scope="module")
def finder() -> IdentifierFinder:
    return IdentifierFinder()


def test_the_labelled_set_is_valid():
    rows = labelled()
    assert len(rows) >= 120
    assert sum(1 for row in rows if not row["persons"]) >= 20
    for row in rows:
        text = row["text"]
        for start, end in row["persons"]:
            assert 0 <= start < end <= len(text)
            assert text[start:end] == text[start:end].strip() and text[start].isupper()
        for start, end, kind in row["others"]:
            assert 0 <= start < end <= len(text) and kind in KINDS


def test_person_recall_on_the_labelled_set(finder):
    rows = labelled()
    results = finder.find_many(row["text"] for row in rows)
    total = found = 0
    missed = []
    for row, flags in zip(rows, results, strict=True):
        for start, end in row["persons"]:
            total += 1
            if any(overlaps(flag, start, end) for flag in flags):
                found += 1
            else:
                missed.append(row["text"][start:end])
    assert found / total >= 0.95, missed


def test_the_held_out_set_is_valid():
    rows = labelled(HELDOUT)
    assert len(rows) >= 120
    assert sum(1 for row in rows if row["persons"]) >= 100
    assert sum(1 for row in rows if not row["persons"]) >= 20
    assert len({row["text"] for row in rows}) == len(rows)
    for row in rows:
        text = row["text"]
        spans = sorted([(s, e) for s, e in row["persons"]] + [(s, e) for s, e, _ in row["others"]])
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, text
        for start, end in row["persons"]:
            assert 0 <= start < end <= len(text)
            # Typed names may be lower case ("then bob said"), so no capital is required.
            assert text[start:end] == text[start:end].strip() and text[start].isalpha()
        for start, end, kind in row["others"]:
            assert 0 <= start < end <= len(text) and kind in KINDS


def test_person_recall_on_the_held_out_set(finder):
    # A floor just under the bench target of 0.95: the bench carries the figure.
    rows = labelled(HELDOUT)
    results = finder.find_many(row["text"] for row in rows)
    total = found = 0
    missed = []
    for row, flags in zip(rows, results, strict=True):
        for start, end in row["persons"]:
            total += 1
            if any(overlaps(flag, start, end) for flag in flags):
                found += 1
            else:
                missed.append(row["text"][start:end])
    assert found / total >= 0.90, missed


def test_find_and_find_many_agree(finder):
    texts = [row["text"] for row in labelled()[:20]]
    assert finder.find_many(texts) == [finder.find(text) for text in texts]


def test_plain_words_are_never_flagged(finder):
    assert finder.find("We met on the ward and talked about the discharge plan.") == []


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("Zoë Hart", "ZOE said she would ring back.", "ZOE"),
        ("Zoë Hart", "we asked zoe about it", "zoe"),
        ("Zoe Hart", "Zoë was there.", "Zoë"),
        ("Mary O'Neill", "and then O’Neill rang the ward", "O’Neill"),
        ("Mary O'Neill", "then ONeill rang the ward", "ONeill"),
        ("John Smith", "the letter was signed J. Smith, of course", "J. Smith"),
        ("Mary-Jane Hughes", "so Jane came in", "Jane"),
        ("Will Rose", "and Will said no", "Will"),
    ],
)
def test_known_names_in_every_variant(name, text, expected):
    flags = IdentifierFinder(known_names=[name]).find(text)
    assert [(f.text, f.kind, f.reason) for f in flags] == [
        (expected, "person", "Known name of a speaker")
    ]


def test_a_known_name_that_is_a_word_is_not_flagged_as_the_word():
    assert IdentifierFinder(known_names=["Will Rose"]).find("I will go to the shop.") == []


def test_safe_names_are_never_flagged():
    finder = IdentifierFinder(safe_names=["Airedale General"])
    text = (
        "We rang NHS England and the CQC, then went to A&E because the GP and the ICB said "
        "Airedale General was the place, and NICE and Healthwatch agreed with the ambulance "
        "service."
    )
    assert finder.find(text) == []


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("He was admitted on 15 March and sent home.", "15 March", "date"),
        ("The letter said 3/4/2019 for the clinic.", "3/4/2019", "date"),
        ("Well I'm 54 and I've never seen that.", "I'm 54", "age"),
        ("Mum was aged 62 at the time.", "aged 62", "age"),
        ("a 54-year-old man on the ward", "54-year-old", "age"),
        ("the budget was £1.2m last year", "£1.2m", "figure"),
        ("only 37.5% of them were done", "37.5%", "figure"),
        ("about 1,350 referrals a year", "1,350", "figure"),
        ("the director of patient experience came", "director of patient experience", "job_title"),
        ("we live on Station Road now", "Station Road", "place"),
        ("she was at Castle Hill Hospital", "Castle Hill Hospital", "organisation"),
    ],
)
def test_details_are_flagged_with_their_kind(finder, text, expected, kind):
    flags = finder.find(text)
    assert [(f.text, f.kind) for f in flags] == [(expected, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "The consultant said the nurse would come at 10:30 with 2 leaflets, about 40% of us.",
        "In 2019 we rang 111 and 999 and waited 300 minutes.",
    ],
)
def test_common_numbers_and_roles_are_not_flagged(finder, text):
    assert finder.find(text) == []


def test_flags_are_sorted_non_overlapping_and_exact(finder):
    rows = labelled()
    for row, flags in zip(rows, finder.find_many(r["text"] for r in rows), strict=True):
        previous_end = 0
        for flag in flags:
            assert flag.kind in KINDS and flag.reason
            assert row["text"][flag.start : flag.end] == flag.text
            assert flag.start >= previous_end
            previous_end = flag.end


def test_overlaps_merge_keeping_the_most_specific_kind():
    flags = IdentifierFinder(known_names=["Gemma Hart"]).find("We went to St Gemma's Hospice.")
    assert [(f.text, f.kind) for f in flags] == [("St Gemma's Hospice", "person")]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_text(finder, text):
    assert finder.find(text) == []


def test_lone_surrogates_and_long_text_do_not_crash(finder):
    text = "Sarah said \ud800 it was \udfff fine, Dr Patel agreed. " * 2000
    flags = finder.find(text)
    assert flags and all(text[f.start : f.end] == f.text for f in flags)
    no_stops = ("and then Sarah Nguyen came " * 3000).strip()
    assert finder.find(no_stops)


def test_five_hundred_quotes_in_a_loose_bound(finder):
    rows = [row["text"] for row in labelled()]
    quotes = [" ".join(rows[(i + k) % len(rows)] for k in range(5)) for i in range(500)]
    started = time.perf_counter()
    finder.find_many(quotes)
    assert time.perf_counter() - started <= 10


# -- failure classes found on the held-out set, each tested on sentences of its own ------


def persons(finder: IdentifierFinder, text: str) -> list[str]:
    return [f.text for f in finder.find(text) if f.kind == "person"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a listed name that is no dictionary word, typed in lower case
        ("and then fatima rang the site manager", "fatima"),
        ("so i asked okafor whether the beds were free", "okafor"),
        # a title in lower case, then whatever word follows
        ("honestly dr nguyen was the only one who listened", "nguyen"),
        ("the reg paged prof adeyemi at midnight", "adeyemi"),
        ("mrs o'brien said we should wait", "o'brien"),
        # a name that is also a word, with speech after it or a social cue before it
        ("mark said the escalation call was at four", "mark"),
        ("I told rob we couldn't keep doing it", "rob"),
        ("I went with dave to the bed meeting", "dave"),
        # no list has it, but it opens a clause and then says something
        ("then tunde said no and that was that", "tunde"),
        ("we waited till kowalski emailed back", "kowalski"),
    ],
)
def test_names_typed_in_lower_case(finder, text, expected):
    assert expected in persons(finder, text)


def test_a_lower_case_name_found_once_is_found_again(finder):
    text = "then jez said he'd do it. jez was never on time, mind."
    assert persons(finder, text) == ["jez", "jez"]


@pytest.mark.parametrize(
    "text",
    [
        "will said he'd come? no, I will ask",
        "we had to ask will it be ready by Monday",
        "the bill was never paid and the mark was on the wall",
        "with grace and patience we got through it",
        "then physio rang to say the patient couldn't go",
        "and admin said the rota was done",
        "the behaviour said a lot about the culture",
        "then the laptop crashed and nobody rang back",
        "we called him back the next day",
        "the reg said he'd come when he could",
    ],
)
def test_lower_case_words_that_are_not_names(finder, text):
    assert persons(finder, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we call her Blessing because she never panics", "Blessing"),
        ("a porter named Lucky brought the wheelchair", "Lucky"),
        ("she was known as Bunny on the ward", "Bunny"),
        ("I reckon Patience was the one who spotted it", "Patience"),
        ("Joy started as a receptionist and now runs the rota", "Joy"),
        ("the new lead, Honour herself, came down to the ward", "Honour"),
        ("and Merry, who ran the discharge lounge, agreed", "Merry"),
    ],
)
def test_ordinary_words_used_as_names(finder, text, expected):
    assert expected in persons(finder, text)


@pytest.mark.parametrize(
    "text",
    [
        "Summer was brutal, worse than winter.",
        "Hope is in short supply on a Monday.",
        "Patience in the system is thin on the ground.",
        "Rain, it's slips. Ice, it's wrists.",
        "Patients who waited more than twelve hours were seen first.",
        "Nurses who had done extra shifts got nothing.",
    ],
)
def test_ordinary_words_opening_a_sentence_are_not_names(finder, text):
    assert persons(finder, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rebecca — Becks — ran the discharge lounge", ["Rebecca", "Becks"]),
        ("Christopher (Kit) did the night shift", ["Christopher", "Kit"]),
        ("Bernadette – Bernie, to the porters – ran nights", ["Bernadette", "Bernie"]),
        ("Yes — Margaret was there, she did the handover", ["Margaret"]),
        ("Well, Sarah, I think it went ok", ["Sarah"]),
    ],
)
def test_nicknames_beside_a_name(finder, text, expected):
    assert persons(finder, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "we always met on Wednesdays and Fridays after the huddle",
        "a lot of our porters speak Urdu or Punjabi at home",
        "the Romanian and Kenyan nurses kept the place going",
        "Gujarati leaflets went out to the Eritrean families",
        "the PCNs and the CCGs never agreed on anything",
        "the MDT's view was that the ICB's plan would not work",
        "the Recovery Programme was supposed to fix that",
        "nobody read the Spring Strategy",
    ],
)
def test_calendar_nationality_acronym_and_plan_words_are_not_persons(finder, text):
    assert persons(finder, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on Christmas Day the ward was half empty", "Christmas Day"),
        ("we were all in on New Year's Eve", "New Year's Eve"),
        ("Good Friday is always quiet", "Good Friday"),
    ],
)
def test_named_days_of_the_year_are_dates(finder, text, expected):
    assert [(f.text, f.kind) for f in finder.find(text)] == [(expected, "date")]


def test_a_plan_with_a_name_is_an_organisation_not_a_person(finder):
    flags = finder.find("the Winter Plan was signed off in June")
    assert [(f.text, f.kind) for f in flags] == [("Winter Plan", "organisation")]


def test_a_quote_typed_without_capitals_flags_words_outside_the_dictionary():
    flags = IdentifierFinder().find("so then i rang tegwen and olumide about the discharge list")
    persons = {flag.text for flag in flags if flag.kind == "person"}
    assert {"tegwen", "olumide"} <= persons
    assert "discharge" not in persons


LOADS_WITHOUT_TORCH = """
import json, resource, sys, threading
from coding.report import identifiers
other = {}
def import_torch():  # the theme suggestions, later, in another thread
    import torch
    other["torch"] = torch.__name__
flags = identifiers.IdentifierFinder().find("Mary Jones from Leeds said so.")
torch_after_spacy = "torch" in sys.modules
thread = threading.Thread(target=import_torch); thread.start(); thread.join()
print(json.dumps({"torch_after_spacy": torch_after_spacy, "other": other,
                  "kinds": sorted({f.kind for f in flags})}))
"""


def test_the_recogniser_loads_without_pytorch_which_other_threads_still_import():
    """thinc would import torch (installed for the theme suggestions) into every process
    that reviews identifiers: a second and 250 MiB for nothing the pipeline uses. Torch
    stays importable for the code that does use it."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", LOADS_WITHOUT_TORCH],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "aefront.settings", "DEBUG": "1", "PATH": "/usr/bin"},
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["torch_after_spacy"] is False
    assert seen["other"] == {"torch": "torch"}
    assert "person" in seen["kinds"]
