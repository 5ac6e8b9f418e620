"""The package's import graph has no circle.

Every ``import`` in ``hzgeo`` counts, at module level or inside a function (a lazy import
inside a function is still a dependency: a circle through one only waits for the first
call to bite, and it makes the modules impossible to read one at a time). Imports under
``if TYPE_CHECKING:`` are left out: they never run. ``from hzgeo.a import b`` is an edge
to ``hzgeo.a.b`` when that is a module, else to ``hzgeo.a``; the implicit import of a
package's ``__init__`` by its submodules is not an edge (Python runs it first, whatever the
submodule imports).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "hzgeo"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool, modules) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from its package
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(ast.parse(path.read_text(encoding="utf-8")), name,
                           path.name == "__init__.py", modules) - {name}
            for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_the_finder_sees_a_circle_through_a_lazy_import():
    graph = {"hzgeo.a": {"hzgeo.b"}, "hzgeo.b": {"hzgeo.c"}, "hzgeo.c": {"hzgeo.a"},
             "hzgeo.d": {"hzgeo.a"}}
    assert cycles(graph) == [["hzgeo.a", "hzgeo.b", "hzgeo.c"]]
    tree = ast.parse("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from hzgeo.x import X\n"
                     "def f():\n    from hzgeo import y\n    import hzgeo.z\n")
    modules = {"hzgeo": None, "hzgeo.x": None, "hzgeo.y": None, "hzgeo.z": None}
    assert _imports(tree, "hzgeo.w", False, modules) == {"hzgeo.y", "hzgeo.z"}


def test_the_package_imports_no_module_in_a_circle():
    graph = import_graph()
    assert {"hzgeo.io", "hzgeo._checks", "hzgeo.validate", "hzgeo.model"} <= set(graph)
    assert graph["hzgeo.io"], "the graph lost io's imports"
    found = cycles(graph)
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("first", ["hzgeo.model", "hzgeo._checks", "hzgeo.validate",
                                   "hzgeo.datasets", "hzgeo.hierarchy", "hzgeo.chiefs.rules",
                                   "hzgeo.audit", "hzgeo.cli"])
def test_each_module_imports_first_in_a_fresh_interpreter(first):
    code = f"import {first}, hzgeo; hzgeo.Boundaries; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT.parent, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
