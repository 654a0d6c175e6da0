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

from coding.markup import esc, safe_colour
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


ORG_COLOURS = ("#005eb8", "#41b6e6", "#007f3b", "#ffb81c", "#ae2573", "#330072", "#ed8b00",
               "#768692", "#00a499")  # fmt: skip
BAR_WIDTH = 96


def org_bar(counts: Sequence[int]) -> str:
    """The organisation-type counts of a row as one small stacked bar (hidden from screen
    readers, which read the columns it folds); each part's tooltip says its count."""
    total = sum(counts)
    if not total:
        return '<span class="meta">—</span>'
    parts, x = [], 0.0
    for index, n in enumerate(counts):
        if not n:
            continue
        width = BAR_WIDTH * n / total
        parts.append(
            f'<rect x="{x:.1f}" width="{width:.1f}" height="12" '
            f'fill="{safe_colour(ORG_COLOURS[index % len(ORG_COLOURS)])}"/>'
        )
        x += width
    return (
        f'<svg class="org-bar" width="{BAR_WIDTH:d}" height="12" aria-hidden="true" '
        f'focusable="false">{"".join(parts)}</svg>'
    )


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
        org_counts = [row.by_org_type.get(org, 0) for org in org_types]
        orgs = "".join(f'<td class="org">{n:d}</td>' for n in org_counts)
        bar = (
            f'<td class="org-bar-cell" aria-hidden="true">{org_bar(org_counts)}</td>'
            if (org_types)
            else ""
        )
        out.append("<tr>" if active else '<tr class="retired">')
        out.append(
            f'<th scope="row" class="{depth}"><a href="{esc(url)}">{name}</a>'
            f"{'' if active else ' <em>(retired)</em>'}</th>"
            f"<td>{row.quotes:d}</td>"
            f"<td>{row.interviews:d}{interviews}"
            f"<td>{row.participants:d}{participants}"
            f"<td>{row.systems:d}{systems}"
            f"{orgs}{bar}<td>{write_up(row)}</td></tr>\n"
        )
    return SafeString("".join(out))
