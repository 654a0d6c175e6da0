"""The summary page's charts: inline SVG and the table a screen reader reads instead.

Each chart is built here as HTML, because a template loop over its ~2,000 cells and
~2,500 table cells (40 themes at 200 interviews) cost more than the rest of the page.
As in `coding.markup`, every piece of text goes in through `esc()` (html.escape,
quotes included), numbers only as ints or floats, and colour classes only as the
fixed names from `shade()`; the result is a `SafeString` that templates insert as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

from coding.markup import esc
from coding.report.summaries import Summary

CELL = 26
LABEL_WIDTH = 260
HEADER_HEIGHT = 170
ROW_LABEL_CHARS = 38  # per line; a row label takes up to two lines


SHADES = 8  # heatmap colours: classes .h1 (lightest) to .h8 in report.css


def shade(value: int, top: int) -> str:
    """The colour class of a count on a 0..top scale ('' for zero)."""
    if value <= 0 or top <= 0:
        return ""
    return f"h{min(SHADES, 1 + (value * SHADES - 1) // top)}"


def short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def label_lines(label: str, width: int = ROW_LABEL_CHARS) -> list[str]:
    """A row label in full on one or two lines (cut with … only past two lines)."""
    import textwrap

    lines = textwrap.wrap(label, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], short(" ".join(lines[1:]), width)]
    return lines


@dataclass
class Heatmap:
    key: str
    title: str
    description: str
    unit: str
    svg: SafeString
    table: SafeString
    empty: bool
    top: int = 0  # the largest value: the darkest shade of the legend
    percent: bool = False  # values are percentages (shares of participants)

    @property
    def shades(self) -> list[str]:
        """The legend's colour classes, lightest first."""
        return [f"h{n}" for n in range(1, SHADES + 1)]

    @property
    def lightest(self) -> str:
        return "1%" if self.percent else "1"

    @property
    def darkest(self) -> str:
        return f"{self.top}% {self.unit}" if self.percent else f"{self.top} {self.unit}"


def _svg_open(css: str, width: int, height: int, label: str = "") -> str:
    """The chart's <svg>: hidden from screen readers (they read its table), unless it
    holds links (`label` given), which then are its only accessible content."""
    exposed = f'role="group" aria-label="{esc(label)}"' if label else 'aria-hidden="true"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" width="{width:d}" '
        f'height="{height:d}" viewBox="0 0 {width:d} {height:d}" {exposed} '
        'focusable="false">'
    )


def _triangle(rows: int, grid_height: int) -> str:
    """The lower triangle's outline (below the diagonal), for the background."""
    x, y = LABEL_WIDTH, HEADER_HEIGHT
    points = [(x, y + CELL)]
    for i in range(1, rows):
        points += [(x + i * CELL, y + i * CELL), (x + i * CELL, y + (i + 1) * CELL)]
    points += [(x, y + grid_height)]
    return " ".join(f"{px:d},{py:d}" for px, py in points)


