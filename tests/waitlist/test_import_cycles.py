"""No module of the waiting list or the public site is in an import cycle: selectors never
import services, and no app module reaches back into the module that imports it (imports
inside functions count too; those under TYPE_CHECKING do not)."""

from __future__ import annotations

import grimp

APPS = ("ketacare.waitlist", "ketacare.public")


def test_no_waitlist_or_public_module_is_in_an_import_cycle() -> None:
    graph = grimp.build_graph("ketacare", exclude_type_checking_imports=True)
    cycles = []
    for module in sorted(graph.modules):
        if not module.startswith(APPS):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append(" -> ".join((module, *back)))
    assert cycles == []
