"""Spreadsheet cells that stay text: every CSV and XLSX the app writes goes through here.

A cell starting with = + - @ tab, CR or NUL gets a leading apostrophe, so Excel and
LibreOffice show it as text (OWASP "CSV injection").
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value: str) -> str:
    """'=1+1' -> "'=1+1": text in a spreadsheet, not a formula.

    Spreadsheets that trim cells on import compute " =2+3" too, so what counts is the
    first character that is not a space.
    """
    if value.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
