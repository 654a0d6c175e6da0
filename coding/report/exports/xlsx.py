"""Quote rows as an XLSX workbook. No cell may become a live formula or link.

openpyxl in write-only mode, every cell written as an inline string (data type 's'),
so "=HYPERLINK(...)" is stored as text, never as an <f> formula or a hyperlink.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import BinaryIO

# Characters XML 1.0 (and so XLSX) cannot hold at all.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
XLSX_CELL_LIMIT = 32_767


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
    # openpyxl (and the numpy it pulls in) load on the first export, not in every process.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

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
