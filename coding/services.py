"""Writes on quotes and their themes: every one atomic, validated, and row-based.

A quote is one row; its themes are QuoteTheme rows. Nothing here rewrites a list in
place, so two coders working on the same transcript at once cannot lose each
other's work. Every function is keyword-only, takes the caller's `ProjectAccess`
(so the membership is read once, by the view) and raises `CodingError` (a
`UserError` carrying an HTTP status) or PermissionDenied with a message a person can
act on. Who may change a quote is answered by `interviews.access`; whether its
offsets and text are valid by `Quote.clean()`.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable, Sequence
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from aefront.errors import UserError, sentence
from coding import hooks, live, quote_insert
from coding.models import (
    Adoption,
    Assignment,
    CoderStatus,
    CodingRound,
    Quote,
    QuoteTheme,
    Theme,
)
from interviews.access import CODING_ROLES, ProjectAccess, Role
from interviews.models import Membership, Transcript

Edge = Literal["start", "end"]
Action = Literal["widen", "narrow"]
MAX_THEME_NAME_CHARS = 100


class CodingError(UserError):
    """A rejected write. `status` is the HTTP status the API answers with."""


# --- checks shared by the writes -------------------------------------------------------


def _require_coder(access: ProjectAccess) -> None:
    access.require(CODING_ROLES, "coding")


def _require_editor(access: ProjectAccess, quote: Quote) -> None:
    if quote.transcript.project_id != access.project.pk:
        raise Http404("No such quote.")
    access.require_quote_editor(quote.coder_id)


def _validated(quote: Quote) -> None:
    """Quote.clean() (offsets and text) and every field, as one readable refusal."""
    try:
        # The check constraints are Quote.clean()'s (and the database's): no query for them.
        quote.full_clean(exclude=LOADED, validate_constraints=False)
    except ValidationError as error:
        raise CodingError(sentence(error)) from error


ONE_TURN = (
    "A quote lies inside one speaker turn, and this passage {what}. Select words of one "
    "speaker, or save one quote per turn."
)


def check_speaker_turns(transcript: Transcript, start: int, end: int) -> None:
    """A quote lies inside one speaker turn and never holds a speaker label.

    With the project's `multi_turn_quotes` (focus groups) a quote may run across turns,
    but still starts and ends in a turn's words. A transcript without turns has no rule.
    Only the turns the passage meets decide it (`transcript.turns_around()`: no query
    when the transcript was read for this passage, or loaded with its turns' offsets,
    `access.get_transcript(..., turn_spans=True)`).
    """
    has_turns, inside = transcript.turns_around(start, end)
    if not has_turns:
        return
    if any(s <= start and end <= e for s, e in inside):
        return
    if not inside:
        raise CodingError(ONE_TURN.format(what="holds no speaker's words, only a label"))
    multi = transcript.project.multi_turn_quotes
    # A turn holding the start or the end meets the passage: it is among `inside`.
    ends_in_words = any(s <= start < e for s, e in inside) and any(s < end <= e for s, e in inside)
    if multi and ends_in_words:
        return
    if multi:
        raise CodingError(
            "A quote starts and ends in a speaker's words: this passage starts or ends "
            "on a speaker label."
        )
    if len(inside) == 1:
        raise CodingError(ONE_TURN.format(what="takes in a speaker label"))
    raise CodingError(ONE_TURN.format(what=f"crosses {len(inside)} turns"))


def parts_in_turns(
    spans: list[tuple[int, int]], start: int, end: int, *, multi_turn: bool = False
) -> list[tuple[int, int]]:
    """What the one-turn rule keeps of [start, end), for quotes that come in from other
    tools: its part in each turn's words (labels and gaps dropped, blank parts too), or
    with `multi_turn` one span from the first speaker's words to the last's. `spans` as
    `Transcript.turn_spans()`; without turns the passage is kept whole."""
    if not spans:
        return [(start, end)]
    parts = [(max(s, start), min(e, end)) for s, e in spans if s < end and start < e]
    if multi_turn and parts:
        return [(parts[0][0], parts[-1][1])]
    return parts


def check_themes(*, access: ProjectAccess, themes: Sequence[Theme]) -> list[Theme]:
    unique: dict[int, Theme] = {}
    for theme in themes:
        if theme.project_id != access.project.pk:
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


def _link(quote: Quote, themes: Iterable[Theme], *, new: bool = False) -> set[int]:
    """Code the quote with these themes too; returns the ids it is coded with now."""
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
    return have


def _touch(quote: Quote) -> None:
    """Mark the quote as changed, so that other coders' polling picks it up."""
    quote.updated_at = timezone.now()
    Quote.all_objects.filter(pk=quote.pk).update(updated_at=quote.updated_at)
    live.quote_changed(quote)  # its themes changed: the open pages hear it after commit


