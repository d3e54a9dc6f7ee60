"""The shape DESIGN.md asks for, checked on the source (issue 13 "Done when"): dependencies
point one way between apps, and events are read through their types."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "fivestar"
APPS = sorted(p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists())
#: Apps that hold the domain; ``core`` and ``notifications`` are the infrastructure below them,
#: ``workspace``, ``portal`` and ``demo`` the pages and the data set above them.
DOMAIN = {"accounts", "customers", "products", "tickets", "sla", "dispatch"}


def _modules():
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE).parts
        yield (parts[0] if len(parts) > 1 else None), path, ast.parse(path.read_text("utf-8"))


def _imported_apps(tree: ast.AST):
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "fivestar" and len(parts) > 1 and parts[1] in APPS:
                yield parts[1], node.lineno


def _graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], str] = {}
    for app, path, tree in _modules():
        for other, line in _imported_apps(tree):
            if app is not None and other != app:
                edges[app].add(other)
                where.setdefault((app, other), f"{path.relative_to(ROOT)}:{line}")
    return edges, where


def test_core_and_notifications_import_no_domain_app():
    edges, where = _graph()
    assert [where[("core", other)] for other in sorted(edges["core"])] == []
    assert [where[("notifications", other)] for other in sorted(edges["notifications"])
            if other != "core"] == []


def test_domain_apps_never_import_the_pages_or_the_demo():
    edges, where = _graph()
    above = {"workspace", "portal", "demo"}
    assert [where[(app, other)] for app in sorted(DOMAIN | {"core", "notifications"})
            for other in sorted(edges[app] & above)] == []


def test_nothing_imports_the_demo():
    importers = [f"{path.relative_to(ROOT)}:{line}" for app, path, tree in _modules()
                 for other, line in _imported_apps(tree) if other == "demo" and app != "demo"]
    assert importers == []


def test_there_is_no_import_cycle_between_apps():
    edges, where = _graph()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        if start == goal:
            return True
        seen.add(start)
        return any(reaches(n, goal, seen) for n in edges[start] if n not in seen)

    cycles = [f"{app} → {other} ({where[(app, other)]})" for app in sorted(edges)
              for other in sorted(edges[app]) if reaches(other, app, set())]
    assert cycles == []


def _str_constants(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_str_constants(item) for item in node.elts)
    return False


def _names_an_event(node: ast.AST) -> bool:
    """``event``, ``created_event``, ``self.event``…: what holds a ticket event."""
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return "event" in name.lower()


def test_events_are_read_through_their_types_outside_tickets():
    """No module outside ``tickets`` reads an event's ``after``/``before`` by key or compares
    an event's kind (``action``/``kind``) with a string literal: handlers read
    ``event.payload`` and compare ``event.kind`` with enum members."""
    found = []
    for app, path, tree in _modules():
        if app == "tickets":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("after", "before") and (
                    _names_an_event(node.value)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} reads event.{node.attr}")
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Attribute) and s.attr in ("action", "kind")
                       and _names_an_event(s.value) for s in sides) and any(
                           _str_constants(s) for s in sides):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} compares a kind "
                                 "with a string")
    assert found == []
