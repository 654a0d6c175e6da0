"""Codebook operations for admins: merge, retire, reactivate, copy.

Each is a keyword-only service in one transaction: it either happens completely or
not at all. None of them deletes a coding without keeping an equivalent one: a
quote coded with any merged theme ends up coded with the survivor, exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min

from aefront import one_statement
from coding import trail
from coding.models import HeadlineQuote, QuoteTheme, Theme, ThemeSummary
from interviews.models import Project


@dataclass(frozen=True)
class MergeResult:
    survivor: Theme
    merged_names: tuple[str, ...]
    codings_moved: int
    duplicates_dropped: int
    children_moved: int


@transaction.atomic
def merge_themes(*, survivor: Theme, others: Iterable[Theme]) -> MergeResult:
    """Fold `others` into `survivor` and delete them.

    Every quote coded with any of the themes keeps one coding with the survivor;
    children move under the survivor; summaries and their headline quotes are
    combined into the survivor's summary.
    """
    others = [theme for theme in others if theme.pk != survivor.pk]
    if not others:
        raise ValidationError("Choose at least one other theme to merge into the survivor.")
    # Lock the rows so a concurrent merge or rename waits (no-op on SQLite).
    ids = [survivor.pk, *(theme.pk for theme in others)]
    locked = {theme.pk: theme for theme in Theme.objects.select_for_update().filter(pk__in=ids)}
    if len(locked) != len(ids):
        raise ValidationError("A theme to merge no longer exists; reload and try again.")
    survivor = locked[survivor.pk]
    other_ids = [theme.pk for theme in others]
    foreign = [locked[pk].name for pk in other_ids if locked[pk].project_id != survivor.project_id]
    if foreign:
        raise ValidationError(
            f"Only themes of one project can be merged; {', '.join(foreign)} "
            f"belong to another project than {survivor.name}."
        )
    merged_names = tuple(locked[pk].name for pk in other_ids)

    duplicates = _fold_codings(survivor=survivor, other_ids=other_ids)
    moved = QuoteTheme.objects.filter(tag_id__in=other_ids).update(tag=survivor)
    children = _reparent(survivor=survivor, other_ids=other_ids, themes=locked)
    _merge_summaries(survivor=survivor, other_ids=other_ids)
    Theme.objects.filter(pk__in=other_ids).delete()
    trail.record(
        survivor,
        changes={"merged": [list(merged_names), survivor.name], "codings_moved": moved},
        extra={"merged_ids": other_ids},
    )
    return MergeResult(
        survivor=survivor,
        merged_names=merged_names,
        codings_moved=moved,
        duplicates_dropped=duplicates,
        children_moved=children,
    )


def _fold_codings(*, survivor: Theme, other_ids: list[int]) -> int:
    """Drop the codings that would become duplicates once moved to the survivor."""
    already_coded = QuoteTheme.objects.filter(tag=survivor).values("content_object_id")
    dropped, _ = QuoteTheme.objects.filter(
        tag_id__in=other_ids, content_object_id__in=already_coded
    ).delete()
    # A quote coded with two of the merged themes keeps its first coding only.
    first_per_quote = (
        QuoteTheme.objects.filter(tag_id__in=other_ids)
        .values("content_object_id")
        .annotate(first=Min("pk"))
        .values("first")
    )
    extra, _ = (
        QuoteTheme.objects.filter(tag_id__in=other_ids).exclude(pk__in=first_per_quote).delete()
    )
    return dropped + extra


def _reparent(*, survivor: Theme, other_ids: list[int], themes: dict[int, Theme]) -> int:
    """Children of merged themes move under the survivor, without making a cycle.

    If a merged theme is an ancestor of the survivor, the survivor takes the place
    of the highest such ancestor.
    """
    ancestor_chain: list[Theme] = []
    node = survivor.parent
    while node is not None:
        ancestor_chain.append(node)
        node = node.parent
    merged_ancestors = [i for i, node in enumerate(ancestor_chain) if node.pk in other_ids]
    if merged_ancestors:
        highest = ancestor_chain[merged_ancestors[-1]]
        survivor.parent_id = highest.parent_id
        survivor.save(update_fields=["parent"])
    return (
        Theme.objects.filter(parent_id__in=other_ids)
        .exclude(pk=survivor.pk)
        .update(parent=survivor)
    )


def _merge_summaries(*, survivor: Theme, other_ids: list[int]) -> None:
    """One summary for the survivor: narratives appended, headline quotes kept in order."""
    summaries = list(
        ThemeSummary.objects.filter(theme_id__in=[survivor.pk, *other_ids])
        .select_related("theme")
        .order_by("pk")
    )
    if not summaries:
        return
    target = next((s for s in summaries if s.theme_id == survivor.pk), None)
    if target is None:
        target = summaries[0]
        target.theme = survivor
    sources = [s for s in summaries if s.pk != target.pk]
    narratives = [target.narrative.strip()] if target.narrative.strip() else []
    for source in sources:
        if source.narrative.strip():
            narratives.append(f"[From “{source.theme.name}”] {source.narrative.strip()}")
    target.narrative = "\n\n".join(narratives)
    target.version += 1
    target.save()

    position = HeadlineQuote.objects.filter(summary=target).order_by("-position").first()
    next_position = position.position + 1 if position else 0
    kept = set(HeadlineQuote.objects.filter(summary=target).values_list("quote_id", flat=True))
    for headline in HeadlineQuote.objects.filter(summary__in=sources).order_by(
        "summary_id", "position"
    ):
        if headline.quote_id in kept:
            continue
        HeadlineQuote.objects.create(
            summary=target, quote_id=headline.quote_id, position=next_position
        )
        kept.add(headline.quote_id)
        next_position += 1
    ThemeSummary.objects.filter(pk__in=[source.pk for source in sources]).delete()


@transaction.atomic
def retire_themes(*, themes: Iterable[Theme]) -> int:
    """Hide themes from pickers. Their codings, summaries and children stay."""
    return _set_active(themes, False)


def _set_active(themes: Iterable[Theme], active: bool) -> int:
    changing = list(
        Theme.objects.select_for_update().filter(
            pk__in=[theme.pk for theme in themes], is_active=not active
        )
    )
    for theme in changing:
        trail.record(theme, changes={"is_active": [not active, active]})
    return Theme.objects.filter(pk__in=[theme.pk for theme in changing]).update(is_active=active)


@transaction.atomic
def reactivate_themes(*, themes: Iterable[Theme]) -> int:
    """Show retired themes in pickers again."""
    return _set_active(themes, True)


@transaction.atomic
def copy_codebook(*, source: Project, target: Project) -> list[Theme]:
    """Copy the source project's active, reviewed themes into the target project.

    Names, slugs, descriptions, colours, order and hierarchy are copied; codings and
    summaries are not. A theme whose parent is not copied (retired or proposed)
    hangs under its nearest copied ancestor. Refuses, writing nothing, if a name is
    already in the target's codebook.
    """
    if source.pk == target.pk:
        raise ValidationError("Choose a different project to copy the codebook from.")
    themes = list(Theme.objects.filter(project=source).order_by("pk"))
    by_id = {theme.pk: theme for theme in themes}
    wanted = [theme for theme in themes if theme.is_active and not theme.is_proposed]
    if not wanted:
        raise ValidationError(f"The project “{source.name}” has no active themes to copy.")
    taken = {
        name.lower(): name
        for name in Theme.objects.filter(project=target).values_list("name", flat=True)
    }
    clashes = sorted(taken[theme.name.lower()] for theme in wanted if theme.name.lower() in taken)
    if clashes:
        raise ValidationError(
            f"“{target.name}” already has themes named {', '.join(clashes)}; "
            "rename or remove them first."
        )
    wanted_ids = {theme.pk for theme in wanted}

    def copied_parent(theme: Theme) -> int | None:
        parent_id = theme.parent_id
        while parent_id is not None and parent_id not in wanted_ids:
            parent_id = by_id[parent_id].parent_id
        return parent_id

    copies: dict[int, Theme] = {}
    remaining = list(wanted)
    while remaining:  # parents first, so each copy can point at its parent's copy
        ready = [t for t in remaining if copied_parent(t) is None or copied_parent(t) in copies]
        for theme in ready:
            parent_id = copied_parent(theme)
            copy = Theme(
                project=target,
                name=theme.name,
                parent=copies[parent_id] if parent_id is not None else None,
                description=theme.description,
                colour=theme.colour,
                order=theme.order,
            )
            copy.slug = copy.unique_slug()
            copy.full_clean()
            copy.save()
            copies[theme.pk] = copy
        remaining = [theme for theme in remaining if theme.pk not in copies]
    return list(copies.values())


THEME_FIELDS = ("name", "parent", "description", "colour", "is_active", "order")


def create_theme(*, project: Project, **fields) -> Theme:
    """A reviewed theme of the project's codebook (an admin's write).

    One write after the slug is picked: on PostgreSQL the theme and its audit entry in
    one statement (aefront/one_statement.py), else an INSERT that auditlog follows. The
    unique name (any case) is the database's constraint, reported on the field when it
    refuses, not a query first.
    """
    unknown = set(fields) - set(THEME_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    theme = Theme(project=project, **fields)
    theme.name = " ".join(str(theme.name).split())
    theme.slug = theme.unique_slug()
    # The project and a parent come as rows just read: no query to check they exist
    # (clean() still checks that the parent is of this project).
    theme.full_clean(
        exclude=["project", "parent"], validate_unique=False, validate_constraints=False
    )
    taken = ValidationError({"name": f"The codebook already has “{theme.name}”."})
    if one_statement.available():  # the theme and its audit entry in one statement
        if not one_statement.insert_new(theme, "t", own_keys=("theme",)):
            raise taken
        return theme
    try:
        with transaction.atomic():
            theme.save(force_insert=True)
    except IntegrityError:
        raise taken from None
    return theme


@transaction.atomic
def update_theme(*, theme: Theme, changes: dict) -> Theme:
    """Rename, describe, nest, recolour, reorder, retire or reactivate one theme."""
    unknown = set(changes) - set(THEME_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    for field, value in changes.items():
        setattr(theme, field, value)
    if "name" in changes:
        theme.name = " ".join(str(theme.name).split())
        theme.slug = theme.unique_slug()
    theme.full_clean()
    theme.save()
    return theme