# --- themes ---------------------------------------------------------------------------


def find_or_propose_theme(*, access: ProjectAccess, name: str) -> Theme:
    """The active theme called `name` (any case), or a new one if the user may add it.

    Enablers may propose themes when the project allows it; the new theme is marked
    `is_proposed` for an admin to accept, rename or merge. Project admins may always
    add themes, and theirs are part of the codebook at once. Call it inside the
    transaction of the write that applies the theme, so a refused write proposes
    nothing.
    """
    _require_coder(access)
    project = access.project
    name = " ".join(str(name).split())
    if not name:
        raise CodingError("Type a theme name.")
    if len(name) > MAX_THEME_NAME_CHARS:
        raise CodingError(f"A theme name can be at most {MAX_THEME_NAME_CHARS} characters.")
    existing = Theme.objects.filter(project=project, name__iexact=name).first()
    if existing is not None:
        if not existing.is_active:
            raise CodingError(f"The theme “{existing.name}” is retired and cannot be applied.")
        return existing
    if not access.is_admin and not project.enablers_can_propose_themes:
        raise CodingError(
            f"No theme is called “{name}”, and in this project only an admin can add themes. "
            "Pick an existing theme, or ask an admin to add it."
        )
    theme = Theme(
        project=project,
        name=name,
        is_proposed=not access.is_admin,
        proposed_by=access.user,
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


def code_passage(
    *,
    access: ProjectAccess,
    transcript: Transcript,
    start: int,
    end: int,
    text: str,
    themes: Sequence[Theme] = (),
    new_theme: str = "",
    memo: str = "",
    key: uuid_module.UUID | str | None = None,
) -> Quote:
    """Store the caller's quote of [start, end) tagged with `themes` (and `new_theme`).

    - `new_theme` is found or proposed (see `find_or_propose_theme`) only after the
      passage has been checked, in the same transaction: a refused request writes
      nothing.
    - `key` is a client-generated UUID: a retry with the same key returns the same
      quote (adding any themes it did not have yet).
    - If the coder already has a live quote on exactly this span, the themes and the
      memo are added to it instead of failing.

    The common case costs one statement on PostgreSQL (coding/quote_insert.py: the
    quote, its codings and its audit entry) and elsewhere two, the quote's INSERT and
    one of its codings, in one transaction. Only when the quote meets the span or the
    key taken (the unique constraints say so) is nothing written and the earlier quote
    looked up, in a second transaction. The returned quote's `theme_ids` are the themes
    it is coded with now.
    """
    _require_coder(access)
    if transcript.project_id != access.project.pk:
        raise Http404("No such transcript.")
    coder = access.user
    quote = Quote(
        transcript=transcript, start=start, end=end, text=text, coder=coder, memo=memo or ""
    )
    _validated(quote)
    check_speaker_turns(transcript, start, end)
    themes = check_themes(access=access, themes=themes)
    proposing = bool(str(new_theme or "").strip())
    if not themes and not proposing:
        raise CodingError("Choose at least one theme for the passage.")
    if key is not None:
        try:
            quote.uuid = uuid_module.UUID(str(key))
        except ValueError:
            raise CodingError("uuid must be a UUID such as crypto.randomUUID() makes.") from None
    if not proposing and quote_insert.available():
        try:
            inserted = quote_insert.insert_quote(quote, themes)  # one statement (PostgreSQL)
        except IntegrityError:  # the transcript went meanwhile: as the ORM path, below
            inserted = False
        if inserted:
            hooks.quote_saved(quote)
            quote.theme_ids = [theme.pk for theme in themes]
            return quote
        with transaction.atomic():
            return _add_to_earlier(quote, themes, key=key is not None)
    try:
        with transaction.atomic():
            wanted = _with_new_theme(access, themes, new_theme)
            quote.save(force_insert=True)
            QuoteTheme.objects.bulk_create(
                [QuoteTheme(content_object=quote, tag=theme) for theme in wanted]
            )
            quote.theme_ids = [theme.pk for theme in wanted]
            return quote
    except IntegrityError:
        pass  # the span or the key is taken: add to that quote instead
    with transaction.atomic():
        wanted = _with_new_theme(access, themes, new_theme)
        return _add_to_earlier(quote, wanted, key=key is not None)


def _with_new_theme(access: ProjectAccess, themes: list[Theme], new_theme: str) -> list[Theme]:
    if not str(new_theme or "").strip():
        return themes
    proposed = find_or_propose_theme(access=access, name=new_theme)  # active, this project
    return themes if proposed in themes else [*themes, proposed]


def _add_to_earlier(quote: Quote, themes: Sequence[Theme], *, key: bool) -> Quote:
    """The quote whose key or span `quote` met: the same key returns the earlier quote
    (a retry), the same span gets the themes and the memo added."""
    if key:
        earlier = Quote.all_objects.filter(uuid=quote.uuid).first()
        if earlier is not None:
            same = (
                earlier.transcript_id == quote.transcript_id
                and earlier.coder_id == quote.coder_id
                and (earlier.start, earlier.end) == (quote.start, quote.end)
            )
            if not same:
                raise CodingError("This uuid already belongs to a different quote.")
            if earlier.deleted_at is None:
                _add_to_existing(earlier, themes, quote.memo)
            else:  # a retry of a quote deleted since: returned as it is
                earlier.theme_ids = sorted(
                    QuoteTheme.objects.filter(content_object=earlier).values_list(
                        "tag_id", flat=True
                    )
                )
            return earlier
    existing = Quote.objects.filter(
        transcript=quote.transcript_id, coder=quote.coder_id, start=quote.start, end=quote.end
    ).first()
    if existing is None:  # deleted a moment ago
        raise CodingError("The passage changed while saving; try again.", status=409)
    _add_to_existing(existing, themes, quote.memo)
    return existing


def _add_to_existing(quote: Quote, themes: Sequence[Theme], memo: str) -> None:
    quote.theme_ids = sorted(_link(quote, themes))
    memo = memo.strip()
    if memo and memo not in quote.memo:
        quote.memo = f"{quote.memo}\n\n{memo}" if quote.memo else memo
        _validated(quote)
        quote.save(update_fields=["memo", "updated_at"])
    else:
        _touch(quote)


@transaction.atomic
def add_theme(
    *, access: ProjectAccess, quote: Quote, theme: Theme | None = None, new_theme: str = ""
) -> Quote:
    """Tag the quote with `theme`, or with the theme called `new_theme` (proposed if new)."""
    _require_editor(access, quote)
    if theme is None:
        theme = find_or_propose_theme(access=access, name=new_theme)
    check_themes(access=access, themes=[theme])
    _link(quote, [theme])
    _touch(quote)
    return quote


@transaction.atomic
def remove_theme(*, access: ProjectAccess, quote: Quote, theme: Theme) -> Quote:
    """Untag one theme. A quote keeps at least one theme: delete the quote instead."""
    _require_editor(access, quote)
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
def set_themes(*, access: ProjectAccess, quote: Quote, themes: Sequence[Theme]) -> Quote:
    """Code the quote with exactly these themes (the API's PATCH): links are added and
    removed row by row, never rewritten, and a quote keeps at least one theme."""
    _require_editor(access, quote)
    wanted = check_themes(access=access, themes=themes)
    if not wanted:
        raise CodingError("A quote needs at least one theme: delete the quote instead.")
    codings = QuoteTheme.objects.select_for_update().filter(content_object=quote)
    have = set(codings.values_list("tag_id", flat=True))
    gone = have - {theme.pk for theme in wanted}
    if gone:
        codings.filter(tag_id__in=gone).delete()
    _link(quote, [theme for theme in wanted if theme.pk not in have], new=True)
    _touch(quote)
    return quote


@transaction.atomic
def update_quote(
    *,
    access: ProjectAccess,
    quote: Quote,
    memo: str | None = None,
    themes: Sequence[Theme] | None = None,
) -> Quote:
    """The API's PATCH: the memo, the themes, or both, in one transaction."""
    _require_editor(access, quote)
    if themes is not None:
        set_themes(access=access, quote=quote, themes=themes)
    if memo is not None:
        edit_memo(access=access, quote=quote, memo=memo)
    return quote


@transaction.atomic
def edit_memo(*, access: ProjectAccess, quote: Quote, memo: str) -> Quote:
    _require_editor(access, quote)
    if not isinstance(memo, str):
        raise CodingError("memo must be text.")
    quote.memo = memo
    _validated(quote)
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
def adjust_quote(*, access: ProjectAccess, quote: Quote, edge: Edge, action: Action) -> Quote:
    """Widen or narrow the quote by one word at one edge; the text is recomputed."""
    _require_editor(access, quote)
    transcript = quote.transcript
    start, end = adjusted_span(transcript.text, quote.start, quote.end, edge=edge, action=action)
    return _move(quote, start, end)


def _move(quote: Quote, start: int, end: int) -> Quote:
    """The quote on [start, end) of its transcript: inside one turn, no clash, text anew."""
    transcript = quote.transcript
    check_speaker_turns(transcript, start, end)
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
    _validated(quote)
    try:
        with transaction.atomic():
            quote.save(update_fields=["start", "end", "text", "updated_at"])
    except IntegrityError:
        raise CodingError(
            "The coder already has another quote on exactly that passage.", status=409
        ) from None
    return quote


@transaction.atomic
def delete_quote(*, access: ProjectAccess, quote: Quote) -> Quote:
    """Soft delete: the row stays (with its themes) so that the delete can be undone."""
    _require_editor(access, quote)
    if quote.deleted_at is None:
        quote.deleted_at = timezone.now()
        quote.save(update_fields=["deleted_at", "updated_at"])
    return quote


@transaction.atomic
def restore_quote(*, access: ProjectAccess, quote: Quote) -> Quote:
    """Undo a delete."""
    _require_editor(access, quote)
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
    _validated(quote)
    quote.save(update_fields=["deleted_at", "updated_at"])
    return quote


# --- undo and redo: one step back (or forward), if nobody changed the quote since ---------

Step = Literal["delete", "restore", "add_theme", "remove_theme", "memo", "span"]
STEPS: tuple[str, ...] = ("delete", "restore", "add_theme", "remove_theme", "memo", "span")
CHANGED_SINCE = (
    "This quote has changed since your last change to it (by another coder, or in another "
    "window), so the undo is refused and that change stands. Open the quote to see it."
)


@transaction.atomic
def undo_step(
    *, access: ProjectAccess, quote: Quote, step: Step, expected_updated_at,
    theme: Theme | None = None, memo: str | None = None, span: tuple[int, int] | None = None,
) -> Quote:  # fmt: skip
    """One step of the page's undo or redo, written as a new state of the quote.

    Undo never rewrites history: it is an ordinary change (delete, restore, a theme
    added or removed, the memo or the span set back), so the audit trail records it
    like any other. `expected_updated_at` is the quote's `updated_at` after the page's
    own last change to it; if the quote has changed since (another coder's change, or
    another window's), the step is refused with 409 and nothing is written.
    """
    _require_editor(access, quote)
    locked = (
        Quote.all_objects.select_for_update()
        .filter(pk=quote.pk)
        .values_list("updated_at", flat=True)
    )
    if expected_updated_at is None or locked.first() != expected_updated_at:
        raise CodingError(CHANGED_SINCE, status=409)
    if step == "delete":
        return delete_quote(access=access, quote=quote)
    if step == "restore":
        return restore_quote(access=access, quote=quote)
    if quote.deleted_at is not None:
        raise CodingError("The quote is deleted: undo its delete first.", status=409)
    if step in ("add_theme", "remove_theme"):
        if theme is None:
            raise CodingError("theme: choose the theme to add or remove.")
        change = add_theme if step == "add_theme" else remove_theme
        return change(access=access, quote=quote, theme=theme)
    if step == "memo":
        return edit_memo(access=access, quote=quote, memo=memo or "")
    if step == "span" and span is not None:
        return _move(quote, *span)
    raise CodingError(f"step must be one of {', '.join(STEPS)}, with what it needs.")


# --- team coding: rounds, done, adoptions ------------------------------------------------


@transaction.atomic
def assign_transcripts(
    *, access: ProjectAccess, transcripts: Sequence[Transcript], coder_ids: Sequence[int],
    blind: bool = True,
) -> list[CodingRound]:  # fmt: skip
    """Give each transcript to these coders (two or more), blind unless told otherwise.

    Assigning again adds coders; a round that had been revealed is blind again until the
    new coders are done too, so nobody joins a round seeing the others' work.
    """
    access.require(frozenset({Role.ADMIN}), "assigning transcripts")
    coder_ids = sorted(set(coder_ids))
    if len(coder_ids) < 2:
        raise CodingError("Choose at least two coders for a double-coding round.")
    if not transcripts:
        raise CodingError("Choose at least one transcript.")
    members = set(
        Membership.objects.filter(
            project=access.project, user_id__in=coder_ids, role__in=CODING_ROLES
        ).values_list("user_id", flat=True)
    )
    if set(coder_ids) - members:
        raise CodingError("Every coder must be an enabler or admin of this project.")
    rounds = []
    for transcript in transcripts:
        if transcript.project_id != access.project.pk:
            raise Http404("No such transcript.")
        coding_round, _ = CodingRound.objects.select_for_update().get_or_create(
            transcript=transcript, defaults={"blind": blind, "created_by": access.user}
        )
        have = set(coding_round.assignments.values_list("coder_id", flat=True))
        new = [pk for pk in coder_ids if pk not in have]
        for pk in new:
            Assignment.objects.create(coding_round=coding_round, coder_id=pk)
        changed = coding_round.blind != blind or (new and coding_round.revealed_at)
        if changed:
            coding_round.blind = blind
            coding_round.revealed_at = None if new else coding_round.revealed_at
            coding_round.save(update_fields=["blind", "revealed_at"])
        rounds.append(coding_round)
    return rounds


@transaction.atomic
def mark_done(
    *, access: ProjectAccess, transcript: Transcript, done: bool = True
) -> Assignment | CoderStatus:
    """Mark the caller's coding of the transcript done (or not yet).

    Outside a round it is the coder's own status (`set_coder_status`). When the last
    coder of a round marks it done the round is revealed: every coder sees every
    quote, and the others' quotes reach open pages through the poll.
    """
    _require_coder(access)
    if transcript.project_id != access.project.pk:
        raise Http404("No such transcript.")
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("coding_round")
        .filter(coding_round__transcript=transcript, coder=access.user)
        .first()
    )
    if assignment is None:
        return set_coder_status(access=access, transcript=transcript, done=done)
    coding_round = assignment.coding_round
    if not done and coding_round.revealed_at is not None:
        raise CodingError(
            "Every coder has marked this transcript done and the quotes are shown: "
            "ask a project admin to start a new round instead."
        )
    assignment.done_at = timezone.now() if done else None
    assignment.save(update_fields=["done_at"])
    set_coder_status(access=access, transcript=transcript, done=done, at=assignment.done_at)
    pending = coding_round.assignments.filter(done_at__isnull=True).exists()
    if done and not pending and coding_round.revealed_at is None:
        coding_round.revealed_at = assignment.done_at
        coding_round.save(update_fields=["revealed_at"])
        # The poll asks for quotes changed since its last look: these are new to it.
        Quote.objects.filter(transcript=transcript).update(updated_at=coding_round.revealed_at)
        live.transcript_reset(transcript.pk)
    return assignment


