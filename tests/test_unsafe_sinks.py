"""Static ban on output sinks that bypass escaping.

Besides the banned sinks, HTML built in Python is policed: only the builder modules
may make a `SafeString`, and in them every value put into an f-string of markup goes
through `esc()` or `safe_colour()`, or is a number formatted as one, or a name the
builder holds already escaped (listed below, each checked by reading its module).
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANNED = re.compile(
    r"\|\s*safe\b|mark_safe\(|autoescape\s+off|\.innerHTML\s*=|\.outerHTML\s*=|"
    r"insertAdjacentHTML|document\.write\(|\beval\(|new Function\("
)
SOURCES = [
    *(ROOT / "templates").rglob("*.html"),
    *(ROOT / "static").rglob("*.js"),
    *(path for app in ("aefront", "interviews", "coding") for path in (ROOT / app).rglob("*.py")),
]


def test_sources_were_found():
    assert any(path.suffix == ".html" for path in SOURCES)
    assert any(path.suffix == ".py" for path in SOURCES)


def test_no_unsafe_output_sinks():
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BANNED.search(line)
    ]
    assert hits == []


def test_no_inline_scripts_in_templates():
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inline.search(line)
    ]
    assert hits == []


# The modules that build HTML in Python (too many pieces for format_html to be fast).
BUILDERS = {
    "coding/markup.py",
    "coding/report/charts.py",
    "coding/report/table.py",
}
# Calls whose result is escaped markup or a number; "join" is safe over safe parts only
# where the joined list is itself a listed name.
SAFE_CALLS = {
    "esc",
    "safe_colour",
    "strong_colour",
    "shade",
    "mark_piece",
    "round",
    "len",
    "_triangle",
    "write_up",
    "org_bar",  # table.py: numbers and safe_colour() only
}
NUMBER_SPECS = re.compile(r"[,.]?\d*[df%]|\.\d+f|,")
# Locals that hold text escaped (or numbers formatted) a few lines above, or fixed strings.
ESCAPED_NAMES = {
    "coding/markup.py": {"css", "colour", "anchor", "ids_attr", "opening", "excerpts"},
    "coding/report/charts.py": {
        "css",
        "label",
        "esc_unit",
        "column_full",
        "row_full",
        "coords",
        "exposed",
        "cell_svg",
        "text",  # a row label: esc() of its one line, or <tspan>s of esc()'d lines
    },
    "coding/report/table.py": {
        "depth",
        "name",
        "interviews",
        "participants",
        "systems",
        "orgs",
        "parts",  # org_bar's <rect>s: numbers and safe_colour()
        "bar",  # the <td> of org_bar()
    },  # fmt: skip
}


def _is_safe_value(node: ast.FormattedValue, allowed: set[str]) -> bool:
    value = node.value
    spec = node.format_spec
    if spec is not None:
        text = "".join(part.value for part in spec.values if isinstance(part, ast.Constant))
        if NUMBER_SPECS.fullmatch(text):
            return True
    if isinstance(value, ast.IfExp):
        branches = (value.body, value.orelse)
        return all(isinstance(b, ast.Constant) for b in branches)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return value.func.id in SAFE_CALLS
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        # "sep".join(name): safe when what is joined is a listed name.
        joined = value.args[0] if value.args else None
        return value.func.attr == "join" and isinstance(joined, ast.Name) and joined.id in allowed
    if isinstance(value, ast.Subscript):
        value = value.value
    if isinstance(value, ast.Name):
        return value.id in allowed
    if isinstance(value, ast.Attribute):
        return value.attr in allowed
    return False


def test_only_builder_modules_make_safe_strings():
    hits = [
        str(path.relative_to(ROOT))
        for path in SOURCES
        if path.suffix == ".py"
        and "SafeString(" in path.read_text(encoding="utf-8")
        and str(path.relative_to(ROOT)) not in BUILDERS
    ]
    assert hits == []


def test_every_value_in_built_markup_is_escaped():
    hits = []
    for relative in sorted(BUILDERS):
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            literal = "".join(p.value for p in node.values if isinstance(p, ast.Constant))
            if "<" not in literal and "=" not in literal:
                continue  # not markup
            for part in node.values:
                if isinstance(part, ast.FormattedValue) and not _is_safe_value(
                    part, ESCAPED_NAMES.get(relative, set())
                ):
                    hits.append(f"{relative}:{part.lineno}: {ast.unparse(part.value)}")
    assert hits == []
