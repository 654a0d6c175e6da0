"""Writes on quotes and their themes: every one atomic, validated, and row-based.

A quote is one row; its themes are QuoteTheme rows. Nothing here rewrites a list in
place, so two coders working on the same transcript at once cannot lose each
other's work. Every function is keyword-only and raises `CodingError` (a
ValidationError carrying an HTTP status) with a message a person can act on.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable, Sequence
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coding.models import Quote, QuoteTheme, Theme
from interviews.access import CODING_ROLES
from interviews.models import Membership, Project, Transcript

Edge = Literal["start", "end"]
Action = Literal["widen", "narrow"]
MAX_MEMO_CHARS = 10_000


class CodingError(ValidationError):
    """A rejected write. `status` is the HTTP status the API answers with."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def message_of(error: ValidationError) -> str:
    """One readable line from any ValidationError ('field: reason; …')."""
    if hasattr(error, "error_dict"):
        parts = []
        for field, errors in error.message_dict.items():
            text = " ".join(errors)
            parts.append(text if field == "__all__" else f"{field}: {text}")
        return "; ".join(parts)
    return " ".join(error.messages)


# --- checks shared by the writes -------------------------------------------------------


def role_of(*, user, project: Project) -> str | None:
    return (
        Membership.objects.filter(user=user, project=project).values_list("role", flat=True)
    ).first()


def require_coder(*, user, project: Project) -> str:
    """The user's role, if it may code in this project (403 otherwise, 404 for outsiders)."""
    role = role_of(user=user, project=project)
    if role is None:
        raise CodingError("You are not a member of this project.", status=404)
    if role not in CODING_ROLES:
        raise CodingError("Your role in this project does not allow coding.", status=403)
    return role


def require_editor(*, quote: Quote, user) -> None:
    """Only the quote's coder, or an admin of its project, may change it."""
    role = require_coder(user=user, project=quote.transcript.project)
    if quote.coder_id != user.pk and role != Membership.Role.ADMIN:
        raise CodingError(
            "Only the coder who made this quote, or a project admin, may change it.",
            status=403,
        )


def check_offsets(*, transcript: Transcript, start: object, end: object, text: object) -> None:
    """0 <= start < end <= len(text), integers only, and the text must match exactly."""
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise CodingError(f"{name} must be a whole number of characters.")
    length = len(transcript.text)
    if not 0 <= start < end <= length:  # type: ignore[operator]
        raise CodingError(
            f"Offsets must satisfy 0 <= start < end <= {length}; got start={start}, end={end}."
        )
    if not isinstance(text, str):
        raise CodingError("text must be the selected passage as a string.")
    if text != transcript.text[start:end]:  # type: ignore[misc]
        raise CodingError(
            "The selected text does not match the transcript at these offsets. "
            "Reload the page and select the passage again."
        )


def check_themes(*, project: Project, themes: Sequence[Theme]) -> list[Theme]:
    unique: dict[int, Theme] = {}
    for theme in themes:
        if theme.project_id != project.pk:
            raise CodingError(f"The theme “{theme.name}” belongs to another project.")
        if not theme.is_active:
            raise CodingError(f"The theme “{theme.name}” is retired and cannot be applied.")
        unique[theme.pk] = theme
    return list(unique.values())


# Fields whose validation would only re-query rows this module has just loaded (foreign
# keys) or checked (uniqueness, which the database enforces and we catch as
# IntegrityError). full_clean() still validates every other field, the check
# constraints and Quote.clean() (offsets and text).
LOADED = ["transcript", "coder", "uuid"]


def _link(quote: Quote, themes: Iterable[Theme], *, new: bool = False) -> None:
    have: set[int] = set()
    if not new:
        have = set(
            QuoteTheme.objects.filter(content_object=quote).values_list("tag_id", flat=True)
        )
    for theme in themes:
        if theme.pk in have:
            continue
        coding = QuoteTheme(content_object=quote, tag=theme)
        coding.full_clean(exclude=["content_object", "tag"])
        try:
            with transaction.atomic():
                coding.save()
        except IntegrityError:
            # Another request linked the same theme a moment ago: the row exists, as wanted.
            pass
        have.add(theme.pk)


def _touch(quote: Quote) -> None:
    """Mark the quote as changed, so that other coders' polling picks it up."""
    quote.updated_at = timezone.now()
    Quote.all_objects.filter(pk=quote.pk).update(updated_at=quote.updated_at)


# --- themes ---------------------------------------------------------------------------


