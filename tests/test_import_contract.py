"""The layers, stated once, and every import of residency and the handlers held to them.

Data flows one way, and so do imports (in-function and type-checking imports included):

    foundation   errors, naming, paths, files, processes, packaging, the target profile, personal data kinds
    config       the pydantic model, loader and editing; the workspace selection built on it
    synth        writing cdktf.out whole and skipping unchanged synths (no cdktf)
    stacks | terraform | guard | local | pipelines     siblings: none imports another (stacks uses synth)
    flows        the only place that combines the siblings
    cli          parse, call a flow, render (never the constructs)

Inside guard, the same one way: reading Terraform JSON and expressions, then placement (the catalog,
places, hosts, processors), then IAM and SCP evaluation, then the rules, then the reports; `check` and the
security baseline stand on top. No module takes part in an import circle.

`stacks` alone imports cdktf, the provider bindings, constructs and jsii; `handlers/` (the Lambda code)
imports nothing from residency, and residency imports only the names of its settings from it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

FOUNDATION = {"errors", "naming", "paths", "files", "processes", "packaging", "target", "personal_data"}
LAYER_OF = {**{name: "foundation" for name in FOUNDATION}, "config": "config", "workspaces": "config",
            "synth": "synth", "stacks": "stacks", "terraform": "terraform", "guard": "guard", "local": "local",
            "pipelines": "pipelines", "flows": "flows", "cli": "cli", "__main__": "cli"}
SIBLINGS = {"terraform", "guard", "local", "pipelines"}
MAY_IMPORT = {
    "foundation": {"foundation"},
    "config": {"foundation", "config"},
    "synth": {"foundation", "config", "synth"},
    "stacks": {"foundation", "config", "synth", "stacks"},
    **{sibling: {"foundation", "config", sibling} for sibling in SIBLINGS},
    "flows": {"foundation", "config", "synth", "stacks", "flows", *SIBLINGS},
    "cli": {"foundation", "config", "flows", "cli", *SIBLINGS},
}
GUARD_LAYERS = ("terraform_json", "placement", "policies", "rules", "reports")  # bottom to top
CONSTRUCT_LIBRARIES = ("cdktf", "cdktf_cdktf_provider_aws", "constructs", "jsii")


def module_of(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """(line, imported module or name) for every import statement of the file, wherever it is."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "residency" or len(parts) < 2:
        return None
    return LAYER_OF.get(parts[1], "unknown")


def guard_layer(module: str) -> int | None:
    """A guard module's floor (its package's place in GUARD_LAYERS; the top for guard's own modules)."""
    parts = module.split(".")
    if parts[:2] != ["residency", "guard"] or len(parts) < 3:
        return None
    return GUARD_LAYERS.index(parts[2]) if parts[2] in GUARD_LAYERS else len(GUARD_LAYERS)


def residency_files() -> list[tuple[Path, str]]:
    return [(path, module_of(path, REPO)) for path in sorted((REPO / "residency").rglob("*.py"))]


def violations() -> list[str]:
    found = []
    for path, module in residency_files():
        own = layer(module)
        for line, imported in imports(path, module):
            where = f"{path.relative_to(REPO)}:{line}: {module} imports {imported}"
            if imported.split(".")[0] in CONSTRUCT_LIBRARIES and own != "stacks":
                found.append(f"{where} (only stacks/ imports the construct libraries)")
            if imported.split(".")[0] == "handlers" and imported not in ("handlers", "handlers.settings"):
                found.append(f"{where} (of the Lambda code, residency imports only the settings' names)")
            floor, target_floor = guard_layer(module), guard_layer(imported)
            if floor is not None and target_floor is not None and target_floor > floor:
                found.append(f"{where} (inside guard, a layer imports only those below it: "
                             f"{' < '.join(GUARD_LAYERS)} < check)")
            target = layer(imported)
            if target is not None and target != "unknown" and target not in MAY_IMPORT[own or "unknown"]:
                found.append(f"{where} ({own} may import {', '.join(sorted(MAY_IMPORT[own or 'unknown']))})")
    return found


def module_imports() -> dict[str, set[str]]:
    """residency module -> the residency modules it imports (type-checking imports left out: they never run)."""
    modules = {module for _path, module in residency_files()}
    graph: dict[str, set[str]] = {}
    for path, module in residency_files():
        graph[module] = {name for _line, name in imports(path, module) if name in modules and name != module}
        graph[module] -= _type_checking_imports(path)
    return graph


def _type_checking_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for block in ast.walk(tree):
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
            probe = ast.Module(body=block.body, type_ignores=[])
            for node in ast.walk(probe):
                if isinstance(node, ast.ImportFrom) and node.module:
                    found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_circle():
    graph = module_imports()
    # a package's __init__ handing on its modules' names is not a circle of its own
    for module, imported in graph.items():
        graph[module] = {name for name in imported if not module.startswith(f"{name}.")}
    assert circles(graph) == []


def test_a_circle_is_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_belongs_to_a_layer():
    unplaced = sorted({module for _path, module in residency_files() if layer(module) == "unknown"})
    assert unplaced == [], "add these to LAYER_OF (and to the README's architecture section)"


def test_no_import_goes_against_the_layers():
    assert violations() == []


def test_the_handlers_import_nothing_from_residency_or_the_construct_libraries():
    found = [f"{path.relative_to(REPO)}:{line}: {imported}"
             for path in sorted((REPO / "handlers").rglob("*.py"))
             for line, imported in imports(path, module_of(path, REPO))
             if imported.split(".")[0] in ("residency", *CONSTRUCT_LIBRARIES)]
    assert found == []


@pytest.mark.parametrize(("source", "text", "expected"), [
    ("residency/cli/probe.py", "from residency.stacks import synthesize\n", "cli may import"),
    ("residency/guard/probe.py", "def f():\n    from residency.terraform.runner import Terraform\n",
     "guard may import"),
    ("residency/naming.py", "if TYPE_CHECKING:\n    from residency.config import Config\n", "foundation may import"),
    ("residency/flows/probe.py", "import cdktf\n", "only stacks/ imports the construct libraries"),
    ("residency/stacks/probe.py", "from handlers.directory import lookup\n", "only the settings' names"),
    ("residency/config/probe.py", "from ..flows import retirement\n", "config may import"),
    ("residency/guard/placement/probe.py", "from residency.guard.rules.context import Context\n",
     "inside guard, a layer imports only those below it"),
    ("residency/guard/terraform_json/probe.py", "def f():\n    from residency.guard.reports import formats\n",
     "inside guard, a layer imports only those below it"),
])
def test_the_contract_catches_an_import_against_it(tmp_path, monkeypatch, source, text, expected):
    """The test is not vacuous: a copy of the package with one offending import fails it."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(REPO / "residency", copy / "residency", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / source).write_text(text + (copy / source).read_text() if (copy / source).exists() else text)
    monkeypatch.setattr(__import__(__name__, fromlist=["REPO"]), "REPO", copy)
    assert any(expected in violation for violation in violations())
