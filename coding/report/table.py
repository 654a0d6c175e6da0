"""The body of the summary page's theme table, built as HTML in Python.

A template loop over 40 themes × 16 cells (a `{% url %}`, conditionals and filters per
row) cost more than all four charts together. As in `coding.markup`, every piece of
text goes in through `esc()` (html.escape, quotes included) and numbers only as ints;
the result is a `SafeString` that templates insert as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.safestring import SafeString

from coding.markup import esc
from coding.report.summaries import ThemeRow, Totals


def write_up(row: ThemeRow) -> str:
    """'narrative, 2 headlines', or a dash when nothing is written yet (escaped HTML)."""
    parts = []
    if row.has_narrative:
        parts.append("narrative")
    if row.headline_count:
        plural = "" if row.headline_count == 1 else "s"
        parts.append(f"{row.headline_count:d} headline{plural}")
    return ", ".join(parts) if parts else '<span class="meta">—</span>'


def theme_table_body(
    rows: Sequence[ThemeRow],
    totals: Totals,
    org_types: Sequence[str],
    *,
    project_slug: str,
    flat: bool,
) -> SafeString:
    """One <tr> per theme: name (path when `flat`), counts out of the totals, write-up.

    `org_types` are the organisation-type columns, in order; `flat` (any sort but the
    tree) shows each theme's full path instead of indenting it under its parent.
    """
    out = []
    interviews = f' <span class="of">of {totals.interviews:d}</span></td>'
    participants = f' <span class="of">of {totals.participants:d}</span></td>'
    systems = f' <span class="of">of {totals.systems:d}</span></td>'
    for row in rows:
        theme = row.theme
        active = theme.is_active
        url = reverse("report:theme", args=[project_slug, theme.pk])
        depth = "" if flat else f"depth-{row.depth:d}"
        name = esc(row.path if flat else theme.name)
        orgs = "".join(
            f'<td class="org">{row.by_org_type.get(org, 0):d}</td>' for org in org_types
        )
        out.append("<tr>" if active else '<tr class="retired">')
        out.append(
            f'<th scope="row" class="{depth}"><a href="{esc(url)}">{name}</a>'
            f"{'' if active else ' <em>(retired)</em>'}</th>"
            f"<td>{row.quotes:d}</td>"
            f"<td>{row.interviews:d}{interviews}"
            f"<td>{row.participants:d}{participants}"
            f"<td>{row.systems:d}{systems}"
            f"{orgs}<td>{write_up(row)}</td></tr>\n"
        )
    return SafeString("".join(out))