@transaction.atomic
def find_or_propose_theme(*, project: Project, name: str, user) -> Theme:
    """The active theme called `name` (any case), or a new one if the user may add it.

    Enablers may propose themes when the project allows it; the new theme is marked
    `is_proposed` for an admin to accept, rename or merge. Project admins may always
    add themes, and theirs are part of the codebook at once.
    """
    role = require_coder(user=user, project=project)
    name = " ".join(str(name).split())
    if not name:
        raise CodingError("Type a theme name.")
    if len(name) > 100:
        raise CodingError("A theme name can be at most 100 characters.")
    existing = Theme.objects.filter(project=project, name__iexact=name).first()
    if existing is not None:
        if not existing.is_active:
            raise CodingError(f"The theme “{existing.name}” is retired and cannot be applied.")
        return existing
    is_admin = role == Membership.Role.ADMIN
    if not is_admin and not project.enablers_can_propose_themes:
        raise CodingError(
            f"No theme is called “{name}”, and in this project only an admin can add themes. "
            "Pick an existing theme, or ask an admin to add it."
        )
    theme = Theme(
        project=project,
        name=name,
        is_proposed=not is_admin,
        proposed_by=user,
        order=10_000,
    )
    theme.slug = theme.unique_slug()
    theme.full_clean()
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError:
        # Someone proposed the same name at the same moment: use theirs.
        theme = Theme.objects.get(project=project, name__iexact=name)
    return theme


# --- quotes ---------------------------------------------------------------------------


@transaction.atomic
def code_passage(
    *,
    transcript: Transcript,
    start: int,
    end: int,
    text: str,
    coder,
    themes: Sequence[Theme],
    memo: str = "",
    key: uuid_module.UUID | str | None = None,
) -> Quote:
    """Store a quote of [start, end) tagged with `themes`; safe to retry.

    - `key` is a client-generated UUID: a retry with the same key returns the same
      quote (adding any themes it did not have yet).
    - If the coder already has a live quote on exactly this span, the themes and the
      memo are added to it instead of failing.
    """
    project = transcript.project
    require_coder(user=coder, project=project)
    check_offsets(transcript=transcript, start=start, end=end, text=text)
    themes = check_themes(project=project, themes=themes)
    memo = str(memo or "")
    if len(memo) > MAX_MEMO_CHARS:
        raise CodingError(f"A memo can be at most {MAX_MEMO_CHARS:,} characters.")
    if not themes:
        raise CodingError("Choose at least one theme for the passage.")
    if key is not None:
        try:
            key = uuid_module.UUID(str(key))
        except ValueError:
            raise CodingError("uuid must be a UUID such as crypto.randomUUID() makes.") from None
        earlier = Quote.all_objects.filter(uuid=key).first()
        if earlier is not None:
            same = (
                earlier.transcript_id == transcript.pk
                and earlier.coder_id == coder.pk
                and (earlier.start, earlier.end) == (start, end)
            )
            if not same:
                raise CodingError("This uuid already belongs to a different quote.")
            if earlier.deleted_at is None:
                _add_to_existing(earlier, themes, memo)
            return earlier

    existing = Quote.objects.filter(
        transcript=transcript, coder=coder, start=start, end=end
    ).first()
    if existing is None:
        quote = Quote(
            transcript=transcript, start=start, end=end, text=text, coder=coder, memo=memo
        )
        if key is not None:
            quote.uuid = key
        try:
            quote.full_clean(exclude=LOADED)
            with transaction.atomic():
                quote.save()
        except (IntegrityError, ValidationError) as error:
            # Lost a race with this coder's own retry (same span or same key).
            existing = Quote.objects.filter(
                transcript=transcript, coder=coder, start=start, end=end
            ).first()
            if existing is None:
                if isinstance(error, ValidationError):
                    raise CodingError(message_of(error)) from error
                if key is not None and Quote.all_objects.filter(uuid=key).exists():
                    raise CodingError("This uuid already belongs to a different quote.") from None
                raise
        else:
            _link(quote, themes, new=True)
            return quote
    _add_to_existing(existing, themes, memo)
    return existing


def _add_to_existing(quote: Quote, themes: Sequence[Theme], memo: str) -> None:
    _link(quote, themes)
    memo = memo.strip()
    if memo and memo not in quote.memo:
        quote.memo = f"{quote.memo}\n\n{memo}" if quote.memo else memo
        quote.full_clean(exclude=LOADED)
        quote.save(update_fields=["memo", "updated_at"])
    else:
        _touch(quote)


@transaction.atomic
def add_theme(*, quote: Quote, theme: Theme, user) -> Quote:
    require_editor(quote=quote, user=user)
    check_themes(project=quote.transcript.project, themes=[theme])
    _link(quote, [theme])
    _touch(quote)
    return quote


