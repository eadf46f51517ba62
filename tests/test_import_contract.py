"""The layers, stated once as contracts, and every import of residency and the handlers held to them.

Data flows one way, and so do imports (in-function, type-checking and dynamic imports included):

    foundation   errors, naming, paths, files, processes, packaging, the target profile, personal data kinds
    config       the pydantic model, loader and editing; the workspace selection built on it
    synth        writing cdktf.out whole and skipping unchanged synths (no cdktf)
    stacks | terraform | guard | local | pipelines     siblings: none imports another (stacks uses synth)
    flows        the only place that combines the siblings; it hands the CLI the types it renders
    cli          parse, call a flow, render: it imports only the flows, the foundation and itself

Inside a package the same one way (PACKAGE_LAYERS): in guard, reading Terraform JSON, then placement, then IAM and
SCP evaluation, then the rules, the reports, and `check` and the baseline on top; in terraform, the files and
documents it reads, then the runner, then what it knows of state and plans, then the steps of an operation, then
the run of many; in cli, the shared pieces below the commands. No module takes part in an import circle.

A dynamic import (`importlib.import_module`, `__import__`) names its module in the call, or its module is declared
in DYNAMIC with what it loads. `stacks` alone imports cdktf, the provider bindings, constructs and jsii;
`handlers/` (the Lambda code) imports nothing from residency, and residency imports only its settings' names.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

FOUNDATION = {"errors", "naming", "paths", "files", "processes", "packaging", "target", "personal_data"}
SIBLINGS = ("stacks", "terraform", "guard", "local", "pipelines")
# Bottom to top; a tuple is one floor of siblings that do not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (("foundation",), ("config",), ("synth",), SIBLINGS, ("flows",), ("cli",))
LAYER_OF = {**{name: "foundation" for name in FOUNDATION}, "config": "config", "workspaces": "config",
            "synth": "synth", **{sibling: sibling for sibling in SIBLINGS}, "flows": "flows", "cli": "cli",
            "__main__": "cli"}
# What a layer may import beyond the layers below it: nothing; what it may not although below it:
SKIPPED = {"cli": {"config", "synth", *SIBLINGS}}  # the CLI reaches them only through the flows


def may_import(layer: str) -> set[str]:
    floor = next(index for index, names in enumerate(LAYERS) if layer in names)
    below = {name for names in LAYERS[:floor] for name in names}
    return ({layer} | below) - SKIPPED.get(layer, set())


# package -> its floors, bottom to top, each a tuple of module names (or fnmatch patterns) relative to the package;
# a name covers its submodules. Every module of the package must stand on one floor.
PACKAGE_LAYERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "guard": (
        ("terraform_json",), ("placement",), ("policies",), ("rules",), ("reports",), ("check", "baseline"),
    ),
    "terraform": (
        ("binary", "cli_config", "events", "locks", "manifest", "scheduler", "synthesized_bundle", "template_calls",
         "plan_archive", "change_set", "plan_time_code"),
        ("runner", "raw_state", "interrupts", "run_options"),
        ("tainted_stores", "protection", "plan_diff", "renames", "creation_adoption", "protected_stores",
         "placeholders", "plan_prior_state", "reviewed_plans", "outcome", "unapplied_dependencies"),
        ("steps",),
        ("operations",),
    ),
    "cli": (
        ("application", "tables", "options", "progress", "selection", "confirmations", "run_arguments"),
        ("*_commands", "*_command"),
        ("registry", "main"),
    ),
}
# Modules whose dynamic imports load what is not written in the call, and what that is: "residency" when every
# residency module they load is a string literal in the module (held to the layers like an import), else the reason
# they load nothing of residency.
DYNAMIC = {
    "residency.cli.registry": "residency",  # COMMANDS: "module:attribute"
    "residency.config": "residency",  # the names it hands on, read from their modules when first used
    "residency.synth.extension_modules": "the project's own extensions, named in its regions.yaml",
}
CONSTRUCT_LIBRARIES = ("cdktf", "cdktf_cdktf_provider_aws", "constructs", "jsii")
DYNAMIC_CALLS = ("import_module", "__import__")
MODULE_NAME = re.compile(r"residency(\.\w+)+(:\w+)?")


def module_of(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """(line, imported module or name) for every import of the file, wherever it is, dynamic ones included."""
    return iter(_imports(path.read_text(), module, path.name == "__init__.py"))


@functools.cache  # the probes read copies of the same files
def _imports(text: str, module: str, is_package: bool) -> tuple[tuple[int, str], ...]:
    return tuple(_each_import(ast.parse(text), module, is_package))


def _each_import(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
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
        elif isinstance(node, ast.Call) and _called(node) in DYNAMIC_CALLS:
            yield from _dynamic(node, module, tree)


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _dynamic(call: ast.Call, module: str, tree: ast.AST) -> Iterator[tuple[int, str]]:
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        yield call.lineno, first.value
    elif DYNAMIC.get(module) == "residency":
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_NAME.fullmatch(node.value):
                yield node.lineno, node.value.partition(":")[0]
    elif module not in DYNAMIC:
        yield call.lineno, "<undeclared dynamic import>"


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "residency":
        return None
    if len(parts) == 1:
        return "foundation"  # the package itself: residency/__init__.py
    return LAYER_OF.get(parts[1], "unknown")


def floor_in_package(module: str) -> tuple[str, int | None] | None:
    """(package, the module's floor in it; None when it stands on none) for a module of a layered package."""
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != "residency" or parts[1] not in PACKAGE_LAYERS:
        return None
    for index, names in enumerate(PACKAGE_LAYERS[parts[1]]):
        if any(fnmatch.fnmatchcase(parts[2], name) for name in names):
            return parts[1], index
    return parts[1], None


def residency_files(root: Path | None = None) -> list[tuple[Path, str]]:
    root = root or REPO
    return [(path, module_of(path, root)) for path in sorted((root / "residency").rglob("*.py"))]


def violations(root: Path | None = None) -> list[str]:
    root = root or REPO
    found = []
    for path, module in residency_files(root):
        own = layer(module)
        inside = floor_in_package(module)
        if inside is not None and inside[1] is None:
            found.append(f"{path.relative_to(root)}: {module} stands on no floor of {inside[0]} "
                         "(add it to PACKAGE_LAYERS)")
        for line, imported in imports(path, module):
            found.extend(_against(f"{path.relative_to(root)}:{line}: {module} imports {imported}", own, inside,
                                  imported))
    return found


def _against(where: str, own: str | None, inside: tuple[str, int | None] | None, imported: str) -> list[str]:
    found = []
    if imported == "<undeclared dynamic import>":
        found.append(f"{where} (a dynamic import names its module, or its module is declared in DYNAMIC)")
    if imported.split(".")[0] in CONSTRUCT_LIBRARIES and own != "stacks":
        found.append(f"{where} (only stacks/ imports the construct libraries)")
    if imported.split(".")[0] == "handlers" and imported not in ("handlers", "handlers.settings"):
        found.append(f"{where} (of the Lambda code, residency imports only the settings' names)")
    target_inside = floor_in_package(imported)
    if (inside is not None and target_inside is not None and inside[0] == target_inside[0]
            and None not in (inside[1], target_inside[1]) and target_inside[1] > inside[1]):  # type: ignore[operator]
        floors = " < ".join("|".join(names) for names in PACKAGE_LAYERS[inside[0]])
        found.append(f"{where} (inside {inside[0]}, a floor imports only those below it: {floors})")
    target = layer(imported)
    allowed = may_import(own) if own not in (None, "unknown") else set()
    if target is not None and target != "unknown" and target not in allowed:
        found.append(f"{where} ({own} may import {', '.join(sorted(allowed)) or 'nothing of residency'})")
    return found


def module_imports(root: Path | None = None) -> dict[str, set[str]]:
    """residency module -> the residency modules it imports (type-checking imports left out: they never run)."""
    files = residency_files(root)
    modules = {module for _path, module in files}
    graph: dict[str, set[str]] = {}
    for path, module in files:
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


def import_circles(root: Path | None = None) -> list[list[str]]:
    graph = module_imports(root)
    # a package's __init__ handing on its modules' names is not a circle of its own
    for module, imported in graph.items():
        graph[module] = {name for name in imported if not module.startswith(f"{name}.")}
    return circles(graph)


def test_no_import_circle():
    assert import_circles() == []


def test_a_circle_is_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_belongs_to_a_layer():
    unplaced = sorted({module for _path, module in residency_files() if layer(module) == "unknown"})
    assert unplaced == [], "add these to LAYER_OF (and to the README's architecture section)"


def test_no_import_goes_against_the_layers():
    assert violations() == []


def test_the_cli_may_import_only_the_flows_the_foundation_and_itself():
    assert may_import("cli") == {"foundation", "flows", "cli"}
    assert may_import("stacks") == {"foundation", "config", "synth", "stacks"}


def test_the_handlers_import_nothing_from_residency_or_the_construct_libraries():
    found = [f"{path.relative_to(REPO)}:{line}: {imported}"
             for path in sorted((REPO / "handlers").rglob("*.py"))
             for line, imported in imports(path, module_of(path, REPO))
             if imported.split(".")[0] in ("residency", *CONSTRUCT_LIBRARIES)]
    assert found == []


PROBES = [
    # the top layers
    ("residency/cli/probe.py", "from residency.stacks import synthesize\n", "cli may import"),
    ("residency/cli/probe.py", "from residency.terraform.operations import Status\n", "cli may import"),
    ("residency/cli/probe.py", "def f():\n    from residency.config import load_config\n", "cli may import"),
    ("residency/guard/probe.py", "def f():\n    from residency.terraform.runner import Terraform\n",
     "guard may import"),
    ("residency/stacks/probe.py", "from residency.flows import project\n", "stacks may import"),
    ("residency/naming.py", "if TYPE_CHECKING:\n    from residency.config import Config\n", "foundation may import"),
    ("residency/__init__.py", "from residency.cli import main\n", "foundation may import"),
    ("residency/flows/probe.py", "import cdktf\n", "only stacks/ imports the construct libraries"),
    ("residency/stacks/probe.py", "from handlers.directory import lookup\n", "only the settings' names"),
    ("residency/config/probe.py", "from ..flows import retirement\n", "config may import"),
    # floors inside packages
    ("residency/guard/placement/probe.py", "from residency.guard.rules.context import Context\n",
     "inside guard, a floor imports only those below it"),
    ("residency/guard/terraform_json/probe.py", "def f():\n    from residency.guard.reports import formats\n",
     "inside guard, a floor imports only those below it"),
    ("residency/terraform/runner.py", "def probe():\n    from residency.terraform import operations\n",
     "inside terraform, a floor imports only those below it"),
    ("residency/cli/progress.py", "def probe():\n    from residency.cli import main\n",
     "inside cli, a floor imports only those below it"),
    ("residency/terraform/new_module.py", "X = 1\n", "stands on no floor of terraform"),
    # dynamic imports
    ("residency/cli/probe.py", "import importlib\nimportlib.import_module('residency.guard.check')\n",
     "cli may import"),
    ("residency/stacks/probe.py", "__import__('residency.terraform.runner')\n", "stacks may import"),
    ("residency/flows/probe.py", "import importlib\ndef f(name):\n    return importlib.import_module(name)\n",
     "declared in DYNAMIC"),
    ("residency/cli/registry.py", "PROBE = 'residency.stacks.app:build_app'\n", "cli may import"),
]


@pytest.mark.parametrize(("source", "text", "expected"), PROBES)
def test_the_contract_catches_an_import_against_it(tmp_path, source, text, expected):
    """The test is not vacuous: a copy of the package with one offending import fails it."""
    copy = _copy_with(tmp_path, source, text)
    assert any(expected in violation for violation in violations(copy)), violations(copy)


def test_the_contract_catches_a_circle(tmp_path):
    copy = _copy_with(tmp_path, "residency/flows/probe_a.py", "from residency.flows import probe_b\n")
    (copy / "residency/flows/probe_b.py").write_text("def f():\n    from residency.flows import probe_a\n")
    assert ["residency.flows.probe_a", "residency.flows.probe_b"] in import_circles(copy)


def _copy_with(tmp_path: Path, source: str, text: str) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "residency", copy / "residency", ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / source
    target.write_text(text + target.read_text() if target.exists() else text)
    return copy
