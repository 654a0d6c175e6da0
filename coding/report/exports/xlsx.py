"""Quote rows as an XLSX workbook. No cell may become a live formula or link.

XlsxWriter in `constant_memory` mode: each row goes to disk as it is written, so memory
stays flat at 40,000 rows. Every cell is written with `write_string`, so "=HYPERLINK(...)"
or "#N/A" is stored as text, never as an <f> formula, an error or a hyperlink (the
workbook's automatic conversions are switched off as well, in case a call ever changes).

The download has two sheets: Summary (the theme table of the summary page) and Quotes
(one row per quote and theme). Each has a bold header row that stays in view (frozen),
an autofilter over its columns, and widths that fit; the quote text wraps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import BinaryIO

# Characters XML 1.0 (and so XLSX) cannot hold at all.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
XLSX_CELL_LIMIT = 32_767


def xlsx_text(value: object) -> str:
    text = str(value)
    if XML_ILLEGAL.search(text):
        text = XML_ILLEGAL.sub("\ufffd", text)
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - 1] + "…"
    return text


WIDTHS = {"theme": 36, "theme path": 36, "quote": 80, "transcript": 24, "memo": 48, "role": 24,
          "participant pseudonym": 12, "quote id": 38}  # fmt: skip
DEFAULT_WIDTH = 14
WRAPPED = ("quote", "memo", "theme")  # the Summary's theme; a path in Quotes fits its width
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _sheet(workbook, formats, title: str, rows: Iterable[list[str]]) -> int:
    """One formatted sheet: header bold, frozen and filtered; returns the data rows."""
    sheet = workbook.add_worksheet(title[:31] or "Quotes")
    rows = iter(rows)
    header = [xlsx_text(value) for value in next(rows, [])]
    wrapped = []
    for column, name in enumerate(header):
        wrap = name.lower() in WRAPPED
        sheet.set_column(column, column, WIDTHS.get(name.lower(), DEFAULT_WIDTH))
        wrapped.append(formats["wrap"] if wrap else None)
        sheet.write_string(0, column, name, formats["bold"])
    sheet.freeze_panes(1, 0)
    write = sheet.write_string
    number = 0
    for number, row in enumerate(rows, start=1):
        for column, (value, style) in enumerate(zip(row, wrapped, strict=False)):
            if value:  # an empty cell is left out (XlsxWriter would skip it, only slower)
                write(number, column, xlsx_text(value), style)
    if header:
        sheet.autofilter(0, 0, number, len(header) - 1)
    return number


def write_xlsx(
    rows: Iterable[list[str]],
    out: BinaryIO,
    *,
    title: str = "Quotes",
    summary: list[list[str]] | None = None,
) -> int:
    """Write an XLSX workbook of plain strings: the Summary sheet (if given) and the
    quote rows. Returns the number of quote rows."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    formats = {
        "bold": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }
    if summary:
        _sheet(workbook, formats, "Summary", summary)
    count = _sheet(workbook, formats, title, rows)
    workbook.close()
    return count
