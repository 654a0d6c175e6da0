"""Codebook exchange (.qdc): what an incoming codebook would change, and applying it.

A code whose GUID is a theme's `uuid` is that theme (renamed if its name changed); a
code whose name is a theme's name (any case) is merged into that theme; any other code
is added, under its parent. Nothing is ever deleted. `plan_codebook` only reads;
`apply_plan` writes, inside the caller's transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import transaction

from coding.models import Theme
from coding.refi.qde import Code, RefiError, read_codebook
from interviews.models import Project

ADDED, RENAMED, MERGED, UNCHANGED = "added", "renamed", "merged", "unchanged"
MAX_NAME = 100


@dataclass
class Step:
    code: Code
    action: str
    name: str  # the theme's name after the change
    theme: Theme | None = None  # the existing theme, unless added
    parent_guid: str = ""
    order: int = 0
    note: str = ""

    def describe(self) -> str:
        if self.action == RENAMED:
            return f"renamed: “{self.theme.name}” → “{self.name}”"
        if self.action == MERGED:
            return f"merged: “{self.code.name}” into the existing theme “{self.theme.name}”"
        if self.action == ADDED:
            return f"added: “{self.name}”" + (f" ({self.note})" if self.note else "")
        return f"unchanged: “{self.name}”"


@dataclass
class Plan:
    project: Project
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for step in self.steps if step.action == action)

    @property
    def summary(self) -> str:
        return ", ".join(f"{self.count(a)} {a}" for a in (ADDED, RENAMED, MERGED, UNCHANGED))


def plan_codebook(project: Project, codes: list[Code]) -> Plan:
    """What importing `codes` into the project's codebook would do (reads only)."""
    plan = Plan(project)
    themes = list(Theme.objects.filter(project=project))
    by_uuid = {str(theme.uuid).upper(): theme for theme in themes}
    by_name = {theme.name.lower(): theme for theme in themes}
    claimed: dict[str, Step] = {}  # lower-case name -> the step that takes it

    def visit(code: Code, parent_guid: str, order: int) -> None:
        name = " ".join(code.name.split())[:MAX_NAME] or "unnamed code"
        theme = by_uuid.get(code.guid)
        if theme is not None:
            action = UNCHANGED if theme.name == name else RENAMED
            if action == RENAMED and name.lower() in by_name and by_name[name.lower()] != theme:
                action, name = UNCHANGED, theme.name
                plan.notes.append(f"“{code.name}” not renamed: another theme has that name")
            step = Step(code, action, name, theme, parent_guid, order)
        elif name.lower() in by_name:
            step = Step(code, MERGED, by_name[name.lower()].name, by_name[name.lower()],
                        parent_guid, order)  # fmt: skip
        elif name.lower() in claimed:
            first = claimed[name.lower()]
            step = Step(code, MERGED, first.name, first.theme, parent_guid, order)
            step.note = "same name as another code in the file"
            step.merged_into = first  # type: ignore[attr-defined]
        else:
            note = "name shortened" if len(code.name) > MAX_NAME else ""
            step = Step(code, ADDED, name, None, parent_guid, order, note)
        claimed.setdefault(step.name.lower(), step)
        plan.steps.append(step)
        for index, child in enumerate(code.children):
            visit(child, code.guid, index)

    for index, code in enumerate(codes):
        visit(code, "", index)
    if not plan.steps:
        plan.notes.append("the codebook holds no codes")
    return plan


def apply_plan(plan: Plan) -> dict[str, Theme]:
    """Write the plan; returns the theme of every code GUID. Call inside a transaction."""
    themes: dict[str, Theme] = {}
    wanted = [step.code.guid for step in plan.steps if step.action == ADDED]
    taken = {
        str(value).upper()
        for value in Theme.objects.filter(
            uuid__in=[_uuid(g) for g in wanted if _uuid(g)]
        ).values_list("uuid", flat=True)
    }
    for step in plan.steps:
        if step.action == ADDED:
            parent = themes.get(step.parent_guid)
            theme = Theme(
                project=plan.project,
                name=step.name,
                parent=parent,
                description=step.code.description,
                order=step.order,
            )
            if step.code.colour:
                theme.colour = step.code.colour
            if _uuid(step.code.guid) and step.code.guid not in taken:
                theme.uuid = _uuid(step.code.guid)
            theme.slug = theme.unique_slug()
            theme.full_clean(exclude=["parent"], validate_unique=False)
            theme.save()
            step.theme = theme
        elif step.action == MERGED and step.theme is None:
            step.theme = step.merged_into.theme  # type: ignore[attr-defined]
        elif step.action == RENAMED:
            step.theme.name = step.name
            step.theme.slug = ""
            step.theme.slug = step.theme.unique_slug()
            step.theme.full_clean(validate_unique=False)
            step.theme.save(update_fields=["name", "slug"])
        themes[step.code.guid] = step.theme
    return themes


def _uuid(guid: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(guid)
    except ValueError:
        return None


@dataclass
class CodebookImport:
    plan: Plan
    origin: str
    preview: bool


def import_codebook(
    *, project: Project, data: bytes, label: str, preview: bool = False
) -> CodebookImport:
    """Read a .qdc (or a .qde) and merge it into the project's codebook, atomically.

    With `preview`, nothing is written: the plan says what would be added, renamed and
    merged.
    """
    if len(data) > 10 * 1024 * 1024:
        raise RefiError(f"{label} is too large for a codebook (the limit is 10 MiB)")
    origin, codes = read_codebook(data, label)
    if not codes:
        raise RefiError(f"{label} holds no codes")
    with transaction.atomic():
        plan = plan_codebook(project, codes)
        if not preview:
            apply_plan(plan)
    return CodebookImport(plan=plan, origin=origin, preview=preview)
