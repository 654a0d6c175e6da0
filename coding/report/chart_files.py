"""One summary-page chart as a file: standalone SVG (its colours and fonts inside it) or
PNG drawn from that SVG by CairoSVG (libcairo from Debian). Same numbers as the page:
both come from `charts.charts()` on the same summary and filters."""

from __future__ import annotations

from django.utils.safestring import SafeString

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
KEYS = {  # the URL's name of a chart -> its key in charts.charts()
    "systems": "system_heatmap",
    "org-types": "org_heatmap",
    "cooccurrence": "cooccurrence",
    "saturation": "saturation",
}

# The rules of static/css/report.css that draw the charts, with the page's colours.
STYLE = """
text { font: 12px "DejaVu Sans", Arial, sans-serif; fill: #1d1d1b; }
.heatmap .row-label { text-anchor: end; }
.heatmap g > text { text-anchor: middle; font-size: 11px; }
.heatmap rect, .heatmap .grid-bg { stroke: #fff; stroke-width: 1; }
.heatmap .grid-bg { fill: #f3f5f6; }
.heatmap g.h1 rect { fill: #d6e4f3; } .heatmap g.h2 rect { fill: #b3cde9; }
.heatmap g.h3 rect { fill: #8db4dd; } .heatmap g.h4 rect { fill: #5f96cf; }
.heatmap g.h5 rect { fill: #2f78c0; } .heatmap g.h6 rect { fill: #005eb8; }
.heatmap g.h7 rect { fill: #004a9f; } .heatmap g.h8 rect { fill: #003087; }
.heatmap g.h5 text, .heatmap g.h6 text, .heatmap g.h7 text, .heatmap g.h8 text { fill: #fff; }
.saturation .axis { stroke: #1d1d1b; }
.saturation .grid { stroke: #d8dde0; stroke-dasharray: 3 3; }
.saturation .tick { text-anchor: end; dominant-baseline: middle; }
.saturation .xtick { text-anchor: middle; }
.saturation .axis-label { fill: #505a5f; }
.saturation .axis-label.y { text-anchor: middle; }
.saturation .bar { fill: #41b6e6; stroke: #005eb8; stroke-width: 1; }
.saturation .cumulative { fill: none; stroke: #003087; stroke-width: 2.5; }
.saturation .first { fill: #003087; }
"""


def standalone_svg(svg: SafeString | str) -> bytes:
    """The page's inline SVG as a file: a white background and the styles inside it."""
    text = str(svg)
    head, _, rest = text.partition(">")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}><style>{STYLE}</style>'
        f'<rect width="100%" height="100%" fill="#fff"/>{rest}'
    ).encode("utf-8")


def chart_file(svg: SafeString | str, fmt: str) -> bytes:
    data = standalone_svg(svg)
    if fmt == "svg":
        return data
    import cairosvg  # loaded on the first PNG, not in every server process

    return cairosvg.svg2png(bytestring=data, scale=2)
