"""No constructor or function of the construct layer takes more than 8 parameters or runs over 60 lines: a construct
takes the region's spec (or the part of it it needs) and exposes typed outputs, instead of long lists of scalars."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

MAX_PARAMETERS = 8  # `self` and `cls` not counted; keyword-only, *args and **kwargs counted
MAX_LINES = 60  # the def and its body


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    arguments = function.args
    named = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    rest = [argument for argument in (arguments.vararg, arguments.kwarg) if argument is not None]
    return [argument.arg for argument in [*named, *rest] if argument.arg not in ("self", "cls")]


def oversized(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        count, lines = len(parameters(node)), (node.end_lineno or node.lineno) - node.lineno + 1
        if count > MAX_PARAMETERS or lines > MAX_LINES:
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.name}: {count} parameters, {lines} lines")
    return found


def test_no_construct_or_function_of_the_stacks_is_oversized():
    modules = sorted((REPO / "residency" / "stacks").glob("*.py"))
    assert modules
    found = [finding for module in modules for finding in oversized(module)]
    assert not found, (f"over {MAX_PARAMETERS} parameters or {MAX_LINES} lines (take a spec, split into "
                       "builders):\n" + "\n".join(found))


def test_the_scan_counts_keyword_only_and_star_parameters_but_not_self(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("class C:\n    def m(self, a, /, b, *c, d, **e):\n        pass\n")
    (function,) = [node for node in ast.walk(ast.parse(source.read_text())) if isinstance(node, ast.FunctionDef)]
    assert parameters(function) == ["a", "b", "d", "c", "e"]
