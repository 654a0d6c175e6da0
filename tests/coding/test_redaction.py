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
    with django_assert_num_queries(2):
        redact = Redactor.for_project(project_a)
    text = "Jane Smith and jane at Northfield General; Smith's view. Omar Khan elsewhere."
    assert redact(text) == ("[name] and [name] at [hospital]; [name]'s view. Omar Khan elsewhere.")


@pytest.mark.django_db
def test_authors_label_wins_over_the_default(project_a):
    Participant.objects.create(project=project_a, pseudonym="P01", real_name="Ann Lee")
    RedactionTerm.objects.create(project=project_a, term="Ann Lee", replacement="[the chair]")
    assert Redactor.for_project(project_a)("Ann Lee spoke") == "[the chair] spoke"
