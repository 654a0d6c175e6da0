import pytest

from coding.models import RedactionTerm
from coding.report.redaction import Redactor, name_variants
from interviews.models import Participant


def test_whole_word_case_insensitive():
    redact = Redactor([("Smith", "[name]")])
    assert redact("Smith said so; SMITH agreed; smith left.") == (
        "[name] said so; [name] agreed; [name] left."
    )


def test_possessives_keep_their_ending():
    redact = Redactor([("Smith", "[name]")])
    assert redact("Smith's team and Smith’s board") == "[name]'s team and [name]’s board"


def test_not_inside_other_words():
    redact = Redactor([("Smith", "[name]"), ("Ann", "[name]")])
    text = "Smithson, Goldsmith, Annual and Joanne stay; Ann goes."
    assert redact(text) == "Smithson, Goldsmith, Annual and Joanne stay; [name] goes."


def test_longest_term_first_and_spaces_across_lines():
    redact = Redactor([("Jane", "[name]"), ("Jane Smith", "[chair]")])
    assert redact("Jane  Smith\nand Jane") == "[chair]\nand [name]"
    assert redact("Jane\nSmith") == "[chair]"


def test_labels_and_special_characters():
    redact = Redactor([("St. Mary's Hospital", "[hospital]"), ("A+E (North)", "[place]")])
    assert redact("At st. mary's hospital and A+E (North).") == "At [hospital] and [place]."


def test_no_terms_changes_nothing():
    assert Redactor([])("Anything at all") == "Anything at all"


def test_unicode_names():
    redact = Redactor([("Zoë Ó Briain", "[name]"), ("Søren", "[name]")])
    assert redact("ZOË Ó BRIAIN met Søren and Sørensen.") == "[name] met [name] and Sørensen."


def test_name_variants_split_real_names_and_skip_titles():
    variants = set(name_variants("Dr Mary-Jane O'Neill"))
    assert {"Dr Mary-Jane O'Neill", "Mary-Jane O'Neill", "Mary-Jane", "Mary", "Jane"} <= variants
    assert "O'Neill" in variants
    assert "Dr" not in variants
    assert name_variants("  ") == []
    assert "J" not in name_variants("J. Smith")


@pytest.mark.django_db
def test_project_list_includes_participants_real_names(
    project_a, project_b, django_assert_num_queries
):
    Participant.objects.create(project=project_a, pseudonym="P01", real_name="Jane Smith")
    Participant.objects.create(project=project_b, pseudonym="P09", real_name="Omar Khan")
    RedactionTerm.objects.create(
        project=project_a, term="Northfield General", replacement="[hospital]"
    )
    with django_assert_num_queries(1):
        redact = Redactor.for_project(project_a)
    text = "Jane Smith and jane at Northfield General; Smith's view. Omar Khan elsewhere."
    assert redact(text) == ("[name] and [name] at [hospital]; [name]'s view. Omar Khan elsewhere.")


@pytest.mark.django_db
def test_authors_label_wins_over_the_default(project_a):
    Participant.objects.create(project=project_a, pseudonym="P01", real_name="Ann Lee")
    RedactionTerm.objects.create(project=project_a, term="Ann Lee", replacement="[the chair]")
    assert Redactor.for_project(project_a)("Ann Lee spoke") == "[the chair] spoke"


# --- every variant of a known name ----------------------------------------------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from coding.models import QuoteRedaction, SafeTerm  # noqa: E402
from coding.report.redaction import (  # noqa: E402
    NameSources,
    file_names,
    fold,
    fold_char,
    label_names,
)

GIVEN = ["Jane", "Zoë", "Siobhán", "Mary-Jane", "Adebayo", "Żaneta", "Søren", "Anne-Marie"]
FAMILY = ["Smith", "O'Neill", "Nguyen", "Ó Briain", "Okafor", "Łukasik", "Müller", "D’Arcy"]
FILLER = (
    "we met on the ward and talked about discharge planning with the board team "
    "about winter pressures and the four hour target every week since march"
).split()


