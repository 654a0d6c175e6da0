"""Quote rows as an XLSX workbook. No cell may become a live formula or link.

openpyxl in write-only mode, every cell written as an inline string (data type 's'),
so "=HYPERLINK(...)" is stored as text, never as an <f> formula or a hyperlink.

The download has two sheets: Summary (the theme table of the summary page) and Quotes
(one row per quote and theme). Each has a bold header row that stays in view (frozen),
an autofilter over its columns, and widths that fit; the quote text wraps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import copy
from typing import BinaryIO

# Characters XML 1.0 (and so XLSX) cannot hold at all.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
XLSX_CELL_LIMIT = 32_767


def xlsx_text(value: object) -> str:
    text = XML_ILLEGAL.sub("\ufffd", str(value))
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - 1] + "…"
    return text


WIDTHS = {"theme": 36, "theme path": 36, "quote": 80, "transcript": 24, "memo": 48, "role": 24,
          "participant pseudonym": 12, "quote id": 38}  # fmt: skip
DEFAULT_WIDTH = 14
WRAPPED = ("quote", "memo", "theme")  # the Summary's theme; a path in Quotes fits its width


def _cells(sheet):
    """A function making one string cell: a plain str where openpyxl stores it as one,
    else a cell forced to type string; `style` is a cell whose style it copies (its
    index array, set once: setting each cell's alignment would look it up every time)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    def make(text: str, style=None):
        if style is None and not (text[:1] == "=" or text in ERROR_CODES):
            return text
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        if style is not None:
            cell._style = copy(style._style)
        return cell

    return make


def _styled(sheet, **attributes):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    for name, value in attributes.items():
        setattr(cell, name, value)
    return cell


def _sheet(workbook, title: str, rows: Iterable[list[str]]) -> int:
    """One formatted sheet: header bold, frozen and filtered; returns the data rows."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title[:31] or "Quotes")
    rows = iter(rows)
    header = [xlsx_text(value) for value in next(rows, [])]
    for number, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = WIDTHS.get(
            name.lower(), DEFAULT_WIDTH
        )
    sheet.freeze_panes = "A2"
    top = Alignment(wrap_text=True, vertical="top")
    bold = _styled(sheet, font=Font(bold=True), alignment=top)
    wrap = _styled(sheet, alignment=top)
    cell = _cells(sheet)
    sheet.append([cell(name, bold) for name in header])
    styles = [wrap if name.lower() in WRAPPED else None for name in header]
    count = 0
    for row in rows:
        sheet.append([cell(xlsx_text(v), style) for v, style in zip(row, styles, strict=False)])
        count += 1
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    return count


def write_xlsx(
    rows: Iterable[list[str]],
    out: BinaryIO,
    *,
    title: str = "Quotes",
    summary: list[list[str]] | None = None,
) -> int:
    """Write an XLSX workbook of plain strings: the Summary sheet (if given) and the
    quote rows. Returns the number of quote rows.

    openpyxl types a string starting with "=" as a formula and "#N/A" and the like as
    errors; those cells are passed as cells whose type is forced to string. Every
    other value is already a string, which openpyxl stores as one (and faster).
    """
    # openpyxl (and the numpy it pulls in) load on the first export, not in every process.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    if summary:
        _sheet(workbook, "Summary", summary)
    count = _sheet(workbook, title, rows)
    workbook.save(out)
    return count
