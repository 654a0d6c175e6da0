"""Geometry of the summary page's charts, drawn as inline SVG by the templates.

Each chart is computed here (positions, colours, labels) so that the templates only
place ready values; each also carries the table a screen reader reads instead.
Cells are dicts: the template engine resolves `cell.x` on a dict at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coding.summaries import Summary

CELL = 26
LABEL_WIDTH = 230
HEADER_HEIGHT = 120


SHADES = 8  # heatmap colours: classes .h1 (lightest) to .h8 in report.css


def shade(value: int, top: int) -> str:
    """The colour class of a count on a 0..top scale ('' for zero)."""
    if value <= 0 or top <= 0:
        return ""
    return f"h{min(SHADES, 1 + (value * SHADES - 1) // top)}"


def short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


@dataclass
class Heatmap:
    key: str
    title: str
    description: str
    unit: str
    columns: list[dict]
    rows: list[dict]
    cells: list[dict]
    width: int
    height: int
    table: list[dict] = field(default_factory=list)
    column_names: list[str] = field(default_factory=list)
    grid_width: int = 0
    grid_height: int = 0
    lower_triangle: bool = False

    @property
    def grid_x(self) -> int:
        return LABEL_WIDTH

    @property
    def grid_y(self) -> int:
        return HEADER_HEIGHT

    @property
    def triangle(self) -> str:
        """The lower triangle's outline (below the diagonal), for the background."""
        x, y = LABEL_WIDTH, HEADER_HEIGHT
        points = [(x, y + CELL)]
        for i in range(1, len(self.rows)):
            points += [(x + i * CELL, y + i * CELL), (x + i * CELL, y + (i + 1) * CELL)]
        points += [(x, y + self.grid_height)]
        return " ".join(f"{px},{py}" for px, py in points)

    @property
    def empty(self) -> bool:
        return not self.rows or not self.columns

    @property
    def label_x(self) -> int:
        return LABEL_WIDTH - 8


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
) -> Heatmap:
    top = max(
        (n for row in values.values() for n in row.values()),
        default=0,
    )
    columns = [
        {
            "x": LABEL_WIDTH + i * CELL + CELL // 2,
            "y": HEADER_HEIGHT - 6,
            "label": short(label, 24),
            "full": full,
        }
        for i, (_, label, full) in enumerate(column_items)
    ]
    rows = []
    cells = []
    table = []
    for r, (row_key, label, full) in enumerate(row_items):
        y = HEADER_HEIGHT + r * CELL
        rows.append({"y": y + CELL // 2 + 4, "label": short(label), "full": full})
        row_values = values.get(row_key, {})
        numbers = []
        for c, (column_key, _, column_label) in enumerate(column_items):
            n = row_values.get(column_key, 0)
            numbers.append(str(n))
            if not n or (lower_triangle and c >= r):
                continue  # empty cells are the grid's background
            cells.append(
                {
                    "t": f"translate({LABEL_WIDTH + c * CELL},{y})",
                    "k": shade(n, top),
                    "n": str(n),
                    "title": f"{full} × {column_label}: {n} {unit}",
                }
            )
        table.append({"label": full, "values": numbers})
    return Heatmap(
        key=key,
        title=title,
        description=description,
        unit=unit,
        columns=columns,
        rows=rows,
        cells=cells,
        width=LABEL_WIDTH + max(len(column_items), 1) * CELL + 130,  # room for slanted labels
        height=HEADER_HEIGHT + max(len(row_items), 1) * CELL + 10,
        table=table,
        column_names=[full for _, _, full in column_items],
        grid_width=len(column_items) * CELL,
        grid_height=(len(row_items)) * CELL,
        lower_triangle=lower_triangle,
    )


@dataclass
class Saturation:
    width: int
    height: int
    bars: list[dict]
    line: str
    x_ticks: list[dict]
    y_ticks: list[dict]
    table: list[dict]
    plot_left: int
    plot_bottom: int
    plot_right: int
    plot_top: int

    @property
    def empty(self) -> bool:
        return not self.table


def saturation_chart(summary: Summary, width: int = 760, height: int = 280) -> Saturation:
    points = summary.saturation
    left, right, top, bottom = 50, width - 20, 20, height - 40
    count = max(len(points), 1)
    peak = max((p.cumulative for p in points), default=0) or 1
    step = (right - left) / count
    bar_width = max(step * 0.7, 1.0)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / peak

    bars, coords, table = [], [], []
    for i, point in enumerate(points):
        x = left + i * step
        if point.new_themes:
            bars.append(
                {
                    "x": round(x + (step - bar_width) / 2, 1),
                    "y": round(y_of(point.new_themes), 1),
                    "w": round(bar_width, 1),
                    "h": round(bottom - y_of(point.new_themes), 1),
                }
            )
        coords.append(f"{x + step / 2:.1f},{y_of(point.cumulative):.1f}")
        interview = point.interview
        table.append(
            {
                "index": str(point.index),
                "date": (
                    f"{interview.interview_date:%d %b %Y}"
                    if interview.interview_date
                    else "no date"
                ),
                "title": interview.title,
                "new": str(point.new_themes),
                "cumulative": str(point.cumulative),
                "names": ", ".join(point.new_theme_names),
            }
        )
    every = max(1, round(count / 10))
    x_ticks = [
        {"x": round(left + i * step + step / 2, 1), "label": i + 1}
        for i in range(0, len(points), every)
    ]
    y_ticks = [
        {"y": round(y_of(v), 1), "label": v} for v in sorted({0, peak // 2, peak}) if v >= 0
    ]
    return Saturation(
        width=width,
        height=height,
        bars=bars,
        line=" ".join(coords),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        table=table,
        plot_left=left,
        plot_bottom=bottom,
        plot_right=right,
        plot_top=top,
    )


def charts(summary: Summary) -> dict:
    """The four charts of the summary page."""
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
            description="Quotes coded with each theme, by the local system of the interview.",
            unit="quotes",
            row_items=themes,
            column_items=systems,
            values=summary.system_matrix,
        ),
        "org_heatmap": heatmap(
            key="org-types",
            title="Themes by organisation type",
            description="Quotes coded with each theme, by the speaker's organisation type.",
            unit="quotes",
            row_items=themes,
            column_items=org_types,
            values=summary.org_matrix,
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
        ),
        "saturation": saturation_chart(summary),
    }
