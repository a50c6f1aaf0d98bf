"""Imports between the apps point one way: down the layers of docs/decisions/007.

    core ← outbox / files / fakebank ← audit ← geo ← offices ← accounts ← catalog ← cases
         ← permits / excavation ← billing / supervision ← documents ← payments
         ← portal / reports / api ← demo

Every module under src/pishkhan is read with `ast`, and every import in it counts: at
module level, inside a function or under ``if TYPE_CHECKING``, ``import x``, ``from x
import y``, relative imports and ``import_module("...")`` with a literal name. An app
imports only apps of a lower layer (never one beside it or above it); core imports none.
Test modules (``tests/``, ``conftest.py``) are left out of the graph, since a test may
build its world with the apps above the one it tests; no other module imports them.
Where a lower app must react to a higher one, the higher one registers (guards, effects,
signals, admin columns).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

import pishkhan

PACKAGE = "pishkhan"
ROOT = Path(pishkhan.__file__).resolve().parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    # infrastructure every app may use: the transactional outbox, the file store, and
    # the fake bank (an outside service in our process, for the demo and the tests)
    ("outbox", "files", "fakebank"),
    # the audit chain: written by every app above, in their own transactions
    ("audit",),
    ("geo",),
    ("offices",),
    ("accounts",),
    ("catalog",),
    ("cases",),
    ("permits", "excavation"),
    ("billing", "supervision"),
    # official documents: the inquiry response, bills (and, from payments, receipts)
    ("documents",),
    # money through a bank: bills (and their receipts) from the layer below
    ("payments",),
    ("portal", "reports", "api"),
    ("demo",),
)
RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}
IMPORTERS = ("import_module", "__import__")


@dataclass(frozen=True)
class Edge:
    """One import of another app: where it is and what it names."""

    source: str  # the importing app
    target: str  # the imported app
    where: str  # path:line
    module: str  # the imported module, dotted

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.module}"


def apps_in(root: Path) -> set[str]:
    """The apps: packages directly under the project package that have an apps.py."""
    return {path.parent.name for path in root.glob("*/apps.py")}


def is_test_module(relative: Path) -> bool:
    return "tests" in relative.parts or relative.name == "conftest.py"


def dotted(relative: Path) -> list[str]:
    parts = [PACKAGE, *relative.with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(
    tree: ast.AST, module: list[str], is_package: bool
) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything a module imports, wherever the import is."""
    package = module if is_package else module[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name == PACKAGE:  # `from pishkhan import cases`: the names are the apps
                for alias in node.names:
                    yield node.lineno, f"{name}.{alias.name}"
            else:
                yield node.lineno, name
        elif isinstance(node, ast.Call) and node.args:
            name = dynamic_import(node)
            if name:
                yield node.lineno, name


def dynamic_import(call: ast.Call) -> str | None:
    """The literal module name of `import_module("…")` or `__import__("…")`, if any."""
    function = call.func
    called = function.attr if isinstance(function, ast.Attribute) else None
    if isinstance(function, ast.Name):
        called = function.id
    first = call.args[0]
    if called in IMPORTERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def app_of(name: str, known: set[str]) -> str | None:
    parts = name.split(".")
    if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in known:
        return parts[1]
    return None


@dataclass
class Graph:
    edges: list[Edge]
    test_imports: list[str]  # non-test modules importing a test module

    def targets(self, source: str) -> set[str]:
        return {edge.target for edge in self.edges if edge.source == source}


def read_graph(root: Path) -> Graph:
    known = apps_in(root)
    edges: list[Edge] = []
    test_imports: list[str] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        source = relative.parts[0] if len(relative.parts) > 1 else None
        if is_test_module(relative) or source not in known:
            continue  # tests, and the project's own modules (settings, urls, wsgi)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = dotted(relative)
        for line, name in imported_modules(tree, module, relative.name == "__init__.py"):
            where = f"{relative}:{line}"
            parts = name.split(".")
            if parts[0] == PACKAGE and ("tests" in parts or "conftest" in parts):
                test_imports.append(f"{where}: imports {name}")
            target = app_of(name, known)
            if target is not None and target != source:
                edges.append(Edge(source, target, where, name))
    return Graph(edges, test_imports)


def find_cycle(graph: Graph) -> list[str] | None:
    """One circle of apps importing each other, as a path that ends where it starts."""
    nodes = sorted({edge.source for edge in graph.edges} | {e.target for e in graph.edges})
    state: dict[str, int] = {}  # 1 while on the path, 2 once done
    path: list[str] = []

    def visit(app: str) -> list[str] | None:
        state[app] = 1
        path.append(app)
        for target in sorted(graph.targets(app)):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[app] = 2
        return None

    for app in nodes:
        if app not in state:
            found = visit(app)
            if found:
                return found
    return None


def upward(graph: Graph) -> list[Edge]:
    """Imports of an app that is not below the importing one (unplaced apps aside)."""
    return [
        edge
        for edge in graph.edges
        if edge.source in RANK and edge.target in RANK and RANK[edge.target] >= RANK[edge.source]
    ]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return read_graph(ROOT)


def listed(edges: list[Edge]) -> str:
    return "\n".join(str(edge) for edge in edges)


# --- the project as it is ------------------------------------------------------------------


def test_every_app_has_its_place_in_the_layers() -> None:
    assert apps_in(ROOT) - set(RANK) == set(), "add the new app to LAYERS (and decision 007)"


def test_core_imports_no_other_app(graph: Graph) -> None:
    from_core = [edge for edge in graph.edges if edge.source == "core"]
    assert not from_core, "core is the ground floor:\n" + listed(from_core)


def test_the_apps_import_each_other_in_no_circle(graph: Graph) -> None:
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


def test_an_app_imports_only_apps_below_it(graph: Graph) -> None:
    wrong = upward(graph)
    assert not wrong, "imports that point up or sideways:\n" + listed(wrong)


def test_no_module_imports_a_test_module(graph: Graph) -> None:
    assert not graph.test_imports, "\n".join(graph.test_imports)


def test_the_installed_apps_are_listed_in_layer_order() -> None:
    labels = [
        config.name.split(".")[1]
        for config in apps.get_app_configs()
        if config.name.startswith(f"{PACKAGE}.")
    ]
    assert set(labels) == apps_in(ROOT)
    assert labels == sorted(labels, key=RANK.__getitem__)


# --- the walker finds every kind of import ---------------------------------------------------


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """core, geo and cases, where core and geo reach up in every way an import can."""
    for app in ("core", "geo", "cases"):
        write(tmp_path, f"{app}/__init__.py", "")
        write(tmp_path, f"{app}/apps.py", "")
    write(tmp_path, "core/lazy.py", "def f():\n    from pishkhan.cases.models import Case\n")
    write(tmp_path, "core/plain.py", "import pishkhan.geo.models\n")
    write(tmp_path, "core/by_name.py", "from pishkhan import cases\n")
    write(tmp_path, "core/relative.py", "from ..geo import models\n")
    typing_only = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pishkhan.cases import x\n"
    )
    write(tmp_path, "core/typing_only.py", typing_only)
    write(
        tmp_path, "core/dynamic.py", "import importlib\nimportlib.import_module('pishkhan.geo.x')\n"
    )
    write(tmp_path, "core/fine.py", "from pishkhan.core import digits\nfrom . import lazy\n")
    write(tmp_path, "geo/models.py", "from pishkhan.cases.models import Case\n")
    write(tmp_path, "cases/models.py", "from pishkhan.geo.models import Parcel\n")
    write(tmp_path, "cases/helper.py", "from pishkhan.cases.tests.conftest import World\n")
    write(tmp_path, "cases/tests/test_x.py", "from pishkhan.portal import views\n")
    write(tmp_path, "conftest.py", "from pishkhan.cases.models import Case\n")
    return tmp_path


def test_the_walker_sees_lazy_relative_typing_and_dynamic_imports(tiny_project: Path) -> None:
    graph = read_graph(tiny_project)
    from_core = sorted((edge.where, edge.target) for edge in graph.edges if edge.source == "core")
    assert from_core == [
        ("core/by_name.py:1", "cases"),
        ("core/dynamic.py:2", "geo"),
        ("core/lazy.py:2", "cases"),
        ("core/plain.py:1", "geo"),
        ("core/relative.py:1", "geo"),
        ("core/typing_only.py:3", "cases"),
    ]


def test_the_walker_finds_circles_and_upward_imports(tiny_project: Path) -> None:
    graph = read_graph(tiny_project)
    assert find_cycle(graph) is not None
    assert {(edge.source, edge.target) for edge in upward(graph)} == {
        ("core", "geo"),
        ("core", "cases"),
        ("geo", "cases"),
    }
    assert graph.test_imports == ["cases/helper.py:1: imports pishkhan.cases.tests.conftest"]
    # tests and the project's own modules are not part of the graph
    assert not [edge for edge in graph.edges if "tests" in edge.where or edge.source == "portal"]
