"""The house rules of the layout: no import circles, floors import one way, small modules, every package ships.

The import graph is read from the source (ast), not by importing: every `import`/`from … import` of a
gkaudit module counts, function-local ones included (a deferred import is still a circle); imports under
`if TYPE_CHECKING:` do not (they never run).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = {"gkaudit": ROOT / "src" / "gkaudit", "gkaudit.checks": ROOT / "checks"}
MAX_LINES = 400
# Modules that are data tables (names, slugs, patterns), allowed to grow past MAX_LINES.
DATA_TABLES: frozenset[str] = frozenset()

# Floors, lowest first: a module may import its own floor and those below it, never one above.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("gkaudit", "gkaudit.errors", "gkaudit.model", "gkaudit.settings", "gkaudit.targets",
              "gkaudit.targets_import", "gkaudit.files", "gkaudit.shard", "gkaudit.stream", "gkaudit.resume",
              "gkaudit.interrupt", "gkaudit.memory")),
    ("net", ("gkaudit.net",)),
    ("report", ("gkaudit.report",)),
    ("columns", ("gkaudit.columns", "gkaudit.context", "gkaudit.check")),
    ("checks", ("gkaudit.checks",)),
    ("runner", ("gkaudit.registry", "gkaudit.runner", "gkaudit.workers")),
    ("scan", ("gkaudit.scan",)),
    ("simweb", ("gkaudit.simweb",)),
    ("cli", ("gkaudit.cli", "gkaudit.__main__")),
]


def _modules() -> dict[str, Path]:
    """Every module of the installed package `gkaudit` by dotted name, from the source trees."""
    found: dict[str, Path] = {}
    for package, folder in SOURCE_ROOTS.items():
        for path in folder.rglob("*.py"):
            if package == "gkaudit" and (folder / "checks") in path.parents:
                continue
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path) -> set[str]:
    """gkaudit modules that `name` imports when it runs (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {t for t in targets if t in MODULES and t != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _floor(name: str) -> int:
    best, floor = -1, None
    for index, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, floor = len(prefix), index
    if floor is None:
        pytest.fail(f"{name}: not on any floor; add it to FLOORS in tests/test_layout.py")
    return floor


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_graph_sees_the_modules_and_their_imports() -> None:
    assert "gkaudit.checks.disclosure" in MODULES and "gkaudit.columns.read" in MODULES
    assert "gkaudit.checks.disclosure.audit" in GRAPH["gkaudit.checks.disclosure"]
    assert "gkaudit.net.http" in GRAPH["gkaudit.context"]


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert _cycles(GRAPH) == []


def test_floors_import_one_way() -> None:
    upward = [f"{name} -> {target}" for name, targets in GRAPH.items() for target in sorted(targets)
              if _floor(target) > _floor(name)]
    assert upward == [], "a module imports a floor above it:\n" + "\n".join(upward)


def test_no_module_over_the_size_limit() -> None:
    too_long = {name: n for name, path in MODULES.items()
                if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
                and name not in DATA_TABLES}
    assert too_long == {}


def test_every_package_folder_ships_in_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert packages - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
