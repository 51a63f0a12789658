"""The code's structure, checked (docs/architecture.md): no module of `ketacare` takes part in
an import cycle (a cycle means modules that cannot be understood, tested or moved apart);
reads never import writes; no module is over 600 lines. The layers and the apps' public faces
are import-linter contracts in pyproject.toml (`make lint`)."""

from __future__ import annotations

from pathlib import Path

import grimp

import ketacare

ROOT = Path(ketacare.__file__).parent
MAX_LINES = 600


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph.modules:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
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
    return found


def _graph_of(modules: dict[str, set[str]]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for module in modules:
        graph.add_module(module)
    for importer, imported in modules.items():
        for name in imported:
            graph.add_import(importer=importer, imported=name)
    return graph


def test_the_cycle_finder_finds_a_cycle_of_three():
    graph = _graph_of({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_cycle_finder_passes_a_tree():
    assert _cycles(_graph_of({"a": {"b", "c"}, "b": {"c"}, "c": set()})) == []


def test_no_module_of_ketacare_is_in_an_import_cycle():
    graph = grimp.build_graph("ketacare", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_no_module_of_ketacare_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_selectors_never_import_their_apps_services():
    graph = grimp.build_graph("ketacare", exclude_type_checking_imports=True)
    reads_importing_writes = []
    for module in sorted(graph.modules):
        parts = module.split(".")
        if len(parts) < 3 or parts[2] != "selectors":
            continue
        services = f"ketacare.{parts[1]}.services"
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == services or imported.startswith(services + "."):
                reads_importing_writes.append(f"{module} -> {imported}")
    assert reads_importing_writes == []
