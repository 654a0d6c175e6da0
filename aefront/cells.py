"""Spreadsheet cells that stay text: every CSV and XLSX the app writes goes through here.

A cell starting with = + - @ tab, CR or NUL gets a leading apostrophe, so Excel and
LibreOffice show it as text (OWASP "CSV injection").
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# A cell whose first character is none of these is text as it is.
_FIRST_TO_CHECK = frozenset(" " + "".join(FORMULA_TRIGGERS))


def neutralise(value: str) -> str:
    """'=1+1' -> "'=1+1": text in a spreadsheet, not a formula.

    Spreadsheets that trim cells on import compute " =2+3" too, so what counts is the
    first character that is not a space.
    """
    if value.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralised(cells: Iterable[object]) -> list[str]:
    """A row's cells as text, each through `neutralise` (those whose first character could
    start a formula, that is: the rest are already what it would return)."""
    return [
        cell if cell[:1] not in _FIRST_TO_CHECK else neutralise(cell) for cell in map(str, cells)
    ]
