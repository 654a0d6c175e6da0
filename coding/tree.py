"""The codebook as a tree: one answer to "in what order, how deep, and what path".

Every list of themes (the coding page, the report, the admin, the theme list) is put
in tree order here: parents before children, siblings by (order, name), with each
theme's depth and its "Parent › Child" path. It reads only `pk`, `name`, `parent_id`
and `order`, so it serves model instances and lightweight rows alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

SEPARATOR = " › "


class Node(Protocol):
    pk: int
    name: str
    parent_id: int | None
    order: int


@dataclass(frozen=True, slots=True)
class Placed:
    """A theme in the tree: its item, depth (0 at the top) and full path."""

    item: Any
    depth: int
    path: str


def _sibling_key(theme: Node) -> tuple[int, str]:
    return (theme.order, theme.name.lower())


def placed(themes: Iterable[Node]) -> list[Placed]:
    """The themes in tree order, each with depth and path (no queries).

    A theme whose parent is not in the list sits at the top level; a parent loop (bad
    data that slipped past validation) cannot hide a theme: those come last, at the
    top level, each once.
    """
    themes = list(themes)
    ids = {theme.pk for theme in themes}
    children: dict[int | None, list[Node]] = {}
    for theme in themes:
        parent = theme.parent_id if theme.parent_id in ids else None
        children.setdefault(parent, []).append(theme)
    ordered: list[Placed] = []
    seen: set[int] = set()

    def visit(parent_id: int | None, depth: int, prefix: str) -> None:
        for theme in sorted(children.get(parent_id, []), key=_sibling_key):
            if theme.pk in seen:
                continue
            seen.add(theme.pk)
            path = f"{prefix}{SEPARATOR}{theme.name}" if prefix else theme.name
            ordered.append(Placed(theme, depth, path))
            visit(theme.pk, depth + 1, path)

    visit(None, 0, "")
    for theme in sorted(themes, key=_sibling_key):
        if theme.pk not in seen:
            seen.add(theme.pk)
            ordered.append(Placed(theme, 0, theme.name))
    return ordered


def tree_order(themes: Iterable[Any]) -> list[Any]:
    """The themes in tree order, with `depth` set on each."""
    result = []
    for place in placed(themes):
        place.item.depth = place.depth
        result.append(place.item)
    return result


def theme_paths(themes: Iterable[Node]) -> dict[int, str]:
    """'Parent › Child' for each theme id, from one list (no queries)."""
    return {place.item.pk: place.path for place in placed(themes)}
