"""The layout holds: the import graph of the application code has no circle, the apps never reach up into the
wiring package, `utilities` imports no app, and each app knows only the apps below it.

Every import counts, including those inside functions: a deferred import still makes the two modules depend
on each other, it only hides the circle from Python."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("utilities", "partners", "campaigns", "meetings", "comarketing")
# What each package may import, bottom to top.
MAY_IMPORT = {
    "utilities": {"utilities"},
    "partners": {"utilities", "partners"},
    "campaigns": {"utilities", "partners", "campaigns"},
    "meetings": {"utilities", "partners", "campaigns", "meetings"},
    "comarketing": set(PACKAGES),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def application_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The application modules `path` imports (a `from package import module` counts as the module)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            # The nearest application module the import names (an attribute's module, or the package itself).
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = application_modules()
    known = set(modules)
    return {name: imports_of(path, name, known) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle_and_its_members():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_a_from_import_of_a_module_counts_as_that_module(tmp_path):
    known = {"campaigns", "campaigns.registries", "campaigns.registries.checks", "campaigns.models"}
    source = tmp_path / "x.py"
    source.write_text(
        "from campaigns.registries import checks\nfrom campaigns.models import Campaign\n"
        "def later():\n    import campaigns.registries\n"
    )
    assert imports_of(source, "campaigns.pages.home", known) == {
        "campaigns.registries.checks",
        "campaigns.models",
        "campaigns.registries",
    }


def test_the_application_has_no_import_circle():
    assert circles(import_graph()) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_lies_below_it(package):
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        if name.split(".")[0] == package
        for target in targets
        if target.split(".")[0] not in MAY_IMPORT[package]
    )
    assert wrong == []