def strip_accents(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


VARIANTS = {
    "as is": lambda g, f: f"{g} {f}",
    "capitals": lambda g, f: f"{g} {f}".upper(),
    "lower": lambda g, f: f"{g} {f}".lower(),
    "curly apostrophe": lambda g, f: f"{g} {f}".replace("'", "’"),
    "straight apostrophe": lambda g, f: f"{g} {f}".replace("’", "'"),
    "no diacritics": lambda g, f: strip_accents(f"{g} {f}"),
    "hyphen as space": lambda g, f: f"{g.replace('-', ' ')} {f}",
    "possessive": lambda g, f: f"{g} {f}'s",
    "family possessive": lambda g, f: f"{f}’s",
    "given alone": lambda g, f: g,
    "family alone": lambda g, f: f,
    "initial": lambda g, f: f"{g[0]}. {f}",
    "decomposed": lambda g, f: __import__("unicodedata").normalize("NFD", f"{g} {f}"),
}


def name_parts(given_name: str, family: str) -> list[str]:
    parts = [given_name, family, *given_name.split("-"), *family.split()]
    return [p for p in parts if len(p) >= 2 and p.casefold() not in {"o"}]


def contains(text: str, part: str) -> bool:
    """Whether a folded word of `text`, or two adjacent words, spell `part`."""
    import re

    words = [re.sub(r"['-]", "", w) for w in re.findall(r"\w+(?:['-]\w+)*", fold(text)[0])]
    keys = {*words, *(a + b for a, b in zip(words, words[1:], strict=False))}
    return re.sub(r"[' -]+", "", fold(part)[0]) in keys


@settings(max_examples=150, deadline=None)
@given(
    given_name=st.sampled_from(GIVEN),
    family=st.sampled_from(FAMILY),
    variant=st.sampled_from(sorted(VARIANTS)),
    before=st.lists(st.sampled_from(FILLER), max_size=6),
    after=st.lists(st.sampled_from(FILLER), max_size=6),
    mark=st.sampled_from(["", ",", ".", "!", "?", ";", ")"]),
)
@example(given_name="Mary-Jane", family="O'Neill", variant="hyphen as space", before=[],
         after=[], mark="")  # fmt: skip
def test_no_variant_of_a_known_name_survives(given_name, family, variant, before, after, mark):
    redact = Redactor(names=[f"{given_name} {family}"])
    spoken = VARIANTS[variant](given_name, family)
    text = " ".join([*before, spoken + mark, *after])
    redacted = redact(text)
    for part in name_parts(given_name, family):
        assert not contains(redacted, part), (text, redacted, part)
    assert "[name]" in redacted


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.sampled_from(FILLER + ["Smithson", "Goldsmith", "Janet", "Okay"]),
                      min_size=1, max_size=30),
       punctuation=st.sampled_from([" ", ", ", ". ", " - ", "’s ", "\n"]))  # fmt: skip
def test_text_without_a_known_name_is_byte_identical(words, punctuation):
    redact = Redactor(
        [("Northfield General", "[place]")],
        names=[f"{g} {f}" for g, f in zip(GIVEN, FAMILY, strict=True)],
    )
    text = punctuation.join(words)
    assert redact(text) is text or redact(text) == text
    nfd = __import__("unicodedata").normalize("NFD", "Café déjà vu, " + text)
    assert redact(nfd) == nfd  # not even normalised


def test_safe_parts_stay_but_the_full_name_goes():
    redact = Redactor(names=["Will Rose"], safe=["Will", "rose"])
    assert redact("I will smell the rose. Will Rose said so.") == (
        "I will smell the rose. [name] said so."
    )


def test_initials_and_honorifics():
    redact = Redactor(names=["Dr Jane Mary Smith"])
    assert redact("J. Smith, J M Smith, J.M. Smith and Dr Smith") == (
        "[name], [name], [name] and Dr [name]"
    )


def test_labels_name_people_and_skip_roles():
    assert label_names("Interviewer (Sam Okafor)") == ["Sam Okafor"]
    assert label_names("Dr Jane Smith (CEO)") == ["Dr Jane Smith"]
    for anonymous in ("Speaker 2", "P03", "Interviewer", "Q", "Participant 4", "Facilitator 2"):
        assert label_names(anonymous) == [], anonymous


def test_names_in_file_names():
    assert file_names("Jane Smith interview 2024-03-01.docx") == ["Jane Smith"]
    assert file_names("jane_smith_interview.txt") == ["jane smith"]
    assert file_names("Leeds ED interview final v2.docx", frozenset({"leeds"})) == []
    assert file_names("Interview transcript.vtt") == []


@pytest.mark.django_db
def test_sources_cover_every_name_the_server_knows(project_a, transcript, enabler):
    enabler.first_name, enabler.last_name = "Priya", "Raman"
    enabler.save()
    transcript.original_name = "Omar Khan 2019.docx"
    transcript.save()
    transcript.turns.create(index=90, start=0, end=1, speaker_label="Interviewer (Sam Okafor)")
    sources = NameSources.for_project(project_a)
    assert "Sam Okafor" in sources.speaker_labels
    assert "Priya Raman" in sources.member_names
    assert "Omar Khan" in sources.file_names


@pytest.mark.django_db
def test_safe_terms_and_per_quote_redactions_from_the_database(
    project_a, transcript, enabler, make_quote
):
    Participant.objects.create(project=project_a, pseudonym="P08", real_name="Grace Hope")
    SafeTerm.objects.create(project=project_a, term="grace")
    quote = make_quote(transcript, 0, 5, enabler)
    QuoteRedaction.objects.create(quote=quote, term="Tuesday")
    redact = Redactor.for_project(project_a)
    assert redact("By grace, Grace Hope came on Tuesday") == "By grace, [name] came on Tuesday"
    assert redact("Hope came on Tuesday", quote.pk) == "[name] came on [name]"


# --- folding: the one-for-one shortcut is the character-by-character definition --------


def _fold_each(text: str) -> tuple[str, list[int]]:
    pieces, sources = [], []
    for index, char in enumerate(text):
        folded = fold_char(char)
        pieces.append(folded)
        sources.extend([index] * len(folded))
    return "".join(pieces), sources


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZé’‘–—ß\u00a0\n\t Ææ'-.İﬁØ🙂Ñ"), max_size=40))
@example("O’Neill – Zoë")  # one for one: the translate
@example("Straße ﬁle")  # ß and ﬁ fold to two: the loop
def test_fold_is_each_characters_fold(text):
    folded, sources = fold(text)
    # The shortcut may keep ASCII whitespace where the loop writes " ": alike to the matcher.
    spaces = str.maketrans("\t\n", "  ")
    assert (folded.translate(spaces), list(sources)) == _fold_each(text)
