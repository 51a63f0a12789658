"""The shape of the treatments app (issue 12): reads never import writes (no selectors <->
services circle), and no module is over 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import ketacare.protocols
import ketacare.treatments

APPS = [Path(ketacare.treatments.__file__).parent, Path(ketacare.protocols.__file__).parent]


def _modules(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.py") if "migrations" not in p.parts]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
            found.update(f"{'.' * node.level}{node.module or ''}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_selectors_import_no_services() -> None:
    for root in APPS:
        for path in _modules(root):
            if "selectors" not in path.parts and path.stem != "selectors":
                continue
            services = {name for name in _imports(path) if "services" in name.split(".")}
            own = {n for n in services if n.startswith(".") or root.name in n.split(".")}
            assert not own, f"{path} imports {sorted(own)}"


def test_no_module_over_600_lines() -> None:
    for root in APPS:
        for path in _modules(root):
            assert len(path.read_text().splitlines()) <= 600, path
