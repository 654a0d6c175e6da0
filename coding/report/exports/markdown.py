"""The report as Markdown, with the same content as the DOCX.

Every character that Markdown or inline HTML would read as syntax is escaped, so a
quote cannot turn into a heading, a link or a tag.
"""

from __future__ import annotations

import re

from coding.report.exports.rows import Report

_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
_LINE_START = re.compile(r"^(\s*)([-=])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)\.", re.MULTILINE)


def md(text: str) -> str:
    """Backslash-escape Markdown syntax (CommonMark allows it before any punctuation)."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\1\\\2", text)  # bullets and setext underlines
    return _NUMBERED.sub(r"\1\\.", text)  # "1." lists


def render_markdown(report: Report) -> str:
    lines = [f"**{md(report.draft_notice)}**", ""] if report.draft_notice else []
    lines += [f"# {md(report.title)}", "", f"*{md(report.scope)}. {md(report.totals_line)}*", ""]
    for section in report.sections:
        lines += [f"{'###' if section.level == 2 else '##'} {md(section.heading)}", ""]
        for paragraph in section.paragraphs:
            lines += [md(paragraph), ""]
        lines += [f"**{md(section.raised_by)}.**", ""]
        for quote in section.quotes:
            quoted = md(quote.text).split("\n")
            quoted[0] = "“" + quoted[0]
            quoted[-1] = quoted[-1] + "”"
            lines += ["> " + line if line.strip() else ">" for line in quoted]
            lines += [">", f"> — *{md(quote.attribution)}*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
