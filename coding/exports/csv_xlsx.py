"""CSV and XLSX writers for quote rows. No cell may become a live formula or link.

CSV: a cell starting with = + - @ tab, CR or NUL gets a leading apostrophe, so Excel and
LibreOffice show it as text (OWASP "CSV injection"); the csv module quotes per RFC 4180.
XLSX: openpyxl in write-only mode, every cell written as an inline string (data type
's'), so "=HYPERLINK(...)" is stored as text, never as an <f> formula or a hyperlink.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Characters XML 1.0 (and so XLSX) cannot hold at all.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
XLSX_CELL_LIMIT = 32_767
UTF8_BOM = "\ufeff"  # so that Excel opens the file as UTF-8 ("café", "£")
ROWS_PER_CHUNK = 200


def neutralise(value: str) -> str:
    """'=1+1' -> "'=1+1": text in a spreadsheet, not a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


class _Echo:
    """A file-like object whose write() hands back what it was given."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[str]], *, bom: bool = True) -> Iterator[str]:
    """CSV text in chunks of a few hundred rows: for StreamingHttpResponse (flat memory)."""
    writer = csv.writer(_Echo())
    if bom:
        yield UTF8_BOM
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([neutralise(str(cell)) for cell in row]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def write_csv(rows: Iterable[list[str]], out: TextIO) -> int:
    """Write CSV to a text file (open it with newline=''). Returns the rows written."""
    count = 0
    for chunk in csv_chunks(rows):
        out.write(chunk)
        count += chunk.count("\n")  # approximate; only used for messages
    return count


def xlsx_text(value: object) -> str:
    text = XML_ILLEGAL.sub("\ufffd", str(value))
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - 1] + "…"
    return text


def write_xlsx(rows: Iterable[list[str]], out: BinaryIO, *, title: str = "Quotes") -> int:
    """Write an XLSX workbook of plain strings. Returns the number of data rows.

    openpyxl types a string starting with "=" as a formula and "#N/A" and the like as
    errors; those cells are passed as cells whose type is forced to string. Every
    other value is already a string, which openpyxl stores as one (and faster).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Quotes")
    count = -1
    for row in rows:
        values: list[object] = []
        for value in row:
            text = xlsx_text(value)
            if text.startswith("=") or text in ERROR_CODES:
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"
                values.append(cell)
            else:
                values.append(text)
        sheet.append(values)
        count += 1
    workbook.save(out)
    return max(count, 0)
