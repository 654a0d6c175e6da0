"""The identifier review: what in the quotes to be published may still identify someone.

`identifier_review` reads the report exactly as it will be published (redacted,
attributed) and lists, per quote, every span the identifier finder flags, and the
quotes whose role, organisation type and system fewer than three participants share.
The author settles each flag with one click (`decide`): redact it here, redact it
everywhere (the project's list), or mark it safe. Those decisions are the review's
saved state: a settled flag no longer appears, because its text is redacted or safe.

A report can always be downloaded as a draft; `draft_notice` is its watermark. The
final file needs the review complete and an author's sign-off (`sign_off`), recorded
with who, when and the file's SHA-256.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from coding.models import Quote, QuoteRedaction, RedactionTerm, ReportSignOff, SafeTerm
from coding.report.exports import sha256_of
from coding.report.exports.rows import Report
from coding.report.identifiers import Flag, IdentifierFinder
from interviews.access import AUTHORING_ROLES, ProjectAccess, get_in_project
from interviews.models import Project

INCOMPLETE = "DRAFT — identifier review incomplete"
NOT_SIGNED = "DRAFT — not signed off"
MAX_TERM_CHARS = 200
ACTIONS = {
    "here": "Redact here",
    "everywhere": "Redact everywhere",
    "safe": "Mark safe",
}


class ReviewError(ValidationError):
    """A decision or sign-off that cannot be taken, with the reason."""


@dataclass
class ReviewItem:
    """One published quote with something to review."""

    quote_id: int
    heading: str
    text: str  # as published: redacted
    attribution: str
    flags: list[Flag] = field(default_factory=list)
    warning: str = ""  # the small-number warning

    @property
    def segments(self) -> list[tuple[str, Flag | None]]:
        """The text cut at the flags, for the page to mark them (the template escapes)."""
        pieces: list[tuple[str, Flag | None]] = []
        position = 0
        for flag in self.flags:
            if flag.start < position:
                continue
            pieces.append((self.text[position : flag.start], None))
            pieces.append((self.text[flag.start : flag.end], flag))
            position = flag.end
        pieces.append((self.text[position:], None))
        return [(text, flag) for text, flag in pieces if text]


@dataclass
class IdentifierReview:
    items: list[ReviewItem]
    quotes_checked: int

    @property
    def open_flags(self) -> int:
        return sum(len(item.flags) for item in self.items)

    @property
    def warnings(self) -> int:
        return sum(1 for item in self.items if item.warning)

    @property
    def complete(self) -> bool:
        return self.open_flags == 0


def finder_for(report: Report) -> IdentifierFinder:
    """The finder with the names the server knows and the words marked safe (as the
    report's redaction read them: no query of its own)."""
    return IdentifierFinder(known_names=report.known_names, safe_names=report.safe_terms)


def identifier_review(report: Report) -> IdentifierReview:
    """Every open flag of the report's published quotes (the finder reads them in one batch)."""
    published = [(section, quote) for section in report.sections for quote in section.quotes]
    found = finder_for(report).find_many([quote.text for _, quote in published])
    items = [
        ReviewItem(
            quote_id=quote.quote_id,
            heading=section.heading,
            text=quote.text,
            attribution=quote.attribution,
            flags=flags,
            warning=quote.warning,
        )
        for (section, quote), flags in zip(published, found, strict=True)
        if flags or quote.warning
    ]
    return IdentifierReview(items=items, quotes_checked=len(published))


def draft_notice(review: IdentifierReview) -> str:
    return NOT_SIGNED if review.complete else INCOMPLETE


def decide(*, access: ProjectAccess, quote_id: int, text: str, action: str, user) -> str:
    """Settle one flag. Returns what was done, in a sentence for the author."""
    access.require(AUTHORING_ROLES, "reviewing identifiers")
    term = " ".join(text.split())
    if action not in ACTIONS:
        raise ReviewError({"action": f"Choose one of: {', '.join(ACTIONS)}."})
    if sum(ch.isalnum() for ch in term) < 1 or len(term) > MAX_TERM_CHARS:
        raise ReviewError(
            {"text": f"The flagged text must be 1 to {MAX_TERM_CHARS} characters long."}
        )
    quote = get_in_project(
        access, Quote.objects.all(), quote_id, via="transcript__project", what="quote"
    )
    project = access.project
    try:
        with transaction.atomic():
            if action == "here":
                QuoteRedaction.objects.create(quote=quote, term=term, redacted_by=user)
                return f"“{term}” will be redacted in this quote."
            if action == "everywhere":
                if not _exists(RedactionTerm, project, term):
                    RedactionTerm.objects.create(project=project, term=term)
                return f"“{term}” is on the redaction list: it will be redacted in every quote."
            if not _exists(SafeTerm, project, term):
                SafeTerm.objects.create(project=project, term=term, marked_by=user)
            return f"“{term}” is marked safe: it will not be flagged again."
    except IntegrityError:  # the same decision, taken a moment ago in another tab
        return f"“{term}” was already settled."


def _exists(model, project: Project, term: str) -> bool:
    return (
        model.objects.annotate(lower=Lower("term"))
        .filter(project=project, lower=term.lower())
        .exists()
    )


def sign_off(*, access: ProjectAccess, exporter, source, user) -> tuple[ReportSignOff, object]:
    """Write the final file if the review is complete; record who, when and its hash.

    Returns the sign-off and the file (a spooled temporary file, at its start).
    Refused (ReviewError) while any flag is open.
    """
    access.require(AUTHORING_ROLES, "signing off the report")
    if exporter.holds != "report":
        raise ReviewError(
            {"format": "Sign-off is for the report formats (DOCX, PDF, Markdown, HTML)."}
        )
    report = source.report()
    review = identifier_review(report)
    if not review.complete:
        raise ReviewError(
            f"The identifier review has {review.open_flags} open flag"
            f"{'s' if review.open_flags != 1 else ''}: settle them before signing off."
        )
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    exporter.write_report(report, spool)
    digest = sha256_of(spool)
    record = ReportSignOff.objects.create(
        project=access.project,
        signed_by=user,
        format=exporter.key,
        filename=exporter.filename(access.project),
        sha256=digest,
        scope=report.scope[:300],
        quotes=review.quotes_checked,
    )
    return record, spool
