"""Test helper: read #transcript back out of a page, as a browser's DOM would hold it."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"br", "img", "input", "meta", "link", "hr", "wbr"}


class TranscriptReader(HTMLParser):
    """Collects the text of #transcript and, per quote id, the text inside its marks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # element depth inside #transcript (0: outside)
        self.text: list[str] = []
        self.marks: list[int] = []  # stack of quote ids of open marks
        self.stack: list[str] = []
        self.by_quote: dict[int, list[str]] = {}
        self.pieces: dict[int, int] = {}
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth == 0:
            if attributes.get("id") == "transcript":
                self.depth = 1
                self.stack = [tag]
            return
        self.elements.append((tag, attributes))
        if tag in VOID:
            return
        self.depth += 1
        self.stack.append(tag)
        if tag == "mark":
            quote_id = int(attributes["data-quote-id"])
            self.marks.append(quote_id)
            self.pieces[quote_id] = self.pieces.get(quote_id, 0) + 1

    def handle_endtag(self, tag):
        if self.depth == 0:
            return
        self.stack.pop()
        self.depth -= 1
        if tag == "mark":
            self.marks.pop()

    def handle_data(self, data):
        if self.depth == 0:
            return
        self.text.append(data)
        for quote_id in self.marks:
            self.by_quote.setdefault(quote_id, []).append(data)


def read_transcript(html: str) -> TranscriptReader:
    reader = TranscriptReader()
    reader.feed(html)
    reader.close()
    return reader


def transcript_text(html: str) -> str:
    return "".join(read_transcript(html).text)


def quote_texts(html: str) -> dict[int, str]:
    return {quote_id: "".join(parts) for quote_id, parts in read_transcript(html).by_quote.items()}
