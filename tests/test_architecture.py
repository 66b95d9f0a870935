"""The direction of imports: models ← services ← surfaces, and no import cycles.

Imports are read from the source with ``ast``, not by importing, so a rule holds for code that
only runs later: imports inside functions, under ``if TYPE_CHECKING:``, and relative imports
(``from ..web import bp``) all count for the layer rules.

What counts as a cycle: module A imports module B at module level (a top-level statement, not
one inside a function or under ``if TYPE_CHECKING:``), and B leads back to A the same way.
``from . import name`` is an edge to the submodule ``name`` when there is one, else to the
package's ``__init__``. Running a package's ``__init__`` before its submodule (which Python does
implicitly) is not an edge.

The checks run over ``humanitarian`` and ``schemas``, and are themselves tested on a small made-up
package, so that a checker that silently finds nothing cannot pass.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("humanitarian", "schemas")

SURFACES = (
    "humanitarian.api",
    "humanitarian.web",
    "humanitarian.reports",
    "humanitarian.cli",
    "humanitarian.scheduler",
    "humanitarian.jobs",
    "humanitarian.supervise",
)
# What each layer may never import. ``kinds`` describes record kinds for the surfaces (it holds
# schemas and URL names), and ``schemas`` loads into the services' inputs: both sit above them.
ABOVE_SERVICES = (*SURFACES, "humanitarian.kinds", "schemas")
FORBIDDEN = {
    "humanitarian.models": ("humanitarian.services", *ABOVE_SERVICES),
    "humanitarian.services": ABOVE_SERVICES,
    "humanitarian.kinds": SURFACES,
    "schemas": SURFACES,
}


@dataclass(frozen=True)
class Edge:
    source: str  # the importing module
    target: str  # the imported module
    line: int
    module_level: bool  # a top-level statement (not in a function, not only for type checking)


def module_names(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` file of the packages."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """(node, module_level) for every import statement in the tree."""

    def walk(node, module_level):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, module_level
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield from walk(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child):
                yield from walk(child, False)
            else:
                yield from walk(child, module_level)

    yield from walk(tree, True)


def _resolve(source: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = source.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is one of our modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_edges(modules: dict[str, Path]) -> list[Edge]:
    """Every import from one of our modules to another."""
    edges = []
    for source, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, module_level in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve(source, is_package, node)
                # ``from pkg import name``: the submodule pkg.name if there is one, else pkg.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                known = _known(target, modules)
                if known is not None and known != source:
                    edges.append(Edge(source, known, node.lineno, module_level))
    return edges


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def upward_imports(edges: list[Edge], forbidden: dict[str, tuple[str, ...]]) -> list[str]:
    found = []
    for edge in edges:
        for layer, banned in forbidden.items():
            if _within(edge.source, layer) and any(_within(edge.target, b) for b in banned):
                found.append(f"{edge.source}:{edge.line} imports {edge.target}")
    return sorted(found)


def import_cycles(edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components of the module-level import graph with more than one
    module (Tarjan's algorithm), each sorted; a module importing itself is not possible here."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.module_level:
            graph.setdefault(edge.source, set()).add(edge.target)
            graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return import_edges(module_names(ROOT, PACKAGES))


def test_no_layer_imports_upwards(edges):
    assert upward_imports(edges, FORBIDDEN) == []


def test_no_module_level_import_cycles(edges):
    assert import_cycles(edges) == []


def test_the_graph_is_read(edges):
    """The checks see the imports they are about (a parser that found nothing would pass)."""
    pairs = {(e.source, e.target) for e in edges}
    assert ("humanitarian.services.incidents", "humanitarian.services.actors") in pairs
    assert ("humanitarian.reports.render", "humanitarian.services.sitrep_content") in pairs
    assert ("humanitarian.api.incidents", "humanitarian.kinds") in pairs
    function_level = [e for e in edges if not e.module_level]
    assert any(
        e.source == "humanitarian" and e.target == "humanitarian.api" for e in function_level
    )


def _write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_the_checks_find_upward_imports_and_cycles(tmp_path):
    """A made-up package with one of each mistake the checks are for."""
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models/__init__.py": "from .base import Base\n",
            "app/models/base.py": "class Base:\n    pass\n",
            "app/models/rules.py": "def f():\n    from ..services import x\n",
            "app/services/__init__.py": "x = 1\n",
            "app/services/a.py": "from . import b\n",
            "app/services/b.py": "from .a import thing\n",
            "app/services/late.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from app.web import page\n"
            ),
            "app/services/ok.py": "def g():\n    from . import a\n",
            "app/web/__init__.py": "from .page import view\n",
            "app/web/page.py": "from .. import services\nview = 1\n",
        },
    )
    edges = import_edges(module_names(tmp_path, ("app",)))
    forbidden = {"app.models": ("app.services", "app.web"), "app.services": ("app.web",)}
    assert upward_imports(edges, forbidden) == [
        "app.models.rules:2 imports app.services",
        "app.services.late:3 imports app.web.page",
    ]
    assert import_cycles(edges) == [["app.services.a", "app.services.b"]]
