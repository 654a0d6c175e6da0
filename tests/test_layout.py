"""The floor plan holds: no import cycle, the ground floor never reaches up, and the
module map in CONTRIBUTING.md names every module there is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("aefront", "interviews", "coding")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[module_name(path)] = path
    return found


def top_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Project modules imported at module level (not inside functions or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    imported: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            imported.add(target)

    def visit(statements) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    add(full if full in known else base)
            elif isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(tree.body)
    return imported


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: top_level_imports(path, name, known) for name, path in found.items()}


def test_the_graph_sees_real_imports():
    graph = import_graph()
    assert "coding.models" in graph["coding.services"]
    assert "interviews.access" in graph["coding.api"]
    assert "coding.report.exports" in graph["coding.report.views"]


def test_there_is_no_import_cycle():
    graph = import_graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                walk(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node, [node])
    assert cycles == []


def test_interviews_never_imports_coding_at_module_level():
    graph = import_graph()
    upward = {
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.startswith("interviews")
        for target in targets
        if target.startswith("coding")
    }
    assert upward == set()


def test_coding_does_not_import_the_report_but_for_the_admin_csv_action():
    graph = import_graph()
    allowed = {"coding.admin -> coding.report.exports.admin_actions"}
    upward = {
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.startswith("coding") and not name.startswith("coding.report")
        for target in targets
        if target.startswith("coding.report")
    }
    assert upward <= allowed


def test_contributing_names_every_module():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    plan = text[: text.index("\n## ", text.index("## The floor plan") + 1)]
    missing = []
    for path in sorted(modules().values()):
        relative = path.relative_to(ROOT)
        if relative.name == "__init__.py" and relative.parent.name != "exports":
            continue
        if "management" in relative.parts or relative.name in {"apps.py"}:
            continue
        # Named by its file name (or its folder for a package) in the floor plan.
        stem = relative.stem if relative.name != "__init__.py" else relative.parent.name
        if not re.search(rf"\b{re.escape(stem)}(\.py|/)?\b", plan):
            missing.append(str(relative))
    assert missing == []


def test_no_view_body_is_long():
    """Views are thin: load, bind one form, call one service, answer (about 25 lines)."""
    long = []
    for name, path in modules().items():
        if not (path.name == "views.py" or path.name == "api.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                lines = body[-1].end_lineno - body[0].lineno + 1
                if lines > 28:
                    long.append(f"{name}.{node.name}: {lines} lines")
    assert long == []
