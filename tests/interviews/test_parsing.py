"""interviews.parsing: every format from generated fixtures, exact passages and offsets. No DB."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviews.parsing import ImportRejected, ParsedTranscript, pdf
from interviews.parsing.captions import parse_srt, parse_vtt
from interviews.parsing.core import Limits, render
from interviews.parsing.formats import FORMATS
from interviews.parsing.office import parse_docx, parse_odt, parse_rtf
from interviews.parsing.text import parse_md, parse_txt
from interviews.parsing.turns import is_interviewer_label, split_speaker_line
from interviews.uploads import read_upload
from tests.interviews import transcript_files as files

LIMITS = Limits()


def assert_passages(parsed: ParsedTranscript, passages=files.PASSAGES, skip: int = 0) -> None:
    """Each passage is a turn whose offsets cut exactly its body out of the text."""
    turns = parsed.turns[skip : skip + len(passages)]
    assert [(turn.speaker_label, parsed.body(turn)) for turn in turns] == list(passages)
    for turn in parsed.turns:
        label = turn.speaker_label
        if label:
            assert parsed.text[turn.start - len(label) - 2 : turn.start] == f"{label}: "


def assert_layout(parsed: ParsedTranscript) -> None:
    """The documented layout: turns separated by one blank line, NFC, no CR."""
    assert "\r" not in parsed.text
    assert "\n\n\n" not in parsed.text
    previous_end = None
    for turn in parsed.turns:
        assert 0 <= turn.start < turn.end <= len(parsed.text)
        assert "\n\n" not in parsed.body(turn)
        if previous_end is not None:
            prefix = f"{turn.speaker_label}: " if turn.speaker_label else ""
            assert parsed.text[previous_end : turn.start] == "\n\n" + prefix
        previous_end = turn.end
    assert previous_end == len(parsed.text)


# --- plain text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        files.txt_bytes(),
        files.txt_bytes("utf-8-sig"),
        files.txt_bytes("utf-16-le"),
        files.txt_bytes("utf-16-be"),
        files.txt_bytes(newline="\r\n"),
        files.txt_bytes(newline="\r"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "crlf", "lone-cr"],
)
def test_txt_encodings_and_line_ends_give_the_same_text(data):
    parsed = parse_txt(data)
    assert parsed.text == files.EXPECTED_TEXT
    assert_passages(parsed)
    assert_layout(parsed)


def test_markdown_bold_labels():
    data = "**Interviewer:** What now?\n\n__Jane Smith__: “Café” at £3 😊".encode()
    parsed = parse_md(data)
    assert parsed.text == "Interviewer: What now?\n\nJane Smith: “Café” at £3 😊"


def test_windows_1252_is_detected_and_reported_not_silent():
    parsed = parse_txt(files.cp1252_bytes())
    assert parsed.text == files.plain_text(files.cp1252_passages())
    assert parsed.encoding == "Windows-1252"
    assert parsed.notes == ("decoded as Windows-1252 (the file is not UTF-8)",)
    assert "\ufffd" not in parsed.text


def test_text_in_another_single_byte_encoding_is_refused_not_mangled():
    data = "Привет, как дела? Это тест кодировки, который должен быть отклонён.".encode("cp1251")
    with pytest.raises(ImportRejected) as refused:
        parse_txt(data)
    assert "not UTF-8" in refused.value.reason
    assert "save it as UTF-8" in refused.value.reason


def test_nfd_input_is_normalised_to_nfc():
    parsed = parse_txt("P01: cafe\u0301".encode())
    assert parsed.text == "P01: caf\u00e9"


def test_nul_bytes_are_refused():
    with pytest.raises(ImportRejected, match="NUL"):
        parse_txt(b"Interviewer: hello\x00world")


def test_utf16_without_bom_is_refused_not_stored_with_nuls():
    with pytest.raises(ImportRejected, match="byte-order mark"):
        parse_txt("Interviewer: hello".encode("utf-16-le"))


def test_preamble_is_unlabelled_and_continuation_paragraphs_stay_with_the_speaker():
    text = (
        "Interview with a trust board\nDate: 12 March 2018\n\n"
        "INTERVIEWER: First question?\n"
        "P03: Line one.\n\nLine two, after a blank line.\n"
        "Note: this is not a speaker\n"
    )
    parsed = parse_txt(text.encode())
    assert [(turn.speaker_label, parsed.body(turn)) for turn in parsed.turns] == [
        ("", "Interview with a trust board\nDate: 12 March 2018"),
        ("INTERVIEWER", "First question?"),
        ("P03", "Line one.\nLine two, after a blank line.\nNote: this is not a speaker"),
    ]
    assert parsed.speakers == ["INTERVIEWER", "P03"]
    assert_layout(parsed)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Jane Smith: hello", ("Jane Smith", "hello")),
        ("INTERVIEWER: hello", ("INTERVIEWER", "hello")),
        ("P03: hello", ("P03", "hello")),
        ("P03:", ("P03", "")),
        ("Interviewer (AB): hello", ("Interviewer (AB)", "hello")),
        ("Dr O'Neill: hello", ("Dr O'Neill", "hello")),
        ("Speaker 2: hello", ("Speaker 2", "hello")),
        ("**Q:** hello", ("Q", "hello")),
        ("Note: hello", None),
        ("Date: 12 March", None),
        ("10:30 we met", None),
        ("we said: hello", None),
        ("The reason was this: money", None),
        ("http://example.org", None),
        ("A very long label that goes on and on for words: x", None),
    ],
)
def test_speaker_line_detector(line, expected):
    assert split_speaker_line(line) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Interviewer", True),
        ("FACILITATOR", True),
        ("Enabler 2", True),
        ("Q", True),
        ("Interviewer (AB)", True),
        ("Jane Smith", False),
        ("P01", False),
    ],
)
def test_interviewer_labels(label, expected):
    assert is_interviewer_label(label) is expected


def test_otter_export():
    parsed = parse_txt(files.otter_bytes())
    assert parsed.text == files.EXPECTED_TEXT
    assert_passages(parsed)
    assert [turn.started_at_ms for turn in parsed.turns] == [7_000, 15_000, 62_000, 3_784_000]
    assert "otter.ai" not in parsed.text


def test_otter_merges_consecutive_blocks_of_one_speaker_keeping_the_first_time():
    data = b"Jane Smith  0:07\nFirst.\n\nJane Smith  0:15\nSecond.\n\nSam  0:20\nThird.\n"
    parsed = parse_txt(data)
    assert parsed.text == "Jane Smith: First.\nSecond.\n\nSam: Third."
    assert [turn.started_at_ms for turn in parsed.turns] == [7_000, 20_000]


def test_a_sentence_ending_in_a_time_does_not_switch_to_otter_mode():
    parsed = parse_txt(b"Started at 10:30\nJane: hello\n")
    assert [turn.speaker_label for turn in parsed.turns] == ["", "Jane"]


# --- captions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [files.teams_vtt_bytes, files.zoom_vtt_bytes], ids=["teams", "zoom"]
)
def test_vtt_merges_cues_drops_ids_and_times_and_keeps_start_times(make):
    parsed = parse_vtt(make())
    assert parsed.text == files.EXPECTED_TEXT
    assert_passages(parsed)
    assert_layout(parsed)
    assert [turn.started_at_ms for turn in parsed.turns] == files.cue_start_ms()
    assert "-->" not in parsed.text and "6f5c2b1e" not in parsed.text


def test_srt_merges_cues_drops_numbers_and_times():
    parsed = parse_srt(files.srt_bytes())
    assert parsed.text == files.EXPECTED_TEXT
    assert_passages(parsed)
    assert [turn.started_at_ms for turn in parsed.turns] == files.cue_start_ms()


def test_vtt_markup_is_stripped_and_script_text_stays_inert_text():
    data = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Sam>&lt;script&gt;alert(1)&lt;/script&gt; "
        "<b>bold</b> <c.yellow>x</c></v>\n"
    ).encode()
    parsed = parse_vtt(data)
    assert parsed.text == "Sam: <script>alert(1)</script> bold x"


def test_vtt_without_header_is_refused():
    with pytest.raises(ImportRejected, match="WEBVTT"):
        parse_vtt(b"00:00:01.000 --> 00:00:02.000\nhello\n")


def test_vtt_cue_limit():
    cue = "00:00:01.000 --> 00:00:02.000\nhi\n\n"
    data = ("WEBVTT\n\n" + cue * 11).encode()
    with pytest.raises(ImportRejected, match="too many captions"):
        parse_vtt(data, Limits(max_cues=10))


def test_srt_without_timing_is_refused():
    with pytest.raises(ImportRejected, match="cue 2 has no timing line"):
        parse_srt(b"1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\nno timing\n")


# --- documents ----------------------------------------------------------------------------


def test_docx_paragraphs_tables_bold_labels_and_no_headers_or_footers():
    parsed = parse_docx(files.docx_bytes())
    assert parsed.text == files.DOCX_EXTRAS_TEXT
    assert_passages(parsed, skip=1)
    assert_layout(parsed)
    assert "CONFIDENTIAL" not in parsed.text and "Footer" not in parsed.text


def test_docx_without_bold_still_finds_plain_speaker_lines():
    parsed = parse_docx(files.docx_bytes(extras=False, bold=False))
    assert parsed.text == files.EXPECTED_TEXT


def test_docx_bold_label_not_otherwise_recognisable():
    """A bold label is trusted even where a plain one would not be (lower case)."""
    parsed = parse_docx(
        files.docx_bytes(extras=False, passages=(("dr jones", "Fine, thanks £5."),))
    )
    assert parsed.text == "dr jones: Fine, thanks £5."
    assert parsed.turns[0].speaker_label == "dr jones"


def test_docx_tracked_changes_content_controls_and_text_boxes():
    parsed = parse_docx(files.tricky_docx_bytes())
    assert parsed.text == files.TRICKY_TEXT
    assert "awful" not in parsed.text and "Box text" not in parsed.text


def test_odt():
    parsed = parse_odt(files.odt_bytes())
    assert parsed.text == files.ODT_TEXT
    assert_passages(parsed, skip=1)
    assert_layout(parsed)


def test_rtf_with_unicode_escapes_and_a_header():
    parsed = parse_rtf(files.rtf_bytes())
    assert parsed.text == files.EXPECTED_TEXT
    assert_passages(parsed)
    assert "Confidential header" not in parsed.text


def test_rtf_pictures_are_skipped_quickly():
    picture = "{\\*\\shppict{\\pict\\pngblip " + "89abcdef" * 500_000 + "}}"
    data = ("{\\rtf1\\ansi Jane: before\\par " + picture + "Jane: after\\par}").encode()
    started = time.perf_counter()
    parsed = parse_rtf(data)
    assert time.perf_counter() - started < 1
    assert parsed.text == "Jane: before\n\nJane: after"


def test_pdf_text_layer():
    parsed = pdf.parse_pdf(files.pdf_bytes())
    assert parsed.text == files.EXPECTED_TEXT
    assert_passages(parsed)


def test_pdf_without_text_layer_is_refused():
    with pytest.raises(ImportRejected) as refused:
        pdf.parse_pdf(files.image_pdf_bytes())
    assert refused.value.reason == "has no text layer: run OCR first"


def test_pdf_page_limit():
    with pytest.raises(ImportRejected, match="too many pages"):
        pdf.parse_pdf(files.pdf_bytes(), Limits(max_pdf_pages=0))


def test_pdf_extraction_has_a_time_limit(monkeypatch):
    def slow(*args, **kwargs):
        import subprocess

        raise subprocess.TimeoutExpired(cmd="pdf", timeout=0.01)

    monkeypatch.setattr(pdf.subprocess, "run", slow)
    with pytest.raises(ImportRejected, match="took too long"):
        pdf.parse_pdf(files.pdf_bytes(), Limits(pdf_timeout_s=0.01))


def test_damaged_pdf_is_refused():
    with pytest.raises(ImportRejected, match="damaged"):
        pdf.parse_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\ntrailer\n")


def test_turn_limit():
    data = "\n".join(f"P{n % 3}: line {n}" for n in range(30)).encode()
    with pytest.raises(ImportRejected, match="too many speaker turns \\(30; the limit is 20\\)"):
        parse_txt(data, Limits(max_turns=20))


def test_text_limit_is_checked_before_turns_are_looked_for():
    with pytest.raises(ImportRejected, match="holds too much text"):
        parse_txt(b"P01: " + b"x" * 200, Limits(max_text_chars=100))


def test_docx_text_limit():
    with pytest.raises(ImportRejected, match="too much text"):
        parse_docx(files.docx_bytes(), Limits(max_text_chars=50))


def test_render_offsets_are_code_points():
    text, turns = render([("P01", "😊 é", None), ("", "x", 5)])
    assert text == "P01: 😊 é\n\nx"
    assert [text[turn.start : turn.end] for turn in turns] == ["😊 é", "x"]


# --- property: arbitrary bytes never escape as anything but ImportRejected ----------------

FUZZ = settings(
    max_examples=300,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PREFIXES = {
    "txt": [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"Jane Smith  0:07\n"],
    "md": [b"", b"**Q:** "],
    "vtt": [b"WEBVTT\n\n", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"],
    "srt": [b"1\n00:00:01,000 --> 00:00:02,000\n", b""],
    "rtf": [
        b"{\\rtf1\\ansi ",
        b"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0\\fcharset128 x;}}\\f0 ",
    ],
    "docx": [b"PK\x03\x04"],
    "odt": [b"PK\x03\x04"],
    "pdf": [b"%PDF-1.4\n"],
    "html": [b"<!DOCTYPE html><html><body><p>", b"<script>", b""],
}


def _outcome(name: str, data: bytes) -> None:
    try:
        result = read_upload(name, data, LIMITS).parsed
    except ImportRejected as refused:
        assert refused.reason and isinstance(refused.reason, str)
        return
    assert isinstance(result, ParsedTranscript)
    assert_layout(result)


@pytest.mark.parametrize("kind", [item.extension for item in FORMATS if item.extension != "pdf"])
@FUZZ
@given(data=st.data())
def test_arbitrary_bytes_give_a_transcript_or_a_refusal(kind, data):
    prefix = data.draw(st.sampled_from(PREFIXES[kind]))
    body = data.draw(st.one_of(st.binary(max_size=600), st.text(max_size=300).map(str.encode)))
    _outcome(f"fuzz.{kind}", prefix + body)


@settings(max_examples=20, deadline=None)
@given(body=st.binary(max_size=400))
def test_arbitrary_bytes_after_a_pdf_header_give_a_transcript_or_a_refusal(body):
    _outcome("fuzz.pdf", b"%PDF-1.4\n" + body)


CHANGES = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                   min_size=1, max_size=8)  # fmt: skip
DOCX = files.docx_bytes()
ODT = files.odt_bytes()


def _mutated(source: bytes, changes) -> bytes:
    """`source` with a few bytes overwritten (positions given as fractions of its length)."""
    mutated = bytearray(source)
    for where, value in changes:
        mutated[int(where * len(source))] = value
    return bytes(mutated)


@FUZZ
@given(changes=CHANGES)
def test_corrupted_docx_gives_a_transcript_or_a_refusal(changes):
    _outcome("fuzz.docx", _mutated(DOCX, changes))


@FUZZ
@given(changes=CHANGES)
def test_corrupted_odt_gives_a_transcript_or_a_refusal(changes):
    _outcome("fuzz.odt", _mutated(ODT, changes))


@settings(max_examples=100, deadline=2000)
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_any_unicode_text_gives_the_documented_layout_or_a_refusal(text):
    try:
        parsed = parse_txt(text.encode("utf-8"))
    except ImportRejected:
        return
    assert_layout(parsed)


def test_truncated_zip_read_directly_is_refused():
    with pytest.raises(ImportRejected):
        parse_docx(DOCX[: len(DOCX) // 3])
    assert zipfile.is_zipfile(io.BytesIO(DOCX))