@transaction.atomic
def remove_theme(*, quote: Quote, theme: Theme, user) -> Quote:
    """Untag one theme. A quote keeps at least one theme: delete the quote instead."""
    require_editor(quote=quote, user=user)
    codings = QuoteTheme.objects.select_for_update().filter(content_object=quote)
    tag_ids = set(codings.values_list("tag_id", flat=True))
    if theme.pk not in tag_ids:
        raise CodingError(f"The quote is not tagged with “{theme.name}”.")
    if len(tag_ids) == 1:
        raise CodingError(
            "A quote needs at least one theme. Add another theme first, or delete the quote."
        )
    codings.filter(tag=theme).delete()
    _touch(quote)
    return quote


@transaction.atomic
def edit_memo(*, quote: Quote, memo: str, user) -> Quote:
    require_editor(quote=quote, user=user)
    if not isinstance(memo, str):
        raise CodingError("memo must be text.")
    if len(memo) > MAX_MEMO_CHARS:
        raise CodingError(f"A memo can be at most {MAX_MEMO_CHARS:,} characters.")
    quote.memo = memo
    quote.full_clean(exclude=LOADED)
    quote.save(update_fields=["memo", "updated_at"])
    return quote


def adjusted_span(
    text: str, start: int, end: int, *, edge: Edge, action: Action
) -> tuple[int, int]:
    """[start, end) moved by one word at one edge. A word is a run of non-space characters.

    Widening takes in the rest of a word cut in half, or the next whole word;
    narrowing drops the edge word and the space beside it. Edges never rest on
    whitespace, and the span never becomes empty.
    """
    length = len(text)
    if edge == "start" and action == "widen":
        i = start
        while i > 0 and text[i - 1].isspace():
            i -= 1
        while i > 0 and not text[i - 1].isspace():
            i -= 1
        if i == start:
            raise CodingError("The quote already starts at the beginning of the transcript.")
        return i, end
    if edge == "end" and action == "widen":
        i = end
        while i < length and text[i].isspace():
            i += 1
        while i < length and not text[i].isspace():
            i += 1
        if i == end:
            raise CodingError("The quote already ends at the end of the transcript.")
        return start, i
    if edge == "start" and action == "narrow":
        i = start
        while i < end and not text[i].isspace():
            i += 1
        while i < end and text[i].isspace():
            i += 1
        if i >= end:
            raise CodingError("The quote is one word long: it cannot be narrowed further.")
        return i, end
    if edge == "end" and action == "narrow":
        i = end
        while i > start and not text[i - 1].isspace():
            i -= 1
        while i > start and text[i - 1].isspace():
            i -= 1
        if i <= start:
            raise CodingError("The quote is one word long: it cannot be narrowed further.")
        return start, i
    raise CodingError("edge must be 'start' or 'end', and action 'widen' or 'narrow'.")


@transaction.atomic
def adjust_quote(*, quote: Quote, edge: Edge, action: Action, user) -> Quote:
    """Widen or narrow the quote by one word at one edge; the text is recomputed."""
    require_editor(quote=quote, user=user)
    transcript = quote.transcript
    start, end = adjusted_span(transcript.text, quote.start, quote.end, edge=edge, action=action)
    check_offsets(transcript=transcript, start=start, end=end, text=transcript.text[start:end])
    clash = (
        Quote.objects.filter(transcript=transcript, coder=quote.coder_id, start=start, end=end)
        .exclude(pk=quote.pk)
        .exists()
    )
    if clash:
        raise CodingError(
            "The coder already has another quote on exactly that passage.", status=409
        )
    quote.start, quote.end = start, end
    quote.text = transcript.text[start:end]
    quote.full_clean(exclude=LOADED)
    try:
        with transaction.atomic():
            quote.save(update_fields=["start", "end", "text", "updated_at"])
    except IntegrityError:
        raise CodingError(
            "The coder already has another quote on exactly that passage.", status=409
        ) from None
    return quote


@transaction.atomic
def delete_quote(*, quote: Quote, user) -> Quote:
    """Soft delete: the row stays (with its themes) so that the delete can be undone."""
    require_editor(quote=quote, user=user)
    if quote.deleted_at is None:
        quote.deleted_at = timezone.now()
        quote.save(update_fields=["deleted_at", "updated_at"])
    return quote


@transaction.atomic
def restore_quote(*, quote: Quote, user) -> Quote:
    """Undo a delete."""
    require_editor(quote=quote, user=user)
    if quote.deleted_at is None:
        return quote
    clash = Quote.objects.filter(
        transcript=quote.transcript_id, coder=quote.coder_id, start=quote.start, end=quote.end
    ).exists()
    if clash:
        raise CodingError(
            "The coder has since made a new quote on exactly this passage, so the deleted "
            "one cannot come back. Add its themes to the new quote instead.",
            status=409,
        )
    quote.deleted_at = None
    quote.full_clean(exclude=LOADED)
    quote.save(update_fields=["deleted_at", "updated_at"])
    return quote