def _table(caption: str, headers: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """A screen-reader table: escaped caption and headers; `rows` hold escaped text."""
    out = [
        "<table>",
        f"<caption>{esc(caption)}</caption>",
        "<thead><tr>",
        *(f'<th scope="col">{esc(header)}</th>' for header in headers),
        "</tr></thead>",
        "<tbody>",
    ]
    for label, cells in rows:
        out.append(f'<tr><th scope="row">{label}</th><td>')
        out.append("</td><td>".join(cells))
        out.append("</td></tr>")
    out.append("</tbody>\n</table>")
    return "".join(out)


def heatmap(
    *,
    key: str,
    title: str,
    description: str,
    unit: str,
    row_items: list[tuple[int | str, str, str]],
    column_items: list[tuple[int | str, str, str]],
    values: dict,
    lower_triangle: bool = False,
    link: Callable[[int | str, int | str], str] | None = None,
    percent: bool = False,
) -> Heatmap:
    """A heatmap of `values[row_key][column_key]` (missing means 0).

    Items are (key, short label, full label); the SVG shows the short labels with the
    full ones as tooltips, the table the full ones. With `link`, every non-empty cell is
    a link (focusable, Enter opens it) to `link(row_key, column_key)`: its quotes.
    With `percent`, values are whole percentages: "45%" in tooltips and the table.
    """
    top = max((n for row in values.values() for n in row.values()), default=0)
    empty = not row_items or not column_items
    width = LABEL_WIDTH + max(len(column_items), 1) * CELL + 130  # room for slanted labels
    height = HEADER_HEIGHT + max(len(row_items), 1) * CELL + 10
    grid_width, grid_height = len(column_items) * CELL, len(row_items) * CELL
    column_full = [esc(full) for _, _, full in column_items]
    column_keys = [column_key for column_key, _, _ in column_items]
    esc_unit = esc(unit)
    sign = "%" if percent else ""

    group_label = f"{title}: each cell opens its quotes" if link is not None else ""
    svg = [_svg_open("heatmap", width, height, group_label), "\n"]
    if lower_triangle:
        svg.append(f'<polygon class="grid-bg" points="{_triangle(len(row_items), grid_height)}"/>')
    else:
        svg.append(
            f'<rect class="grid-bg" x="{LABEL_WIDTH:d}" y="{HEADER_HEIGHT:d}" '
            f'width="{grid_width:d}" height="{grid_height:d}"/>'
        )
    svg.append("\n")
    label_y = HEADER_HEIGHT - 6
    for c, (_, label, _) in enumerate(column_items):
        x = LABEL_WIDTH + c * CELL + CELL // 2
        svg.append(
            f'<text class="col-label" aria-hidden="true" x="{x:d}" y="{label_y:d}" '
            f'transform="rotate(-50 {x:d} {label_y:d})"><title>{column_full[c]}</title>'
            f"{esc(short(label, 34))}</text>"
        )
    svg.append("\n")
    label_x = LABEL_WIDTH - 8
    row_full = [esc(full) for _, _, full in row_items]
    for r, (_, label, _) in enumerate(row_items):
        y = HEADER_HEIGHT + r * CELL + CELL // 2 + 4
        lines = label_lines(label)
        if len(lines) == 1:
            text = esc(lines[0])
        else:  # two lines of 10px in the row's 26
            text = "".join(
                f'<tspan x="{label_x:d}" y="{y - 6 + 11 * n:d}">{esc(line)}</tspan>'
                for n, line in enumerate(lines)
            )
        css = "row-label" if len(lines) == 1 else "row-label two-lines"
        svg.append(
            f'<text class="{css}" aria-hidden="true" x="{label_x:d}" y="{y:d}">'
            f"<title>{row_full[r]}</title>{text}</text>"
        )
    svg.append("\n")
    table_rows: list[tuple[str, list[str]]] = []
    for r, (row_key, _, _) in enumerate(row_items):
        y = HEADER_HEIGHT + r * CELL
        row_values = values.get(row_key, {})
        numbers = [row_values.get(column_key, 0) for column_key in column_keys]
        table_rows.append((row_full[r], [f"{n:d}{sign}" for n in numbers]))
        for c, n in enumerate(numbers):
            if not n or (lower_triangle and c >= r):
                continue  # empty cells are the grid's background
            cell_svg = (
                f'<g transform="translate({LABEL_WIDTH + c * CELL:d},{y:d})" '
                f'class="{shade(n, top)}"><title>{row_full[r]} × {column_full[c]}: '
                f'{n:d}{"%" if percent else ""} {esc_unit}</title><rect width="25" height="25"/>'
                f'<text x="13" y="17">{n:d}</text></g>'
            )
            if link is not None:
                cell_svg = (
                    f'<a class="cell-link" href="{esc(link(row_key, column_keys[c]))}" '
                    f'aria-label="{row_full[r]} × {column_full[c]}: {n:d}{"%" if percent else ""} {esc_unit}, '
                    f'show the quotes">{cell_svg}</a>'
                )
            svg.append(cell_svg)
    svg.append("\n</svg>")
    caption = f"{title}: share {unit}" if percent else f"{title}: {unit}"
    table = _table(caption, ["Theme", *(full for _, _, full in column_items)], table_rows)
    return Heatmap(
        key=key,
        title=title,
        description=description,
        unit=unit,
        svg=SafeString("".join(svg)),
        table=SafeString(table),
        empty=empty,
        top=top,
        percent=percent,
    )


@dataclass
class Saturation:
    svg: SafeString
    table: SafeString
    empty: bool
    key: str = "saturation"
    title: str = "Saturation"


def saturation_chart(summary: Summary, width: int = 760, height: int = 280) -> Saturation:
    """Bars for the themes first seen in each interview, a line for the themes seen so far."""
    points = summary.saturation
    left, right, top, bottom = 50, width - 20, 20, height - 40
    count = max(len(points), 1)
    peak = max((p.cumulative for p in points), default=0) or 1
    step = (right - left) / count
    bar_width = max(step * 0.7, 1.0)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / peak

    bars, coords, rows, marks = [], [], [], []
    for i, point in enumerate(points):
        x = left + i * step
        if point.new_themes:
            bars.append(
                f'<rect class="bar" x="{round(x + (step - bar_width) / 2, 1)}" '
                f'y="{round(y_of(point.new_themes), 1)}" width="{round(bar_width, 1)}" '
                f'height="{round(bottom - y_of(point.new_themes), 1)}"/>'
            )
        coords.append(f"{x + step / 2:.1f},{y_of(point.cumulative):.1f}")
        if point.new_themes:  # the interview where these themes first appeared
            marks.append(
                f'<circle class="first" cx="{x + step / 2:.1f}" '
                f'cy="{y_of(point.cumulative):.1f}" r="3.5"><title>Interview {point.index:d}: '
                f"first {esc(', '.join(point.new_theme_names))}</title></circle>"
            )
        interview = point.interview
        date = f"{interview.interview_date:%d %b %Y}" if interview.interview_date else "no date"
        rows.append(
            (
                str(point.index),
                [
                    esc(date),
                    esc(interview.title),
                    str(point.new_themes),
                    str(point.cumulative),
                    esc(", ".join(point.new_theme_names)),
                ],
            )
        )
    every = max(1, round(count / 10))
    y_ticks = "".join(
        f'<text class="tick" x="{left - 6:d}" y="{round(y_of(v), 1)}">{v:d}</text>'
        f'<line class="grid" x1="{left:d}" y1="{round(y_of(v), 1)}" x2="{right:d}" '
        f'y2="{round(y_of(v), 1)}"/>'
        for v in sorted({0, peak // 2, peak})
    )
    x_ticks = "".join(
        f'<text class="xtick" x="{round(left + i * step + step / 2, 1)}" '
        f'y="{bottom + 16:d}">{i + 1:d}</text>'
        for i in range(0, len(points), every)
    )
    svg = "\n".join(
        (
            _svg_open("saturation", width, height),
            f'<line class="axis" x1="{left:d}" y1="{bottom:d}" x2="{right:d}" y2="{bottom:d}"/>',
            f'<line class="axis" x1="{left:d}" y1="{top:d}" x2="{left:d}" y2="{bottom:d}"/>',
            y_ticks,
            x_ticks,
            f'<text class="axis-label" x="{right:d}" y="{height - 4:d}">interview (by date)</text>',
            f'<text class="axis-label y" x="12" y="{(top + bottom) // 2:d}" '
            f'transform="rotate(-90 12 {(top + bottom) // 2:d})">themes</text>',
            "".join(bars),
            f'<polyline class="cumulative" points="{" ".join(coords)}"/>',
            "".join(marks),
            "</svg>",
        )
    )
    table = _table(
        "Saturation: new themes per interview, in date order",
        ["Interview", "Date", "Title", "New themes", "Themes so far", "First seen here"],
        rows,
    )
    return Saturation(svg=SafeString(svg), table=SafeString(table), empty=not points)


def _cell_links(summary: Summary, query: str) -> Callable[[str], Callable]:
    """`links(param)` gives the heatmap's `link`: the theme's cell page with `param` set
    to the column's key, and the summary's filters (`query`) kept."""
    slug = summary.project.slug
    pages = {
        row.theme.pk: reverse(
            "report:cell", kwargs={"project_slug": slug, "theme_id": row.theme.pk}
        )
        for row in summary.rows
    }
    tail = f"&{query}" if query else ""

    def links(param: str) -> Callable[[int | str, int | str], str]:
        return lambda row_key, column_key: (
            f"{pages[row_key]}?{urlencode({param: column_key})}{tail}"
        )

    return links


def percentages(shares: dict[int, dict]) -> dict[int, dict]:
    """Shares (0..1) as whole percentages; any share above zero shows as at least 1%."""
    return {
        row: {key: max(1, round(100 * share)) for key, share in cells.items() if share > 0}
        for row, cells in shares.items()
    }


CELL_VALUES = {"counts": "quote counts", "shares": "shares of participants"}


def charts(summary: Summary, query: str = "", values: str = "counts") -> dict:
    """The four charts of the summary page; `query` holds the page's filters, for the
    links from each heatmap cell to its quotes. `values` ("counts" or "shares") is what
    the system and organisation-type heatmaps show: quotes, or the share of each
    column's participants who raised the theme."""
    links = _cell_links(summary, query)
    shares = values == "shares"
    # Charts label rows with the theme's name ("› " per level); titles and tables
    # carry the full path.
    themes = [(row.theme.pk, "› " * row.depth + row.theme.name, row.path) for row in summary.rows]
    systems = [(system.pk, system.name, system.name) for system in summary.systems]
    org_types = [(value, label, label) for value, label in summary.org_types]
    cooccurrence: dict[int, dict[int, int]] = {}
    for (first, second), n in summary.cooccurrence.items():
        cooccurrence.setdefault(first, {})[second] = n
    return {
        "system_heatmap": heatmap(
            key="systems",
            title="Themes by local system",
            description=(
                "Of each local system's participants, the share who raised the theme."
                if shares
                else "Quotes coded with each theme, by the local system of the interview."
            ),
            unit="of participants" if shares else "quotes",
            row_items=themes,
            column_items=systems,
            values=(
                percentages(summary.participant_shares("system"))
                if shares
                else summary.system_matrix
            ),
            link=links("in_system"),
            percent=shares,
        ),
        "org_heatmap": heatmap(
            key="org-types",
            title="Themes by organisation type",
            description=(
                "Of each organisation type's participants, the share who raised the theme."
                if shares
                else "Quotes coded with each theme, by the speaker's organisation type."
            ),
            unit="of participants" if shares else "quotes",
            row_items=themes,
            column_items=org_types,
            values=percentages(summary.participant_shares("org"))
            if shares
            else summary.org_matrix,
            link=links("in_org"),
            percent=shares,
        ),
        "cooccurrence": heatmap(
            key="cooccurrence",
            title="Themes that occur together",
            description="Quotes coded with both themes (lower half shown; the table is full).",
            unit="quotes coded with both",
            row_items=themes,
            column_items=themes,
            values=cooccurrence,
            lower_triangle=True,
            link=links("with_theme"),
        ),
        "saturation": saturation_chart(summary),
    }
