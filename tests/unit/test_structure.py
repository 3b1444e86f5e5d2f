"""The package's import structure: no import cycles, no private names used across modules.

Every module of ``nn_impl`` is parsed with ``ast`` and every import is collected, including those inside
functions (a cycle hidden in a function body is still a cycle: the modules cannot be understood or tested
apart). Private names (one leading underscore) belong to the module or object that defines them: importing
one (``from .model import _helper``) or reading one through another name (``model._check_X``) is refused.
``self._x`` and ``cls._x`` are the object's own.

The package's own modules are walked on CPython only: the Pyodide wheel holds compiled modules, not source
(the import structure does not depend on the platform). The walker's tests run in both.
"""

import ast
import pathlib

import pytest

import nn_impl

PACKAGE = "nn_impl"
PACKAGE_DIR = pathlib.Path(nn_impl.__file__).resolve().parent


def _is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_names(package_dir):
    return {path.stem for path in package_dir.glob("*.py")}


def _target(module, modules):
    """The package module an import of ``module`` (dotted, relative to the package; "" = the package) names."""
    first = module.split(".")[0] if module else ""
    return first if first in modules else "__init__"


def scan(source, modules):
    """(imported modules, problems) of one module's source text.

    imported: set of package module names (``"__init__"`` for the package itself) imported anywhere in it.
    problems: list of "line N: ..." strings for private names imported or read across modules.
    """
    imported, problems = set(), []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    imported.add(_target(alias.name[len(PACKAGE) + 1:], modules))
        elif isinstance(node, ast.ImportFrom):
            if node.level > 1:
                problems.append(f"line {node.lineno}: relative import beyond the package ({'.' * node.level})")
                continue
            if node.level == 1:
                module = node.module or ""
            elif node.module == PACKAGE or (node.module or "").startswith(PACKAGE + "."):
                module = node.module[len(PACKAGE) + 1:]
            else:
                continue  # the standard library or a third-party package
            for alias in node.names:
                if not module and alias.name in modules:
                    imported.add(alias.name)  # from . import data
                else:
                    imported.add(_target(module, modules))
                if _is_private(alias.name):
                    source_name = f"{'.' * node.level}{node.module or ''}"
                    problems.append(f"line {node.lineno}: from {source_name} import {alias.name} (a private name)")
        elif isinstance(node, ast.Attribute) and _is_private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                problems.append(f"line {node.lineno}: {ast.unparse(node)} reads another object's private name")
    return imported, problems


def import_graph(package_dir=PACKAGE_DIR):
    """({module: set of package modules it imports}, {module: problems}) for every module of the package."""
    modules = _module_names(package_dir)
    graph, problems = {}, {}
    for name in sorted(modules):
        imported, found = scan((package_dir / f"{name}.py").read_text(encoding="utf-8"), modules)
        graph[name] = imported - {name} if name == "__init__" else imported
        if found:
            problems[name] = sorted(found, key=lambda line: int(line.split()[1].rstrip(":")))
    return graph, problems


def find_cycles(graph):
    """The import cycles of ``graph``, each as a list [a, b, ..., a]: the shortest cycle through each module that
    is on one (rotations of the same cycle are listed once), sorted."""
    cycles = set()
    for start in graph:
        # breadth-first from start's imports back to start: the shortest way round, if there is one
        parents, frontier = {}, [start]
        while frontier and start not in parents:
            following = []
            for node in frontier:
                for nxt in sorted(graph.get(node, ())):
                    if nxt not in parents:
                        parents[nxt] = node
                        following.append(nxt)
            frontier = following
        if start not in parents:
            continue
        path, node = [start], parents[start]
        while node != start:
            path.append(node)
            node = parents[node]
        path.reverse()  # start, ..., the module that imports start
        first = path.index(min(path))
        cycles.add(tuple(path[first:] + path[:first]))
    return sorted([*cycle, cycle[0]] for cycle in cycles)


# ---------------------------------------------------------------------------------------------- the package


@pytest.mark.native_only
def test_the_package_has_no_import_cycles():
    graph, _ = import_graph()
    assert "model" in graph and "trainer" in graph, f"no package sources found in {PACKAGE_DIR}"
    cycles = find_cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in cycles)


@pytest.mark.native_only
def test_no_private_names_cross_modules():
    _, problems = import_graph()
    assert not problems, "\n".join(f"{module}.py {line}" for module, lines in problems.items() for line in lines)


@pytest.mark.native_only
def test_the_trainer_never_imports_the_model():
    graph, _ = import_graph()
    assert "model" not in graph["trainer"]
    assert "model" not in graph["persist"]


# ---------------------------------------------------------------------------------------------- the walker itself


MODULES = {"__init__", "a", "b", "c"}


def test_scan_sees_imports_inside_functions_relative_and_absolute():
    source = (
        "import numpy as np\n"
        "from . import b\n"
        "def f():\n"
        "    from .c import thing\n"
        "    import nn_impl.a\n"
        "    from nn_impl import __version__\n"
    )
    imported, problems = scan(source, MODULES)
    assert imported == {"a", "b", "c", "__init__"} and problems == []


def test_scan_refuses_private_names_across_modules():
    source = (
        "from .b import _helper\n"
        "from nn_impl.c import public, _hidden\n"
        "def f(model):\n"
        "    model._check_X(1)\n"
        "    self._mine = model.coefs_\n"
        "    return self._trainer._rng, np.__version__\n"
    )
    _, problems = scan(source, MODULES)
    assert [p.split(":")[0] for p in problems] == ["line 1", "line 2", "line 4", "line 6"]
    assert "_helper" in problems[0] and "_hidden" in problems[1]
    assert "model._check_X" in problems[2] and "self._trainer._rng" in problems[3]


def test_find_cycles_names_each_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    cycles = find_cycles(graph)
    assert cycles == [["a", "b", "c", "a"], ["e", "e"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