@transaction.atomic
def set_coder_status(
    *, access: ProjectAccess, transcript: Transcript, done: bool, at=None
) -> CoderStatus:
    """The caller's own status on the transcript: done now, or reopened. It reopens by
    itself when they code there again (coding/progress.py reads it so)."""
    _require_coder(access)
    if transcript.project_id != access.project.pk:
        raise Http404("No such transcript.")
    status, _ = CoderStatus.objects.select_for_update().get_or_create(
        transcript=transcript, coder=access.user
    )
    status.done_at = (at or timezone.now()) if done else None
    status.save(update_fields=["done_at", "updated_at"])
    return status


@transaction.atomic
def record_adoption(
    *, access: ProjectAccess, transcript: Transcript, theme: Theme, span: tuple[int, int],
    decision: str, coder_ids: Sequence[int], adopted_coder_id: int | None = None,
) -> Adoption:  # fmt: skip
    """A lead coder's (a project admin's) decision on one disagreement, with each
    coder's version of the passage as it stood."""
    access.require(frozenset({Role.ADMIN}), "deciding between coders' versions")
    if decision not in Adoption.Decision.values:
        raise CodingError("Choose adopt, merge or leave both.")
    if decision == Adoption.Decision.ADOPT and adopted_coder_id not in coder_ids:
        raise CodingError("Choose whose version to adopt.")
    start, end = span
    if not 0 <= start < end <= len(transcript.text):
        raise CodingError("That passage is not in the transcript.")
    quotes = Quote.objects.filter(
        transcript=transcript, coder_id__in=coder_ids, codings__tag=theme, start__lt=end,
        end__gt=start,
    ).order_by("coder_id", "start")  # fmt: skip
    adoption = Adoption(
        transcript=transcript,
        theme=theme,
        start=start,
        end=end,
        decision=decision,
        adopted_coder_id=adopted_coder_id if decision == Adoption.Decision.ADOPT else None,
        versions=[[q.coder_id, q.start, q.end, q.text] for q in quotes],
        decided_by=access.user,
    )
    adoption.full_clean(exclude=["transcript", "theme", "adopted_coder", "decided_by"])
    adoption.save()
    return adoption
