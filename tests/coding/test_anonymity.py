"""No name the server knows reaches an export, in any format, with or without --all-quotes.

The project is built the way users build one: files imported with the defaults, one
named after its participant, an interviewer with a name in the label, a member with a
name, names on the project's list, and every typographic variant of them in the text.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile

import pytest
from pypdf import PdfReader

from coding.models import Quote, QuoteTheme, RedactionTerm, Theme
from coding.report import authoring
from coding.report.exports import EXPORTERS, write_export
from coding.report.exports.rows import ExportOptions
from coding.report.summaries import Filters
from interviews.models import Membership, Participant
from interviews.services import import_transcript

FIRST = """Interviewer (Sam Okafor): Thanks for joining us today.
Jane Smith: Sam, I told Dr O’Neill that JANE SMITH's team was not to blame.
Interviewer (Sam Okafor): And the board?
Jane Smith: Zoe O Briain, Mary Jane and J. Smith all said Okafor's notes were right.
Jane Smith: Priya Raman from the region agreed with smith’s plan and Zoë's.
"""
SECOND = """Speaker 1: Peter Brown here. Pete asked BROWN's deputy, Mr. Brown, about Priya.
Speaker 2: We met on the ward and talked about the discharge plan.
"""
# Every name the server knows, as a folded whole word.
KNOWN = [
    "jane smith", "jane", "smith", "sam okafor", "sam", "okafor", "o'neill", "oneill",
    "zoe", "briain", "mary", "peter brown", "peter", "brown", "priya", "raman",
    "jane smith interview",
]  # fmt: skip


def folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[’‘ʼ`]", "'", text).lower()


def names_in(text: str) -> list[str]:
    text = folded(text)
    found = []
    for name in KNOWN:
        pattern = re.escape(name).replace(r"\ ", r"[\s-]+")
        if re.search(rf"(?<!\w){pattern}(?!\w)", text):
            found.append(name)
    return found


def text_of(fmt: str, data: bytes) -> str:
    """Every string a reader of the file can see: for zip formats, every XML part
    (body, headers, footers, tables, properties, shared strings, every cell)."""
    if fmt == "pdf":  # every page's text, and the document's metadata
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() for page in reader.pages]
        return "\n".join([*pages, *(str(value) for value in reader.metadata.values())])
    if fmt not in {"docx", "xlsx"}:
        return data.decode("utf-8-sig")
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            xml = archive.read(name).decode("utf-8", "replace")
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", xml)))
    return "\n".join(parts)


@pytest.fixture
def named_project(project_a, author, enabler, local_system):
    enabler.first_name, enabler.last_name = "Priya", "Raman"
    enabler.save()
    RedactionTerm.objects.create(project=project_a, term="O'Neill")
    RedactionTerm.objects.create(project=project_a, term="Zoë Ó Briain")
    RedactionTerm.objects.create(project=project_a, term="Mary-Jane")
    RedactionTerm.objects.create(
        project=project_a, term="Northfield General", replacement="[place]"
    )
    first = import_transcript(
        project=project_a, filename="Jane Smith interview.txt", data=FIRST.encode(), user=enabler
    ).transcript
    second = import_transcript(
        project=project_a, filename="Peter Brown.txt", data=SECOND.encode(), user=enabler
    ).transcript
    theme = Theme.objects.create(project=project_a, name="Blame culture")
    quotes = []
    for transcript in (first, second):
        for turn in transcript.turns.filter(is_interviewer=False):
            quote = Quote.objects.create(
                transcript=transcript,
                start=turn.start,
                end=turn.end,
                text=transcript.text[turn.start : turn.end],
                coder=enabler,
                memo=f"Memo: check with Jane Smith and Sam Okafor ({turn.index})",
            )
            QuoteTheme.objects.create(content_object=quote, tag=theme)
            quotes.append(quote)
    authoring.save_narrative(
        project=project_a, theme=theme, version=0, user=author,
        narrative="Jane Smith and Sam Okafor described it; so did Peter Brown.",
    )  # fmt: skip
    authoring.set_headlines(
        project=project_a, theme=theme, quote_ids=[q.pk for q in quotes], expected=None,
        user=author,
    )  # fmt: skip
    authoring.set_cleared(
        project=project_a, quote_ids=[q.pk for q in quotes[:-1]], cleared=True, user=author
    )
    project_a.report_title = "Report for Jane Smith"
    project_a.save()
    return project_a, quotes


def test_the_server_knows_the_names_the_way_users_imported_them(named_project):
    project, _ = named_project
    first = project.transcripts.get(original_name="Jane Smith interview.txt")
    assert first.title == "Jane Smith interview"  # the default title holds the name
    assert Participant.objects.filter(project=project, real_name="Jane Smith").exists()
    assert Membership.objects.filter(project=project, user__last_name="Raman").exists()


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
@pytest.mark.parametrize("all_quotes", [False, True], ids=["cleared", "all-quotes"])
def test_no_known_name_in_any_export(named_project, fmt, all_quotes):
    project, quotes = named_project
    options = ExportOptions(
        all_quotes=all_quotes, with_pseudonyms=True, with_systems=True, with_memos=True
    )
    out = io.BytesIO()
    write_export(project=project, fmt=fmt, filters=Filters(), options=options, out=out)
    text = text_of(fmt, out.getvalue())
    assert names_in(text) == []
    # The quotes are in the file (redacted), so the check looked at something.
    assert "[name]" in text.replace("\\", "")  # Markdown escapes the brackets
    assert "discharge plan" in text or fmt not in {"csv", "xlsx"} and not all_quotes
    for quote in quotes:  # nothing lost: the stored text still holds the names
        quote.refresh_from_db()
    assert any("Jane Smith" in quote.text or "Brown" in quote.text for quote in quotes)


def test_memos_stay_out_unless_the_author_opts_in(named_project):
    project, _ = named_project
    out = io.BytesIO()
    write_export(project=project, fmt="csv", filters=Filters(), options=ExportOptions(), out=out)
    header = out.getvalue().decode("utf-8-sig").splitlines()[0]
    assert "memo" not in header
    assert "Memo:" not in out.getvalue().decode("utf-8-sig")


def test_quote_tables_carry_neutral_interview_and_coder_labels(named_project):
    project, _ = named_project
    first = project.transcripts.get(original_name="Jane Smith interview.txt")
    out = io.BytesIO()
    write_export(project=project, fmt="csv", filters=Filters(), options=ExportOptions(), out=out)
    content = out.getvalue().decode("utf-8-sig")
    assert f"Interview {first.pk}" in content
    assert "Coder 1" in content
    assert "Jane Smith interview" not in content and ".txt" not in content
    first.title, first.title_is_safe = "Northfield board interview", True
    first.save()
    out = io.BytesIO()
    write_export(project=project, fmt="csv", filters=Filters(), options=ExportOptions(), out=out)
    assert "Northfield board interview" in out.getvalue().decode("utf-8-sig")
