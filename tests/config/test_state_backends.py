"""A state backend is one class (residency/config/state_backends/) and one entry in the registry
(residency/config/state.py's BACKENDS): nothing else in residency asks which backend it is.

Proved two ways: a scan of residency's source finds no `isinstance` naming a backend class and no comparison of a
`backend` to a literal outside the backends' own package; and a copy of the package with a fourth backend added
(one module, one registry entry) loads it from regions.yaml, names it in the schema and the messages, writes its
block into the synthesized workspaces, and the residency rules place its state.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from residency.config.state import BACKENDS, STATE_MODELS, StateBackend
from tests.conftest import REPO

BACKENDS_PACKAGE = Path("residency/config/state_backends")
BACKEND_CLASSES = frozenset({StateBackend.__name__, *(backend.__name__ for backend in BACKENDS)})
BACKEND_KEY = "backend"


def _names(node: ast.expr) -> Iterator[str]:
    for part in ast.walk(node):
        if isinstance(part, ast.Name):
            yield part.id
        elif isinstance(part, ast.Attribute):
            yield part.attr


def _is_backend_value(node: ast.expr) -> bool:
    """`x.backend`, `x["backend"]` or `x.get("backend")`."""
    if isinstance(node, ast.Attribute):
        return node.attr == BACKEND_KEY
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == BACKEND_KEY
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and \
        bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == BACKEND_KEY


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(_is_literal(item) for item in node.elts)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def dispatch(source: str, where: str) -> Iterator[str]:
    """Each place in `source` that chooses by backend: an isinstance naming a backend class, or a `backend`
    compared with a literal."""
    for node in ast.walk(ast.parse(source, where)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance" and \
                len(node.args) == 2 and BACKEND_CLASSES & set(_names(node.args[1])):
            yield f"{where}:{node.lineno}: {ast.unparse(node)}"
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_backend_value(side) for side in sides) and any(_is_literal(side) for side in sides):
                yield f"{where}:{node.lineno}: {ast.unparse(node)}"


def test_nothing_outside_the_backends_chooses_by_backend():
    found = [line for path in sorted((REPO / "residency").rglob("*.py"))
             if not path.relative_to(REPO).is_relative_to(BACKENDS_PACKAGE)
             for line in dispatch(path.read_text(), path.relative_to(REPO).as_posix())]
    assert found == []


@pytest.mark.parametrize("source", [
    "if isinstance(config.state, S3State):\n    pass\n",
    "ok = isinstance(state, (LocalState, CloudState))\n",
    "if config.state.backend == 's3':\n    pass\n",
    "remote = lookup.get('backend') in ('remote', 'cloud')\n",
    "local = 'local' != block['backend']\n",
])
def test_the_scan_finds_a_choice_by_backend(source):
    """The scan is not vacuous."""
    assert list(dispatch(source, "probe.py"))


def test_every_backend_answers_for_itself():
    assert list(STATE_MODELS) == [backend.kind() for backend in BACKENDS] == ["local", "s3", "cloud"]
    for backend in BACKENDS:
        assert backend.terraform_kinds and not backend.__abstractmethods__, backend
        assert backend.__module__.startswith("residency.config.state_backends."), backend
